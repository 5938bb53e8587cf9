/**
 * Preloaded (node --require) into an ESLint run on a temp app: typescript-eslint needs TypeScript's
 * JavaScript API, which TypeScript 7 (this repo's `typescript`) does not have, so its `typescript`
 * imports are answered by `typescript5` (5.9), as in an app that lints with TypeScript 5 installed.
 */
const Module = require('node:module');

const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  const named = request === 'typescript' || request.startsWith('typescript/');
  return resolve.call(this, named ? `typescript5${request.slice('typescript'.length)}` : request, ...rest);
};
