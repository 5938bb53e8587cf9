import { createRequire } from 'node:module';

/**
 * The TypeScript compiler API alone, for reading the app's tsconfig: the copy ts-morph bundles
 * (@ts-morph/common/dist/typescript.js, the module ts-morph itself loads, so it is loaded once),
 * without ts-morph and @ts-morph/common around it (~100 ms), which only the syntax transforms
 * need. Resolved from ts-morph's own folder, so it is found wherever the package manager put it.
 */
const fromTsMorph = createRequire(createRequire(import.meta.url).resolve('ts-morph'));

export const ts = fromTsMorph('@ts-morph/common/dist/typescript.js') as typeof import('ts-morph').ts;
