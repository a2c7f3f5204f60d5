// Findings and file problems in their LSP form: the rule id as code (linked to its docs), the
// path as related information, the fingerprint as data so code actions find the finding again.
import { pathToFileURL } from "node:url";
import { DiagnosticSeverity, DiagnosticTag, type Diagnostic, type Range } from "vscode-languageserver/node";
import type { FileProblem } from "../analysis/check";
import type { Finding, Severity } from "../analysis/findings";
import { ruleDocsBase } from "../analysis/rules";
import type { SourceRange } from "../ir/ir";

export const diagnosticSource = "vmbguard";

const severities: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
};

/** What a diagnostic carries back to the server in code action requests. */
export interface FindingReference {
  fingerprint: string;
}

export function toRange(range: SourceRange): Range {
  return { start: { line: range.start.line, character: range.start.column }, end: { line: range.end.line, character: range.end.column } };
}

export function fileUri(file: string): string {
  return pathToFileURL(file).href;
}

export function findingDiagnostic(finding: Finding): Diagnostic {
  const data: FindingReference = { fingerprint: finding.fingerprint };
  const diagnostic: Diagnostic = {
    range: toRange(finding.range),
    severity: severities[finding.severity],
    code: finding.ruleId,
    codeDescription: { href: `${ruleDocsBase}#${finding.ruleId}` },
    source: diagnosticSource,
    message: finding.message,
    relatedInformation: finding.path.map((step) => ({ location: { uri: fileUri(step.file), range: toRange(step.range) }, message: step.message })),
    data,
  };
  // A suppression that silences nothing is dead text: editors fade it out.
  if (finding.ruleId === "unused-suppression") diagnostic.tags = [DiagnosticTag.Unnecessary];
  return diagnostic;
}

/** A file the check could not take fully (unreadable, too large, parse problems). */
export function problemDiagnostic(problem: FileProblem): Diagnostic {
  const start = { line: 0, column: 0 };
  return {
    range: toRange(problem.range ?? { start, end: start }),
    severity: problem.severity === "error" ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
    source: diagnosticSource,
    message: problem.message,
  };
}

/** The diagnostics of every file with findings or problems, by absolute path. */
export function diagnosticsByFile(findings: readonly Finding[], problems: readonly FileProblem[]): Map<string, Diagnostic[]> {
  const byFile = new Map<string, Diagnostic[]>();
  const add = (file: string, diagnostic: Diagnostic): void => {
    const list = byFile.get(file);
    if (list === undefined) byFile.set(file, [diagnostic]);
    else list.push(diagnostic);
  };
  for (const problem of problems) add(problem.file, problemDiagnostic(problem));
  for (const finding of findings) add(finding.file, findingDiagnostic(finding));
  return byFile;
}
