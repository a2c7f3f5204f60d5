// The C frontend: C source text in, IrFile out. It never throws: whatever goes wrong becomes
// a problem of the returned file.
import type { Parser } from "web-tree-sitter";
import type { IrFile, ParseProblem } from "../../ir/ir";
import { sharedDefinitionsOf, type SharedDefinitions } from "./definitions";
import { lowerTranslationUnit } from "./lower";
import { createCParser } from "./parser";
import { LineIndex } from "../positions";
import { preprocess } from "./preprocess";

export type { SharedDefinitions } from "./definitions";

export interface CFrontendOptions {
  /** Extra macros to neutralize: name to replacement text ("" blanks the invocation, arguments included). */
  macros?: Record<string, string>;
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
}

export interface CFrontend {
  lower(file: string, text: string, options?: CFrontendOptions): IrFile;
  /** The file-scope `#define`s of a header, for `includedDefinitions` of the files including it. Never throws. */
  definitionsOf(text: string, options?: Pick<CFrontendOptions, "macros">): SharedDefinitions;
}

/**
 * Past this size the file is not parsed: a 35 MB file took over a minute and 2 GB of memory,
 * and a driver source file is a few hundred kilobytes.
 */
export const MAX_SOURCE_LENGTH = 16 * 1024 * 1024;

function emptyFile(file: string, problem: ParseProblem): IrFile {
  return { file, language: "c", functions: [], declarations: [], roles: [], suppressions: [], problems: [problem] };
}

const START_OF_FILE = { start: { line: 0, column: 0 }, end: { line: 0, column: 0 } };

class TreeSitterCFrontend implements CFrontend {
  constructor(private readonly parser: Parser) {}

  lower(file: string, text: string, options: CFrontendOptions = {}): IrFile {
    if (text.length > MAX_SOURCE_LENGTH) {
      return emptyFile(file, { message: `File too large to analyze (${text.length} characters; the limit is ${MAX_SOURCE_LENGTH})`, range: START_OF_FILE });
    }
    try {
      const preprocessed = preprocess(text, options.macros ?? {});
      const tree = this.parser.parse(preprocessed.text);
      if (tree === null) return emptyFile(file, { message: "The C parser gave no syntax tree", range: START_OF_FILE });
      try {
        return lowerTranslationUnit(tree, file, preprocessed, new LineIndex(text), (snippet) => this.parser.parse(snippet), options.includedDefinitions, options.modelNames, options.roleTypedefs);
      } finally {
        tree.delete();
      }
    } catch (error) {
      // A parse interrupted by an exception must not leave state behind for the next file.
      this.parser.reset();
      const message = error instanceof Error ? error.message : String(error);
      return emptyFile(file, { message: `The C frontend failed on this file: ${message}`, range: START_OF_FILE });
    }
  }

  definitionsOf(text: string, options: Pick<CFrontendOptions, "macros"> = {}): SharedDefinitions {
    const none: SharedDefinitions = { functionMacros: [], constants: [] };
    if (text.length > MAX_SOURCE_LENGTH) return none;
    try {
      const preprocessed = preprocess(text, options.macros ?? {});
      const tree = this.parser.parse(preprocessed.text);
      if (tree === null) return none;
      try {
        return sharedDefinitionsOf(tree.rootNode, preprocessed.text);
      } finally {
        tree.delete();
      }
    } catch {
      this.parser.reset();
      return none;
    }
  }
}

let frontend: Promise<CFrontend> | undefined;

/** Initializes web-tree-sitter and the C grammar once; later calls share the same frontend. */
export function loadCFrontend(): Promise<CFrontend> {
  frontend ??= createCParser().then(
    (parser) => new TreeSitterCFrontend(parser),
    (error: unknown) => {
      // A failed load (missing WASM) may be retried once the cause is fixed.
      frontend = undefined;
      throw error;
    },
  );
  return frontend;
}
