// What the C++ lowering needs to know of classes: their data members (a bare name in a method may
// be `this->name`), their methods (a call `obj.Send()` is a call of `Class::Send` with `&obj` as
// `this`), their bases, and whether they have constructors and a destructor (RAII). Collected from
// the file and from the headers it includes; plain data, so it travels with SharedDefinitions.
import type { Node } from "web-tree-sitter";
import { declaredName } from "../c/declarators";
import { fieldChild } from "../c/fields";
import { namedChildList, significantChildren } from "../c/syntax";

export interface MethodShape {
  name: string;
  isStatic: boolean;
  /** Per declared parameter (`this` not counted), its type's simple name: overloads are told apart by them. */
  parameterTypes: string[];
}

export interface ClassShape {
  /** The class's own name, without namespaces or template arguments. */
  name: string;
  fields: string[];
  methods: MethodShape[];
  bases: string[];
  /** Names a `typedef` gives the class (`typedef class _Sim { ... } Sim, *PSim;`: `Sim`). */
  aliases?: string[];
}

const MAX_DEPTH = 64;
const CLASS_TYPES = new Set(["class_specifier", "struct_specifier", "union_specifier"]);
/** Containers whose children may declare classes. */
const CONTAINERS = new Set([
  "translation_unit", "namespace_definition", "declaration_list", "template_declaration", "linkage_specification",
  "preproc_if", "preproc_ifdef", "preproc_elif", "preproc_elifdef", "preproc_else", "declaration", "type_definition",
  "field_declaration", "field_declaration_list", "ERROR",
]);

/** The last component of a possibly qualified, possibly templated name: `vmb::Guard<T>` is `Guard`. */
export function simpleName(spelling: string): string {
  const withoutArguments = spelling.replace(/<[^<>]*(?:<[^<>]*>[^<>]*)*>/g, "").replace(/\s+/g, "");
  const parts = withoutArguments.split("::");
  return parts[parts.length - 1];
}

/** The simple type name of each parameter a function declarator declares (`(void)` declares none). */
export function parameterTypes(parameterList: Node | null, text: string): string[] {
  if (parameterList === null) return [];
  const parameters = significantChildren(parameterList).filter((child) => child.type.endsWith("parameter_declaration"));
  if (parameters.length === 1 && /^\s*(?:void|VOID)\s*$/.test(text.slice(parameters[0].startIndex, parameters[0].endIndex))) return [];
  return parameters.map((parameter) => {
    const type = fieldChild(parameter, "type");
    return type === null ? "" : simpleName(text.slice(type.startIndex, type.endIndex));
  });
}

/** The function declarator under pointer, reference and parenthesized declarators (`T* (Class::Get)(...)`), or null. */
function functionDeclaratorOf(declarator: Node | null): Node | null {
  let node = declarator;
  while (node !== null && node.type !== "function_declarator") {
    if (node.type === "pointer_declarator" || node.type === "reference_declarator" || node.type === "parenthesized_declarator" || node.type === "attributed_declarator") {
      node = node.type === "pointer_declarator" ? fieldChild(node, "declarator") : (significantChildren(node)[0] ?? null);
    } else {
      return null;
    }
  }
  return node;
}

/** The name a method declarator declares: `Send`, `Guard` (a constructor), `~Guard`, `operator==`. */
function memberFunctionName(declarator: Node | null, text: string): string | undefined {
  const node = functionDeclaratorOf(declarator);
  const inner = node === null ? null : fieldChild(node, "declarator");
  if (inner === null) return undefined;
  if (inner.type === "destructor_name") return `~${simpleName(text.slice(inner.startIndex, inner.endIndex).replace(/^~/, ""))}`;
  if (inner.type === "field_identifier" || inner.type === "identifier" || inner.type === "operator_name" || inner.type === "template_function") {
    return simpleName(text.slice(inner.startIndex, inner.endIndex));
  }
  return undefined;
}

function isStaticDeclaration(node: Node, text: string): boolean {
  return significantChildren(node).some((child) => child.type === "storage_class_specifier" && text.slice(child.startIndex, child.endIndex) === "static");
}

/** The names a `typedef` around the class declares for it (not the pointer types). */
function typedefNames(node: Node): string[] {
  const parent = node.parent;
  if (parent === null || parent.type !== "type_definition") return [];
  return parent.childrenForFieldName("declarator").flatMap((declarator) => {
    const declared = declaredName(declarator);
    return declared.name !== undefined && declared.indirections === 0 ? [simpleName(declared.name)] : [];
  });
}

function classOf(node: Node, text: string): ClassShape | undefined {
  const nameNode = fieldChild(node, "name");
  const body = fieldChild(node, "body");
  const aliases = typedefNames(node);
  const name = nameNode === null ? aliases[0] : simpleName(text.slice(nameNode.startIndex, nameNode.endIndex));
  if (name === undefined || body === null) return undefined;
  const shape: ClassShape = { name, fields: [], methods: [], bases: [] };
  const otherNames = aliases.filter((alias) => alias !== name);
  if (otherNames.length > 0) shape.aliases = otherNames;
  for (const child of significantChildren(node)) {
    if (child.type !== "base_class_clause") continue;
    for (const base of significantChildren(child)) {
      if (base.type === "type_identifier" || base.type === "qualified_identifier" || base.type === "template_type") shape.bases.push(simpleName(text.slice(base.startIndex, base.endIndex)));
    }
  }
  for (let member of significantChildren(body)) {
    if (member.type === "template_declaration") member = significantChildren(member).find((child) => child.type === "function_definition" || child.type === "declaration" || child.type === "field_declaration") ?? member;
    const type = member.type;
    if (type === "function_definition" || type === "declaration" || type === "field_declaration") {
      const declarators = type === "function_definition" ? [fieldChild(member, "declarator")] : member.childrenForFieldName("declarator");
      for (const declarator of declarators) {
        const method = memberFunctionName(declarator, text);
        if (method !== undefined) {
          const parameters = fieldChild(functionDeclaratorOf(declarator) ?? member, "parameters");
          shape.methods.push({ name: method, isStatic: isStaticDeclaration(member, text), parameterTypes: parameterTypes(parameters, text) });
        } else if (type === "field_declaration" && declarator !== null) {
          const field = declaredName(declarator);
          if (field.name !== undefined) shape.fields.push(field.name);
        }
      }
    }
  }
  return shape;
}

/** Every class with a body in the file, at any namespace depth, nested classes included. */
export function classesOf(root: Node, text: string): ClassShape[] {
  const classes: ClassShape[] = [];
  const pending: { node: Node; depth: number }[] = [{ node: root, depth: 0 }];
  while (pending.length > 0) {
    const { node, depth } = pending.pop() as { node: Node; depth: number };
    for (const child of namedChildList(node)) {
      const type = child.type;
      if (CLASS_TYPES.has(type)) {
        const shape = classOf(child, text);
        if (shape !== undefined) classes.push(shape);
        const body = fieldChild(child, "body");
        if (body !== null && depth < MAX_DEPTH) pending.push({ node: body, depth: depth + 1 });
      } else if (CONTAINERS.has(type) && depth < MAX_DEPTH) {
        pending.push({ node: child, depth: depth + 1 });
      } else if (type === "type_definition" || type === "declaration") {
        pending.push({ node: child, depth: depth + 1 });
      }
    }
  }
  return classes;
}

/** The classes a function's lowering can see, by name; lookups follow base classes. */
export class ClassIndex {
  private readonly byName = new Map<string, ClassShape>();
  /** A typedef's name for a class, to the class's own name. */
  private readonly aliases = new Map<string, string>();

  constructor(classes: Iterable<ClassShape>) {
    for (const shape of classes) for (const alias of shape.aliases ?? []) this.aliases.set(alias, shape.name);
    // A class defined twice (under #if branches, or a header and the file) merges its members.
    for (const shape of classes) {
      const known = this.byName.get(shape.name);
      this.byName.set(shape.name, known === undefined ? shape : { name: shape.name, fields: [...known.fields, ...shape.fields], methods: [...known.methods, ...shape.methods], bases: [...known.bases, ...shape.bases] });
    }
  }

  /** The class's own name for a name that may be a typedef of it. */
  canonical(name: string): string {
    return this.aliases.get(name) ?? name;
  }

  has(name: string): boolean {
    return this.byName.has(this.canonical(name));
  }

  /** The class (itself or a base) that declares `method`, with the method. */
  methodOwner(className: string, method: string): { owner: string; method: MethodShape } | undefined {
    return this.search(className, (shape) => {
      const found = shape.methods.find((candidate) => candidate.name === method);
      return found === undefined ? undefined : { owner: shape.name, method: found };
    });
  }

  /**
   * The name a method's definition and its calls share: `Class::Method`, or, for an overloaded
   * method (a constructor beside a move constructor), `Class::Method(Guard)` with the known classes
   * among its parameter types (`_` for any other type). `argumentClasses` are the classes of the
   * call's arguments (or the definition's parameter types); a call with no exact match takes the
   * overload of its arity.
   */
  methodName(ownerName: string, method: string, argumentClasses: readonly (string | undefined)[]): string {
    const owner = this.canonical(ownerName);
    const overloads = this.byName.get(owner)?.methods.filter((candidate) => candidate.name === method) ?? [];
    const keys = [...new Set(overloads.map((candidate) => this.overloadKey(candidate.parameterTypes)))];
    if (keys.length <= 1) return `${owner}::${method}`;
    const wanted = this.overloadKey(argumentClasses.map((name) => name ?? ""));
    const chosen = keys.includes(wanted) ? wanted : (keys.find((key) => key.split(",").length === Math.max(argumentClasses.length, 1) && argumentClasses.length > 0) ?? wanted);
    return `${owner}::${method}(${chosen})`;
  }

  private overloadKey(types: readonly string[]): string {
    return types.map((type) => (this.byName.has(type) ? type : "_")).join(",");
  }

  hasField(className: string, field: string): boolean {
    return this.search(className, (shape) => (shape.fields.includes(field) ? true : undefined)) === true;
  }

  /** The only class that has a method of this name, when exactly one does. */
  soleOwnerOf(method: string): string | undefined {
    let owner: string | undefined;
    for (const shape of this.byName.values()) {
      if (!shape.methods.some((candidate) => candidate.name === method)) continue;
      if (owner !== undefined) return undefined;
      owner = shape.name;
    }
    return owner;
  }

  hasConstructor(name: string): boolean {
    const className = this.canonical(name);
    return this.byName.get(className)?.methods.some((method) => method.name === className) === true;
  }

  hasDestructor(className: string): boolean {
    return this.search(className, (shape) => (shape.methods.some((method) => method.name === `~${shape.name}`) ? true : undefined)) === true;
  }

  /** The class that declares the destructor `className`'s objects run (its own, or a base's). */
  destructorOwner(className: string): string | undefined {
    return this.search(className, (shape) => (shape.methods.some((method) => method.name === `~${shape.name}`) ? shape.name : undefined));
  }

  private search<T>(className: string, visit: (shape: ClassShape) => T | undefined): T | undefined {
    const seen = new Set<string>();
    const pending = [this.canonical(className)];
    while (pending.length > 0) {
      const name = pending.shift() as string;
      if (seen.has(name)) continue;
      seen.add(name);
      const shape = this.byName.get(name);
      if (shape === undefined) continue;
      const found = visit(shape);
      if (found !== undefined) return found;
      pending.push(...shape.bases.map((base) => this.canonical(base)));
    }
    return undefined;
  }
}
