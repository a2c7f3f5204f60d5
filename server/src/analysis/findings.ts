// What the core reports. The CLI and the language server only translate these.
import type { SourceRange } from "../ir/ir";

export type Severity = "error" | "warning" | "information";

export interface PathStep {
  /** What happened at this step: "packet allocated here", "taken: 'status' is a failure", "leaked here". */
  message: string;
  file: string;
  range: SourceRange;
  kind: "acquire" | "branch" | "release" | "transfer" | "use" | "call" | "exit" | "escape" | "note";
}

/** Hints the language server turns into code actions; the core computes where, not how to edit. */
export type FixHint =
  /** Insert a release call before the statement at `before` (a leaking exit). */
  | { kind: "insert-release"; file: string; before: SourceRange; callText: string; handleText: string }
  /** Remove the statement at `range` (a second release). */
  | { kind: "remove-statement"; file: string; range: SourceRange }
  /** Set the handle to NULL after the release at `after`. */
  | { kind: "null-after-release"; file: string; after: SourceRange; handleText: string };

export interface Finding {
  ruleId: string;
  severity: Severity;
  message: string;
  file: string;
  range: SourceRange;
  /** The function the finding is in (SARIF logical location). */
  functionName: string;
  /** The resource family, when the finding is about a resource. */
  family?: string;
  /** Where the resource was acquired, when known. */
  acquiredAt?: { file: string; range: SourceRange };
  path: PathStep[];
  fixes: FixHint[];
  /** Stable across unrelated edits: set by the checker from the rule, function and the code text involved. */
  fingerprint: string;
}
