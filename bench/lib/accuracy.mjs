// Accuracy side by side: every tool on every fixture unit, scored per rule.
import { createRequire } from "node:module";
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join, relative, resolve, sep } from "node:path";
import { mapPool } from "./measure.mjs";
import { checkWithOurs } from "./ours.mjs";
import { checkWithPeer } from "./peers/index.mjs";
import { addToTotals, scoreUnit, suppressedKeys } from "./score.mjs";

/**
 * The fixture reader the unit tests use (test/unit/analysis/fixture-corpus.ts, compiled by
 * `npm run build`), so the bench reads `expect:` comments exactly as the tests do.
 */
export function loadFixtureReader(repoRoot) {
  const compiled = join(repoRoot, "out", "test", "unit", "analysis", "fixture-corpus.js");
  if (!existsSync(compiled)) throw new Error(`${compiled} is missing: run npm run build first`);
  return createRequire(import.meta.url)(compiled);
}

export function loadFixtureUnits(repoRoot) {
  const corpus = loadFixtureReader(repoRoot);
  return corpus.discoverUnits(join(repoRoot, "test", "fixtures", "c")).map((unit) => ({
    pattern: unit.pattern,
    twin: unit.twin,
    root: unit.root,
    files: unit.files.map((file) => ({ name: file.name, text: file.text })),
    expected: corpus.expectationsOf(unit),
    configFile: existsSync(join(repoRoot, "test", "fixtures", "c", unit.pattern, "vmbguard.json"))
      ? join(repoRoot, "test", "fixtures", "c", unit.pattern, "vmbguard.json")
      : undefined,
  }));
}

function unitRelative(unit, file) {
  const inside = relative(unit.root, resolve(unit.root, file));
  return inside.split(sep).join("/");
}

/**
 * `tools`: [{ id, label, expressibleRules?, check(unit) → { reports, errors } }].
 * Returns per tool: totals per rule, and per unit the misses, false alarms and errors.
 */
export async function measureAccuracy(units, tools, log) {
  const results = [];
  for (const tool of tools) {
    const totals = {};
    const unitResults = [];
    let errors = 0;
    // Units are independent and accuracy is not timed: check them two (or more) at a time.
    const outcomes = await mapPool(units, availableParallelism(), (unit) => tool.check(unit));
    units.forEach((unit, index) => {
      const outcome = outcomes[index];
      const silenced = tool.honoursSuppressions ? new Set() : suppressedKeys(unit.files);
      const reports = outcome.reports
        .map((report) => ({ ...report, file: unitRelative(unit, report.file) }))
        .filter((report) => !silenced.has(`${report.file}:${report.line}:${report.rule}`));
      const score = scoreUnit({ files: unit.files, expected: unit.expected, reports });
      addToTotals(totals, score);
      errors += outcome.errors.length;
      unitResults.push({
        unit: `${unit.pattern}/${unit.twin}`,
        expected: unit.expected.length,
        found: score.outcomes.filter((item) => item.found).length,
        missed: score.outcomes.filter((item) => !item.found).map(({ expectation }) => `${expectation.file}:${expectation.line} ${expectation.ruleId}`),
        falseAlarms: score.falseAlarms.map((report) => `${report.file}:${report.line} ${report.rule} (${report.native ?? report.message ?? ""})`),
        otherReports: score.unmapped.map((report) => report.native ?? "unknown"),
        errors: outcome.errors,
      });
    });
    log(`accuracy: ${tool.label} done (${errors} tool errors)`);
    results.push({ tool: tool.id, label: tool.label, expressibleRules: tool.expressibleRules, totals, units: unitResults, toolErrors: errors });
  }
  return results;
}

export function oursAsTool(repoRoot) {
  return {
    id: "vmbguard",
    label: "VmbGuard",
    honoursSuppressions: true,
    check: (unit) => checkWithOurs(repoRoot, unit.root, unit.files.map((file) => file.name), { config: unit.configFile }),
  };
}

export function peerAsTool(peer, inputs) {
  return {
    id: peer.id,
    label: peer.label,
    expressibleRules: peer.expressibleRules,
    honoursSuppressions: false,
    check: (unit) => checkWithPeer(peer, inputs, unit.root, unit.files.map((file) => file.name)),
  };
}
