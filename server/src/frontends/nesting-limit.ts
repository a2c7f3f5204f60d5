// Bounds how deep a recursive lowering goes: generated or malformed code can nest deeper than the
// JS stack allows. Past the limit the inner part is handled the simple way, and the file gets one
// problem saying so.
import type { ParseProblem, SourceRange } from "../ir/ir";

export class NestingLimit {
  private depth = 0;
  private reported = false;

  constructor(
    private readonly limit: number,
    /** The problem reported the first time the limit is reached. */
    private readonly message: string,
    private readonly problems: ParseProblem[],
  ) {}

  /** Runs `lower` one level deeper; past the limit, reports (once) at `range` and runs `tooDeep` instead. */
  run<T>(range: () => SourceRange, lower: () => T, tooDeep: () => T): T {
    if (this.depth >= this.limit) {
      if (!this.reported) {
        this.reported = true;
        this.problems.push({ message: this.message, range: range() });
      }
      return tooDeep();
    }
    this.depth++;
    try {
      return lower();
    } finally {
      this.depth--;
    }
  }
}
