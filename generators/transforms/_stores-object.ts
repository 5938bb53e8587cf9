import type { ObjectLiteralElementLike, ObjectLiteralExpression, SourceFile } from 'ts-morph';
import { Node } from '../ts-morph.js';

/**
 * The object literal of index.ts's top-level `stores` declaration (`export const stores: StoreFactories = { ... }`),
 * also when the user wrapped it in `satisfies`, `as` or parentheses. Undefined when the file has none.
 */
export function findStoresObject(file: SourceFile): ObjectLiteralExpression | undefined {
  let initializer = file.getVariableDeclaration('stores')?.getInitializer();
  while (
    initializer !== undefined &&
    (Node.isSatisfiesExpression(initializer) ||
      Node.isAsExpression(initializer) ||
      Node.isParenthesizedExpression(initializer))
  ) {
    initializer = initializer.getExpression();
  }
  return initializer !== undefined && Node.isObjectLiteralExpression(initializer) ? initializer : undefined;
}

/** The key of an entry as a string (`'redis:'` and `"redis:"` both give `redis:`), or undefined for spreads and computed keys. */
export function entryKey(entry: ObjectLiteralElementLike): string | undefined {
  if (
    !Node.isPropertyAssignment(entry) &&
    !Node.isShorthandPropertyAssignment(entry) &&
    !Node.isMethodDeclaration(entry)
  )
    return undefined;
  const name = entry.getNameNode();
  if (Node.isStringLiteral(name) || Node.isNoSubstitutionTemplateLiteral(name)) return name.getLiteralValue();
  if (Node.isIdentifier(name)) return name.getText();
  return undefined;
}
