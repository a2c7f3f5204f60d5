// Just enough reading of C-like source text to place an edit: lines, indentation, where a
// statement ends and whether a position starts a statement of its own (not the body of a
// brace-less `if`). It never parses: the core's ranges say what to edit, this says how.
import type { SourceLanguage } from "../ir/ir";
import type { Position } from "../ir/ir";

/** Characters after which a new statement may start on the next line without changing what an `if` or `else` governs. */
const statementBoundaries = new Set([";", "{", "}", ":"]);
/** How far statementEnd looks for the `;`: a statement longer than this is left alone. */
const maxStatementLines = 200;

export class SourceText {
  readonly lines: string[];
  readonly eol: string;

  constructor(
    text: string,
    readonly language: SourceLanguage,
  ) {
    this.lines = text.split(/\r?\n/);
    this.eol = text.includes("\r\n") ? "\r\n" : "\n";
  }

  line(index: number): string {
    return this.lines[index] ?? "";
  }

  indentOf(index: number): string {
    return /^[ \t]*/.exec(this.line(index))![0];
  }

  /** One level of indentation as the file writes it: the smallest step between two lines, else four spaces. */
  indentUnit(): string {
    let smallest: string | undefined;
    for (let index = 1; index < this.lines.length && index < 2000; index++) {
      const before = this.indentOf(index - 1);
      const here = this.indentOf(index);
      if (this.line(index).trim() === "" || this.line(index - 1).trim() === "") continue;
      if (here.length > before.length && here.startsWith(before)) {
        const step = here.slice(before.length);
        if (smallest === undefined || step.length < smallest.length) smallest = step;
      }
    }
    return smallest ?? "    ";
  }

  /** The last character of code before `line` (comments and blank lines skipped), if any. */
  private lastCodeCharBefore(line: number): string | undefined {
    let inBlockComment = false;
    for (let index = line - 1; index >= 0; index--) {
      let code = this.line(index);
      // Scanning upwards, a line ending a block comment is inside it until its opening.
      if (inBlockComment) {
        const open = code.lastIndexOf("/*");
        if (open === -1) continue;
        code = code.slice(0, open);
        inBlockComment = false;
      }
      const close = code.lastIndexOf("*/");
      if (close !== -1 && code.lastIndexOf("/*") < close) {
        const open = code.lastIndexOf("/*", close);
        if (open === -1) {
          inBlockComment = true;
          continue;
        }
        code = code.slice(0, open) + code.slice(close + 2);
      }
      code = withoutLineComment(code).trimEnd();
      if (code.trimStart().startsWith("#")) continue;
      if (code.trim() !== "") return code[code.length - 1];
    }
    return undefined;
  }

  /**
   * Whether `position` starts a statement of its own: whatever ends just before it is a statement
   * boundary, so inserting a statement there (or removing this one) keeps the control flow.
   */
  startsOwnStatement(position: Position): boolean {
    const prefix = withoutLineComment(this.line(position.line).slice(0, position.column)).trim();
    if (prefix !== "") return statementBoundaries.has(prefix[prefix.length - 1]);
    const before = this.lastCodeCharBefore(position.line);
    return before === undefined || statementBoundaries.has(before);
  }

  /** Whether the statement from `start` to `end` is alone on its lines (only blanks and a comment around it). */
  isAloneOnItsLines(start: Position, end: Position): boolean {
    const prefix = this.line(start.line).slice(0, start.column);
    const suffix = withoutLineComment(this.line(end.line).slice(end.column));
    return prefix.trim() === "" && suffix.trim() === "";
  }

  /** The position just after the `;` that ends the statement containing `from`, skipping nested brackets, strings and comments. */
  statementEnd(from: Position): Position | undefined {
    let depth = 0;
    let quote: string | undefined;
    let inBlockComment = false;
    for (let line = from.line; line < this.lines.length && line < from.line + maxStatementLines; line++) {
      const text = this.line(line);
      for (let column = line === from.line ? from.column : 0; column < text.length; column++) {
        const char = text[column];
        if (inBlockComment) {
          if (char === "*" && text[column + 1] === "/") {
            inBlockComment = false;
            column++;
          }
        } else if (quote !== undefined) {
          if (char === "\\") column++;
          else if (char === quote) quote = undefined;
        } else if (char === "/" && text[column + 1] === "/") {
          break;
        } else if (char === "/" && text[column + 1] === "*") {
          inBlockComment = true;
          column++;
        } else if (char === '"' || char === "'" || char === "`") {
          quote = char;
        } else if (char === "(" || char === "[" || char === "{") {
          depth++;
        } else if (char === ")" || char === "]" || char === "}") {
          // A closing bracket of an enclosing construct: the statement had no `;` of its own.
          if (depth === 0) return undefined;
          depth--;
        } else if (char === ";" && depth === 0) {
          return { line, column: column + 1 };
        }
      }
      // A string does not go on past its line in C; a stray quote must not swallow the file.
      if (quote !== "`") quote = undefined;
    }
    return undefined;
  }
}

/** The line up to a `//` comment that is not inside a string. */
function withoutLineComment(line: string): string {
  let quote: string | undefined;
  for (let index = 0; index < line.length; index++) {
    const char = line[index];
    if (quote !== undefined) {
      if (char === "\\") index++;
      else if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'") {
      quote = char;
    } else if (char === "/" && line[index + 1] === "/") {
      return line.slice(0, index);
    }
  }
  return line;
}
