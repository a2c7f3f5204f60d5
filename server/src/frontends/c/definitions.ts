// `#define`s a file gives to the files that include it: function-like macros and literal
// constants. Plain data, so that a caller can collect them from headers (in any worker) and
// hand them to the lowering of each source file.
import type { Node } from "web-tree-sitter";
import { fieldChild } from "./fields";
import { literalValue, type ConstantValue } from "./file-constants";
import { namedChildList, significantChildren } from "./syntax";
import type { ClassShape } from "../cpp/classes";
import { functionTypedNames, type FunctionTypedName } from "./function-types";

export interface MacroDefinition {
  name: string;
  parameters: string[];
  body: string;
}

export interface ConstantDefinition {
  name: string;
  value: ConstantValue;
}

export interface SharedDefinitions {
  functionMacros: MacroDefinition[];
  constants: ConstantDefinition[];
  /** C++ headers: the classes they define, for the members and methods of the files including them. */
  classes?: ClassShape[];
  /** Names it declares with an API function's type (`extern PFN_VMB_PACKET_ALLOCATE pVmbPacketAllocate;`, struct fields). */
  functionTypedNames?: FunctionTypedName[];
}

/** `#define NAME(a, b) body` (named parameters only), or undefined. */
export function functionMacroOf(node: Node, text: string): MacroDefinition | undefined {
  const name = fieldChild(node, "name");
  const parameters = fieldChild(node, "parameters");
  const value = fieldChild(node, "value");
  if (name === null || parameters === null || value === null) return undefined;
  const names = significantChildren(parameters).map((parameter) => text.slice(parameter.startIndex, parameter.endIndex));
  if (names.some((parameter) => !/^\w+$/.test(parameter))) return undefined;
  return { name: text.slice(name.startIndex, name.endIndex), parameters: names, body: text.slice(value.startIndex, value.endIndex) };
}

/** `#define NAME literal`, or undefined. */
export function constantMacroOf(node: Node, text: string): ConstantDefinition | undefined {
  const name = fieldChild(node, "name");
  const value = fieldChild(node, "value");
  const constant = value === null ? undefined : literalValue(text.slice(value.startIndex, value.endIndex));
  return name === null || constant === undefined ? undefined : { name: text.slice(name.startIndex, name.endIndex), value: constant };
}

const MAX_GROUP_DEPTH = 64;
const GROUPS = new Set(["preproc_if", "preproc_ifdef", "preproc_elif", "preproc_elifdef", "preproc_else", "linkage_specification", "declaration_list"]);

/** Every file-scope `#define` of a parsed file, in every `#if` branch, and the names it declares with a function type of `functionTypes`. */
export function sharedDefinitionsOf(root: Node, text: string, functionTypes?: ReadonlyMap<string, string>): SharedDefinitions {
  const typed = functionTypedNames(root, text, functionTypes);
  const definitions: SharedDefinitions = typed.length > 0 ? { functionMacros: [], constants: [], functionTypedNames: typed } : { functionMacros: [], constants: [] };
  const pending: { node: Node; depth: number }[] = [{ node: root, depth: 0 }];
  while (pending.length > 0) {
    const { node, depth } = pending.pop() as { node: Node; depth: number };
    for (const child of namedChildList(node)) {
      const type = child.type;
      if (type === "preproc_function_def") {
        const macro = functionMacroOf(child, text);
        if (macro !== undefined) definitions.functionMacros.push(macro);
      } else if (type === "preproc_def") {
        const constant = constantMacroOf(child, text);
        if (constant !== undefined) definitions.constants.push(constant);
      } else if (GROUPS.has(type) && depth < MAX_GROUP_DEPTH) {
        pending.push({ node: child, depth: depth + 1 });
      }
    }
  }
  return definitions;
}
