// How a file names what it imports: `import { VmbPacketFree as release }` makes `release(p)` a call of
// `VmbPacketFree`, whatever module it comes from, so the model and cross-file summaries match it by
// its exported name; a module that renames the API for the others gets forwarding functions.
// Namespace imports need nothing here: `kmcl.VmbPacketFree(p)` is already a call
// named by its member, as a call through an interface table is in C.
import ts from "typescript";
import type { Expr, IrFunction, Parameter } from "../../ir/ir";
import { stripTransparent } from "./expressions";
import type { SourceText } from "./source";

/** Arguments a forwarding alias passes on: more than any KMCL function takes. */
const forwardedArguments = 8;

export function hasModifier(node: ts.Node, kind: ts.SyntaxKind): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node)?.some((modifier) => modifier.kind === kind) ?? false);
}

function isRequireCall(node: ts.Expression): boolean {
  return ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === "require" && node.arguments.length === 1;
}

/** Local name to exported name, for the renaming imports and destructurings at the file's top level. */
export function importedNames(file: ts.SourceFile): Map<string, string> {
  const names = new Map<string, string>();
  /** Names bound to a whole module (`import * as kmcl`, `const kmcl = require(...)`): destructuring them renames. */
  const modules = new Set<string>();
  for (const statement of file.statements) {
    if (ts.isImportDeclaration(statement)) {
      const clause = statement.importClause;
      const bindings = clause?.namedBindings;
      if (clause?.name) modules.add(clause.name.text);
      if (bindings && ts.isNamespaceImport(bindings)) modules.add(bindings.name.text);
      if (bindings && ts.isNamedImports(bindings)) {
        for (const specifier of bindings.elements) {
          if (specifier.propertyName && ts.isIdentifier(specifier.propertyName)) names.set(specifier.name.text, specifier.propertyName.text);
        }
      }
    } else if (ts.isImportEqualsDeclaration(statement)) {
      modules.add(statement.name.text);
    } else if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        const initializer = declaration.initializer;
        if (initializer === undefined) continue;
        const fromModule = isRequireCall(initializer) || (ts.isIdentifier(initializer) && modules.has(initializer.text));
        if (!fromModule) continue;
        if (ts.isIdentifier(declaration.name)) modules.add(declaration.name.text);
        else if (ts.isObjectBindingPattern(declaration.name)) {
          for (const element of declaration.name.elements) {
            if (ts.isIdentifier(element.name) && element.propertyName && ts.isIdentifier(element.propertyName)) names.set(element.name.text, element.propertyName.text);
          }
        }
      }
    }
  }
  return names;
}

/**
 * A module that gives an API function another name (`export { VmbPacketFree as freePacket }`,
 * `export const freePacket = VmbPacketFree`) gets a forwarding function of that name, so that
 * `freePacket(p)` in the files importing it is summarized as the call it forwards to.
 */
export function forwardingFunctions(source: SourceText, fileName: string, imported: ReadonlyMap<string, string>, uniqueId: (name: string) => string): IrFunction[] {
  const aliases: IrFunction[] = [];
  const forward = (alias: ts.Identifier | ts.StringLiteral, target: string, node: ts.Node) => {
    const name = alias.text;
    if (name === target || name === "default") return;
    const range = source.rangeOf(node);
    const params: Parameter[] = Array.from({ length: forwardedArguments }, (_, index) => ({ name: `#arg${index}`, annotations: [], range }));
    const args = params.map((param): Expr => ({ kind: "var", name: param.name, range }));
    const call: Expr = { kind: "call", callee: { name: target, text: target, range }, args, range };
    aliases.push({
      id: uniqueId(name),
      name,
      file: fileName,
      language: "ts",
      params,
      annotations: [],
      blocks: [{ id: 0, instrs: [], terminator: { kind: "return", value: call, range } }],
      entry: 0,
      range,
      nameRange: source.rangeOf(alias),
    });
  };
  const original = (local: string) => imported.get(local) ?? local;
  for (const statement of source.file.statements) {
    if (ts.isExportDeclaration(statement) && statement.exportClause !== undefined && ts.isNamedExports(statement.exportClause)) {
      for (const specifier of statement.exportClause.elements) {
        if (specifier.propertyName === undefined || !ts.isIdentifier(specifier.propertyName)) continue;
        // `export { A as B } from "m"` names m's A; `export { A as B }` names what A is here.
        const target = statement.moduleSpecifier === undefined ? original(specifier.propertyName.text) : specifier.propertyName.text;
        forward(specifier.name, target, specifier);
      }
    } else if (ts.isVariableStatement(statement) && hasModifier(statement, ts.SyntaxKind.ExportKeyword)) {
      for (const declaration of statement.declarationList.declarations) {
        const initializer = declaration.initializer === undefined ? undefined : stripTransparent(declaration.initializer);
        if (ts.isIdentifier(declaration.name) && initializer !== undefined && ts.isIdentifier(initializer)) forward(declaration.name, original(initializer.text), declaration);
      }
    }
  }
  return aliases;
}
