import type { SourceFile } from 'ts-morph';
import { Node } from '../ts-morph.js';
import { TextEdits } from './_edits.js';

/**
 * An ES module as CommonJS, written the way a person writes it: `const { a } = require('./a.js')`
 * where the import was, declarations without `export`, and one `module.exports = { ... }` at the
 * end. Only the module syntax the runtime and templates use is supported; anything else throws,
 * so a new construct fails the generator's tests instead of reaching an app.
 */
export function toCommonJs(file: SourceFile): string {
  const text = file.getFullText();
  const edits = new TextEdits();
  const exported: string[] = [];

  for (const statement of file.getStatements()) {
    if (Node.isImportDeclaration(statement)) {
      const specifier = `'${statement.getModuleSpecifierValue()}'`;
      const defaultName = statement.getDefaultImport()?.getText();
      const namespace = statement.getNamespaceImport()?.getText();
      const named = statement.getNamedImports().map((entry) => {
        const alias = entry.getAliasNode()?.getText();
        return alias ? `${entry.getName()}: ${alias}` : entry.getName();
      });
      const lines: string[] = [];
      const module = defaultName ?? namespace;
      if (module !== undefined) lines.push(`const ${module} = require(${specifier});`);
      if (named.length > 0) lines.push(`const { ${named.join(', ')} } = ${module ?? `require(${specifier})`};`);
      if (lines.length === 0) lines.push(`require(${specifier});`);
      edits.replace(statement.getStart(), statement.getEnd(), lines.join('\n'));
    } else if (Node.isExportDeclaration(statement)) {
      const specifier = statement.getModuleSpecifierValue();
      if (!statement.hasModuleSpecifier() && statement.getNamedExports().length === 0) {
        // `export {}` only marks a file of types as a module; module.exports below does that.
        edits.remove(statement.getStart(), statement.getEnd());
        exported.push('');
        continue;
      }
      if (statement.isNamespaceExport() || statement.getNamedExports().length === 0)
        throw new Error(`${file.getBaseName()}: \`export *\` has no CommonJS form here`);
      const names = statement.getNamedExports().map((entry) => ({
        local: entry.getName(),
        exported: entry.getAliasNode()?.getText() ?? entry.getName(),
      }));
      for (const { local, exported: name } of names) exported.push(name === local ? name : `${name}: ${local}`);
      if (specifier === undefined) edits.remove(statement.getStart(), statement.getEnd());
      else
        edits.replace(
          statement.getStart(),
          statement.getEnd(),
          `const { ${names.map((name) => name.local).join(', ')} } = require('${specifier}');`,
        );
    } else if (Node.isExportAssignment(statement)) {
      throw new Error(`${file.getBaseName()}: \`export default\` has no CommonJS form here`);
    } else if (
      Node.isFunctionDeclaration(statement) ||
      Node.isClassDeclaration(statement) ||
      Node.isVariableStatement(statement)
    ) {
      const keyword = statement.getModifiers().find((modifier) => modifier.getText() === 'export');
      if (keyword === undefined) continue;
      if (statement.getModifiers().some((modifier) => modifier.getText() === 'default'))
        throw new Error(`${file.getBaseName()}: \`export default\` has no CommonJS form here`);
      let end = keyword.getEnd();
      while (/\s/.test(text[end] ?? '')) end++;
      edits.remove(keyword.getStart(), end);
      if (Node.isVariableStatement(statement)) {
        for (const declaration of statement.getDeclarations()) {
          const name = declaration.getNameNode();
          if (!Node.isIdentifier(name)) throw new Error(`${file.getBaseName()}: export a destructured name by name`);
          exported.push(name.getText());
        }
      } else {
        exported.push(statement.getNameOrThrow());
      }
    }
  }
  const awaited = file
    .getDescendants()
    .some(
      (node) => Node.isAwaitExpression(node) && node.getFirstAncestor(Node.isFunctionLikeDeclaration) === undefined,
    );
  if (awaited) throw new Error(`${file.getBaseName()}: top-level await has no CommonJS form`);
  if (/\bimport\.meta\b/.test(text)) throw new Error(`${file.getBaseName()}: import.meta has no CommonJS form`);

  let js = edits.apply(text).trimEnd();
  const names = exported.filter((name) => name !== '');
  if (exported.length > 0) js += `\n\nmodule.exports = ${names.length > 0 ? `{ ${names.join(', ')} }` : '{}'};`;
  return `${js}\n`;
}
