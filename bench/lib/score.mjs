// Scores one tool's reports on one fixture unit against the unit's `expect:` comments.
import { blockOf, topLevelBlocks } from "./function-spans.mjs";

/** Rules whose place of report legitimately varies inside the function (see function-spans.mjs). */
const leakRules = new Set(["leak", "completion-leak"]);

const suppressionPattern = /vmbguard-disable-(next-line|line)\s+([a-z0-9-]+(?:\s*,\s*[a-z0-9-]+)*)/;

/** (file, line, rule) triples silenced by VmbGuard suppression comments, as keys. */
export function suppressedKeys(files) {
  const keys = new Set();
  for (const file of files) {
    file.text.split(/\r?\n/).forEach((lineText, index) => {
      const match = suppressionPattern.exec(lineText);
      if (match === null) return;
      const line = match[1] === "next-line" ? index + 2 : index + 1;
      for (const rule of match[2].split(",")) keys.add(`${file.name}:${line}:${rule.trim()}`);
    });
  }
  return keys;
}

/**
 * `expected`: [{ file, line, ruleId }]; `reports`: [{ file, line, rule }] with file names relative
 * to the unit, rule undefined when the tool's diagnostic has no counterpart among ours.
 * A report matches an expectation of its rule on the same line; a leak also matches anywhere in
 * the same function. Further reports of a matched expectation (same line, or same function for
 * a leak) are duplicates, not false alarms. Every other mapped report is a false alarm.
 */
export function scoreUnit({ files, expected, reports }) {
  const blocksByFile = new Map(files.map((file) => [file.name, topLevelBlocks(file.text)]));
  const sameFunction = (file, lineA, lineB) => {
    const block = blockOf(blocksByFile.get(file) ?? [], lineA);
    return block !== undefined && block === blockOf(blocksByFile.get(file) ?? [], lineB);
  };
  const mapped = reports.filter((report) => report.rule !== undefined);
  const used = new Set();
  const outcomes = expected.map((expectation) => ({ expectation, exactLine: false, found: false }));

  const claim = (outcome, accepts) => {
    const index = mapped.findIndex((report, candidate) => !used.has(candidate) && report.rule === outcome.expectation.ruleId && report.file === outcome.expectation.file && accepts(report));
    if (index < 0) return false;
    used.add(index);
    return true;
  };
  for (const outcome of outcomes) {
    if (claim(outcome, (report) => report.line === outcome.expectation.line)) {
      outcome.found = true;
      outcome.exactLine = true;
    }
  }
  for (const outcome of outcomes) {
    if (outcome.found || !leakRules.has(outcome.expectation.ruleId)) continue;
    outcome.found = claim(outcome, (report) => sameFunction(report.file, report.line, outcome.expectation.line));
  }

  const duplicates = [];
  const falseAlarms = [];
  mapped.forEach((report, index) => {
    if (used.has(index)) return;
    const repeatsAFind = outcomes.some(({ expectation, found }) =>
      found && expectation.ruleId === report.rule && expectation.file === report.file &&
      (expectation.line === report.line || (leakRules.has(report.rule) && sameFunction(report.file, report.line, expectation.line))));
    (repeatsAFind ? duplicates : falseAlarms).push(report);
  });
  return { outcomes, falseAlarms, duplicates, unmapped: reports.filter((report) => report.rule === undefined) };
}

/** Adds a unit's score into per-rule totals: { [rule]: { expected, found, exactLine, missed, falseAlarms } }. */
export function addToTotals(totals, score) {
  const row = (rule) => (totals[rule] ??= { expected: 0, found: 0, exactLine: 0, missed: 0, falseAlarms: 0 });
  for (const outcome of score.outcomes) {
    const entry = row(outcome.expectation.ruleId);
    entry.expected++;
    if (outcome.found) entry.found++;
    else entry.missed++;
    if (outcome.exactLine) entry.exactLine++;
  }
  for (const report of score.falseAlarms) row(report.rule).falseAlarms++;
  return totals;
}
