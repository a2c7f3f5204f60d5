// Code actions from the core's fix hints: release before a leaking exit, remove a second release
// or null the handle after the first, suppress the rule on the line, and fix every finding of a
// rule in the file at once. The core says where; this file only says how to edit the text.
import type { SourceLanguage } from "../ir/ir";
import { CodeActionKind, type CodeAction, type Diagnostic, type Range, type TextEdit } from "vscode-languageserver/node";
import type { Finding, FixHint } from "../analysis/findings";
import type { Position } from "../ir/ir";
import { findingDiagnostic, type FindingReference } from "./diagnostics";
import { SourceText } from "./sourceText";

/** `source.fixAll.vmbguard`: what an editor runs on save ("fix all auto-fixable problems"). */
export const fixAllKind = `${CodeActionKind.SourceFixAll}.vmbguard`;

const suppressionDirective = "vmbguard-disable-next-line";
const existingSuppression = /^([ \t]*\/\/[ \t]*vmbguard-disable-next-line[ \t]+)([A-Za-z0-9_, \t-]*?)([ \t]*)$/;

interface PlannedFix {
  title: string;
  edits: TextEdit[];
  /**
   * Safe to apply without reading it, and so part of "fix all": only a release before a leaking
   * exit. Whether a second release or the first should go depends on the other paths through it.
   */
  preferred: boolean;
}

export interface CodeActionInput {
  uri: string;
  file: string;
  /** The text the findings were computed on (the document's current text). */
  text: string;
  /** The file's language as its frontend lowered it: how the fixes spell NULL. */
  language: SourceLanguage;
  /** The findings of this file. */
  findings: readonly Finding[];
  range: Range;
  /** The diagnostics the client sent as context. */
  diagnostics: readonly Diagnostic[];
  /** Kinds the client asked for, if it restricted them. */
  only?: readonly string[];
}

function point(position: Position): Range["start"] {
  return { line: position.line, character: position.column };
}

function insertAt(position: Position, text: string): TextEdit {
  return { range: { start: point(position), end: point(position) }, newText: text };
}

function nullLiteral(source: SourceText): string {
  return source.language === "ts" ? "null" : source.language === "cpp" ? "nullptr" : "NULL";
}

/** `VmbPacketFree(packet);` before the exit at `before`: on its own line when the exit starts a statement, else wrapped in braces with it. */
function insertRelease(source: SourceText, fix: Extract<FixHint, { kind: "insert-release" }>): PlannedFix | undefined {
  const release = `${fix.callText}(${fix.handleText});`;
  const title = `Release '${fix.handleText}' before this exit: ${release}`;
  const start = fix.before.start;
  const lineText = source.line(start.line);
  if (lineText[start.column] === "}") {
    // Falling off the end of the block: the release goes last in it.
    if (lineText.slice(0, start.column).trim() !== "") return { title, edits: [insertAt(start, `${release} `)], preferred: true };
    const indent = source.indentOf(start.line) + source.indentUnit();
    return { title, edits: [insertAt({ line: start.line, column: 0 }, `${indent}${release}${source.eol}`)], preferred: true };
  }
  if (source.startsOwnStatement(start)) {
    if (lineText.slice(0, start.column).trim() !== "") return { title, edits: [insertAt(start, `${release} `)], preferred: true };
    return { title, edits: [insertAt({ line: start.line, column: 0 }, `${source.indentOf(start.line)}${release}${source.eol}`)], preferred: true };
  }
  // The exit is the whole body of an `if`/`else` without braces: both go in a new block.
  const end = source.statementEnd(start);
  if (end === undefined) return undefined;
  return { title, edits: [insertAt(start, `{ ${release} `), insertAt(end, " }")], preferred: true };
}

function removeStatement(source: SourceText, fix: Extract<FixHint, { kind: "remove-statement" }>): PlannedFix | undefined {
  const end = source.statementEnd(fix.range.end);
  // A release that is the body of a brace-less `if` cannot go without changing what follows it.
  if (end === undefined || !source.startsOwnStatement(fix.range.start)) return undefined;
  const title = "Remove the second release";
  if (source.isAloneOnItsLines(fix.range.start, end)) {
    return { title, edits: [{ range: { start: { line: fix.range.start.line, character: 0 }, end: { line: end.line + 1, character: 0 } }, newText: "" }], preferred: false };
  }
  // The blanks after it go too, so what follows takes its place.
  const blanks = /^[ \t]*/.exec(source.line(end.line).slice(end.column))![0].length;
  return { title, edits: [{ range: { start: point(fix.range.start), end: { line: end.line, character: end.column + blanks } }, newText: "" }], preferred: false };
}

function nullAfterRelease(source: SourceText, fix: Extract<FixHint, { kind: "null-after-release" }>): PlannedFix | undefined {
  const end = source.statementEnd(fix.after.end);
  if (end === undefined) return undefined;
  const assignment = `${fix.handleText} = ${nullLiteral(source)};`;
  const title = `Set '${fix.handleText}' to ${nullLiteral(source)} after the first release`;
  if (!source.startsOwnStatement(fix.after.start)) {
    return { title, edits: [insertAt(fix.after.start, "{ "), insertAt(end, ` ${assignment} }`)], preferred: false };
  }
  if (source.isAloneOnItsLines(fix.after.start, end)) {
    return { title, edits: [insertAt({ line: end.line + 1, column: 0 }, `${source.indentOf(fix.after.start.line)}${assignment}${source.eol}`)], preferred: false };
  }
  return { title, edits: [insertAt(end, ` ${assignment}`)], preferred: false };
}

export function planFix(source: SourceText, fix: FixHint): PlannedFix | undefined {
  switch (fix.kind) {
    case "insert-release":
      return insertRelease(source, fix);
    case "remove-statement":
      return removeStatement(source, fix);
    case "null-after-release":
      return nullAfterRelease(source, fix);
  }
}

/** `// vmbguard-disable-next-line <rule>` above the finding's line, or the rule added to such a comment already there. */
function suppression(source: SourceText, finding: Finding): PlannedFix {
  const line = finding.range.start.line;
  const title = `Suppress '${finding.ruleId}' on this line (// ${suppressionDirective})`;
  const above = existingSuppression.exec(source.line(line - 1));
  if (line > 0 && above !== null && above[2].trim() !== "") {
    const end = { line: line - 1, column: above[1].length + above[2].length };
    return { title, edits: [insertAt(end, `, ${finding.ruleId}`)], preferred: false };
  }
  return { title, edits: [insertAt({ line, column: 0 }, `${source.indentOf(line)}// ${suppressionDirective} ${finding.ruleId}${source.eol}`)], preferred: false };
}

function overlaps(a: TextEdit, b: TextEdit): boolean {
  const before = (x: Range["start"], y: Range["start"]): boolean => x.line < y.line || (x.line === y.line && x.character < y.character);
  // Two inserts at one point do not overlap; an insert inside a replaced range does.
  return before(a.range.start, b.range.end) && before(b.range.start, a.range.end);
}

function sameEdit(a: TextEdit, b: TextEdit): boolean {
  return a.newText === b.newText && a.range.start.line === b.range.start.line && a.range.start.character === b.range.start.character && a.range.end.line === b.range.end.line && a.range.end.character === b.range.end.character;
}

/** The preferred fix of each finding, leaving out any whose edits would overlap another's. */
function combinedFixes(source: SourceText, findings: readonly Finding[]): { edits: TextEdit[]; fixed: number } {
  const edits: TextEdit[] = [];
  let fixed = 0;
  for (const finding of findings) {
    const plan = finding.fixes.map((fix) => planFix(source, fix)).find((candidate) => candidate?.preferred === true);
    if (plan === undefined) continue;
    const fresh = plan.edits.filter((edit) => !edits.some((taken) => sameEdit(taken, edit)));
    if (fresh.some((edit) => edits.some((taken) => overlaps(taken, edit)))) continue;
    edits.push(...fresh);
    fixed++;
  }
  return { edits, fixed };
}

function wants(only: readonly string[] | undefined, kind: string): boolean {
  return only === undefined || only.some((asked) => kind === asked || kind.startsWith(`${asked}.`));
}

/** By lines: a cursor anywhere on a finding's line asks for its fixes, as clients without diagnostics in the context do. */
function sharesLines(a: Range, b: Range): boolean {
  return a.start.line <= b.end.line && b.start.line <= a.end.line;
}

export function codeActions(input: CodeActionInput): CodeAction[] {
  const source = new SourceText(input.text, input.language);
  const edit = (edits: TextEdit[]) => ({ changes: { [input.uri]: edits } });
  const actions: CodeAction[] = [];
  const referenced = new Set(input.diagnostics.map((diagnostic) => (diagnostic.data as Partial<FindingReference> | undefined)?.fingerprint).filter((print) => print !== undefined));
  const fixable = input.findings.filter((finding) => finding.ruleId !== "unused-suppression" || finding.fixes.length > 0);
  const here = fixable.filter((finding) => referenced.has(finding.fingerprint) || sharesLines(findingDiagnostic(finding).range, input.range));

  if (wants(input.only, CodeActionKind.QuickFix)) {
    for (const finding of here) {
      const diagnostic = findingDiagnostic(finding);
      for (const fix of finding.fixes) {
        const plan = planFix(source, fix);
        if (plan !== undefined) actions.push({ title: plan.title, kind: CodeActionKind.QuickFix, diagnostics: [diagnostic], isPreferred: plan.preferred, edit: edit(plan.edits) });
      }
      if (finding.ruleId !== "unused-suppression") {
        const plan = suppression(source, finding);
        actions.push({ title: plan.title, kind: CodeActionKind.QuickFix, diagnostics: [diagnostic], edit: edit(plan.edits) });
      }
    }
    for (const ruleId of new Set(here.map((finding) => finding.ruleId))) {
      const ofRule = fixable.filter((finding) => finding.ruleId === ruleId);
      const { edits, fixed } = combinedFixes(source, ofRule);
      if (fixed < 2) continue;
      actions.push({ title: `Fix all ${fixed} '${ruleId}' problems in this file`, kind: CodeActionKind.QuickFix, diagnostics: ofRule.map(findingDiagnostic), edit: edit(edits) });
    }
  }
  if (input.only !== undefined && wants(input.only, fixAllKind)) {
    const { edits, fixed } = combinedFixes(source, fixable);
    if (fixed > 0) actions.push({ title: `Fix all ${fixed} VmbGuard problems in this file`, kind: fixAllKind, edit: edit(edits) });
  }
  return actions;
}
