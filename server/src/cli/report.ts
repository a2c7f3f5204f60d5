// What one `vmbguard check` run produced, after the command line's filters: the single
// input of every output format.
import type { AnalyzedFunction } from "../analysis/check";
import type { Finding } from "../analysis/findings";
import type { SourceRange } from "../ir/ir";

/** A file that could not be checked fully (unreadable, binary, too large, parse problems). */
export interface ReportProblem {
  file: string;
  message: string;
  range?: SourceRange;
  severity: "error" | "warning";
}

export interface ReportStats {
  /** Files analyzed. */
  files: number;
  lines: number;
  functions: number;
  millis: number;
}

export interface Report {
  /** Findings to show, sorted by file, line, column and rule. */
  findings: Finding[];
  problems: ReportProblem[];
  stats: ReportStats;
  /** Findings left out because they are below the --severity threshold. */
  belowThreshold: number;
  /** Findings left out because their fingerprint is in the --baseline log. */
  inBaseline: number;
  /** Every file the run read, as reported (relative to the working folder when inside it). */
  files: string[];
  /** The working folder: report paths are relative to it, SARIF's SRCROOT is it. */
  root: string;
  /** The functions analyzed, for `--list-functions`. */
  functions?: AnalyzedFunction[];
  /** Command-line paths that do not exist: the run reports what it could and still fails (exit 2). */
  missingPaths?: string[];
}
