// The functions of a file's last lowering, kept for the next one. An editor's next version of a
// file mostly holds the same functions, some on other lines: a function whose text (from the start
// of its first line) is unchanged, in a file whose definitions are unchanged, lowers to the same IR
// moved by the lines it moved, so it is taken over rather than lowered again.
import type { IrFunction, ParseProblem } from "../../ir/ir";
import { constantsUsed, withConstants, type ConstantTables } from "./file-constants";

export interface KeptFunction {
  /** As lowered, before the file's constants and roles are put in; never changed. */
  ir: IrFunction;
  /** Every name its expressions mention: the file constants it may take in. */
  namesUsed: ReadonlySet<string>;
  /** What lowering it reported, at the lines of `ir`. */
  problems: readonly ParseProblem[];
  /** `ir` with the file's constants and roles put in, and what they were. */
  finished?: { given: string; ir: IrFunction };
}

export interface KeptFunctions {
  /**
   * Everything lowering a function reads besides its own text (the file's function names, typedef
   * names and function-like macros): a function is taken over only under the same.
   */
  definitions: string;
  /** By `keptFunctionKey`. */
  functions: Map<string, KeptFunction>;
}

/**
 * What a function's lowering depends on of its own: its id (unique in the file) and its text from
 * the start of the line its declaration starts on, with where on that line. The declaration starts
 * where the file's previous item ends (its annotations may be anywhere after that), so the blank
 * lines and comments above a function are part of it.
 */
export function keptFunctionKey(text: string, id: string, declarationStart: number, end: number): string {
  const lineStart = text.lastIndexOf("\n", declarationStart - 1) + 1;
  return `${id}\u0000${declarationStart - lineStart}\u0000${text.slice(lineStart, end)}`;
}

/**
 * The function's IR as the file has it, with the file's constants and the roles its declarations
 * give it (`roles`, those it does not already have), at the lines of `kept.ir`. The same constants
 * and roles give the same IR object as the last time, so the analysis can tell it unchanged at once.
 */
export function finishedFunction(kept: KeptFunction, tables: ConstantTables, roles: readonly string[]): IrFunction {
  const given = `${constantsUsed(kept.namesUsed, tables)}\u0000${roles.join()}`;
  if (kept.finished?.given === given) return kept.finished.ir;
  let ir = withConstants(kept.ir, tables, kept.namesUsed);
  if (roles.length > 0) ir = { ...ir, annotations: [...ir.annotations, ...roles] };
  kept.finished = { given, ir };
  return ir;
}
