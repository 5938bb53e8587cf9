import { posix } from 'node:path';

export interface ExampleWiring {
  /** The example's source, relative to runtime/: `examples/express.ts`. */
  source: string;
  /** Where the app gets it, relative to the app root: `session-example.ts`. */
  example: string;
  /** The layer's folder, relative to the app root: `src/session`. */
  dir: string;
  /** The name the layer's index exports the framework glue as (`sessionMiddleware`). */
  glue: string;
}

/**
 * An example server of runtime/examples/ as an app gets it. In runtime/ the example is a module:
 * its app and its `serveExample` take the session manager and the glue as arguments, because the
 * layer's index.ts, which makes them, exists only in an app. Here the example becomes a program:
 * its relative imports point from where the example is written into the layer's folder, it
 * imports `sessions` and the glue from the layer's index, and it ends by serving with them.
 * Specifiers keep their `.js` suffix; the vendoring transforms adjust them to the app's resolution.
 */
export async function wireExample(text: string, wiring: ExampleWiring): Promise<string> {
  const { inMemoryFile } = await import('./_in-memory.js');
  const file = inMemoryFile(wiring.source, text);
  const fromExample = (layerPath: string) => {
    const path = posix.relative(posix.dirname(wiring.example), posix.join(wiring.dir, layerPath));
    return path.startsWith('.') ? path : `./${path}`;
  };
  const imports = file.getImportDeclarations();
  for (const declaration of imports) {
    const specifier = declaration.getModuleSpecifierValue();
    if (specifier.startsWith('.'))
      declaration.setModuleSpecifier(fromExample(posix.join(posix.dirname(wiring.source), specifier)));
  }
  const last = imports.at(-1);
  if (last === undefined) throw new Error(`${wiring.source} imports nothing; an example imports its framework`);
  file.insertText(last.getEnd(), `\nimport { ${wiring.glue}, sessions } from '${fromExample('index.js')}';`);
  const body = file.getFullText().trimEnd();
  return `${body}\n\n// Serve the example with the layer's session manager and ${wiring.glue}.\nserveExample(sessions, ${wiring.glue});\n`;
}
