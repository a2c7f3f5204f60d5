// Compiler-style text output: one line per finding, its path as indented notes, a summary.
import * as path from "node:path";
import type { Finding, Severity } from "../analysis/findings";
import type { SourceRange } from "../ir/ir";
import type { Report, ReportProblem } from "./report";

export interface Palette {
  bold(text: string): string;
  severity(severity: Severity | "note", text: string): string;
  dim(text: string): string;
}

const plain: Palette = {
  bold: (text) => text,
  severity: (_severity, text) => text,
  dim: (text) => text,
};

const ansi: Palette = {
  bold: (text) => `\u001b[1m${text}\u001b[22m`,
  severity: (severity, text) => {
    const code = severity === "error" ? 31 : severity === "warning" ? 33 : severity === "information" ? 36 : 90;
    return `\u001b[1;${code}m${text}\u001b[0m`;
  },
  dim: (text) => `\u001b[2m${text}\u001b[22m`,
};

export function palette(colored: boolean): Palette {
  return colored ? ansi : plain;
}

/** Colour only for a terminal, and never when NO_COLOR is set (no-color.org) or --no-color is given. */
export function wantsColor(stream: { isTTY?: boolean }, noColorFlag: boolean, env: NodeJS.ProcessEnv): boolean {
  if (noColorFlag) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  return stream.isTTY === true;
}

/** The path a person reads: relative to the working folder when inside it, with the platform's separators. */
export function displayPath(file: string, root: string): string {
  const absolute = path.resolve(root, file);
  const relative = path.relative(root, absolute);
  return relative.startsWith("..") || path.isAbsolute(relative) ? absolute : relative;
}

function location(file: string, range: SourceRange | undefined, root: string): string {
  const shown = displayPath(file, root);
  return range === undefined ? shown : `${shown}:${range.start.line + 1}:${range.start.column + 1}`;
}

const severityWord: Record<Severity, string> = { error: "error", warning: "warning", information: "info" };

function formatFinding(finding: Finding, root: string, colors: Palette): string[] {
  const lines = [
    `${colors.bold(`${location(finding.file, finding.range, root)}:`)} ${colors.severity(finding.severity, `${severityWord[finding.severity]}:`)} ${finding.message} ${colors.dim(`[${finding.ruleId}]`)}`,
  ];
  for (const step of finding.path) {
    lines.push(`  ${location(step.file, step.range, root)}: ${colors.severity("note", "note:")} ${step.message}`);
  }
  return lines;
}

function formatProblem(problem: ReportProblem, root: string, colors: Palette): string {
  return `${colors.bold(`${location(problem.file, problem.range, root)}:`)} ${colors.severity(problem.severity, `${problem.severity}:`)} ${problem.message}`;
}

function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}

export function summaryLine(report: Report): string {
  const errors = report.findings.filter((finding) => finding.severity === "error").length;
  const warnings = report.findings.filter((finding) => finding.severity === "warning").length;
  const infos = report.findings.length - errors - warnings;
  const parts = [count(errors, "error"), count(warnings, "warning")];
  if (infos > 0) parts.push(`${infos} info`);
  let line = `${count(report.findings.length, "problem")} (${parts.join(", ")}) in ${count(report.stats.files, "file")}`;
  const notes: string[] = [];
  if (report.belowThreshold > 0) notes.push(`${report.belowThreshold} below the severity threshold not shown`);
  if (report.inBaseline > 0) notes.push(`${report.inBaseline} in the baseline not shown`);
  if (report.problems.length > 0) notes.push(count(report.problems.length, "file problem"));
  if (notes.length > 0) line += `; ${notes.join("; ")}`;
  return line;
}

export function formatText(report: Report, colored: boolean): string {
  const colors = palette(colored);
  // File problems sit among the findings of their file, as a compiler would print them.
  const entries: { file: string; line: number; column: number; lines: string[] }[] = [
    ...report.problems.map((problem) => ({
      file: displayPath(problem.file, report.root),
      line: problem.range?.start.line ?? -1,
      column: problem.range?.start.column ?? -1,
      lines: [formatProblem(problem, report.root, colors)],
    })),
    ...report.findings.map((finding) => ({
      file: displayPath(finding.file, report.root),
      line: finding.range.start.line,
      column: finding.range.start.column,
      lines: formatFinding(finding, report.root, colors),
    })),
  ];
  entries.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column));
  const lines = entries.flatMap((entry) => entry.lines);
  lines.push(summaryLine(report));
  return `${lines.join("\n")}\n`;
}
