// Paths and positions as written in machine-readable reports: relative to the working
// folder with `/` separators (absolute outside it), lines and columns one-based.
import * as path from "node:path";
import type { Position, SourceRange } from "../ir/ir";

export function portablePath(file: string, root: string): string {
  const absolute = path.resolve(root, file);
  const relative = path.relative(root, absolute);
  if (relative.startsWith("..") || path.isAbsolute(relative)) return absolute.split(path.sep).join("/");
  return relative.split(path.sep).join("/");
}

export function isInsideRoot(file: string, root: string): boolean {
  const relative = path.relative(root, path.resolve(root, file));
  return !relative.startsWith("..") && !path.isAbsolute(relative);
}

export interface OneBasedRange {
  start: Position;
  end: Position;
}

export function oneBased(range: SourceRange): OneBasedRange {
  return {
    start: { line: range.start.line + 1, column: range.start.column + 1 },
    end: { line: range.end.line + 1, column: range.end.column + 1 },
  };
}
