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

export function formatJson(report: Report, toolVersion: string): string {
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
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
