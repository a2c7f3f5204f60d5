// The tree-sitter frontends: C (and, with its own grammar and lowering, C++) source text in,
// IrFile out. They never throw: whatever goes wrong becomes a problem of the returned file.
import type { Parser, Tree } from "web-tree-sitter";
import type { IrFile, ParseProblem } from "../../ir/ir";
import { sharedDefinitionsOf, type SharedDefinitions } from "./definitions";
import type { KeptFunctions } from "./kept-functions";
import { lowerTranslationUnit, type LoweredTranslationUnit, type TranslationUnitLowering } from "./lower";
import { createParser, Edit } from "./parser";
import { LineIndex } from "../positions";
import { preprocess } from "./preprocess";
import type { KnownDefinitions } from "./condition-evaluator";
import { editBetween } from "../text-edit";

export type { SharedDefinitions } from "./definitions";
export type { KnownDefinitions } from "./condition-evaluator";

export interface CFrontendOptions {
  /** Extra macros to neutralize: name to replacement text ("" blanks the invocation, arguments included). */
  macros?: Record<string, string>;
  /** The build's definitions (`-D`, `-U`): the `#if` groups they decide lose their dead branches. */
  definitions?: KnownDefinitions;
  /**
   * `#define`s of the headers the file includes (from `definitionsOf`): their function-like
   * macros expand and their literal constants decide branches as if defined in the file.
   */
  includedDefinitions?: readonly SharedDefinitions[];
  /** Names the API model recognizes (status codes): constants of these names keep their names. */
  modelNames?: RegExp;
  /**
   * Role typedefs the model knows: `EVT_VMB_CHANNEL_PROCESS_PACKET Name;` declares a function, while
   * `BOOLEAN Name;` declares a variable. Without it, every all-caps typedef is taken as a role.
   */
  roleTypedefs?: ReadonlySet<string>;
  /** Typedef names of API function types, with the function each is the type of: a call through a name declared with one calls it. */
  functionTypes?: ReadonlyMap<string, string>;
}

export interface CFrontend {
  lower(file: string, text: string, options?: CFrontendOptions): IrFile;
  /** The file-scope `#define`s of a header, for `includedDefinitions` of the files including it. Never throws. */
  definitionsOf(text: string, options?: Pick<CFrontendOptions, "macros" | "definitions" | "functionTypes">): SharedDefinitions;
}

/**
 * Past this size the file is not parsed: a 35 MB file took over a minute and 2 GB of memory,
 * and a driver source file is a few hundred kilobytes.
 */
export const MAX_SOURCE_LENGTH = 16 * 1024 * 1024;

/** What sets the C++ frontend apart from the C one: its grammar, its lowering and the language it reports. */
export interface Dialect {
  /** The package of the tree-sitter grammar (its WASM file is `<package>.wasm`). */
  grammar: string;
  language: IrFile["language"];
  /** How problems name the parser. */
  parserName: string;
  lowerTranslationUnit: TranslationUnitLowering;
  /** C++: the classes a header defines reach the files including it. */
  classesOf?: (root: Tree["rootNode"], text: string) => NonNullable<SharedDefinitions["classes"]>;
}

const cDialect: Dialect = { grammar: "tree-sitter-c", language: "c", parserName: "C", lowerTranslationUnit };

function emptyFile(file: string, language: IrFile["language"], problem: ParseProblem): IrFile {
  return { file, language, functions: [], declarations: [], roles: [], suppressions: [], problems: [problem] };
}

const START_OF_FILE = { start: { line: 0, column: 0 }, end: { line: 0, column: 0 } };

/**
 * Files whose last syntax tree and functions are kept: lowering one of them again (an editor's next
 * version) re-parses only around what changed and lowers only the functions that changed. A few
 * suffice; each tree lives in WASM memory.
 */
const KEPT_FILES = 8;

/** Row and column of an offset, in the code units web-tree-sitter counts in. */
function pointAt(text: string, offset: number): { row: number; column: number } {
  let row = 0;
  let lineStart = 0;
  for (let newline = text.indexOf("\n"); newline !== -1 && newline < offset; newline = text.indexOf("\n", newline + 1)) {
    row++;
    lineStart = newline + 1;
  }
  return { row, column: offset - lineStart };
}

class TreeSitterFrontend implements CFrontend {
  /** By file: the preprocessed text last parsed, its tree and its functions, most recently used last. */
  private readonly kept = new Map<string, { text: string; tree: Tree; functions: KeptFunctions }>();

  constructor(
    private readonly parser: Parser,
    private readonly dialect: Dialect,
  ) {}

  /** Parses `text`, from the file's previous tree when there is one (tree-sitter's incremental parse). */
  private parse(file: string, text: string): Tree | null {
    const kept = this.kept.get(file);
    if (kept === undefined) return this.parser.parse(text);
    const { start, oldEnd, newEnd } = editBetween(kept.text, text);
    kept.tree.edit(new Edit({ startIndex: start, oldEndIndex: oldEnd, newEndIndex: newEnd, startPosition: pointAt(text, start), oldEndPosition: pointAt(kept.text, oldEnd), newEndPosition: pointAt(text, newEnd) }));
    const tree = this.parser.parse(text, kept.tree);
    // Error recovery may differ from a fresh parse's: a file with syntax errors is parsed afresh,
    // so that what is reported never depends on the edits that led to the text.
    if (tree === null || !tree.rootNode.hasError) return tree;
    tree.delete();
    return this.parser.parse(text);
  }

  /** Keeps `tree` and `functions` as the file's last (the tree it replaces, and the least recent beyond the limit, are freed). */
  private keep(file: string, text: string, tree: Tree, functions: KeptFunctions): void {
    this.forget(file);
    this.kept.set(file, { text, tree, functions });
    if (this.kept.size > KEPT_FILES) this.forget(this.kept.keys().next().value as string);
  }

  private forget(file: string): void {
    this.kept.get(file)?.tree.delete();
    this.kept.delete(file);
  }

  lower(file: string, text: string, options: CFrontendOptions = {}): IrFile {
    if (text.length > MAX_SOURCE_LENGTH) {
      return emptyFile(file, this.dialect.language, { message: `File too large to analyze (${text.length} characters; the limit is ${MAX_SOURCE_LENGTH})`, range: START_OF_FILE });
    }
    try {
      const preprocessed = preprocess(text, options.macros ?? {}, this.dialect.language === "cpp" ? "cpp" : "c", options.definitions);
      const previous = this.kept.get(file)?.functions;
      const tree = this.parse(file, preprocessed.text);
      if (tree === null) return emptyFile(file, this.dialect.language, { message: `The ${this.dialect.parserName} parser gave no syntax tree`, range: START_OF_FILE });
      let lowered: LoweredTranslationUnit;
      try {
        lowered = this.dialect.lowerTranslationUnit(tree, file, preprocessed, new LineIndex(text), (snippet) => this.parser.parse(snippet), {
          included: options.includedDefinitions,
          modelNames: options.modelNames,
          roleTypedefs: options.roleTypedefs,
          functionTypes: options.functionTypes,
          previous,
        });
      } catch (error) {
        tree.delete();
        throw error;
      }
      this.keep(file, preprocessed.text, tree, lowered.kept);
      return lowered.ir;
    } catch (error) {
      // A parse interrupted by an exception must not leave state behind for the next file.
      this.parser.reset();
      this.forget(file);
      const message = error instanceof Error ? error.message : String(error);
      return emptyFile(file, this.dialect.language, { message: `The ${this.dialect.parserName} frontend failed on this file: ${message}`, range: START_OF_FILE });
    }
  }

  definitionsOf(text: string, options: Pick<CFrontendOptions, "macros" | "definitions" | "functionTypes"> = {}): SharedDefinitions {
    const none: SharedDefinitions = { functionMacros: [], constants: [] };
    if (text.length > MAX_SOURCE_LENGTH) return none;
    try {
      const preprocessed = preprocess(text, options.macros ?? {}, this.dialect.language === "cpp" ? "cpp" : "c", options.definitions);
      const tree = this.parser.parse(preprocessed.text);
      if (tree === null) return none;
      try {
        const definitions = sharedDefinitionsOf(tree.rootNode, preprocessed.text, options.functionTypes);
        if (this.dialect.classesOf !== undefined) definitions.classes = this.dialect.classesOf(tree.rootNode, preprocessed.text);
        return definitions;
      } finally {
        tree.delete();
      }
    } catch {
      this.parser.reset();
      return none;
    }
  }
}

/** A frontend of `dialect`, its grammar loaded; a failed load (missing WASM) rejects. */
export async function createTreeSitterFrontend(dialect: Dialect): Promise<CFrontend> {
  return new TreeSitterFrontend(await createParser(dialect.grammar), dialect);
}

let frontend: Promise<CFrontend> | undefined;

/** Initializes web-tree-sitter and the C grammar once; later calls share the same frontend. */
export function loadCFrontend(): Promise<CFrontend> {
  frontend ??= createTreeSitterFrontend(cDialect).catch((error: unknown) => {
    // A failed load (missing WASM) may be retried once the cause is fixed.
    frontend = undefined;
    throw error;
  });
  return frontend;
}
