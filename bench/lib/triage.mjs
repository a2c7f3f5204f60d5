// Scores the findings of a `vmbguard check` JSON report on a real tree against the committed
// verdicts of bench/realworld/triage.json: each finding at warning and above is matched to a verdict
// of the same repository and commit by file (relative to the snapshot's root), line and rule.
import { readFileSync } from "node:fs";
import { isAbsolute, relative, resolve, sep } from "node:path";

/** bench/realworld/triage.json, relative to the repository root. */
export const triageFile = ["bench", "realworld", "triage.json"];

/** The severities that need a verdict. */
export const triagedSeverities = ["error", "warning"];

/**
 * Rule ids that were renamed, old id to new one. A verdict written under either id judges a finding
 * reported under the other: the verdict is about the code, not about the rule's name.
 */
export const renamedRules = { "packet-leak": "leak" };

export const canonicalRule = (ruleId) => renamedRules[ruleId] ?? ruleId;

/** Two commit ids name the same commit when one is a prefix of the other (short and full hashes). */
export function sameCommit(a, b) {
  if (a === undefined || b === undefined || a === "" || b === "") return false;
  const [left, right] = [a.toLowerCase(), b.toLowerCase()];
  return left.startsWith(right) || right.startsWith(left);
}

/** A report's file, relative to the snapshot's root with `/`: the report is relative to where the check ran. */
export function snapshotRelative(file, { reportRoot, snapshotRoot }) {
  if (snapshotRoot === undefined) return file;
  const absolute = isAbsolute(file) ? file : resolve(reportRoot ?? snapshotRoot, file);
  const inside = relative(snapshotRoot, absolute);
  if (inside.startsWith("..") || isAbsolute(inside)) return file;
  return inside.split(sep).join("/");
}

export function loadVerdicts(path) {
  const verdicts = JSON.parse(readFileSync(path, "utf8"));
  if (!Array.isArray(verdicts)) throw new Error(`${path}: expected an array of verdicts`);
  for (const [index, entry] of verdicts.entries()) {
    for (const key of ["repository", "commit", "file", "rule", "reason"]) {
      if (typeof entry[key] !== "string") throw new Error(`${path}: entry ${index} has no string ${key}`);
    }
    if (!Number.isInteger(entry.line) || typeof entry.verdict !== "boolean") throw new Error(`${path}: entry ${index} needs an integer line and a boolean verdict`);
  }
  return verdicts;
}

const keyOf = (file, line, rule) => `${file}\u0000${line}\u0000${canonicalRule(rule)}`;

function groupBy(items, key) {
  const groups = new Map();
  for (const item of items) {
    const group = groups.get(key(item)) ?? [];
    group.push(item);
    groups.set(key(item), group);
  }
  return groups;
}

const byPlace = (a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0));

/**
 * Matches `findings` (the `findings` of a JSON report) of the snapshot `repository`@`commit` to
 * `verdicts`. Several findings on one line under one rule (two handles) need as many verdicts: the
 * findings, in message order, take that place's verdicts in the file's order; findings beyond them
 * are untriaged, verdicts beyond them have no finding (the finding is gone).
 * Returns the counts, the precision over the triaged findings (undefined when none is triaged), the
 * untriaged findings and the verdicts without a finding, both in file and line order.
 */
export function triageFindings({ repository, commit, findings, verdicts, reportRoot, snapshotRoot }) {
  const judged = findings
    .filter((finding) => triagedSeverities.includes(finding.severity))
    .map((finding) => ({
      file: snapshotRelative(finding.file, { reportRoot, snapshotRoot }),
      line: finding.range.start.line,
      rule: finding.ruleId,
      message: finding.message,
    }));
  const ofTree = verdicts.filter((entry) => entry.repository === repository && sameCommit(entry.commit, commit));
  const verdictsAt = groupBy(ofTree, (entry) => keyOf(entry.file, entry.line, entry.rule));
  const findingsAt = groupBy(judged, (finding) => keyOf(finding.file, finding.line, finding.rule));
  let triagedTrue = 0;
  let triagedFalse = 0;
  const untriaged = [];
  const withoutFinding = [];
  for (const [key, atPlace] of findingsAt) {
    const placeVerdicts = verdictsAt.get(key) ?? [];
    const ordered = [...atPlace].sort((a, b) => (a.message < b.message ? -1 : a.message > b.message ? 1 : 0));
    ordered.forEach((finding, index) => {
      const entry = placeVerdicts[index];
      if (entry === undefined) untriaged.push(finding);
      else if (entry.verdict) triagedTrue++;
      else triagedFalse++;
    });
  }
  for (const [key, placeVerdicts] of verdictsAt) {
    const found = findingsAt.get(key)?.length ?? 0;
    for (const entry of placeVerdicts.slice(found)) withoutFinding.push({ file: entry.file, line: entry.line, rule: entry.rule, verdict: entry.verdict, reason: entry.reason });
  }
  const triaged = triagedTrue + triagedFalse;
  return {
    repository,
    commit,
    findings: judged.length,
    triagedTrue,
    triagedFalse,
    untriaged: untriaged.sort(byPlace),
    precision: triaged === 0 ? undefined : triagedTrue / triaged,
    verdicts: ofTree.length,
    withoutFinding: withoutFinding.sort(byPlace),
  };
}

/** `file:line:rule: message`, the form untriaged findings are listed in. */
export const describeUntriaged = (finding) => `${finding.file}:${finding.line}:${finding.rule}: ${finding.message}`;
