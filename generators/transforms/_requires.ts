import type { BindingElement, SourceFile, VariableStatement } from 'ts-morph';
import { Node } from '../ts-morph.js';

/** A top-level `const { a, b: c } = require('./x.js');`: the CommonJS form of a named import. */
export interface RequireStatement {
  statement: VariableStatement;
  specifier: string;
  /** The destructured names; empty for `const x = require('x')`. */
  names: BindingElement[];
}

/** The file's top-level require statements, in order. */
export function requireStatements(file: SourceFile): RequireStatement[] {
  const found: RequireStatement[] = [];
  for (const statement of file.getVariableStatements()) {
    const [declaration, ...more] = statement.getDeclarations();
    const call = declaration?.getInitializer();
    if (declaration === undefined || more.length > 0 || !Node.isCallExpression(call)) continue;
    const [argument, ...rest] = call.getArguments();
    if (call.getExpression().getText() !== 'require' || rest.length > 0 || !Node.isStringLiteral(argument)) continue;
    const name = declaration.getNameNode();
    found.push({
      statement,
      specifier: argument.getLiteralValue(),
      names: Node.isObjectBindingPattern(name) ? name.getElements() : [],
    });
  }
  return found;
}

/** The imported name of a destructured element (`b` in `{ b: c }`). */
export function importedName(element: BindingElement): string {
  return (element.getPropertyNameNode() ?? element.getNameNode()).getText();
}

/** Whether the file is CommonJS as far as its imports tell: requires and no import declarations. */
export function usesRequire(file: SourceFile): boolean {
  return file.getImportDeclarations().length === 0 && requireStatements(file).length > 0;
}
