// The KMCL research drivers: public trees that call the KMCL API (hAFL1, HVFUZZ, HyperViper,
// ThesisMaterials), never committed. bench/realworld/kmcl-snapshots.json names each snapshot's
// repository, commit and folder; `--kmcl-trees DIR` holds those folders. Each is checked with the
// default model, as a user with no configuration would, and its findings scored against the triage.
import { spawnSync } from "node:child_process";
import { readFileSync, realpathSync, statSync } from "node:fs";
import { join } from "node:path";
import { run } from "./measure.mjs";
import { cliPath } from "./ours.mjs";
import { sameCommit, triageFindings } from "./triage.mjs";

/** bench/realworld/kmcl-snapshots.json, relative to the repository root. */
export const kmclManifestFile = ["bench", "realworld", "kmcl-snapshots.json"];

export const howToGetKmclTrees =
  "fetch or clone each repository of bench/realworld/kmcl-snapshots.json at its commit into DIR/<folder>, " +
  "then node bench/run.mjs --kmcl-trees DIR (or set VMBGUARD_KMCL_TREES=DIR)";

const checkArguments = ["check", "--format", "json", "--severity", "warning", "--exit-zero", "."];

export function loadKmclManifest(path) {
  const entries = JSON.parse(readFileSync(path, "utf8"));
  if (!Array.isArray(entries)) throw new Error(`${path}: expected an array of snapshots`);
  for (const [index, entry] of entries.entries()) {
    for (const key of ["repository", "commit", "folder"]) {
      if (typeof entry[key] !== "string" || entry[key] === "") throw new Error(`${path}: entry ${index} has no ${key}`);
    }
  }
  return entries;
}

/** The HEAD of a git checkout whose top is `root`, else undefined (an extracted copy). */
function checkoutHead(root) {
  const git = spawnSync("git", ["-C", root, "rev-parse", "--show-toplevel", "HEAD"], { encoding: "utf8" });
  if (git.status !== 0) return undefined;
  const [top, head] = git.stdout.trim().split("\n");
  return realpathSync(top) === realpathSync(root) ? head : undefined;
}

async function measureTree({ repoRoot, entry, root, workDir, verdicts, log }) {
  const head = checkoutHead(root);
  const warnings = [];
  if (head !== undefined && !sameCommit(head, entry.commit)) {
    warnings.push(`${entry.folder} is a checkout at ${head}, not at ${entry.commit}: its findings are scored against the verdicts of ${head}`);
  }
  const commit = head ?? entry.commit;
  const reportFile = join(workDir, `kmcl-${entry.folder}-report.json`);
  log(`KMCL tree ${entry.repository}: vmbguard ${checkArguments.join(" ")} in ${root}`);
  const check = await run(process.execPath, [cliPath(repoRoot), ...checkArguments], { cwd: root, measure: true, stdoutFile: reportFile, timeoutSeconds: 900 });
  const identity = { repository: entry.repository, commit, commitFrom: head === undefined ? "manifest" : "git", folder: entry.folder, path: root, warnings };
  if (check.exitCode !== 0 || check.timedOut) {
    return { ...identity, error: `vmbguard exited ${check.exitCode}${check.timedOut ? " (timed out)" : ""}: ${check.stderr.trim().split("\n").slice(-3).join(" | ")}` };
  }
  const report = JSON.parse(readFileSync(reportFile, "utf8"));
  return {
    ...identity,
    command: `node dist/cli.js ${checkArguments.join(" ")}  (in the snapshot's folder)`,
    wallSeconds: check.timing?.wallSeconds,
    stats: report.stats,
    triage: triageFindings({ repository: entry.repository, commit, findings: report.findings ?? [], verdicts }),
  };
}

/** Checks every snapshot of the manifest found under `dir`; or `{ skipped: reason }`. */
export async function measureKmclTrees({ repoRoot, dir, workDir, verdicts, log }) {
  if (dir === undefined) return { skipped: `no folder given: ${howToGetKmclTrees}` };
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) return { skipped: `${dir} is not a folder: ${howToGetKmclTrees}` };
  const manifest = loadKmclManifest(join(repoRoot, ...kmclManifestFile));
  const trees = [];
  const absent = [];
  for (const entry of manifest) {
    const root = join(dir, entry.folder);
    if (!statSync(root, { throwIfNoEntry: false })?.isDirectory()) absent.push(`${entry.repository} (${root})`);
    else trees.push(await measureTree({ repoRoot, entry, root, workDir, verdicts, log }));
  }
  return { dir, trees, absent };
}

/**
 * The target for these drivers is recall with no configuration: every real bug the triage
 * knows (a verdict `true`) is still found. False and untriaged findings are shown beside.
 */
export function kmclTreeTargets(kmclTrees) {
  const row = { name: "KMCL research drivers: triaged real bugs found", target: "every finding with a true verdict still reported (default model, no configuration)" };
  if (kmclTrees === undefined) return [{ ...row, measured: "not run", pass: false }];
  if (kmclTrees.skipped !== undefined) return [{ ...row, measured: `not measured: ${kmclTrees.skipped}`, pass: false }];
  const scored = kmclTrees.trees.filter((tree) => tree.triage !== undefined);
  const sum = (count) => scored.reduce((total, tree) => total + count(tree.triage), 0);
  const found = sum((triage) => triage.triagedTrue);
  const lost = sum((triage) => triage.withoutFinding.filter((entry) => entry.verdict).length);
  const notMeasured = [...kmclTrees.absent, ...kmclTrees.trees.filter((tree) => tree.error !== undefined).map((tree) => `${tree.repository} (${tree.error})`)];
  const measured = `${found} of ${found + lost} found in ${scored.length} trees; ${sum((triage) => triage.triagedFalse)} false, ${sum((triage) => triage.untriaged.length)} untriaged` +
    (notMeasured.length === 0 ? "" : `; not measured: ${notMeasured.join(", ")}`);
  return [{ ...row, measured, pass: notMeasured.length === 0 && scored.length > 0 && lost === 0 }];
}
