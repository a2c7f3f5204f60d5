// `--format json`: a stable shape for scripts (documented in docs/cli.md). Bump
// `jsonFormatVersion` on any incompatible change.
import type { FixHint, Finding } from "../analysis/findings";
import type { Report, ReportProblem } from "./report";
import { oneBased, portablePath } from "./reportPaths";

export const jsonFormatVersion = 1;

function fixJson(fix: FixHint, root: string): Record<string, unknown> {
  switch (fix.kind) {
    case "insert-release":
      return { kind: fix.kind, file: portablePath(fix.file, root), before: oneBased(fix.before), callText: fix.callText, handleText: fix.handleText };
    case "remove-statement":
      return { kind: fix.kind, file: portablePath(fix.file, root), range: oneBased(fix.range) };
    case "null-after-release":
      return { kind: fix.kind, file: portablePath(fix.file, root), after: oneBased(fix.after), handleText: fix.handleText };
  }
}

function findingJson(finding: Finding, root: string): Record<string, unknown> {
  return {
    ruleId: finding.ruleId,
    severity: finding.severity,
    message: finding.message,
    file: portablePath(finding.file, root),
    range: oneBased(finding.range),
    functionName: finding.functionName,
    ...(finding.family === undefined ? {} : { family: finding.family }),
    ...(finding.acquiredAt === undefined
      ? {}
      : { acquiredAt: { file: portablePath(finding.acquiredAt.file, root), range: oneBased(finding.acquiredAt.range) } }),
    path: finding.path.map((step) => ({ kind: step.kind, message: step.message, file: portablePath(step.file, root), range: oneBased(step.range) })),
    fixes: finding.fixes.map((fix) => fixJson(fix, root)),
    fingerprint: finding.fingerprint,
  };
}

function problemJson(problem: ReportProblem, root: string): Record<string, unknown> {
  return {
    file: portablePath(problem.file, root),
    severity: problem.severity,
    message: problem.message,
    ...(problem.range === undefined ? {} : { range: oneBased(problem.range) }),
  };
}

/**
 * Every file the run read, in report order, with the functions analyzed in it: a script can tell a
 * function the check skipped (a syntax error around it, a construct the frontend does not read) from
 * one it analyzed and found nothing in. Lines are one-based; `endLine` is the closing brace's.
 */
function fileListingJson(report: Report): Record<string, unknown>[] {
  const functionsOf = new Map<string, Record<string, unknown>[]>();
  for (const fn of report.functions ?? []) {
    const file = portablePath(fn.file, report.root);
    const listed = functionsOf.get(file) ?? [];
    listed.push({ name: fn.name, ...(fn.qualifiedName === undefined ? {} : { qualifiedName: fn.qualifiedName }), line: fn.line + 1, endLine: fn.endLine + 1 });
    functionsOf.set(file, listed);
  }
  const files = [...new Set([...report.files.map((file) => portablePath(file, report.root)), ...functionsOf.keys()])];
  return files.map((file) => ({ file, functions: functionsOf.get(file) ?? [] }));
}

export interface JsonFormatOptions {
  /** Adds `files`: every file read, with the functions analyzed in it. */
  listFunctions?: boolean;
}

export function formatJson(report: Report, toolVersion: string, options: JsonFormatOptions = {}): string {
  const document = {
    version: jsonFormatVersion,
    tool: { name: "vmbguard", version: toolVersion },
    findings: report.findings.map((finding) => findingJson(finding, report.root)),
    problems: report.problems.map((problem) => problemJson(problem, report.root)),
    stats: {
      ...report.stats,
      findings: report.findings.length,
      belowThreshold: report.belowThreshold,
      inBaseline: report.inBaseline,
    },
    ...(options.listFunctions === true ? { files: fileListingJson(report) } : {}),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
