// Field access by numeric id: `childForFieldName` searches the field-name table on every call,
// which shows in profiles of large files.
import type { Node } from "web-tree-sitter";

const FIELD_NAMES = [
  "alternative", "argument", "arguments", "body", "condition", "consequence", "declarator", "field", "filter",
  "function", "index", "initializer", "label", "left", "name", "operator", "parameters", "right", "type", "update", "value",
] as const;

export type FieldName = (typeof FIELD_NAMES)[number];

let idsFor: { fields: readonly (string | null)[]; ids: Record<FieldName, number> } | undefined;

function fieldIds(node: Node): Record<FieldName, number> {
  const fields = node.tree.language.fields;
  if (idsFor === undefined || idsFor.fields !== fields) {
    const ids = {} as Record<FieldName, number>;
    for (const name of FIELD_NAMES) ids[name] = fields.indexOf(name);
    idsFor = { fields, ids };
  }
  return idsFor.ids;
}

export function fieldChild(node: Node, field: FieldName): Node | null {
  const id = fieldIds(node)[field];
  return id < 0 ? null : node.childForFieldId(id);
}
