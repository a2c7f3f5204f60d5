// Positions and text of TypeScript syntax nodes, in the IR's terms (zero-based line, UTF-16 column).
import ts from "typescript";
import type { SourceRange } from "../../ir/ir";
import { LineIndex } from "../positions";

export class SourceText {
  readonly lines: LineIndex;

  constructor(readonly file: ts.SourceFile) {
    this.lines = new LineIndex(file.text);
  }

  /** The node's range without its leading comments and whitespace. */
  rangeOf(node: ts.Node): SourceRange {
    const start = this.lines.positionAt(node.getStart(this.file));
    return { start, end: this.lines.positionFrom(start.line, node.end) };
  }

  /** An empty range at the node's last character: where a function falls off its closing brace. */
  closingRangeOf(node: ts.Node): SourceRange {
    const end = this.lines.positionAt(Math.max(node.end - 1, node.getStart(this.file)));
    return { start: end, end: { line: end.line, column: end.column + 1 } };
  }

  textOf(node: ts.Node): string {
    return node.getText(this.file);
  }
}
