/**
 * Runtime sources import each other with `.js` suffixes (Node16/NodeNext style). Apps on
 * bundler or classic resolution get extensionless specifiers instead. Only relative imports
 * and re-exports are touched; package imports stay as they are. With `.js` the source is already
 * right, and is not even parsed (nor ts-morph loaded).
 */
export async function rewriteImports(path: string, text: string, suffix: '.js' | ''): Promise<string> {
  if (suffix === '.js') return text;
  const { inMemoryFile } = await import('./_in-memory.js');
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
