// The Juliet phase: the C cases of NIST's Juliet 1.3 suite for CWE-401 (memory leak), CWE-415
// (double free) and CWE-416 (use after free), each checked alone with `--model libc`, as gcc and clang
// are run on them. The suite is never committed; its path comes from --juliet or VMBGUARD_JULIET.
// Scored strictly: a case is found when a finding of its own kind is in a function whose name says
// `bad`; a case with the same kind in a function whose name says `good` is a false alarm (counted
// per case, as the peers' numbers are; the findings are counted too).
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { mapPool, run } from "./measure.mjs";

export const pinnedJuliet = { repository: "arichardson/juliet-test-suite-c", commit: "f88433e3" };

export const howToGetJuliet =
  `fetch ${pinnedJuliet.repository} (a clone at ${pinnedJuliet.commit}), then extract testcases/CWE401*, testcases/CWE415*, ` +
  "testcases/CWE416* and testcasesupport/ into one folder (git archive HEAD <paths> | tar -x -C juliet) " +
  "and run node bench/run.mjs --juliet juliet (or set VMBGUARD_JULIET=juliet)";

/** Each weakness's own bug, as the rule that reports it. */
export const ruleOfWeakness = { 401: "leak", 415: "double-free", 416: "use-after-free" };

/** The target: at least this many cases found, with a false alarm in at most this many cases. */
export const julietTarget = { found: 1100, falseAlarms: 12 };

const workerScript = join(dirname(fileURLToPath(import.meta.url)), "juliet-worker.mjs");

/**
 * The C cases under `root`/testcases: a case is one `CWE..._NN.c` file or the `CWE..._NNa.c` ..
 * `NNe.c` group that splits one flow across files. C++ cases and the support files (io.c) are not cases.
 */
export function julietCases(root) {
  const cases = new Map();
  const testcases = join(root, "testcases");
  const walk = (folder) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const full = join(folder, entry.name);
      if (entry.isDirectory()) walk(full);
      const match = entry.isFile() ? /^CWE(\d+)_(.+)_(\d+)([a-e]?)\.c$/.exec(entry.name) : null;
      if (match === null || ruleOfWeakness[match[1]] === undefined) continue;
      const [, weakness, variant, flow] = match;
      const id = relative(testcases, join(folder, `CWE${weakness}_${variant}_${flow}`)).split(sep).join("/");
      const testCase = cases.get(id) ?? { id, weakness: Number(weakness), variant: variant.split("__").slice(1).join("__") || variant, flow, folder, files: [] };
      testCase.files.push(entry.name);
      cases.set(id, testCase);
    }
  };
  if (statSync(testcases, { throwIfNoEntry: false })?.isDirectory()) walk(testcases);
  return [...cases.values()]
    .map((testCase) => {
      const files = testCase.files.sort();
      return { ...testCase, files, flowDescription: flowDescriptionOf(readFileSync(join(testCase.folder, files[0]), "latin1")) ?? testCase.flow };
    })
    .sort((a, b) => (a.id < b.id ? -1 : 1));
}

/** The case's own words for its flow variant: `68 Data flow: data passed as a global variable ...` (its header comment). */
function flowDescriptionOf(text) {
  const match = /Flow Variant:\s*(\d+)\s+([^\r\n]*)/.exec(text);
  return match === null ? undefined : `${match[1]} ${match[2].trim()}`;
}

const isBad = (name) => /bad/i.test(name ?? "");
const isGood = (name) => /good/i.test(name ?? "");

/** One case's outcome from its JSON report. */
export function scoreCase(testCase, report) {
  const rule = ruleOfWeakness[testCase.weakness];
  const findings = report?.findings ?? [];
  const own = findings.filter((finding) => finding.ruleId === rule);
  const inBad = findings.filter((finding) => isBad(finding.functionName));
  const falseAlarms = own.filter((finding) => isGood(finding.functionName)).map((finding) => ({
    file: finding.file,
    line: finding.range.start.line,
    functionName: finding.functionName,
    message: finding.message,
  }));
  const found = own.some((finding) => isBad(finding.functionName));
  const problems = report?.problems ?? [];
  let cause;
  if (!found) {
    if (report === undefined) cause = "not checked";
    else if (problems.some((problem) => problem.message.startsWith("Syntax error") || problem.message.startsWith("not analyzed"))) cause = "file problem";
    else if (inBad.some((finding) => finding.ruleId === "analysis-incomplete")) cause = "analysis incomplete";
    else if (inBad.length > 0) cause = `another rule only (${[...new Set(inBad.map((finding) => finding.ruleId))].sort().join(", ")})`;
    else cause = "nothing reported in bad";
  }
  return { id: testCase.id, weakness: testCase.weakness, variant: testCase.variant, flow: testCase.flowDescription, found, cause, falseAlarms };
}

function digestOf(root, cases) {
  const digest = createHash("sha256");
  for (const testCase of cases) {
    for (const file of testCase.files) digest.update(testCase.id).update(file).update("\0").update(readFileSync(join(testCase.folder, file))).update("\0");
  }
  return digest.digest("hex");
}

/** Counts of `items` by `key`, largest first. */
function countBy(items, key) {
  const counts = new Map();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([name, count]) => ({ name, count }));
}

/**
 * Runs the phase over the suite at `root`; returns the measurements, or `{ skipped: reason }`.
 * `listLimit` caps the case lists kept per cause in latest.json.
 */
export async function measureJuliet({ repoRoot, root, workDir, listLimit = 2000, log }) {
  if (root === undefined) return { skipped: `no Juliet suite given: ${howToGetJuliet}` };
  const support = join(root, "testcasesupport");
  if (!statSync(support, { throwIfNoEntry: false })?.isDirectory()) return { skipped: `${root} has no testcasesupport folder: ${howToGetJuliet}` };
  const cases = julietCases(root);
  if (cases.length === 0) return { skipped: `${root}/testcases holds no CWE-401/415/416 C case: ${howToGetJuliet}` };
  log(`juliet: ${cases.length} C cases at ${root}`);

  // The user's way of pointing the check at std_testcase.h and std_testcase_io.h: a configuration
  // whose build settings name the support folder.
  const configFile = join(workDir, "juliet-vmbguard.json");
  writeFileSync(configFile, `${JSON.stringify({ models: ["libc"], build: { includeDirectories: [support] } }, null, 2)}\n`);
  const leadingArguments = ["check", "--format", "json", "--severity", "information", "--exit-zero", "--model", "libc", "--config", configFile];

  const workers = Math.max(1, availableParallelism());
  const chunks = Array.from({ length: workers }, (_, index) => cases.filter((_, caseIndex) => caseIndex % workers === index));
  const started = Date.now();
  const outputs = await mapPool(chunks, workers, async (chunk, index) => {
    const casesFile = join(workDir, `juliet-cases-${index}.json`);
    writeFileSync(casesFile, JSON.stringify(chunk.map(({ id, folder, files }) => ({ id, folder, files }))));
    return run(process.execPath, [workerScript, repoRoot, casesFile, JSON.stringify(leadingArguments)], { cwd: repoRoot, timeoutSeconds: 3600 });
  });
  const wallSeconds = (Date.now() - started) / 1000;
  const reports = new Map();
  const errors = [];
  for (const output of outputs) {
    if (output.exitCode !== 0) errors.push(`a worker exited ${output.exitCode}${output.timedOut ? " (timed out)" : ""}: ${output.stderr.trim().split("\n").slice(-3).join(" | ")}`);
    for (const line of output.stdout.split("\n")) {
      if (line.trim() === "") continue;
      const result = JSON.parse(line);
      reports.set(result.id, result.report);
      if (result.exitCode !== 0) errors.push(`${result.id}: exit ${result.exitCode}: ${result.errors}`);
    }
  }

  const scored = cases.map((testCase) => scoreCase(testCase, reports.get(testCase.id)));
  const byWeakness = Object.fromEntries(Object.keys(ruleOfWeakness).map((weakness) => {
    const rows = scored.filter((row) => row.weakness === Number(weakness));
    return [weakness, { rule: ruleOfWeakness[weakness], cases: rows.length, found: rows.filter((row) => row.found).length, falseAlarms: rows.reduce((sum, row) => sum + row.falseAlarms.length, 0), casesWithFalseAlarm: rows.filter((row) => row.falseAlarms.length > 0).length }];
  }));
  const missed = scored.filter((row) => !row.found);
  const misses = countBy(missed, (row) => row.cause).map(({ name, count }) => ({
    cause: name,
    count,
    byWeakness: countBy(missed.filter((row) => row.cause === name), (row) => `CWE${row.weakness}`),
    byVariant: countBy(missed.filter((row) => row.cause === name), (row) => `CWE${row.weakness} ${row.variant}`),
    byFlow: countBy(missed.filter((row) => row.cause === name), (row) => row.flow),
    cases: missed.filter((row) => row.cause === name).slice(0, listLimit).map((row) => row.id),
  }));
  return {
    suite: { repository: pinnedJuliet.repository, pinnedCommit: pinnedJuliet.commit, path: root, cases: cases.length, files: cases.reduce((sum, row) => sum + row.files.length, 0), contentSha256: digestOf(root, cases) },
    command: `node dist/cli.js ${leadingArguments.join(" ").replace(configFile, "<juliet-vmbguard.json>")} <the case's files>  (in the case's folder; the configuration's build.includeDirectories names testcasesupport)`,
    wallSeconds,
    errors: errors.slice(0, 20),
    cases: cases.length,
    found: scored.filter((row) => row.found).length,
    falseAlarms: scored.reduce((sum, row) => sum + row.falseAlarms.length, 0),
    casesWithFalseAlarm: scored.filter((row) => row.falseAlarms.length > 0).length,
    byWeakness,
    misses,
    falseAlarmsByFlow: countBy(scored.filter((row) => row.falseAlarms.length > 0), (row) => row.flow),
    falseAlarmList: scored.flatMap((row) => row.falseAlarms.map((alarm) => ({ case: row.id, ...alarm }))).slice(0, listLimit),
  };
}

export function julietTargets(juliet) {
  const notMeasured = juliet === undefined ? "not run" : juliet.skipped ?? (juliet.errors?.length > 0 && juliet.found === undefined ? juliet.errors[0] : undefined);
  const measured = juliet?.found !== undefined;
  return [
    {
      name: "Juliet CWE-401/415/416 (C)",
      target: `>= ${julietTarget.found.toLocaleString("en-US")} of the cases found, <= ${julietTarget.falseAlarms} false alarms`,
      measured: measured
        ? `${juliet.found.toLocaleString("en-US")} of ${juliet.cases.toLocaleString("en-US")} found, ${juliet.casesWithFalseAlarm} false alarms (cases; ${juliet.falseAlarms} findings)`
        : `not measured: ${notMeasured}`,
      pass: measured && juliet.found >= julietTarget.found && juliet.casesWithFalseAlarm <= julietTarget.falseAlarms,
    },
  ];
}
