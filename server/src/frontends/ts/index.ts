// The TypeScript frontend: TypeScript or JavaScript source in, IrFile out. It never throws: whatever
// goes wrong becomes a problem of the returned file. It carries the TypeScript compiler, so it is
// bundled on its own (dist/ts-frontend.js) and loaded only when a TypeScript file comes (../ts-loader.ts).
import type { IrFile } from "../../ir/ir";
import { lowerTypeScriptFile } from "./lower";
import { forgetTypeScript } from "./parse";

/** Past this size the file is not parsed, as for C: a driver source is a few hundred kilobytes. */
export const MAX_SOURCE_LENGTH = 16 * 1024 * 1024;

const START_OF_FILE = { start: { line: 0, column: 0 }, end: { line: 0, column: 0 } };

export interface TypeScriptFrontendOptions {
  /** Functions of the model that only answer a question (`NT_SUCCESS`): their calls never throw. */
  predicates?: ReadonlySet<string>;
}

export function lowerTypeScript(file: string, text: string, options: TypeScriptFrontendOptions = {}): IrFile {
  const empty = (message: string): IrFile => ({ file, language: "ts", functions: [], declarations: [], roles: [], suppressions: [], problems: [{ message, range: START_OF_FILE }] });
  if (text.length > MAX_SOURCE_LENGTH) return empty(`File too large to analyze (${text.length} characters; the limit is ${MAX_SOURCE_LENGTH})`);
  try {
    return lowerTypeScriptFile(file, text, options.predicates ?? new Set());
  } catch (error) {
    // The next version of the file is parsed afresh, not from a tree this failure may have left half-used.
    forgetTypeScript(file);
    const message = error instanceof Error ? error.message : String(error);
    return empty(`The TypeScript frontend failed on this file: ${message}`);
  }
}
