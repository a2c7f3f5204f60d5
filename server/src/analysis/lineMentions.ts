// Line numbers that finding messages mention ("released ... at line 12"), kept relative to the
// function they are found in until the finding is reported. The engine's raw findings then depend
// only on the function's own text, not on where it sits in its file, so the analysis of a function
// that merely moved (lines inserted above it) can be reused with its ranges shifted
// (functionResultCache.ts) and still name the right lines.
import type { SourceRange } from "../ir/ir";

// Private-use characters: the engine's own words never contain them (a name in the code could, and
// then a fresh and a reused analysis read it alike).
const open = "\uE000";
const close = "\uE001";
const mention = /\uE000(-?\d+)\uE001/g;

/** Stands for the one-based line of `range` in a message about a function starting at `functionStartLine`. */
export function lineMention(range: SourceRange, functionStartLine: number): string {
  return `${open}${range.start.line - functionStartLine}${close}`;
}

/** `text` with every line mention made the one-based line it names, the function starting at `functionStartLine`. */
export function resolveLineMentions(text: string, functionStartLine: number): string {
  if (!text.includes(open)) return text;
  return text.replace(mention, (_whole, relative: string) => String(functionStartLine + Number(relative) + 1));
}
