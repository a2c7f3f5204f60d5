// Names declared with the type of an API function (`PFN_VMB_PACKET_ALLOCATE pVmbPacketAllocate;`,
// a field of that type in a struct or an interface table, a C++ static member): a call through one
// is a call of that function. The model says which typedef is whose type (packs' functionTypeNames).
import type { Node } from "web-tree-sitter";
import { declaredName } from "./declarators";
import { fieldChild } from "./fields";

/** A name and the API function its declared type is the type of. */
export interface FunctionTypedName {
  name: string;
  api: string;
}

const DECLARATIONS = ["declaration", "field_declaration"];

/** Every declaration of the tree (file scope, struct fields, class members, locals) whose type is one of `types`. */
export function functionTypedNames(root: Node, text: string, types: ReadonlyMap<string, string> | undefined): FunctionTypedName[] {
  if (types === undefined || types.size === 0 || !mentionsAny(text, types)) return [];
  const found: FunctionTypedName[] = [];
  for (const declaration of root.descendantsOfType(DECLARATIONS)) {
    if (declaration === null) continue;
    const typeNode = fieldChild(declaration, "type");
    if (typeNode === null) continue;
    const api = types.get(text.slice(typeNode.startIndex, typeNode.endIndex));
    if (api === undefined) continue;
    for (const declarator of declaration.childrenForFieldName("declarator")) {
      const name = nameOf(declarator);
      if (name !== undefined && name !== api) found.push({ name, api });
    }
  }
  return found;
}

/** The declared name; a C++ static member defined outside its class (`PFN_X Class::Member = NULL;`) by its member name. */
function nameOf(declarator: Node | null): string | undefined {
  const declared = declaredName(declarator);
  if (declared.name !== undefined) return declared.name;
  let node = declarator;
  while (node !== null && node.type === "init_declarator") node = fieldChild(node, "declarator");
  const member = node?.type === "qualified_identifier" ? fieldChild(node, "name") : null;
  return member?.type === "identifier" ? member.text : undefined;
}

/** Whether the text spells any of the type names: most files name none, and need no walk. */
function mentionsAny(text: string, types: ReadonlyMap<string, string>): boolean {
  for (const type of types.keys()) if (text.includes(type)) return true;
  return false;
}
