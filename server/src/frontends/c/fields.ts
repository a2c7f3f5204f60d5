// Field access by numeric id: `childForFieldName` searches the field-name table on every call,
// which shows in profiles of large files.
import type { Node } from "web-tree-sitter";

const FIELD_NAMES = [
  "alternative", "argument", "arguments", "body", "condition", "consequence", "declarator", "field", "filter",
  "function", "index", "initializer", "label", "left", "name", "operator", "parameters", "right", "type", "update", "value",
  // C++ only.
  "placement", "captures", "scope", "indices",
] as const;

export type FieldName = (typeof FIELD_NAMES)[number];

/** By grammar (C and C++ number their fields differently); the last one asked is kept at hand. */
const idsByGrammar = new WeakMap<readonly (string | null)[], Record<FieldName, number>>();
let last: { fields: readonly (string | null)[]; ids: Record<FieldName, number> } | undefined;

function fieldIds(node: Node): Record<FieldName, number> {
  const fields = node.tree.language.fields;
  if (last !== undefined && last.fields === fields) return last.ids;
  let ids = idsByGrammar.get(fields);
  if (ids === undefined) {
    ids = {} as Record<FieldName, number>;
    for (const name of FIELD_NAMES) ids[name] = fields.indexOf(name);
    idsByGrammar.set(fields, ids);
  }
  last = { fields, ids };
  return ids;
}

export function fieldChild(node: Node, field: FieldName): Node | null {
  const id = fieldIds(node)[field];
  return id < 0 ? null : node.childForFieldId(id);
}
