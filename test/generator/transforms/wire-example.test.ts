/** wireExample: an example of runtime/examples/ as the program an app gets. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { wireExample } from '../../../generators/transforms/wire-example.js';
import { frameworks } from '../../../runtime/manifest.js';
import { repoRoot } from '../../helpers/apps.js';

const SOURCE = `/** An example. */
import express from 'express';
import type { SessionManager } from '../core/manager.js';
import type { Session } from '../core/session.js';

export function serveExample(sessions: SessionManager, sessionMiddleware: unknown): void {}
`;

describe('wireExample', () => {
  it.each([
    ['session-example.ts', 'src/session', './src/session'],
    ['tools/demo.ts', 'src/session', '../src/session'],
    ['src/demo.ts', 'src/session', './session'],
    ['src/session/demo.ts', 'src/session', '.'],
  ])('%s with the layer in %s imports the layer from %s', async (example, dir, layer) => {
    const wired = await wireExample(SOURCE, { source: 'examples/express.ts', example, dir, glue: 'sessionMiddleware' });
    expect(wired).toBe(`/** An example. */
import express from 'express';
import type { SessionManager } from '${layer}/core/manager.js';
import type { Session } from '${layer}/core/session.js';
import { sessionMiddleware, sessions } from '${layer}/index.js';

export function serveExample(sessions: SessionManager, sessionMiddleware: unknown): void {}

// Serve the example with the layer's session manager and sessionMiddleware.
serveExample(sessions, sessionMiddleware);
`);
  });

  it.each(frameworks.map((framework) => [framework.name, framework] as const))(
    "wires %s's example: every relative import points into the layer, the glue comes from its index",
    async (_name, framework) => {
      const source = readFileSync(join(repoRoot, 'runtime', framework.example), 'utf8');
      const wired = await wireExample(source, {
        source: framework.example,
        example: 'session-example.ts',
        dir: 'session',
        glue: framework.exportName,
      });
      const specifiers = [...wired.matchAll(/^import .* from '(\.[^']*)';$/gm)].map((match) => match[1]);
      expect(specifiers.length).toBeGreaterThan(0);
      for (const specifier of specifiers) expect(specifier).toMatch(/^\.\/session\/[a-z/-]+\.js$/);
      expect(wired).toContain(`import { ${framework.exportName}, sessions } from './session/index.js';`);
      expect(wired.trimEnd().endsWith(`serveExample(sessions, ${framework.exportName});`)).toBe(true);
    },
  );
});
