// Reads names, pointer depth and parameters out of C declarators.
import type { Node } from "web-tree-sitter";
import type { Parameter } from "../../ir/ir";
import { fieldChild } from "./fields";
import { collapseWhitespace, firstSignificantChild, rangeOf, significantChildren } from "./syntax";

/** The declared identifier and how many pointer/array levels wrap it (`VMBPACKET *p[2]`: 2). */
export interface DeclaredName {
  name?: string;
  nameNode?: Node;
  indirections: number;
}

export function declaredName(declarator: Node | null): DeclaredName {
  let indirections = 0;
  let node = declarator;
  while (node !== null) {
    switch (node.type) {
      case "identifier":
      case "field_identifier":
      case "type_identifier":
        return { name: node.text, nameNode: node, indirections };
      case "pointer_declarator":
      case "abstract_pointer_declarator":
      case "array_declarator":
      case "abstract_array_declarator":
        indirections++;
        node = fieldChild(node, "declarator");
        break;
      case "init_declarator":
      case "function_declarator":
      case "abstract_function_declarator":
        node = fieldChild(node, "declarator");
        break;
      case "parenthesized_declarator":
      case "abstract_parenthesized_declarator":
      case "attributed_declarator":
      case "reference_declarator":
      case "abstract_reference_declarator":
        // C++'s `T& name` and `T&& name` alias what they are bound to: no level of their own.
        node = firstSignificantChild(node);
        break;
      case "qualified_identifier": {
        // C++'s pointer to member, `NTSTATUS (Filter::*handler)(ULONG)`: one level, named by its declarator.
        const member = fieldChild(node, "name");
        if (member?.type !== "pointer_type_declarator") return { indirections };
        indirections++;
        node = fieldChild(member, "declarator");
        break;
      }
      default:
        return { indirections };
    }
  }
  return { indirections };
}

export function typeSpelling(typeNode: Node | null, source: string, indirections: number): string | undefined {
  if (typeNode === null) return undefined;
  return collapseWhitespace(source.slice(typeNode.startIndex, typeNode.endIndex)) + "*".repeat(indirections);
}

export interface ParameterWithSpan {
  parameter: Parameter;
  start: number;
  end: number;
}

export function parametersOf(parameterList: Node, source: string): ParameterWithSpan[] {
  const parameters: ParameterWithSpan[] = [];
  for (const child of significantChildren(parameterList)) {
    if (child.type === "parameter_declaration") {
      const typeNode = fieldChild(child, "type");
      const declarator = fieldChild(child, "declarator");
      // `(void)` and `(VOID)` declare no parameter at all.
      if (declarator === null && typeNode !== null && /^(?:void|VOID)$/.test(source.slice(typeNode.startIndex, typeNode.endIndex))) continue;
      const declared = declaredName(declarator);
      // `const T *p` and `T const *p` (not `T *const p`, whose qualifier is the pointer's own).
      const constBase = significantChildren(child).some((part) => part.type === "type_qualifier" && part.text === "const");
      parameters.push({
        parameter: {
          name: declared.name ?? "",
          typeName: typeSpelling(typeNode, source, declared.indirections),
          ...(constBase && declared.indirections === 1 ? { pointeeConst: true } : {}),
          annotations: [],
          range: rangeOf(child),
        },
        start: child.startIndex,
        end: child.endIndex,
      });
    } else if (child.type === "identifier") {
      // K&R-style parameter names.
      parameters.push({ parameter: { name: child.text, annotations: [], range: rangeOf(child) }, start: child.startIndex, end: child.endIndex });
    }
  }
  return parameters;
}

export interface FunctionShape {
  /**
   * The declared name as written, without spaces: `Send`, and in C++ also `Sender::Send`,
   * `vmb::Sender::~Sender`, `operator==`.
   */
  name: string;
  nameNode: Node;
  parameterList: Node;
  /** Pointer levels on the return type (`VMBPACKET *Make(void)`: 1). */
  returnIndirections: number;
}

/**
 * The function a declarator declares, or undefined when it declares something else (a variable,
 * a function pointer `(*Fn)(...)`).
 */
export function functionShape(declarator: Node | null): FunctionShape | undefined {
  let returnIndirections = 0;
  let node = declarator;
  while (node !== null && node.type !== "function_declarator") {
    if (node.type === "pointer_declarator") {
      returnIndirections++;
      node = fieldChild(node, "declarator");
    } else if (node.type === "attributed_declarator" || node.type === "parenthesized_declarator" || node.type === "reference_declarator") {
      node = firstSignificantChild(node);
    } else {
      return undefined;
    }
  }
  if (node === null) return undefined;
  const parameterList = fieldChild(node, "parameters");
  let inner = fieldChild(node, "declarator");
  while (inner !== null && (inner.type === "parenthesized_declarator" || inner.type === "attributed_declarator")) inner = firstSignificantChild(inner);
  if (inner === null || parameterList === null || !FUNCTION_NAME_TYPES.has(inner.type)) return undefined;
  return { name: inner.text.replace(/\s+/g, ""), nameNode: inner, parameterList, returnIndirections };
}

/** What names a function: C's identifier; C++'s method, qualified, destructor and operator names. */
const FUNCTION_NAME_TYPES = new Set(["identifier", "field_identifier", "qualified_identifier", "destructor_name", "operator_name", "template_function"]);
