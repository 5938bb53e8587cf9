import { inMemoryFile } from './_in-memory.js';

/**
 * Runtime sources import each other with `.js` suffixes (Node16/NodeNext style). Apps on
 * bundler or classic resolution get extensionless specifiers instead. Only relative imports
 * and re-exports are touched; package imports stay as they are. With `.js` the source is already
 * right, and is not even parsed.
 */
export function rewriteImports(path: string, text: string, suffix: '.js' | ''): string {
  if (suffix === '.js') return text;
  const file = inMemoryFile(path, text);
  const declarations = [...file.getImportDeclarations(), ...file.getExportDeclarations()];
  for (const declaration of declarations) {
    const specifier = declaration.getModuleSpecifierValue();
    if (specifier?.startsWith('.') && specifier.endsWith('.js')) {
      declaration.setModuleSpecifier(specifier.slice(0, -'.js'.length));
    }
  }
  return file.getFullText();
}
