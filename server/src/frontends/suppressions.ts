// Reads `vmbguard-disable-next-line a, b` and `vmbguard-disable-line a` out of comments.
import type { Suppression } from "../ir/ir";
import type { LineIndex, OffsetSpan } from "./positions";

const DIRECTIVE = /vmbguard-disable-(next-line|line)\b([\s\S]*)/;
const RULE_ID = /[A-Za-z][A-Za-z0-9_-]*/g;

/** Rule ids after the directive, up to the end of the comment or a `--` that starts an explanation; none means every rule. */
function ruleIds(rest: string): string[] {
  const list = rest.split("*/")[0].split("--")[0];
  return list.match(RULE_ID) ?? [];
}

export function suppressionsIn(text: string, comments: readonly OffsetSpan[], lines: LineIndex): Suppression[] {
  const suppressions: Suppression[] = [];
  for (const comment of comments) {
    const body = text.slice(comment.start, comment.end);
    const match = DIRECTIVE.exec(body);
    if (match === null) continue;
    const range = lines.rangeOf(comment.start, comment.end);
    // A block comment spanning lines applies to the line after its end, or to the line it starts on.
    const line = match[1] === "next-line" ? range.end.line + 1 : range.start.line;
    suppressions.push({ line, rules: ruleIds(match[2]), range });
  }
  return suppressions;
}
