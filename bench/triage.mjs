#!/usr/bin/env node
// Scores a saved `vmbguard check --format json` report of a real tree against
// bench/realworld/triage.json and prints the counts and every finding without a verdict, for
// whoever writes the next verdicts. See bench/README.md ("Triage").
//   node bench/triage.mjs REPORT.json --repository OWNER/NAME --commit SHA [--root SNAPSHOT_DIR] [--report-root DIR]
// --root: the snapshot's folder, when the report's paths are absolute or relative to another folder
// (--report-root: the folder the check ran in; default: the current one).
import { dirname, join, resolve } from "node:path";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describeUntriaged, loadVerdicts, triageFile, triageFindings } from "./lib/triage.mjs";

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..");

function parseOptions(argv) {
  const options = { reportRoot: process.cwd() };
  for (let index = 0; index < argv.length; index++) {
    const flag = argv[index];
    if (flag === "--repository") options.repository = argv[++index];
    else if (flag === "--commit") options.commit = argv[++index];
    else if (flag === "--root") options.snapshotRoot = resolve(argv[++index]);
    else if (flag === "--report-root") options.reportRoot = resolve(argv[++index]);
    else if (flag.startsWith("--")) throw new Error(`unknown option ${flag}`);
    else options.report = flag;
  }
  if (options.report === undefined || options.repository === undefined || options.commit === undefined) {
    throw new Error("usage: node bench/triage.mjs REPORT.json --repository OWNER/NAME --commit SHA [--root SNAPSHOT_DIR] [--report-root DIR]");
  }
  return options;
}

const options = parseOptions(process.argv.slice(2));
const report = JSON.parse(readFileSync(options.report, "utf8"));
const triage = triageFindings({
  repository: options.repository,
  commit: options.commit,
  findings: report.findings ?? [],
  verdicts: loadVerdicts(join(repoRoot, ...triageFile)),
  reportRoot: options.reportRoot,
  snapshotRoot: options.snapshotRoot,
});
const precision = triage.precision === undefined ? "n/a" : `${(100 * triage.precision).toFixed(1)}%`;
console.log(`${triage.repository}@${triage.commit}: ${triage.findings} findings at warning and above; ${triage.triagedTrue} true, ${triage.triagedFalse} false, ${triage.untriaged.length} untriaged; precision ${precision}; ${triage.withoutFinding.length} of ${triage.verdicts} verdicts without a finding`);
for (const finding of triage.untriaged) console.log(`untriaged ${describeUntriaged(finding)}`);
for (const entry of triage.withoutFinding) console.log(`gone ${entry.file}:${entry.line}:${entry.rule} (${entry.verdict}): ${entry.reason}`);
