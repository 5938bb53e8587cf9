import { Node, SyntaxKind } from '../ts-morph.js';
import type {
  ClassDeclaration,
  ImportDeclaration,
  InterfaceDeclaration,
  JSDoc,
  ParameterDeclaration,
  SourceFile,
  TypeAliasDeclaration,
  TypeNode,
  TypeParameterDeclaration,
} from 'ts-morph';
import { TextEdits } from './_edits.js';

/**
 * TypeScript to JavaScript with the same types as JSDoc, for apps without TypeScript. The types
 * move into comments TypeScript's checkJs reads (`@param`, `@returns`, `@template`, `@typedef`,
 * `@type` casts, `@import`), merged into the doc comments already there; everything else is the
 * source as written, so the JavaScript reads like its TypeScript original. The output is an ES
 * module (see to-commonjs.ts for CommonJS apps).
 *
 * Module augmentations (`declare global`, `declare module 'x'`) have no JSDoc form: they are
 * returned as the text of a declaration file, which the JavaScript imports (a type-only import of
 * nothing, which brings the file into the program without a name to leave unused).
 */
export interface JsDocOutput {
  text: string;
  /** The `.d.ts` text holding the file's module augmentations, when it has any. */
  declarations: string | undefined;
}

/** `declarationsFile` is the base name the declarations get beside the file (`express.types.d.ts`). */
export function toJsDoc(file: SourceFile, declarationsFile: string): JsDocOutput {
  const text = file.getFullText();
  const edits = new TextEdits();
  const augmentations: Node[] = [];
  const importDocs: string[] = [];

  for (const statement of file.getStatements()) {
    if (Node.isInterfaceDeclaration(statement) || Node.isTypeAliasDeclaration(statement)) {
      replaceWithTypedef(edits, statement);
    } else if (Node.isModuleDeclaration(statement)) {
      if (!statement.hasModifier(SyntaxKind.DeclareKeyword))
        throw new Error(`${file.getBaseName()}: namespaces have no JavaScript form`);
      augmentations.push(statement);
      edits.remove(statement.getFullStart(), statement.getEnd());
    } else if (Node.isImportDeclaration(statement)) {
      convertImport(edits, statement, importDocs);
    } else if (Node.isExportDeclaration(statement)) {
      convertExport(edits, statement);
    } else if (Node.isEnumDeclaration(statement)) {
      throw new Error(`${file.getBaseName()}: enums have no JavaScript form`);
    }
  }
  placeImportDocs(edits, file, importDocs);
  file.forEachDescendant((node, traversal) => {
    if (
      Node.isInterfaceDeclaration(node) ||
      Node.isTypeAliasDeclaration(node) ||
      Node.isModuleDeclaration(node) ||
      Node.isImportDeclaration(node) ||
      Node.isExportDeclaration(node) ||
      Node.isTypeNode(node)
    ) {
      traversal.skip();
      return;
    }
    convertNode(edits, node, text);
  });

  const declarations = augmentations.length === 0 ? undefined : declarationsText(file, augmentations);
  let js = edits.apply(text);
  // A file of types alone still has to be a module, or its typedefs would be global.
  const isModule = file
    .getStatements()
    .some(
      (statement) =>
        (Node.isImportDeclaration(statement) && !statement.isTypeOnly()) ||
        (Node.isExportDeclaration(statement) && !statement.isTypeOnly()) ||
        ((Node.isFunctionDeclaration(statement) ||
          Node.isClassDeclaration(statement) ||
          Node.isVariableStatement(statement)) &&
          statement.hasExportKeyword()),
    );
  if (!isModule) js = `${js.trimEnd()}\n\nexport {};\n`;
  if (declarations !== undefined)
    js = `/** @import {} from './${declarationsFile.replace(/\.d\.ts$/, '.js')}' */\n${js}`;
  return { text: js, declarations };
}

function convertNode(edits: TextEdits, node: Node, text: string): void {
  if (
    Node.isFunctionDeclaration(node) ||
    Node.isMethodDeclaration(node) ||
    Node.isConstructorDeclaration(node) ||
    Node.isGetAccessorDeclaration(node) ||
    Node.isSetAccessorDeclaration(node) ||
    Node.isArrowFunction(node) ||
    Node.isFunctionExpression(node)
  ) {
    if ((Node.isFunctionDeclaration(node) || Node.isMethodDeclaration(node)) && !node.hasBody()) {
      edits.remove(node.getFullStart(), node.getEnd()); // an overload signature
      return;
    }
    convertFunction(edits, node, text);
  } else if (Node.isClassDeclaration(node) || Node.isClassExpression(node)) {
    convertClass(edits, node as ClassDeclaration);
  } else if (Node.isPropertyDeclaration(node)) {
    convertProperty(edits, node, text);
  } else if (Node.isVariableDeclaration(node)) {
    convertVariable(edits, node, text);
  } else if (Node.isAsExpression(node) || Node.isTypeAssertion(node) || Node.isSatisfiesExpression(node)) {
    const expression = node.getExpression();
    const typeNode = node.getTypeNodeOrThrow();
    const tag = Node.isSatisfiesExpression(node) ? 'satisfies' : 'type';
    edits.insert(node.getStart(), `/** @${tag} {${typeText(typeNode)}} */ (`);
    if (Node.isTypeAssertion(node)) {
      edits.remove(node.getStart(), expression.getStart());
      edits.insert(expression.getEnd(), ')');
    } else {
      edits.replace(expression.getEnd(), node.getEnd(), ')');
    }
  } else if (Node.isNonNullExpression(node)) {
    edits.remove(node.getExpression().getEnd(), node.getEnd());
  } else if (Node.isCallExpression(node) || Node.isNewExpression(node)) {
    removeTypeArguments(edits, node, text);
  }
}

type FunctionLike =
  | import('ts-morph').FunctionDeclaration
  | import('ts-morph').MethodDeclaration
  | import('ts-morph').ConstructorDeclaration
  | import('ts-morph').GetAccessorDeclaration
  | import('ts-morph').SetAccessorDeclaration
  | import('ts-morph').ArrowFunction
  | import('ts-morph').FunctionExpression;

function convertFunction(edits: TextEdits, node: FunctionLike, text: string): void {
  const tags: string[] = templateTags(node.getTypeParameters());
  removeTypeParameters(edits, node, text);
  const parameters = node.getParameters();
  const fields: string[] = [];
  parameters.forEach((parameter, index) => {
    const name = parameter.getName();
    const typeNode = parameter.getTypeNode();
    if (name === 'this') {
      if (typeNode) tags.push(`@this {${typeText(typeNode)}}`);
      const next = parameters[index + 1];
      edits.remove(parameter.getStart(), next ? next.getStart() : parameter.getEnd());
      return;
    }
    if (parameter.isParameterProperty()) fields.push(parameterProperty(edits, parameter, text));
    const question = parameter.getQuestionTokenNode();
    if (question) edits.remove(question.getStart(), question.getEnd());
    if (typeNode) {
      edits.remove(colonBefore(text, typeNode), typeNode.getEnd());
      const optional = question !== undefined || parameter.hasInitializer();
      // A destructured parameter has no name for @param, and a function typed by its variable
      // takes no @param tags of its own: the type goes right before the parameter.
      const variable = node.getParent();
      const typedByVariable =
        (Node.isArrowFunction(node) || Node.isFunctionExpression(node)) &&
        Node.isVariableDeclaration(variable) &&
        variable.getTypeNode() !== undefined;
      if (typedByVariable) edits.insert(parameter.getStart(), `/** @type {${typeText(typeNode)}} */ `);
      // TypeScript matches a @param tag to a destructured parameter by position.
      else if (!Node.isIdentifier(parameter.getNameNode()))
        tags.push(`@param {${typeText(typeNode)}} ${optional ? `[param${index}]` : `param${index}`}`);
      else if (parameter.isRestParameter()) tags.push(`@param {...${elementType(typeNode)}} ${name}`);
      else tags.push(`@param {${typeText(typeNode)}} ${optional ? `[${name}]` : name}`);
    }
  });
  const returnType = node.getReturnTypeNode();
  if (returnType) {
    edits.remove(colonBefore(text, returnType), returnType.getEnd());
    if (!Node.isSetAccessorDeclaration(node)) tags.push(`@returns {${typeText(returnType)}}`);
  }
  if (Node.isConstructorDeclaration(node) && fields.length > 0) assignParameterProperties(edits, node, fields);
  for (const modifier of node.getModifiers()) removeTsModifier(edits, modifier, tags, text);

  if (tags.length === 0) return;
  const parent = node.getParent();
  if (
    (Node.isArrowFunction(node) || Node.isFunctionExpression(node)) &&
    Node.isVariableDeclaration(parent) &&
    parent.getTypeNode() === undefined &&
    parent.getVariableStatement()?.getDeclarations().length === 1
  ) {
    addTags(edits, parent.getVariableStatementOrThrow(), tags);
  } else {
    addTags(edits, node, tags);
  }
}

/** `constructor(readonly store: string)`: a class field, assigned first thing in the constructor. */
function parameterProperty(edits: TextEdits, parameter: ParameterDeclaration, text: string): string {
  const tags: string[] = [];
  for (const modifier of parameter.getModifiers()) removeTsModifier(edits, modifier, tags, text);
  const typeNode = parameter.getTypeNode();
  if (typeNode) tags.unshift(`@type {${typeText(typeNode)}}`);
  const name = parameter.getName();
  return `${tags.length > 0 ? `${renderDoc(tags, '')}\n` : ''}${name};`;
}

function assignParameterProperties(
  edits: TextEdits,
  node: import('ts-morph').ConstructorDeclaration,
  fields: string[],
): void {
  const names = fields.map((field) => /(\w+);$/.exec(field)?.[1] ?? '');
  edits.insert(node.getStart(true), `${fields.join('\n')}\n\n`);
  const body = node.getBodyOrThrow() as import('ts-morph').Block;
  const superCall = body.getStatements().find((statement) => /^super\s*\(/.test(statement.getText()));
  const assignments = names.map((name) => `this.${name} = ${name};`).join('\n');
  edits.insert(superCall ? superCall.getEnd() : body.getStart() + 1, `\n${assignments}`);
}

function convertClass(edits: TextEdits, node: ClassDeclaration): void {
  const text = node.getSourceFile().getFullText();
  const tags = templateTags(node.getTypeParameters());
  removeTypeParameters(edits, node, text);
  for (const clause of node.getHeritageClauses()) {
    if (clause.getToken() === SyntaxKind.ImplementsKeyword) {
      for (const type of clause.getTypeNodes()) tags.push(`@implements {${typeText(type)}}`);
      edits.remove(clause.getStart() - (/\s$/.test(text.slice(0, clause.getStart())) ? 1 : 0), clause.getEnd());
    } else {
      for (const type of clause.getTypeNodes()) {
        if (type.getTypeArguments().length === 0) continue;
        tags.push(`@extends {${typeText(type)}}`);
        removeTypeArguments(edits, type, text);
      }
    }
  }
  for (const modifier of node.getModifiers()) removeTsModifier(edits, modifier, tags, text);
  for (const member of node.getMembers()) {
    if (Node.isIndexSignatureDeclaration(member)) edits.remove(member.getFullStart(), member.getEnd());
  }
  if (tags.length > 0) addTags(edits, node, tags);
}

function convertProperty(edits: TextEdits, node: import('ts-morph').PropertyDeclaration, text: string): void {
  if (node.hasModifier(SyntaxKind.DeclareKeyword) || node.hasModifier(SyntaxKind.AbstractKeyword)) {
    edits.remove(node.getFullStart(), node.getEnd());
    return;
  }
  const tags: string[] = [];
  const typeNode = node.getTypeNode();
  const token = node.getQuestionTokenNode() ?? node.getExclamationTokenNode();
  if (token) edits.remove(token.getStart(), token.getEnd());
  if (typeNode) {
    edits.remove(colonBefore(text, typeNode), typeNode.getEnd());
    tags.push(`@type {${typeText(typeNode)}}`);
  } else {
    const implied = typeFromGenericNew(node.getInitializer());
    if (implied) tags.push(`@type {${implied}}`);
  }
  for (const modifier of node.getModifiers()) removeTsModifier(edits, modifier, tags, text);
  if (tags.length > 0) addTags(edits, node, tags);
}

function convertVariable(edits: TextEdits, node: import('ts-morph').VariableDeclaration, text: string): void {
  const typeNode = node.getTypeNode();
  if (Node.isCatchClause(node.getParent())) {
    if (typeNode) edits.remove(colonBefore(text, typeNode), typeNode.getEnd());
    return;
  }
  const exclamation = node.getExclamationTokenNode();
  if (exclamation) edits.remove(exclamation.getStart(), exclamation.getEnd());
  const statement = node.getVariableStatement();
  let type: string | undefined;
  if (typeNode) {
    edits.remove(colonBefore(text, typeNode), typeNode.getEnd());
    type = typeText(typeNode);
  } else {
    type = typeFromGenericNew(node.getInitializer());
  }
  if (type === undefined) return;
  const initializer = node.getInitializer();
  if (typeNode && (Node.isArrowFunction(initializer) || Node.isFunctionExpression(initializer))) {
    // In JavaScript a @type on the variable would declare the function's own return type (so a
    // handler typed `void | Promise<void>` must return); a cast only types it from outside, as in TypeScript.
    edits.insert(initializer.getStart(), `/** @type {${type}} */ (`);
    edits.insert(initializer.getEnd(), ')');
    return;
  }
  if (statement === undefined || statement.getDeclarations().length !== 1)
    throw new Error(`${node.getSourceFile().getBaseName()}: give "${node.getName()}" a declaration of its own`);
  addTags(edits, statement, [`@type {${type}}`]);
}

/** `new Map<string, number>()` loses its type arguments in JavaScript: the variable keeps them as its type. */
function typeFromGenericNew(initializer: Node | undefined): string | undefined {
  if (!Node.isNewExpression(initializer)) return undefined;
  const args = initializer.getTypeArguments();
  if (args.length === 0) return undefined;
  return `${initializer.getExpression().getText()}<${args.map(typeText).join(', ')}>`;
}

function removeTypeArguments(edits: TextEdits, node: Node, text: string): void {
  const args = (node.compilerNode as { typeArguments?: { pos: number; end: number } }).typeArguments;
  if (args === undefined) return;
  edits.remove(args.pos - 1, text.indexOf('>', args.end) + 1);
}

function removeTypeParameters(
  edits: TextEdits,
  node: { getTypeParameters(): TypeParameterDeclaration[]; compilerNode: object },
  text: string,
): void {
  const params = (node.compilerNode as { typeParameters?: { pos: number; end: number } }).typeParameters;
  if (params === undefined) return;
  edits.remove(params.pos - 1, text.indexOf('>', params.end) + 1);
}

function templateTags(parameters: readonly TypeParameterDeclaration[]): string[] {
  return parameters.map((parameter) => {
    const constraint = parameter.getConstraint();
    const fallback = parameter.getDefault();
    const name = fallback ? `[${parameter.getName()}=${typeText(fallback)}]` : parameter.getName();
    return `@template ${constraint ? `{${typeText(constraint)}} ` : ''}${name}`;
  });
}

const TAG_FOR_MODIFIER: Partial<Record<SyntaxKind, string>> = {
  [SyntaxKind.ReadonlyKeyword]: '@readonly',
  [SyntaxKind.PrivateKeyword]: '@private',
  [SyntaxKind.ProtectedKeyword]: '@protected',
  [SyntaxKind.OverrideKeyword]: '@override',
};
const TS_ONLY_MODIFIERS = new Set([...Object.keys(TAG_FOR_MODIFIER).map(Number), SyntaxKind.PublicKeyword]);

function removeTsModifier(edits: TextEdits, modifier: Node, tags: string[], text: string): void {
  const kind = modifier.getKind();
  if (!TS_ONLY_MODIFIERS.has(kind)) return;
  const tag = TAG_FOR_MODIFIER[kind];
  if (tag) tags.push(tag);
  let end = modifier.getEnd();
  while (end < text.length && /\s/.test(text[end]!)) end++;
  edits.remove(modifier.getStart(), end);
}

/** The position of the `:` before a type annotation. */
function colonBefore(text: string, typeNode: TypeNode): number {
  const colon = text.lastIndexOf(':', typeNode.getStart());
  if (colon === -1) throw new Error(`no ":" before ${typeNode.getText()}`);
  return colon;
}

/** A type as one line of JSDoc: comments dropped, line breaks folded. */
export function typeText(typeNode: Node): string {
  return typeNode
    .getText()
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\/\/[^\n]*/g, '')
    .replace(/\s*\n\s*/g, ' ')
    .replace(/;\s*}/g, ' }')
    .trim();
}

function elementType(typeNode: TypeNode): string {
  if (Node.isArrayTypeNode(typeNode)) return typeText(typeNode.getElementTypeNode());
  if (Node.isTypeReference(typeNode) && /^(Readonly)?Array$/.test(typeNode.getTypeName().getText())) {
    const [element] = typeNode.getTypeArguments();
    if (element) return typeText(element);
  }
  return 'any';
}

/** The lines inside a doc comment, without its `/**`, `*\/` and leading asterisks. */
function docLines(doc: JSDoc): string[] {
  const inner = doc
    .getText()
    .replace(/^\/\*\*/, '')
    .replace(/\*\/$/, '');
  const lines = inner.split(/\r?\n/).map((line, index) => {
    const bare = line.replace(/^\s*\* ?/, '').trimEnd();
    return index === 0 ? bare.trimStart() : bare;
  });
  while (lines.length > 0 && lines[0]!.trim() === '') lines.shift();
  while (lines.length > 0 && lines.at(-1)!.trim() === '') lines.pop();
  return lines;
}

function renderDoc(lines: readonly string[], indent: string): string {
  if (lines.length === 1) return `/** ${lines[0]} */`;
  return ['/**', ...lines.map((line) => (line === '' ? ' *' : ` * ${line}`)), ' */'].join(`\n${indent}`);
}

function indentAt(node: Node): string {
  const text = node.getSourceFile().getFullText();
  const start = node.getStart();
  return /^[ \t]*/.exec(text.slice(text.lastIndexOf('\n', start - 1) + 1))?.[0] ?? '';
}

/** Merges tags into the node's doc comment, or gives it one. */
function addTags(edits: TextEdits, node: Node, tags: readonly string[]): void {
  const docs = Node.isJSDocable(node) ? node.getJsDocs() : [];
  const doc = docs.at(-1);
  const indent = indentAt(node);
  if (doc === undefined) {
    const text = node.getSourceFile().getFullText();
    const start = node.getStart();
    const firstOnLine = /^[ \t]*$/.test(text.slice(text.lastIndexOf('\n', start - 1) + 1, start));
    edits.insert(start, `${renderDoc(tags, indent)}${firstOnLine ? `\n${indent}` : ' '}`);
    return;
  }
  const lines = docLines(doc);
  edits.replace(doc.getStart(), doc.getEnd(), renderDoc([...lines, ...tags], indent));
}

/** An interface or type alias becomes a `@typedef` comment in its place, with its doc comment kept. */
function replaceWithTypedef(edits: TextEdits, node: InterfaceDeclaration | TypeAliasDeclaration): void {
  const docs = node.getJsDocs();
  const lines = docs.flatMap(docLines);
  lines.push(...templateTags(node.getTypeParameters()));
  if (Node.isTypeAliasDeclaration(node)) {
    lines.push(`@typedef {${typeText(node.getTypeNodeOrThrow())}} ${node.getName()}`);
  } else {
    lines.push(...interfaceTypedef(node));
  }
  const start = docs[0]?.getStart() ?? node.getStart();
  edits.replace(start, node.getEnd(), renderDoc(lines, indentAt(node)));
}

function interfaceTypedef(node: InterfaceDeclaration): string[] {
  const members = node.getMembers();
  const plain =
    node.getExtends().length === 0 &&
    members.every((member) => Node.isPropertySignature(member) || Node.isMethodSignature(member));
  if (!plain) {
    // Index or call signatures, or extended interfaces: one type expression (members' docs stay in the source).
    const body = node.getExtends().map(typeText);
    const literal = `{ ${members.map((member) => typeText(member).replace(/[;,]$/, '')).join('; ')} }`;
    if (members.length > 0 || body.length === 0) body.push(literal);
    return [`@typedef {${body.join(' & ')}} ${node.getName()}`];
  }
  const lines = [`@typedef {object} ${node.getName()}`];
  for (const member of members) {
    let type: string;
    let optional: boolean;
    if (Node.isPropertySignature(member)) {
      type = member.getTypeNode() ? typeText(member.getTypeNodeOrThrow()) : 'any';
      optional = member.hasQuestionToken();
    } else if (Node.isMethodSignature(member)) {
      const parameters = member.getParameters().map((parameter) => typeText(parameter));
      const returns = member.getReturnTypeNode();
      type = `(${parameters.join(', ')}) => ${returns ? typeText(returns) : 'void'}`;
      optional = member.hasQuestionToken();
    } else continue;
    const name = member.getName();
    // Tags inside a member's doc would end the @property: `@default x` reads as `Default: x`.
    const description = (member as unknown as { getJsDocs(): JSDoc[] })
      .getJsDocs()
      .flatMap(docLines)
      .map((line) =>
        line.replace(
          /(^|\s)@(\w+)\s*/g,
          (_, space: string, tag: string) => `${space}${tag[0]!.toUpperCase()}${tag.slice(1)}: `,
        ),
      );
    const [first, ...rest] = description;
    lines.push(`@property {${type}} ${optional ? `[${name}]` : name}${first ? ` ${first}` : ''}`);
    for (const line of rest) lines.push(line === '' ? '' : `  ${line}`);
  }
  return lines;
}

/**
 * `import type { A } from './a.js'` becomes `@import { A } from './a.js'`; in a mixed import
 * only the type names move. The `@import` comment imports the types for the checker alone.
 */
/**
 * A type import becomes an `@import` tag (collected in `docs`, see placeImportDocs); an import of
 * types alone goes, with the line break before it.
 */
function convertImport(edits: TextEdits, node: ImportDeclaration, docs: string[]): void {
  const specifier = node.getModuleSpecifierValue();
  const named = node.getNamedImports();
  const typeOnly = node.isTypeOnly();
  const types = typeOnly ? named : named.filter((entry) => entry.isTypeOnly());
  if (types.length === 0 && !(typeOnly && node.getDefaultImport())) return;
  const names = types.map((entry) => {
    const alias = entry.getAliasNode()?.getText();
    return alias ? `${entry.getName()} as ${alias}` : entry.getName();
  });
  if (names.length > 0) docs.push(`/** @import { ${names.join(', ')} } from '${specifier}' */`);
  const text = node.getSourceFile().getFullText();
  if (importsTypesOnly(node)) {
    const first = node.getSourceFile().getImportDeclarations()[0] === node;
    edits.remove(!first && text[node.getStart() - 1] === '\n' ? node.getStart() - 1 : node.getStart(), node.getEnd());
    return;
  }
  if (types.length === named.length) {
    // `import express, { type X } from 'express'`: drop the braces.
    const bindings = node.getImportClauseOrThrow().getNamedBindingsOrThrow();
    edits.remove(text.lastIndexOf(',', bindings.getStart()), bindings.getEnd());
  } else {
    keepOnly(
      edits,
      node.getImportClauseOrThrow().getNamedBindingsOrThrow(),
      named.filter((entry) => !types.includes(entry)),
    );
  }
}

/**
 * The `@import` tags go together where the first import was: after the last import they would be
 * the leading comment of the code that follows, which import sorters (Biome's) want a blank line
 * before. Where the first import was one of types alone, the tags take its place.
 */
function placeImportDocs(edits: TextEdits, file: SourceFile, docs: readonly string[]): void {
  const first = file.getImportDeclarations()[0];
  if (first === undefined || docs.length === 0) return;
  edits.insert(first.getStart(), docs.join('\n') + (importsTypesOnly(first) ? '' : '\n'));
}

/** Whether an import brings types alone, so that JavaScript keeps nothing of it but its `@import` tag. */
function importsTypesOnly(node: ImportDeclaration): boolean {
  if (node.isTypeOnly()) return true;
  const named = node.getNamedImports();
  return (
    named.length > 0 &&
    named.every((entry) => entry.isTypeOnly()) &&
    node.getDefaultImport() === undefined &&
    node.getNamespaceImport() === undefined
  );
}

/** Re-exports of types become typedefs of the same name (they are exported with the module). */
function convertExport(edits: TextEdits, node: import('ts-morph').ExportDeclaration): void {
  const specifier = node.getModuleSpecifierValue();
  const named = node.getNamedExports();
  const types = node.isTypeOnly() ? named : named.filter((entry) => entry.isTypeOnly());
  if (types.length === 0) return;
  const typedefs = types.map((entry) => {
    const exported = entry.getAliasNode()?.getText() ?? entry.getName();
    const source = specifier === undefined ? entry.getName() : `import('${specifier}').${entry.getName()}`;
    return `/** @typedef {${source}} ${exported} */`;
  });
  if (types.length === named.length) {
    edits.replace(node.getStart(), node.getEnd(), typedefs.join('\n'));
    return;
  }
  const braces = node.getNodeProperty('exportClause');
  if (braces === undefined) throw new Error('an export without braces');
  keepOnly(
    edits,
    braces,
    named.filter((entry) => !types.includes(entry)),
  );
  edits.insert(node.getEnd(), `\n${typedefs.join('\n')}`);
}

/** Rewrites `{ a, type B, c }` as `{ a, c }` (prettier lays it out again afterwards). */
function keepOnly(edits: TextEdits, braces: Node, kept: readonly Node[]): void {
  edits.replace(braces.getStart(), braces.getEnd(), `{ ${kept.map((entry) => entry.getText()).join(', ')} }`);
}

/**
 * The declaration file for a source's module augmentations: the imports their types refer to, as
 * type imports (not the interfaces they augment, which they only name). A directive for the
 * no-namespace lint rule is dropped: the rule allows namespaces in declaration files, where it would
 * be an unused directive.
 */
function declarationsText(file: SourceFile, statements: readonly Node[]): string {
  const referenced = referencedTypeNames(statements);
  const used = (name: string) => referenced.has(name);
  const augmentations = statements
    .map((statement) =>
      statement.getText().replace(/^[ \t]*\/\/ eslint-disable-next-line @typescript-eslint\/no-namespace\b.*\n/gm, ''),
    )
    .join('\n\n');
  const imports: string[] = [];
  for (const declaration of file.getImportDeclarations()) {
    const names = declaration
      .getNamedImports()
      .map((entry) => entry.getAliasNode()?.getText() ?? entry.getName())
      .filter(used);
    if (names.length > 0)
      imports.push(`import type { ${names.join(', ')} } from '${declaration.getModuleSpecifierValue()}';`);
  }
  const local = [...file.getInterfaces(), ...file.getTypeAliases()].map((node) => node.getName()).filter(used);
  if (local.length > 0)
    imports.push(`import type { ${local.join(', ')} } from './${file.getBaseNameWithoutExtension()}.js';`);
  if (imports.length === 0) imports.push('export {};');
  const note =
    '// Types for the JavaScript file beside this one: its module augmentations, which JSDoc cannot express.';
  return `${note}\n${imports.join('\n')}\n\n${augmentations}\n`;
}

/** The names `statements` use as types: `A` of `A`, `A.B`, `A<T>`, `extends A` and `typeof A`. */
function referencedTypeNames(statements: readonly Node[]): Set<string> {
  const names = new Set<string>();
  const add = (text: string) => names.add(text.split('.')[0] ?? text);
  for (const statement of statements)
    statement.forEachDescendant((node) => {
      if (Node.isTypeReference(node)) add(node.getTypeName().getText());
      else if (Node.isExpressionWithTypeArguments(node)) add(node.getExpression().getText());
      else if (Node.isTypeQuery(node)) add(node.getExprName().getText());
    });
  return names;
}
