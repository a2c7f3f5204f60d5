// Writes bench/results/latest.md and latest.json from the measurements.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileKinds } from "./function-match.mjs";
import { injectionTargets } from "./injection.mjs";
import { julietTargets } from "./juliet.mjs";
import { kmclTreeTargets } from "./kmcl-trees.mjs";
import { precisionTarget, realTreeTargets } from "./real-tree.mjs";
import { describeUntriaged } from "./triage.mjs";

const format = (value, digits = 1) => (value === undefined || Number.isNaN(value) ? "n/a" : value.toFixed(digits));
const thousands = (value) => (value === undefined || Number.isNaN(value) ? "n/a" : Math.round(value).toLocaleString("en-US"));
const escapeCell = (text) => String(text).replaceAll("|", "\\|").replaceAll("\n", " ");

function table(header, rows) {
  return [
    `| ${header.join(" | ")} |`,
    `| ${header.map(() => "---").join(" | ")} |`,
    ...rows.map((row) => `| ${row.map(escapeCell).join(" | ")} |`),
  ].join("\n");
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? undefined : sorted[Math.floor((sorted.length - 1) / 2)];
};

/** The checker's targets, and the language server's, each PASS or FAIL from the measurements. */
export function evaluateTargets({ accuracy, speed, languageServer, realTree, juliet, kmclTrees, injection }) {
  const ours = accuracy?.tools.find((tool) => tool.tool === "vmbguard");
  const rows = Object.values(ours?.totals ?? {});
  const expected = rows.reduce((sum, row) => sum + row.expected, 0);
  const exact = rows.reduce((sum, row) => sum + row.exactLine, 0);
  const falseAlarms = rows.reduce((sum, row) => sum + row.falseAlarms, 0);
  const single = speed?.rows.find((row) => row.tool === "vmbguard" && row.jobs === 1);
  const parallel = speed?.rows.find((row) => row.tool === "vmbguard" && row !== single);
  const clang = speed?.rows.find((row) => row.tool === "clang");
  const perCore = single?.wallSeconds ? single.lines / single.wallSeconds : undefined;
  const perCpuSecond = single?.cpuSeconds ? single.lines / single.cpuSeconds : undefined;
  const ratio = clang?.wallSeconds && parallel?.wallSeconds ? clang.wallSeconds / parallel.wallSeconds : undefined;
  const cpuRatio = clang?.cpuSeconds && parallel?.cpuSeconds ? clang.cpuSeconds / parallel.cpuSeconds : undefined;
  const peak = Math.max(single?.peakRssMb ?? 0, parallel?.peakRssMb ?? 0);
  const measuredOurs = (row) => row !== undefined && row.exitCode === 0;
  return [
    {
      name: "every fixture bug found, no false alarm",
      target: "all expected findings on their line, 0 false alarms",
      measured: accuracy === undefined
        ? "accuracy not run"
        : ours === undefined ? "VmbGuard not run" : `${exact}/${expected} found on their line, ${falseAlarms} false alarms`,
      pass: ours !== undefined && expected > 0 && exact === expected && falseAlarms === 0,
    },
    {
      name: "throughput per core",
      target: ">= 40,000 lines/s with --jobs 1 (wall time of the whole run)",
      // CPU seconds are shown beside: on a busy machine they say what the wall time cannot.
      measured: measuredOurs(single) ? `${thousands(perCore)} lines/s (${thousands(perCpuSecond)} per CPU second)` : "not measured",
      pass: measuredOurs(single) && perCore >= 40000,
    },
    {
      name: "faster than clang --analyze",
      target: ">= 10x (clang wall time / VmbGuard wall time, both on all cores)",
      measured: ratio === undefined || !measuredOurs(parallel)
        ? "not measured"
        : `${format(ratio)}x (CPU time: ${format(cpuRatio)}x)${clang.sampled ? ", clang extrapolated from a sample" : ""}`,
      pass: ratio !== undefined && measuredOurs(parallel) && ratio >= 10,
    },
    {
      name: "peak memory",
      target: `< 500 MB for the ${thousands(speed?.corpus.lines)}-line corpus`,
      measured: measuredOurs(single) || measuredOurs(parallel) ? `${format(peak)} MB` : "not measured",
      pass: (measuredOurs(single) || measuredOurs(parallel)) && peak < 500 && (speed?.corpus.lines ?? 0) >= 200000,
    },
    ...languageServerTargets(languageServer),
    ...realTreeTargets(realTree),
    ...julietTargets(juliet),
    ...kmclTreeTargets(kmclTrees),
    ...injectionTargets(injection),
  ];
}

/** Judged on the median run: one spell of the shared host neither makes nor breaks them. */
function languageServerTargets(languageServer) {
  const runs = languageServer?.runs ?? [];
  const latency = median(runs.map((run) => run.latency.p95));
  const index = median(runs.filter((run) => run.index.state === "idle").map((run) => run.index.seconds));
  const lines = runs[0]?.latency.lines;
  return [
    {
      name: "editor latency",
      target: `didChange to diagnostics p95 <= 50 ms in a ${thousands(lines ?? 5000)}-line file (median of the runs' p95)`,
      measured: latency === undefined ? "not measured" : `${format(latency)} ms (runs: ${runs.map((run) => format(run.latency.p95)).join(", ")} ms)`,
      pass: latency !== undefined && latency <= 50,
    },
    {
      name: "first index of a workspace",
      target: `<= 10 s for ${thousands(runs[0]?.index.files ?? 1000)} files (median)`,
      measured: index === undefined ? "not measured" : `${format(index)} s (runs: ${runs.map((run) => `${format(run.index.seconds)}${run.index.state === "idle" ? "" : " failed"}`).join(", ")} s)`,
      pass: index !== undefined && index <= 10,
    },
  ];
}

/** "3 (a ×2, b ×1)" */
function countByName(names) {
  if (names.length === 0) return "0";
  const counts = new Map();
  for (const name of names) counts.set(name, (counts.get(name) ?? 0) + 1);
  return `${names.length} (${[...counts].map(([name, count]) => `${name} ×${count}`).join(", ")})`;
}

function accuracySection(accuracy) {
  if (accuracy === undefined) return ["## Accuracy on the fixture corpus", "", "Not run."];
  const tools = accuracy.tools;
  const ruleIds = [...new Set(tools.flatMap((tool) => Object.keys(tool.totals)))].sort();
  const cell = (tool, rule) => {
    const row = tool.totals[rule];
    if (row === undefined) return "–";
    const base = row.expected > 0 ? `${row.found}/${row.expected}` : "–";
    return row.falseAlarms > 0 ? `${base}, ${row.falseAlarms} FA` : base;
  };
  const note = (rule) => {
    const unable = tools.filter((tool) => tool.expressibleRules !== undefined && !tool.expressibleRules.includes(rule)).map((tool) => tool.label.split(" ")[0]);
    return unable.length === 0 ? "" : `no counterpart in ${unable.join(", ")}: counted as missed`;
  };
  const sum = (tool, key) => Object.values(tool.totals).reduce((total, row) => total + row[key], 0);
  const rows = ruleIds.map((rule) => [rule, String(tools[0]?.totals[rule]?.expected ?? 0), ...tools.map((tool) => cell(tool, rule)), note(rule)]);
  rows.push([
    "**all rules**",
    String(sum(tools[0], "expected")),
    ...tools.map((tool) => `**${sum(tool, "found")}/${sum(tool, "expected")}, ${sum(tool, "falseAlarms")} FA**`),
    "",
  ]);
  const lines = [
    "## Accuracy on the fixture corpus",
    "",
    `${accuracy.unitCount} units (bad and good twins of ${accuracy.patternCount} patterns under test/fixtures/c), ${sum(tools[0], "expected")} expected findings.`,
    "Cell: found/expected, then false alarms (FA): mapped reports in good units, or in bad units away from every expectation.",
    "A report is found on the expected line; a leak also anywhere in the same function, since tools place leaks differently.",
    "",
    table(["rule", "expected", ...tools.map((tool) => tool.label), "note"], rows),
    "",
    table(
      ["tool", "found on the exact line", "units it could not analyse (errors)", "other reports (no counterpart rule, not scored)"],
      tools.map((tool) => [
        tool.label,
        `${sum(tool, "exactLine")}/${sum(tool, "expected")}`,
        String(tool.units.filter((unit) => unit.errors.length > 0).length),
        countByName(tool.units.flatMap((unit) => unit.otherReports)),
      ]),
    ),
  ];
  for (const tool of tools) {
    const details = tool.units.flatMap((unit) => [
      ...unit.errors.slice(0, 2).map((error) => `- ${unit.unit}: error: ${error}`),
      ...unit.falseAlarms.map((alarm) => `- ${unit.unit}: false alarm: ${alarm}`),
    ]);
    if (details.length === 0) continue;
    lines.push("", `<details><summary>${tool.label}: errors and false alarms (${details.length})</summary>`, "", ...details.slice(0, 60), "", "</details>");
  }
  return lines;
}

/** The notes column of a speed row: sampling, errors, every run's wall time, the load at start. */
function speedNotes(row) {
  const notes = [];
  if (row.sampled) notes.push(`measured on ${row.measuredFiles} of ${row.files} files (${thousands(row.measuredLines)} lines, ${format(row.measuredWallSeconds)} s), time extrapolated`);
  if (row.timeouts) notes.push(`${row.timeouts} files timed out`);
  if (row.errorCount) notes.push(`${row.errorCount} compile errors`);
  if (row.errors?.length && !row.errorCount) notes.push(row.errors[0]);
  if (row.runs?.length > 1) notes.push(`median of ${row.runs.length} runs (wall s: ${row.runs.map((each) => format(each.wallSeconds, 2)).join(", ")})`);
  if (row.loadAverage !== undefined) notes.push(`load average ${format(row.loadAverage, 2)} at start`);
  return notes.join("; ");
}

const speedHeader = ["tool", "files", "lines", "wall s", "lines/s", "lines/s per core (CPU)", "CPU s", "peak RSS MB"];

function speedCells(row) {
  return [
    row.label,
    String(row.files),
    thousands(row.lines),
    format(row.wallSeconds, 2),
    thousands(row.lines / row.wallSeconds),
    thousands(row.lines / row.cpuSeconds),
    format(row.cpuSeconds, 1),
    format(row.peakRssMb),
  ];
}

const recallCell = (row) => (row.recall === undefined ? "n/a" : `${row.recall.found}/${row.recall.seeded}`);

const howSpeedIsMeasured = [
  "lines/s: corpus lines / wall seconds. Per core (CPU): corpus lines / (user + system seconds). Peak RSS: the largest single process.",
  "Wall times depend on what else runs on the machine: the 1-minute load average at the start of each run is in the notes.",
];

function speedSection(speed) {
  if (speed === undefined) return ["## Speed and memory on the generated C corpus", "", "Not run."];
  const clang = speed.rows.find((row) => row.tool === "clang");
  const rows = speed.rows.map((row) => [
    ...speedCells(row),
    clang?.wallSeconds && row.wallSeconds ? `${format(clang.wallSeconds / row.wallSeconds)}x` : "n/a",
    recallCell(row),
    speedNotes(row),
  ]);
  return [
    "## Speed and memory on the generated C corpus",
    "",
    `\`bench/generate-corpus.mjs\` seed ${speed.corpus.seed}: ${speed.corpus.sourceFiles} C files + 1 shared header, ${thousands(speed.corpus.lines)} lines, ${speed.corpus.seededBugs} seeded bugs.`,
    "Peers run file by file, each file under `/usr/bin/time -v`; VmbGuard runs over the folder under `/usr/bin/time -v`, in rounds (both `--jobs` settings) that take turns with the peers, and its row is the run of median wall time. Every measurement starts after a rest (`--cooldown`).",
    ...howSpeedIsMeasured,
    "",
    table([...speedHeader, "clang time / tool time", "seeded bugs found", "notes"], rows),
    "",
    ...seededBugSection(speed.rows),
  ];
}

/** VmbGuard alone: gcc, clang and cppcheck are C analyzers, so no peer has a row here. */
function typeScriptSpeedSection(speed, afterCRounds) {
  if (speed === undefined) return ["## Speed and memory on the generated TypeScript corpus", "", "Not run."];
  const rows = speed.rows.map((row) => [
    ...speedCells(row),
    recallCell(row),
    row.recall === undefined ? "n/a" : `${row.recall.exactLine}/${row.recall.seeded}`,
    speedNotes(row),
  ]);
  return [
    "## Speed and memory on the generated TypeScript corpus",
    "",
    `\`bench/generate-corpus.mjs --language ts\` seed ${speed.corpus.seed}: ${speed.corpus.sourceFiles} TypeScript modules against \`vmbguard/runtime\` + 1 shared module, ${thousands(speed.corpus.lines)} lines, ${speed.corpus.seededBugs} seeded bugs.`,
    "No peer analyzes TypeScript (gcc, clang and cppcheck are C analyzers): the rows are VmbGuard's only, and there is no target for them.",
    `VmbGuard runs over the folder under \`/usr/bin/time -v\`, in rounds (both \`--jobs\` settings)${afterCRounds ? " that follow its rounds on the C corpus" : ""}, and its row is the run of median wall time. Every measurement starts after a rest (\`--cooldown\`).`,
    ...howSpeedIsMeasured,
    "",
    table([...speedHeader, "seeded bugs found", "found on the exact line", "notes"], rows),
    "",
    ...seededBugSection(speed.rows),
  ];
}

/** Seeded bugs of the corpus found per rule, per tool (a sampled peer only saw its sample's bugs). */
function seededBugSection(rows) {
  const measured = rows.filter((row) => row.recall?.byRule !== undefined && !(row.tool === "vmbguard" && row.jobs !== 1));
  const ruleIds = [...new Set(measured.flatMap((row) => Object.keys(row.recall.byRule)))].sort();
  if (ruleIds.length === 0) return [];
  return [
    "Seeded bugs found per rule (found/seeded in the files the tool was run on; a report elsewhere counts under \"other reports\"):",
    "",
    table(
      ["rule", ...measured.map((row) => row.label)],
      [
        ...ruleIds.map((rule) => [rule, ...measured.map((row) => {
          const entry = row.recall.byRule[rule];
          return entry === undefined ? "–" : `${entry.found}/${entry.seeded}`;
        })]),
        ["other reports", ...measured.map((row) => String(row.recall.otherReports))],
      ],
    ),
  ];
}

function languageServerSection(languageServer) {
  if (languageServer === undefined) return ["## Language server", "", "Not run."];
  const rows = languageServer.runs.map((run, index) => [
    String(index + 1),
    `${format(run.latency.p50)} / ${format(run.latency.p95)} / ${format(run.latency.max)}`,
    `${format(run.index.seconds)} s${run.index.state === "idle" ? "" : ` (${run.index.state})`}, ${run.index.findings} findings, ${run.index.rssMb} MB`,
    `${format(run.workspaceEdits.p50)} / ${format(run.workspaceEdits.p95)}, ${run.workspaceEdits.rssMb} MB`,
  ]);
  const first = languageServer.runs[0];
  return [
    "## Language server",
    "",
    first === undefined
      ? "No run."
      : `\`bench/lsp.mjs\`, \`vmbguard lsp --stdio\` with its default debounce: ${first.latency.edits} edits of a ${thousands(first.latency.lines)}-line driver file (a comment line added at the top and removed, a statement added in a function in the middle and removed, each after the last one's diagnostics); then the first index and check of a ${thousands(first.index.files)}-file workspace (${thousands(first.index.lines)} lines) and ${first.workspaceEdits.edits} edits in it. Times are from the \`didChange\` to the publication of its diagnostics.`,
    "",
    table(["run", "5,000-line file: p50 / p95 / max (ms)", "first index and check", "edit in that workspace: p50 / p95 (ms), server RSS"], rows),
  ];
}

const percent = (part, whole) => (whole > 0 ? `${format((100 * part) / whole)}%` : "n/a");

/** Per file kind: syntax problems and the functions ctags finds, then the targets, time and memory, findings per rule. */
function realTreeSection(realTree, targets) {
  const heading = "## Real tree: microsoft/Windows-driver-samples";
  if (realTree === undefined) return [heading, "", "Not run."];
  if (realTree.skipped !== undefined) return [heading, "", `Skipped: ${realTree.skipped}.`];
  const { snapshot } = realTree;
  const identity = `Snapshot ${snapshot.repository} at **${snapshot.commit}** (${snapshot.commitFrom === "git" ? "the checkout's HEAD" : snapshot.commitFrom === "none" ? "no commit known" : "as labelled by --real-tree-commit"}; pinned: ${snapshot.pinnedCommit}), content sha256 ${snapshot.contentSha256.slice(0, 16)}…`;
  if (realTree.error !== undefined) return [heading, "", identity, "", `Not measured: ${realTree.error}.`];
  const functions = realTree.functions;
  const byKind = functions?.byKind;
  const functionCells = (counts) =>
    counts === undefined
      ? ["n/a", "n/a", "n/a", "n/a", "n/a"]
      : [thousands(counts.ctags), thousands(counts.analyzed), thousands(counts.analyzedUnderAnotherName), thousands(counts.inProblem), `${thousands(counts.missing)} (${thousands(counts.missingInFilesNotChecked)})`];
  const sumOf = (rows, key) => rows.reduce((sum, row) => sum + row[key], 0);
  const rows = fileKinds.map((kind) => {
    const syntax = realTree.syntax[kind.id];
    return [kind.label, thousands(snapshot.onDisk[kind.id].files), thousands(syntax.checked), thousands(syntax.withSyntaxProblem), percent(syntax.withSyntaxProblem, syntax.checked), ...functionCells(byKind?.[kind.id])];
  });
  const syntaxRows = Object.values(realTree.syntax);
  const allFunctions = byKind === undefined ? undefined : Object.fromEntries(["ctags", "analyzed", "analyzedUnderAnotherName", "inProblem", "missing", "missingInFilesNotChecked"].map((key) => [key, sumOf(Object.values(byKind), key)]));
  rows.push([
    "**all**",
    thousands(sumOf(Object.values(snapshot.onDisk), "files")),
    thousands(sumOf(syntaxRows, "checked")),
    thousands(sumOf(syntaxRows, "withSyntaxProblem")),
    percent(sumOf(syntaxRows, "withSyntaxProblem"), sumOf(syntaxRows, "checked")),
    ...functionCells(allFunctions),
  ]);
  const ruleRows = Object.entries(realTree.findings).map(([rule, counts]) => [rule, ...fileKinds.map((kind) => String(counts[kind.id])), String(counts.total)]);
  const lines = [
    heading,
    "",
    identity,
    `at \`${snapshot.path}\`. Command: \`${realTree.command}\`.`,
    "",
    ...(realTree.warnings.length === 0 ? [] : [...realTree.warnings.map((warning) => `- **Warning**: ${warning}`), ""]),
    table(["target", "wanted", "measured", "result"], targets.filter((target) => target.name.startsWith("real tree")).map((target) => [target.name, target.target, target.measured, target.pass ? "PASS" : "FAIL"])),
    "",
    `Check: ${format(realTree.wallSeconds, 1)} s wall, ${format(realTree.cpuSeconds, 1)} s CPU, peak RSS ${format(realTree.peakRssMb)} MB (\`/usr/bin/time -v\`, default jobs); ${thousands(realTree.stats.files)} files, ${thousands(realTree.stats.lines)} lines (${thousands(realTree.stats.lines / realTree.wallSeconds)} lines/s), ${thousands(realTree.stats.functions)} functions analyzed, ${thousands(realTree.problems)} file problems.`,
    "",
    "Files on disk: the C/C++ sources of the snapshot; checked: those `vmbguard check` read (the files of its `--list-functions` listing). With a syntax problem: a problem whose message starts with \"Syntax error\".",
    functions?.skipped !== undefined
      ? `Functions: not compared: ${functions.skipped}.`
      : `Functions: definitions Universal Ctags finds (\`${functions.command}\`; ${functions.ctags}; told to ignore the ${thousands(functions.ignoredAnnotations)} SAL annotations and \`__\` keywords the tree uses). Analyzed: a function of \`--list-functions\` spans the tag's line and has its name (last component of a qualified name); under another name: one spans it with a different name; in a problem: a problem's range overlaps the function's lines (or a rangeless problem names a file not analyzed); missing: none of these (in brackets: in files the check did not read). Analyzed functions no tag matches: ${thousands(functions.analyzedNotTagged)}.`,
    "",
    table(["kind", "files on disk", "checked", "with syntax problem", "share", "ctags functions", "analyzed", "under another name", "in a problem", "missing (file not checked)"], rows),
    "",
    "Findings per rule (every severity):",
    "",
    ruleRows.length === 0 ? "None." : table(["rule", ...fileKinds.map((kind) => kind.label), "total"], ruleRows),
  ];
  const listed = (items, describe) => items.slice(0, 20).map((item) => `- ${item.file}:${item.line} ${describe(item)}`);
  if (functions?.missing?.length > 0) {
    lines.push("", `<details><summary>Missing functions: the first ${Math.min(20, functions.missing.length)} (latest.json lists up to ${functions.listLimit})</summary>`, "", ...listed(functions.missing, (item) => `${item.name}${item.fileChecked ? "" : " (file not checked)"}`), "", "</details>");
  }
  if (functions?.analyzedUnderAnotherName?.length > 0) {
    lines.push("", `<details><summary>Analyzed under another name: the first ${Math.min(20, functions.analyzedUnderAnotherName.length)}</summary>`, "", ...listed(functions.analyzedUnderAnotherName, (item) => `ctags ${item.name}, analyzed as ${item.analyzedAs}`), "", "</details>");
  }
  return lines;
}

/** Per flow variant with a miss or a false alarm: how many cases of each, most first. */
function flowRows(juliet) {
  const missed = new Map();
  for (const miss of juliet.misses) for (const item of miss.byFlow) missed.set(item.name, (missed.get(item.name) ?? 0) + item.count);
  const alarms = new Map((juliet.falseAlarmsByFlow ?? []).map((item) => [item.name, item.count]));
  return [...new Set([...missed.keys(), ...alarms.keys()])]
    .map((flow) => ({ flow, missed: missed.get(flow) ?? 0, alarms: alarms.get(flow) ?? 0 }))
    .sort((a, b) => b.missed + b.alarms - (a.missed + a.alarms) || (a.flow < b.flow ? -1 : 1))
    .map((row) => [row.flow, String(row.missed), String(row.alarms)]);
}

/** Found and false alarms per weakness, then the misses by cause (with the variants they fall in) and the false alarms. */
function julietSection(juliet, targets) {
  const heading = "## Juliet 1.3: CWE-401, CWE-415, CWE-416 (C cases)";
  if (juliet === undefined) return [heading, "", "Not run."];
  if (juliet.skipped !== undefined) return [heading, "", `Skipped: ${juliet.skipped}.`];
  const { suite } = juliet;
  const rows = Object.entries(juliet.byWeakness).map(([weakness, row]) => [`CWE-${weakness}`, row.rule, thousands(row.cases), thousands(row.found), percent(row.found, row.cases), String(row.casesWithFalseAlarm), String(row.falseAlarms)]);
  rows.push(["**all**", "", thousands(juliet.cases), thousands(juliet.found), percent(juliet.found, juliet.cases), String(juliet.casesWithFalseAlarm), String(juliet.falseAlarms)]);
  const lines = [
    heading,
    "",
    `${suite.repository} (pinned: ${suite.pinnedCommit}) at \`${suite.path}\`: ${thousands(suite.cases)} cases in ${thousands(suite.files)} files, content sha256 ${suite.contentSha256.slice(0, 16)}…; ${format(juliet.wallSeconds, 0)} s. Command: \`${juliet.command}\`.`,
    "",
    table(["target", "wanted", "measured", "result"], targets.filter((target) => target.name.startsWith("Juliet")).map((target) => [target.name, target.target, target.measured, target.pass ? "PASS" : "FAIL"])),
    "",
    "Found: a finding of the case's own rule in a function whose name contains `bad`. False alarm: that rule in a function whose name contains `good` (cases, then findings).",
    "",
    table(["weakness", "rule", "cases", "found", "share", "false alarms (cases)", "false alarms (findings)"], rows),
    "",
    "Misses by cause:",
    "",
    juliet.misses.length === 0 ? "None." : table(["cause", "cases", "by weakness", "variants with most misses"], juliet.misses.map((miss) => [
      miss.cause,
      thousands(miss.count),
      miss.byWeakness.map((item) => `${item.name}: ${item.count}`).join(", "),
      miss.byVariant.slice(0, 6).map((item) => `${item.name}: ${item.count}`).join(", "),
    ])),
    "",
    "Misses and false alarms by flow variant (the case's own description of how the data or control flows):",
    "",
    table(["flow variant", "missed", "with a false alarm"], flowRows(juliet)),
  ];
  if (juliet.falseAlarmList.length > 0) {
    lines.push("", `<details><summary>False alarms: the first ${Math.min(30, juliet.falseAlarmList.length)} (latest.json lists them all)</summary>`, "", ...juliet.falseAlarmList.slice(0, 30).map((alarm) => `- ${alarm.case} ${alarm.file}:${alarm.line} in ${alarm.functionName}: ${alarm.message}`), "", "</details>");
  }
  return lines;
}

/** Per tree: the findings at warning and above against bench/realworld/triage.json. */
function triageSection(realTree, kmclTrees) {
  const heading = "## Triage of real-tree findings";
  const scored = [
    ...(realTree?.triage === undefined ? [] : [{ name: realTree.snapshot.repository, triage: realTree.triage }]),
    ...(kmclTrees?.trees ?? []).map((tree) => ({ name: tree.repository, triage: tree.triage, error: tree.error })),
  ];
  const notes = [
    ...(realTree?.triage === undefined ? [`Windows-driver-samples: ${realTree === undefined ? "not run" : realTree.skipped ?? realTree.error}.`] : []),
    ...(kmclTrees === undefined ? ["KMCL research drivers: not run."] : kmclTrees.skipped !== undefined ? [`KMCL research drivers: skipped: ${kmclTrees.skipped}.`] : []),
    ...(kmclTrees?.absent ?? []).map((absent) => `KMCL tree not found: ${absent}.`),
  ];
  if (scored.length === 0) return [heading, "", ...notes];
  const rows = scored.map(({ name, triage, error }) => {
    if (triage === undefined) return [name, "", "", "", "", "", "", `not measured: ${error}`];
    const gone = triage.withoutFinding;
    return [
      `${name}@${triage.commit.slice(0, 8)}`,
      String(triage.findings),
      String(triage.triagedTrue),
      String(triage.triagedFalse),
      String(triage.untriaged.length),
      triage.precision === undefined ? "n/a" : `${format(100 * triage.precision)}%`,
      `${gone.filter((entry) => entry.verdict).length} true, ${gone.filter((entry) => !entry.verdict).length} false`,
      "",
    ];
  });
  const lines = [
    heading,
    "",
    `Every finding at warning and above is matched to a verdict of bench/realworld/triage.json by repository, commit, file, line and rule (a renamed rule matches its old id). Precision = true / (true + false); untriaged findings have no verdict yet and do not count (target for Windows-driver-samples: >= ${precisionTarget * 100}%). Verdicts without a finding: the finding is gone (a true one is a lost bug). latest.json lists the untriaged findings and the verdicts without a finding.`,
    "",
    ...notes.flatMap((note) => [`- ${note}`]),
    ...(notes.length === 0 ? [] : [""]),
    table(["tree", "findings", "true", "false", "untriaged", "precision", "verdicts without a finding", "note"], rows),
  ];
  for (const { name, triage } of scored) {
    if (triage === undefined || triage.untriaged.length === 0) continue;
    lines.push("", `<details><summary>${name}: ${triage.untriaged.length} untriaged (the first ${Math.min(20, triage.untriaged.length)})</summary>`, "", ...triage.untriaged.slice(0, 20).map((finding) => `- ${describeUntriaged(finding)}`), "", "</details>");
  }
  return lines;
}

function runtimeSection(runtime) {
  if (runtime === undefined) return [];
  return ["## Runtime simulator throughput", "", "From `bench/runtime/throughput.mjs` (bench/results/runtime.json):", "", "```json", JSON.stringify(runtime, null, 2), "```"];
}

export function writeResults(resultsDir, results) {
  const targets = results.targets;
  const markdown = [
    `# VmbGuard benchmark`,
    "",
    `${results.generatedAt} · ${results.machine.cpus} × ${results.machine.cpuModel} · ${results.machine.memoryGb} GB · Node ${results.machine.node}`,
    "",
    `Tools: ${Object.entries(results.toolVersions).map(([name, version]) => `${name}: ${version ?? "missing"}`).join(" · ")}`,
    "",
    ...(results.warnings.length === 0 ? [] : ["**Warnings**", "", ...results.warnings.map((warning) => `- ${warning}`), ""]),
    "## Targets",
    "",
    table(["target", "wanted", "measured", "result"], targets.map((target) => [target.name, target.target, target.measured, target.pass ? "PASS" : "FAIL"])),
    "",
    ...accuracySection(results.accuracy),
    "",
    ...speedSection(results.speed),
    "",
    ...typeScriptSpeedSection(results.typeScriptSpeed, results.speed !== undefined),
    "",
    ...languageServerSection(results.languageServer),
    "",
    ...realTreeSection(results.realTree, targets),
    "",
    ...julietSection(results.juliet, targets),
    ...triageSection(results.realTree, results.kmclTrees),
    "",
    ...runtimeSection(results.runtime),
    "",
    "## Commands",
    "",
    ...Object.entries(results.commands ?? {}).map(([tool, command]) => `- ${tool}: \`${command}\``),
    "",
    `Total bench time: ${format(results.benchSeconds, 0)} s. How to read this: bench/README.md.`,
    "",
  ].join("\n");
  writeFileSync(join(resultsDir, "latest.md"), markdown);
  writeFileSync(join(resultsDir, "latest.json"), `${JSON.stringify(results, null, 2)}\n`);
}
