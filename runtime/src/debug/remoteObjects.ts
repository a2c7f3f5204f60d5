// The inspector protocol's values (RemoteObject) as one-line texts for the variables view and the
// debug console: `3`, `"text"`, `{id: 2, state: "freed"}`, `Uint8Array(4)`.

export interface ObjectPreview {
  type: string;
  subtype?: string;
  description?: string;
  overflow: boolean;
  properties: { name: string; type: string; subtype?: string; value?: string }[];
}

export interface RemoteObject {
  type: string;
  subtype?: string;
  className?: string;
  value?: unknown;
  unserializableValue?: string;
  description?: string;
  objectId?: string;
  preview?: ObjectPreview;
}

export interface PropertyDescriptor {
  name: string;
  value?: RemoteObject;
  get?: RemoteObject;
  isOwn?: boolean;
  enumerable?: boolean;
}

function previewText(preview: ObjectPreview): string {
  const isArray = preview.subtype === "array" || preview.subtype === "typedarray";
  const items = preview.properties.map((property) => {
    const value = property.type === "string" ? JSON.stringify(property.value ?? "") : (property.value ?? property.type);
    return isArray ? value : `${property.name}: ${value}`;
  });
  if (preview.overflow) items.push("…");
  if (isArray) return `${preview.description ?? "Array"} [${items.join(", ")}]`;
  const prefix = preview.description === undefined || preview.description === "Object" ? "" : `${preview.description} `;
  return `${prefix}{${items.join(", ")}}`;
}

export function remoteObjectText(object: RemoteObject): string {
  switch (object.type) {
    case "undefined":
      return "undefined";
    case "string":
      return JSON.stringify(object.value);
    case "number":
    case "boolean":
      return object.unserializableValue ?? String(object.value);
    case "bigint":
      return object.unserializableValue ?? object.description ?? "";
    case "function": {
      const firstLine = (object.description ?? "function").split("\n")[0]!;
      const name = /^(?:async\s+)?(?:function\*?\s*)?([\w$]+)?\s*\(/.exec(firstLine)?.[1];
      return `ƒ ${name ?? firstLine.slice(0, 60)}`;
    }
    case "object":
      if (object.subtype === "null") return "null";
      if (object.preview) return previewText(object.preview);
      return object.description ?? object.className ?? "Object";
    default:
      return object.description ?? String(object.value);
  }
}

/** Objects and functions with an id can be expanded (functions show their properties too). */
export function isExpandable(object: RemoteObject): boolean {
  return object.objectId !== undefined && (object.type === "object" || object.type === "function") && object.subtype !== "null";
}
