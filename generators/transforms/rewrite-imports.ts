import type { SourceFile } from 'ts-morph';

/**
 * Runtime sources import each other with `.js` suffixes (Node16/NodeNext style). Apps on
 * bundler or classic resolution get extensionless specifiers instead. Only relative imports
 * and re-exports are touched; package imports stay as they are.
 */
export function rewriteImports(file: SourceFile, suffix: '.js' | ''): void {
  if (suffix === '.js') return;
  const declarations = [...file.getImportDeclarations(), ...file.getExportDeclarations()];
  for (const declaration of declarations) {
    const specifier = declaration.getModuleSpecifierValue();
    if (specifier?.startsWith('.') && specifier.endsWith('.js')) {
      declaration.setModuleSpecifier(specifier.slice(0, -'.js'.length));
    }
  }
}
