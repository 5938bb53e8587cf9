// `npm run demo`: generates a demo Express app with the default embedded store into .demo/app,
// type-checks it strictly and starts its example server. Stop it with Ctrl-C.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const app = join(repo, '.demo', 'app');
const port = process.env.PORT || '3000';

rmSync(app, { recursive: true, force: true });
mkdirSync(app, { recursive: true });
writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'session-demo', private: true, type: 'module', dependencies: { express: '^5.1.0' } }, null, 2) + '\n');
writeFileSync(
  join(app, 'tsconfig.json'),
  JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', strict: true, noEmit: true, types: ['node'] } }, null, 2) + '\n',
);
// The demo borrows this repo's installed packages (express, tsx, typescript) instead of installing its own.
symlinkSync(join(repo, 'node_modules'), join(app, 'node_modules'), 'dir');

const step = (command, args) => {
  const result = spawnSync(command, args, { cwd: app, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
};
step(process.execPath, [join(repo, 'bin', 'create-session-layer.js'), '--yes', '--framework', 'express', '--example']);
step(process.execPath, [join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.']);

console.log(`\nDemo app: ${app}\nTry it (a second terminal):\n  curl -i -c /tmp/demo-jar -b /tmp/demo-jar http://127.0.0.1:${port}/count\n`);
const server = spawn(process.execPath, [join(repo, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'session-example.ts'], {
  cwd: app,
  stdio: 'inherit',
  env: { ...process.env, PORT: port },
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill(signal));
server.on('exit', (code) => process.exit(code ?? 0));
