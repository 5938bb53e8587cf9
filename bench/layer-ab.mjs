// In-process A/B of the session layer alone, without HTTP: each tree's CLI generates a JavaScript
// layer (node:http glue, one store), all of them are loaded into this one process, and each is
// driven directly through `load` + `commit` of one hot session (read-only), 10 operations in
// flight, in alternating batches. Prints the median CPU (user + system) per operation.
//
//   node bench/layer-ab.mjs --tree before=../old-checkout --tree after=. [--store redis|memory] [--batches 8]
//
// On a fast framework the layer's own work is a large share of a request, and the HTTP runs'
// noise on a shared two-core machine hides differences of a few microseconds; this does not.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseTrees } from './lib/trees.mjs';
import { redisUrl, secret } from './peers/common.mjs';

const { values } = parseArgs({
  options: {
    tree: { type: 'string', multiple: true, default: [] },
    store: { type: 'string', default: 'redis' },
    batches: { type: 'string', default: '8' },
  },
});
if (values.tree.length === 0) throw new Error('give at least one --tree LABEL=PATH');
const trees = parseTrees(values.tree, process.cwd());
const storeUrls = { redis: redisUrl, memory: 'memory:' };
if (!(values.store in storeUrls)) throw new Error(`--store must be one of ${Object.keys(storeUrls).join(', ')}`);
Object.assign(process.env, {
  SESSION_STORE: storeUrls[values.store],
  SESSION_SECRET: secret,
  SESSION_REGENERATE: '0',
});

const tempRoot = mkdtempSync(join(tmpdir(), 'session-layer-ab-'));
process.on('exit', () => rmSync(tempRoot, { recursive: true, force: true }));

const layers = [];
for (const { label, root } of trees) {
  const app = join(tempRoot, label);
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'layer-ab', private: true, type: 'module' }));
  symlinkSync(join(root, 'node_modules'), join(app, 'node_modules'), 'dir');
  const cli = join(root, 'bin', 'create-session-layer.js');
  const args = [cli, '--yes', '--framework', 'node', '--store', values.store, '--lang', 'js', '--cwd', app];
  const generated = spawnSync(process.execPath, args, { encoding: 'utf8', env: { ...process.env, CI: 'true' } });
  if (generated.status !== 0) throw new Error(`${label}: generation failed\n${generated.stdout}${generated.stderr}`);
  const { sessions } = await import(join(app, 'session', 'index.js'));
  const first = await sessions.load(request(undefined));
  first.set('count', 1);
  const cookie = (await sessions.commit(first)).split(';')[0];
  const again = await sessions.load(request(cookie));
  if (again.get('count') !== 1) throw new Error(`${label}: the session was not found again`);
  await sessions.commit(again);
  layers.push({ label, sessions, cookie, cpu: [] });
}

function request(cookieHeader) {
  return { cookieHeader, path: '/session', ip: '127.0.0.1', userAgent: 'layer-ab', https: false };
}

/** CPU µs per operation over `count` read-only operations, 10 in flight. */
async function batch({ sessions, cookie }, count) {
  let left = count;
  const worker = async () => {
    while (left-- > 0) {
      const session = await sessions.load(request(cookie));
      session.get('count');
      await sessions.commit(session);
    }
  };
  const start = process.cpuUsage();
  await Promise.all(Array.from({ length: 10 }, worker));
  const used = process.cpuUsage(start);
  return (used.user + used.system) / count;
}

for (const layer of layers) await batch(layer, 3_000); // warm-up
const batches = Number(values.batches);
for (let round = 0; round < batches; round++) {
  // Alternate the order, so neither layer always runs first.
  for (const layer of round % 2 === 0 ? layers : [...layers].reverse()) layer.cpu.push(await batch(layer, 10_000));
}
console.log(`store ${values.store}: CPU per read-only load + commit, median of ${batches} batches of 10,000`);
for (const { label, cpu } of layers) {
  const sorted = [...cpu].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  console.log(
    `${label.padEnd(12)} ${median.toFixed(1)} µs   (min ${sorted[0].toFixed(1)}, max ${sorted.at(-1).toFixed(1)})`,
  );
}
await Promise.all(layers.map(({ sessions }) => sessions.close()));
