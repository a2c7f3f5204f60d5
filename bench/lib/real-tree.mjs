// The real-tree phase: `vmbguard check` over a pinned snapshot of microsoft/Windows-driver-samples
// (never committed; its path comes from --real-tree or VMBGUARD_REAL_TREE), measured for syntax
// problems per file kind, for the functions it analyzes against those Universal Ctags finds, for its
// findings per rule, and for its wall time and peak memory.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, realpathSync, statSync, writeFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { fileKinds, functionStatuses, kindOf, kindsWithFunctionTarget, matchFunctions } from "./function-match.mjs";
import { run } from "./measure.mjs";
import { cliPath } from "./ours.mjs";
import { installFromDebian, isInstalled } from "./tools.mjs";
import { triageFindings } from "./triage.mjs";

export const pinnedSnapshot = { repository: "microsoft/Windows-driver-samples", commit: "26a27df8" };

export const howToGetTheSnapshot =
  `git clone https://github.com/${pinnedSnapshot.repository} wds && git -C wds checkout ${pinnedSnapshot.commit}, ` +
  "then node bench/run.mjs --real-tree wds (or set VMBGUARD_REAL_TREE=wds)";

/** The models a driver tree of the WDK uses beyond the default KMCL pack. */
const models = ["wdk-pool", "wdk-mdl"];

/** Targets of the issue: syntax problems in at most this share of the files checked. */
export const syntaxProblemTarget = 0.02;

/** Targets of the issue: at least this share of the triaged findings at warning and above are real bugs. */
export const precisionTarget = 0.9;

/** Every C and C++ source under `root` (not .git), relative with `/`, sorted: the files ctags reads. */
export function sourceFiles(root) {
  const files = [];
  const walk = (folder) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      if (entry.name === ".git" || entry.name === "node_modules") continue;
      const full = join(folder, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && kindOf(entry.name) !== undefined) files.push(relative(root, full).split(sep).join("/"));
    }
  };
  walk(root);
  return files.sort();
}

/**
 * Which snapshot this is: the commit of a git checkout (whose top is `root`), else the label the
 * command line gives; and, either way, what is on disk (files per kind, lines, a digest of every
 * path and content), so that two runs over different trees under one label cannot pass for the same.
 */
function describeSnapshot(root, label, files) {
  const git = spawnSync("git", ["-C", root, "rev-parse", "--show-toplevel", "HEAD"], { encoding: "utf8" });
  const [top, head] = git.status === 0 ? git.stdout.trim().split("\n") : [];
  const isCheckout = top !== undefined && realpathSync(top) === realpathSync(root);
  const commit = isCheckout ? head : label;
  const digest = createHash("sha256");
  const onDisk = Object.fromEntries(fileKinds.map((kind) => [kind.id, { files: 0, lines: 0 }]));
  for (const file of files) {
    const content = readFileSync(join(root, file));
    digest.update(file).update("\0").update(content).update("\0");
    const counts = onDisk[kindOf(file)];
    counts.files++;
    counts.lines += content.toString("latin1").split("\n").length;
  }
  return {
    repository: pinnedSnapshot.repository,
    path: root,
    commit: commit ?? "unknown",
    commitFrom: isCheckout ? "git" : label === undefined ? "none" : "--real-tree-commit",
    pinnedCommit: pinnedSnapshot.commit,
    onDisk,
    contentSha256: digest.digest("hex"),
  };
}

/** Universal Ctags (`ctags-universal`, or a `ctags` that says it is Universal), installed from Debian if need be. */
function findCtags(log) {
  const universal = () => {
    for (const binary of ["ctags-universal", "universal-ctags", "ctags"]) {
      if (!isInstalled(binary)) continue;
      const version = spawnSync(binary, ["--version"], { encoding: "utf8" }).stdout ?? "";
      if (version.startsWith("Universal Ctags")) return { binary, version: version.split("\n")[0].split(",")[0].trim() };
    }
    return undefined;
  };
  const found = universal();
  if (found !== undefined) return found;
  const failure = installFromDebian(["universal-ctags"], log);
  return universal() ?? { unavailable: failure ?? "the Debian package universal-ctags installed no Universal Ctags" };
}

/**
 * SAL annotations and compiler keywords the tree uses: `_IRQL_requires_max_(PASSIVE_LEVEL)`,
 * `_Use_decl_annotations_` (a leading underscore and a capital, a trailing underscore), `__drv_maxIRQL(2)`,
 * `__control_entrypoint(x)`, `__declspec(x)`, `__forceinline` (two leading underscores). Unless told to
 * ignore one with its argument list, ctags takes one on the line above a definition for the function's
 * name, at a line outside the function VmbGuard lists.
 */
function annotationMacros(root, files) {
  const names = new Set();
  const shape = /\b(?:_[A-Z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)*_|__[a-z][A-Za-z0-9_]*)\b/g;
  for (const file of files) for (const [name] of readFileSync(join(root, file), "latin1").matchAll(shape)) names.add(name);
  return [...names].sort();
}

/** Function definitions (kind f in C and C++), as [{ file, name, scope?, line, end? }]. */
async function ctagsFunctions(ctags, root, files, workDir) {
  const listFile = join(workDir, "real-tree-files.txt");
  const tagsFile = join(workDir, "real-tree-ctags.json");
  const optionsFile = join(workDir, "real-tree-ctags.options");
  writeFileSync(listFile, `${files.join("\n")}\n`);
  const ignored = annotationMacros(root, files);
  writeFileSync(optionsFile, ignored.map((name) => `-I${name}+\n`).join(""));
  // Headers are read as C++ by default; the languages are those ctags picks by extension.
  const args = [`--options=${optionsFile}`, "--output-format=json", "--fields=+neKZ", "--kinds-C=f", "--kinds-C++=f", "--sort=no", "-L", listFile, "-f", "-"];
  const result = await run(ctags.binary, args, { cwd: root, stdoutFile: tagsFile, timeoutSeconds: 600 });
  if (result.exitCode !== 0) return { error: `ctags exited ${result.exitCode}: ${result.stderr.trim().split("\n").slice(0, 2).join(" | ")}` };
  const tags = [];
  for (const line of readFileSync(tagsFile, "utf8").split("\n")) {
    if (line.trim() === "") continue;
    const entry = JSON.parse(line);
    if (entry._type !== "tag" || entry.kind !== "function") continue;
    tags.push({
      file: entry.path.replace(/^\.\//, ""),
      name: entry.name,
      ...(entry.scope === undefined ? {} : { scope: entry.scope }),
      line: entry.line,
      ...(entry.end === undefined ? {} : { end: entry.end }),
    });
  }
  const command = `${ctags.binary} ${args.join(" ").replace(listFile, "<files>").replace(optionsFile, "<annotations>")}`;
  return { tags, command, ignoredAnnotations: ignored.length };
}

function checkArguments() {
  return ["check", "--format", "json", "--severity", "information", "--exit-zero", "--list-functions", ...models.flatMap((model) => ["--model", model]), "."];
}

const emptyCounts = () => Object.fromEntries(fileKinds.map((kind) => [kind.id, 0]));

/** Files checked, files with a syntax problem, per kind and overall. */
function syntaxByKind(listing, problems) {
  const checked = emptyCounts();
  for (const entry of listing) {
    const kind = kindOf(entry.file);
    if (kind !== undefined) checked[kind]++;
  }
  const withSyntaxProblem = emptyCounts();
  for (const file of new Set(problems.filter((problem) => problem.message.startsWith("Syntax error")).map((problem) => problem.file))) {
    const kind = kindOf(file);
    if (kind !== undefined) withSyntaxProblem[kind]++;
  }
  return Object.fromEntries(fileKinds.map((kind) => [kind.id, { checked: checked[kind.id], withSyntaxProblem: withSyntaxProblem[kind.id] }]));
}

/** Per kind: ctags functions, and how many of them are in each status; missing ones in files the check did not read apart. */
function functionsByKind(results) {
  const byKind = Object.fromEntries(fileKinds.map((kind) => [kind.id, { ctags: 0, ...Object.fromEntries(functionStatuses.map((status) => [status, 0])), missingInFilesNotChecked: 0 }]));
  for (const result of results) {
    const counts = byKind[kindOf(result.tag.file)];
    counts.ctags++;
    counts[result.status]++;
    if (result.status === "missing" && !result.fileChecked) counts.missingInFilesNotChecked++;
  }
  return byKind;
}

function findingsByRule(findings) {
  const byRule = {};
  for (const finding of findings) {
    const kind = kindOf(finding.file) ?? "other";
    byRule[finding.ruleId] ??= { ...emptyCounts(), other: 0, total: 0 };
    byRule[finding.ruleId][kind]++;
    byRule[finding.ruleId].total++;
  }
  return Object.fromEntries(Object.entries(byRule).sort(([a], [b]) => (a < b ? -1 : 1)));
}

const describeTag = (tag) => ({ file: tag.file, line: tag.line, name: tag.scope === undefined ? tag.name : `${tag.scope}::${tag.name}` });

/**
 * Runs the phase over `root`. `listLimit` caps the lists of missing and renamed functions kept in latest.json.
 * Returns the measurements, or `{ skipped: reason }`.
 */
/**
 * The functions ctags finds in `files` (relative to `root`), placed against the `files` listing and
 * the problems of a `vmbguard check --list-functions` report; or `{ skipped: reason }`.
 */
export async function compareFunctions({ root, files, listing, problems, workDir, listLimit, log }) {
  const ctags = findCtags(log);
  if (ctags.unavailable !== undefined) return { skipped: `Universal Ctags is not available (${ctags.unavailable})` };
  const tagged = await ctagsFunctions(ctags, root, files, workDir);
  if (tagged.error !== undefined) return { skipped: tagged.error };
  const { results, untagged } = matchFunctions(tagged.tags, listing, problems);
  // The lists start with the kinds the target covers, each in file and line order.
  const kindRank = (result) => fileKinds.findIndex((kind) => kind.id === kindOf(result.tag.file));
  const inListOrder = (a, b) => kindRank(a) - kindRank(b) || (a.tag.file < b.tag.file ? -1 : a.tag.file > b.tag.file ? 1 : a.tag.line - b.tag.line);
  const missing = results.filter((result) => result.status === "missing").sort(inListOrder);
  const renamed = results.filter((result) => result.status === "analyzedUnderAnotherName").sort(inListOrder);
  return {
    ctags: ctags.version,
    command: tagged.command,
    ignoredAnnotations: tagged.ignoredAnnotations,
    byKind: functionsByKind(results),
    analyzedNotTagged: untagged.length,
    missing: missing.slice(0, listLimit).map((result) => ({ ...describeTag(result.tag), fileChecked: result.fileChecked })),
    analyzedUnderAnotherName: renamed.slice(0, listLimit).map((result) => ({ ...describeTag(result.tag), analyzedAs: result.function.qualifiedName ?? result.function.name })),
    listLimit,
  };
}

export async function measureRealTree({ repoRoot, root, commitLabel, workDir, listLimit, verdicts, log }) {
  if (root === undefined) return { skipped: `no snapshot given: ${howToGetTheSnapshot}` };
  if (!statSync(root, { throwIfNoEntry: false })?.isDirectory()) return { skipped: `${root} is not a folder: ${howToGetTheSnapshot}` };
  const files = sourceFiles(root);
  if (files.length === 0) return { skipped: `${root} holds no C or C++ source` };
  const snapshot = describeSnapshot(root, commitLabel, files);
  log(`real tree: ${files.length} C/C++ files at ${root}, commit ${snapshot.commit} (${snapshot.commitFrom})`);
  const warnings = [];
  if (snapshot.commitFrom === "none") warnings.push(`${root} is not a git checkout and no --real-tree-commit names it: the snapshot is identified by its content digest only`);
  else if (!snapshot.commit.startsWith(pinnedSnapshot.commit) && !pinnedSnapshot.commit.startsWith(snapshot.commit)) {
    warnings.push(`the snapshot is at ${snapshot.commit}, not at the pinned ${pinnedSnapshot.commit}: its numbers compare with no other run`);
  }

  const reportFile = join(workDir, "real-tree-report.json");
  const args = checkArguments();
  log(`real tree: vmbguard ${args.join(" ")}`);
  const check = await run(process.execPath, [cliPath(repoRoot), ...args], { cwd: root, measure: true, stdoutFile: reportFile, timeoutSeconds: 3600 });
  if (check.exitCode !== 0 || check.timedOut) {
    return { snapshot, warnings, error: `vmbguard exited ${check.exitCode}${check.timedOut ? " (timed out)" : ""}: ${check.stderr.trim().split("\n").slice(-3).join(" | ")}` };
  }
  const report = JSON.parse(readFileSync(reportFile, "utf8"));
  const listing = report.files ?? [];
  if (report.files === undefined) warnings.push("the JSON report has no files listing (a CLI without --list-functions?): nothing counts as analyzed");
  const problems = report.problems ?? [];
  const timing = check.timing ?? {};

  const functions = await compareFunctions({ root, files, listing, problems, workDir, listLimit, log });
  // An extracted copy with no label is taken for the pinned commit (already warned about above).
  const triageCommit = snapshot.commitFrom === "none" ? pinnedSnapshot.commit : snapshot.commit;
  const triage = triageFindings({ repository: snapshot.repository, commit: triageCommit, findings: report.findings ?? [], verdicts });
  return {
    snapshot,
    warnings,
    command: `node dist/cli.js ${args.join(" ")}  (in the snapshot's folder)`,
    stats: report.stats,
    wallSeconds: timing.wallSeconds,
    cpuSeconds: timing.userSeconds + timing.systemSeconds,
    peakRssMb: timing.maxRssKb / 1024,
    syntax: syntaxByKind(listing, problems),
    problems: problems.length,
    functions,
    findings: findingsByRule(report.findings ?? []),
    triage,
  };
}

/** The phase's targets: syntax problems in <= 2% of the files checked; every C/C++ function ctags finds analyzed or in a problem. */
export function realTreeTargets(realTree) {
  const notMeasured = realTree === undefined ? "not run" : realTree.skipped ?? realTree.error;
  const syntax = realTree?.syntax === undefined ? undefined : Object.values(realTree.syntax);
  const checked = syntax?.reduce((sum, row) => sum + row.checked, 0) ?? 0;
  const withProblem = syntax?.reduce((sum, row) => sum + row.withSyntaxProblem, 0) ?? 0;
  const functionRows = realTree?.functions?.byKind === undefined ? undefined : kindsWithFunctionTarget.map((kind) => realTree.functions.byKind[kind]);
  const tagged = functionRows?.reduce((sum, row) => sum + row.ctags, 0) ?? 0;
  const missing = functionRows?.reduce((sum, row) => sum + row.missing, 0) ?? 0;
  const commit = realTree?.snapshot === undefined ? "" : ` (${realTree.snapshot.repository} ${realTree.snapshot.commit})`;
  return [
    {
      name: "real tree: files with syntax problems",
      target: `<= ${syntaxProblemTarget * 100}% of the files checked${commit}`,
      measured: syntax === undefined ? `not measured: ${notMeasured}` : `${withProblem} of ${checked} files (${checked === 0 ? "n/a" : ((100 * withProblem) / checked).toFixed(1)}%)`,
      pass: syntax !== undefined && checked > 0 && withProblem / checked <= syntaxProblemTarget,
    },
    {
      name: "real tree: functions analyzed",
      target: `every function Universal Ctags finds in .c/.cpp files analyzed or in a problem's range${commit}`,
      measured: functionRows === undefined
        ? `not measured: ${notMeasured ?? realTree.functions?.skipped}`
        : `${missing} of ${tagged} missing (${tagged === 0 ? "n/a" : ((100 * missing) / tagged).toFixed(1)}%)`,
      pass: functionRows !== undefined && tagged > 0 && missing === 0,
    },
    precisionTargetRow(realTree?.triage, notMeasured, commit),
  ];
}

/** Precision over the triaged findings; untriaged findings do not count, and are shown beside. */
function precisionTargetRow(triage, notMeasured, commit) {
  const row = { name: "real tree: precision of triaged findings", target: `>= ${precisionTarget * 100}% of the findings at warning and above with a verdict are real bugs${commit}` };
  if (triage === undefined) return { ...row, measured: `not measured: ${notMeasured}`, pass: false };
  const triaged = triage.triagedTrue + triage.triagedFalse;
  const share = triage.precision === undefined ? "n/a" : `${(100 * triage.precision).toFixed(1)}%`;
  return {
    ...row,
    measured: `${triage.triagedTrue} of ${triaged} real (${share}); ${triage.untriaged.length} of ${triage.findings} findings untriaged`,
    pass: triage.precision !== undefined && triage.precision >= precisionTarget,
  };
}
