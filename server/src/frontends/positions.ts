// Maps string offsets of the source to LSP positions (zero-based line, UTF-16 column).
// Tree-sitter gives positions for nodes; this serves what the preprocessor finds by offset.
import type { Position, SourceRange } from "../ir/ir";

/** A span of the source text by offsets (a comment, a skipped region). */
export interface OffsetSpan {
  start: number;
  end: number;
}

export class LineIndex {
  private readonly lineStarts: number[];

  constructor(text: string) {
    const starts = [0];
    let from = 0;
    for (;;) {
      const newline = text.indexOf("\n", from);
      if (newline < 0) break;
      starts.push(newline + 1);
      from = newline + 1;
    }
    this.lineStarts = starts;
  }

  positionAt(offset: number): Position {
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.lineStarts[middle] <= offset) low = middle;
      else high = middle - 1;
    }
    return { line: low, column: offset - this.lineStarts[low] };
  }

  /**
   * The position of `offset`, known to be on line `line` or later: a node's end from its start
   * line. Most nodes end on the line they start on, which needs no search.
   */
  positionFrom(line: number, offset: number): Position {
    const starts = this.lineStarts;
    if (line + 1 >= starts.length || offset < starts[line + 1]) return { line, column: offset - starts[line] };
    return this.positionAt(offset);
  }

  rangeOf(start: number, end: number): SourceRange {
    return { start: this.positionAt(start), end: this.positionAt(end) };
  }
}
