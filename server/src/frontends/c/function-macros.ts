// Function-like macros defined in the file (`#define FREE_BUFFER(p) ExFreePoolWithTag((p), TAG)`).
// A call to one is lowered as its body with the arguments in place of the parameters, so that
// an API call hidden in a macro is still seen. Only bodies that are one expression are expanded;
// the others stay calls to an unknown function.
import type { Node, Tree } from "web-tree-sitter";
import { fieldChild } from "./fields";

/** Parses a snippet of C with the frontend's parser. */
export type SnippetParser = (text: string) => Tree | null;

export interface MacroBody {
  parameters: string[];
  /** The body's expression node, in `source`. */
  expression: Node;
  source: string;
}

interface MacroDefinition {
  parameters: string[];
  body: string;
}

/** The text the body is parsed in: a function around one expression statement. */
const PREFIX = "void vmbguard_macro_body(void) { ";
const SUFFIX = "; }";

export class FunctionMacros {
  private readonly definitions = new Map<string, MacroDefinition>();
  private readonly conflicting = new Set<string>();
  private readonly parsed = new Map<string, MacroBody | undefined>();
  private readonly trees: Tree[] = [];

  constructor(private readonly parseSnippet: SnippetParser) {}

  get isEmpty(): boolean {
    return this.definitions.size === 0;
  }

  define(name: string, parameters: string[], body: string): void {
    const previous = this.definitions.get(name);
    if (previous !== undefined && (previous.body !== body || previous.parameters.join() !== parameters.join())) this.conflicting.add(name);
    this.definitions.set(name, { parameters, body });
  }

  /** The parsed body of macro `name` taking `argumentCount` arguments, if it is one expression. */
  bodyOf(name: string, argumentCount: number): MacroBody | undefined {
    const definition = this.definitions.get(name);
    if (definition === undefined || this.conflicting.has(name) || definition.parameters.length !== argumentCount) return undefined;
    if (this.parsed.has(name)) return this.parsed.get(name);
    const body = this.parse(definition);
    this.parsed.set(name, body);
    return body;
  }

  private parse(definition: MacroDefinition): MacroBody | undefined {
    // Token pasting and stringizing build new tokens: not something to lower.
    if (definition.body.includes("#") || definition.body.trim() === "") return undefined;
    const source = PREFIX + definition.body.replace(/\\\r?\n/g, "  ") + SUFFIX;
    const tree = this.parseSnippet(source);
    if (tree === null) return undefined;
    this.trees.push(tree);
    if (tree.rootNode.hasError) return undefined;
    const definitionNode = tree.rootNode.firstNamedChild;
    const bodyNode = definitionNode === null ? null : fieldChild(definitionNode, "body");
    if (bodyNode === null || bodyNode.namedChildCount !== 1) return undefined;
    const statement = bodyNode.firstNamedChild;
    if (statement === null || statement.type !== "expression_statement") return undefined;
    const expression = statement.firstNamedChild;
    if (expression === null) return undefined;
    return { parameters: definition.parameters, expression, source };
  }

  /** Frees the parsed bodies; call once the file is lowered. */
  dispose(): void {
    for (const tree of this.trees) tree.delete();
    this.trees.length = 0;
    this.parsed.clear();
  }
}
