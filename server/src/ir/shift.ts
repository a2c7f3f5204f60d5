// Functions moved in their file. An editor's next version of a file mostly holds the same functions
// on other lines: a frontend that takes a function over from the file's previous lowering copies its
// IR with every line moved (`shiftFunction`), and the copy remembers what it was copied from, so
// that telling it equal to another copy of the same IR (`sameShiftedFunction`) needs no walk.
// IR is never changed once lowered: a copy stays what its original was, moved.
import type { BasicBlock, IrFunction, SourceRange } from "./ir";

export interface Origin {
  ir: IrFunction;
  /** Lines the copy is below its original. */
  lines: number;
}

const origins = new WeakMap<IrFunction, Origin>();

/**
 * `fn` moved down by `lines` (up when negative): `fn` itself when `lines` is 0. The copy's blocks,
 * most of its IR, are copied when first read: a function taken over from a file's last lowering is
 * mostly never read again (its analysis is reused), and an edit above it must not cost a copy.
 */
export function shiftFunction(fn: IrFunction, lines: number): IrFunction {
  if (lines === 0) return fn;
  // Copied from the original, never from another copy: that would copy the other copy's blocks too.
  const origin = originOf(fn);
  const moved = origin.lines + lines;
  if (moved === 0) return origin.ir;
  const copy = {} as IrFunction;
  const source = origin.ir as unknown as Record<string, unknown>;
  for (const key in source) {
    if (key === "blocks") {
      let blocks: BasicBlock[] | undefined;
      // In the original's key order, so that the copy prints as a fresh lowering does.
      Object.defineProperty(copy, key, { enumerable: true, get: () => (blocks ??= shiftedData(origin.ir.blocks, moved) as BasicBlock[]) });
    } else {
      (copy as unknown as Record<string, unknown>)[key] = shiftedData(source[key], moved);
    }
  }
  origins.set(copy, { ir: origin.ir, lines: moved });
  return copy;
}

/** What `fn` is a moved copy of, and by how many lines; `fn` itself, by none, when it is no copy. */
export function originOf(fn: IrFunction): Origin {
  return origins.get(fn) ?? { ir: fn, lines: 0 };
}

/**
 * Whether `later` is known to be `earlier` moved by `lines`, without comparing them: one is a
 * copy of the other, or both are copies of the same IR. False says nothing: they may still be alike.
 */
export function sameShiftedFunction(earlier: IrFunction, later: IrFunction, lines: number): boolean {
  const from = originOf(earlier);
  const to = originOf(later);
  return from.ir === to.ir && to.lines - from.lines === lines;
}

export function shiftRange(range: SourceRange, lines: number): SourceRange {
  return { start: { line: range.start.line + lines, column: range.start.column }, end: { line: range.end.line + lines, column: range.end.column } };
}

/** A deep copy of plain data with every `line` moved by `lines` (in the IR only positions have a `line`). */
function shiftedData(value: unknown, lines: number): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) {
    const copy = new Array<unknown>(value.length);
    for (let index = 0; index < value.length; index++) copy[index] = shiftedData(value[index], lines);
    return copy;
  }
  const copy: Record<string, unknown> = {};
  for (const key in value) {
    const field = (value as Record<string, unknown>)[key];
    copy[key] = key === "line" && typeof field === "number" ? field + lines : isRange(field) ? shiftRange(field, lines) : shiftedData(field, lines);
  }
  return copy;
}

/** Most of the IR's objects are ranges: copied by shiftRange, they are built in one shape. */
function isRange(value: unknown): value is SourceRange {
  if (typeof value !== "object" || value === null) return false;
  const { start, end } = value as Partial<SourceRange>;
  return typeof start === "object" && typeof end === "object" && typeof start.line === "number" && typeof end.line === "number" && Object.keys(value).length === 2;
}
