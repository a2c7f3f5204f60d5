// How a file names what it imports: `import { VmbPacketFree as release }` makes `release(p)` a call of
// `VmbPacketFree`, whatever module it comes from, so the model and cross-file summaries match it by
// its exported name. Namespace imports need nothing here: `kmcl.VmbPacketFree(p)` is already a call
// named by its member, as a call through an interface table is in C.
import ts from "typescript";

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
