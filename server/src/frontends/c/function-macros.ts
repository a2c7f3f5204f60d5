// Function-like macros defined in the file (`#define FREE_BUFFER(p) ExFreePoolWithTag((p), TAG)`,
// `#define SAFE_FREE(p) do { if (p) { ExFreePool(p); (p) = NULL; } } while (0)`). A call to one is
// lowered as its body with the arguments in place of the parameters, so that an API call hidden
// in a macro is still seen. Bodies that are one expression expand anywhere; bodies that are one
// statement expand where the call is a statement. Other macros stay calls to an unknown function.
import type { Node, Tree } from "web-tree-sitter";
import { fieldChild } from "./fields";
import { LineIndex } from "../positions";

/** Parses a snippet of C with the frontend's parser. */
export type SnippetParser = (text: string) => Tree | null;

export interface MacroBody {
  parameters: string[];
  /** The body: an expression node, or a statement node when `isStatement`. In `source`. */
  node: Node;
  isStatement: boolean;
  source: string;
  lines: LineIndex;
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
  private readonly includedDefinitions = new Map<string, MacroDefinition>();
  private readonly includedConflicting = new Set<string>();

  constructor(private readonly parseSnippet: SnippetParser) {}

  get isEmpty(): boolean {
    return this.definitions.size === 0 && this.includedDefinitions.size === 0;
  }

  /** Every definition `bodyOf` answers from, as text: the same signature expands every macro alike. */
  get signature(): string {
    return JSON.stringify([[...this.definitions], [...this.conflicting], [...this.includedDefinitions], [...this.includedConflicting]]);
  }

  private definitionOf(name: string): MacroDefinition | undefined {
    if (this.definitions.has(name)) return this.conflicting.has(name) ? undefined : this.definitions.get(name);
    return this.includedConflicting.has(name) ? undefined : this.includedDefinitions.get(name);
  }

  /** A macro from an included header: the file's own definition of the name replaces it. */
  defineIncluded(name: string, parameters: string[], body: string): void {
    const previous = this.includedDefinitions.get(name);
    if (previous !== undefined && (previous.body !== body || previous.parameters.join() !== parameters.join())) this.includedConflicting.add(name);
    this.includedDefinitions.set(name, { parameters, body });
  }

  define(name: string, parameters: string[], body: string): void {
    const previous = this.definitions.get(name);
    if (previous !== undefined && (previous.body !== body || previous.parameters.join() !== parameters.join())) this.conflicting.add(name);
    this.definitions.set(name, { parameters, body });
  }

  /** The parsed body of macro `name` taking `argumentCount` arguments, if it is one expression or statement. */
  bodyOf(name: string, argumentCount: number): MacroBody | undefined {
    const definition = this.definitionOf(name);
    if (definition === undefined || definition.parameters.length !== argumentCount) return undefined;
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
    const statement = bodyNode === null ? null : bodyNode.firstNamedChild;
    if (bodyNode === null || statement === null) return undefined;
    // After a `{ ... }` body the closing `;` is an empty statement of its own.
    for (let index = 1; index < bodyNode.namedChildCount; index++) {
      const extra = bodyNode.namedChild(index);
      if (extra === null || extra.type !== "expression_statement" || extra.namedChildCount > 0) return undefined;
    }
    if (statement.type !== "expression_statement") return { parameters: definition.parameters, node: statement, isStatement: true, source, lines: new LineIndex(source) };
    const expression = statement.firstNamedChild;
    if (expression === null) return undefined;
    return { parameters: definition.parameters, node: expression, isStatement: false, source, lines: new LineIndex(source) };
  }

  /** Frees the parsed bodies; call once the file is lowered. */
  dispose(): void {
    for (const tree of this.trees) tree.delete();
    this.trees.length = 0;
    this.parsed.clear();
  }
}
