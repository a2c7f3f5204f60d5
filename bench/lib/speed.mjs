// Speed and peak memory of every tool on the generated corpus.
import { readdirSync, readFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { join } from "node:path";
import { mapPool, run } from "./measure.mjs";
import { checkArguments, defaultThreads, readReportFile } from "./ours.mjs";
import { addToTotals, scoreUnit } from "./score.mjs";

/** Lines and `expect:` comments of the corpus files a tool was run on. */
export function corpusUnit(corpus, files, parseExpectations) {
  const sources = files.map((name) => ({ name, text: readFileSync(join(corpus.dir, name), "utf8") }));
  return { files: sources, expected: sources.flatMap((file) => parseExpectations(file.name, file.text)) };
}

function seededBugRecall(unit, reports) {
  const score = scoreUnit({ files: unit.files, expected: unit.expected, reports });
  const totals = addToTotals({}, score);
  const sum = (key) => Object.values(totals).reduce((total, row) => total + row[key], 0);
  const byRule = Object.fromEntries(Object.entries(totals).map(([rule, row]) => [rule, { seeded: row.expected, found: row.found, exactLine: row.exactLine }]));
  return { seeded: unit.expected.length, found: sum("found"), exactLine: sum("exactLine"), otherReports: score.falseAlarms.length, byRule };
}

const kilobytesToMegabytes = (kilobytes) => kilobytes / 1024;

/** One run of VmbGuard over the whole corpus with `jobs` (undefined: the CLI's default). */
async function runOursOnce(repoRoot, corpus, workDir, jobs, round) {
  const reportFile = join(workDir, `vmbguard-${corpus.language}-jobs-${jobs ?? "default"}-${round}.json`);
  const loadAverage = loadavg()[0];
  const args = checkArguments(repoRoot, ["src"], { config: join(corpus.dir, "vmbguard.json"), jobs });
  const result = await run(process.execPath, args, { cwd: corpus.dir, measure: true, stdoutFile: reportFile, timeoutSeconds: 900 });
  return {
    reportFile,
    loadAverage,
    exitCode: result.exitCode,
    wallSeconds: result.timing?.wallSeconds,
    cpuSeconds: (result.timing?.userSeconds ?? 0) + (result.timing?.systemSeconds ?? 0),
    peakRssMb: kilobytesToMegabytes(result.timing?.maxRssKb ?? Number.NaN),
    errors: result.exitCode === 0 ? [] : [result.stderr.trim().split("\n").slice(-3).join(" | ")],
  };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

/**
 * VmbGuard's runs, one round at a time: each round runs every `--jobs` setting once, so the
 * caller can put rounds between the peers' runs and a slow spell of a shared host falls on all
 * tools alike. A row reports the run of median wall time (its CPU time and memory with it);
 * every run's wall time is kept in `runs`.
 */
export class OursMeasurement {
  /** `rest` is awaited before each run (the caller's cool-down). */
  constructor(repoRoot, corpus, workDir, jobsSettings, unit, log = () => {}, rest = async () => {}) {
    Object.assign(this, { repoRoot, corpus, workDir, jobsSettings, unit, log, rest });
    this.runsBySetting = jobsSettings.map(() => []);
    this.roundsDone = 0;
  }

  async runRound() {
    this.roundsDone++;
    for (const [index, jobs] of this.jobsSettings.entries()) {
      this.log(`speed: VmbGuard on the ${this.corpus.languageName} corpus --jobs ${jobs ?? "default"}, round ${this.roundsDone}`);
      await this.rest();
      this.runsBySetting[index].push(await runOursOnce(this.repoRoot, this.corpus, this.workDir, jobs, this.roundsDone));
    }
  }

  rows() {
    const sourceFolder = join(this.corpus.dir, "src");
    const threads = defaultThreads(this.repoRoot, readdirSync(sourceFolder).map((name) => readFileSync(join(sourceFolder, name), "utf8")));
    return this.jobsSettings.map((jobs, index) => oursRow(this.corpus, this.unit, jobs, this.runsBySetting[index], threads));
  }
}

/** `defaultThreads`: what the CLI runs on without `--jobs`, named in the row's label. */
function oursRow(corpus, unit, jobs, runs, defaultThreads) {
  const failed = runs.find((candidate) => candidate.exitCode !== 0);
  const chosen = failed ?? runs.find((candidate) => candidate.wallSeconds === median(runs.map((each) => each.wallSeconds)));
  const row = {
    tool: "vmbguard",
    label: `VmbGuard --jobs ${jobs ?? `default (${defaultThreads} ${defaultThreads === 1 ? "thread" : "threads"})`}`,
    jobs: jobs ?? availableParallelism(),
    threads: jobs ?? defaultThreads,
    loadAverage: chosen.loadAverage,
    files: corpus.files.length,
    lines: corpus.lines,
    sampled: false,
    exitCode: chosen.exitCode,
    wallSeconds: chosen.wallSeconds,
    cpuSeconds: chosen.cpuSeconds,
    peakRssMb: Math.max(...runs.map((each) => each.peakRssMb)),
    runs: runs.map((each) => ({ wallSeconds: each.wallSeconds, cpuSeconds: each.cpuSeconds, loadAverage: each.loadAverage })),
    errors: chosen.errors,
  };
  if (chosen.exitCode === 0) {
    try {
      const report = readReportFile(chosen.reportFile);
      row.findings = report.reports.length;
      row.problems = report.problems.length;
      row.recall = seededBugRecall(unit, report.reports.map((finding) => ({ ...finding, file: finding.file.replace(/^\.\//, "") })));
    } catch (error) {
      row.errors.push(`unreadable report: ${error.message}`);
    }
  }
  return row;
}

/** Every k-th file, starting from the first: deterministic, spread over the whole corpus. */
function everyKth(files, k) {
  return files.filter((_, index) => index % k === 0);
}

async function runPeerOnFiles(peer, inputs, corpus, files, parallelism, timeoutSeconds) {
  const started = process.hrtime.bigint();
  const perFile = await mapPool(files, parallelism, async (file) => {
    const { command, args } = peer.command(file, inputs);
    const result = await run(command, args, { cwd: corpus.dir, measure: true, timeoutSeconds });
    return { file, result };
  });
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const reports = [];
  const errors = [];
  let timeouts = 0;
  let cpuSeconds = 0;
  let peakRssKb = 0;
  for (const { file, result } of perFile) {
    if (result.timedOut) timeouts++;
    cpuSeconds += (result.timing?.userSeconds ?? 0) + (result.timing?.systemSeconds ?? 0);
    peakRssKb = Math.max(peakRssKb, result.timing?.maxRssKb ?? 0);
    for (const diagnostic of peer.parse(`${result.stdout}\n${result.stderr}`)) {
      if (diagnostic.kind === "error") errors.push(`${file}: ${diagnostic.message}`);
      else reports.push({ file: diagnostic.file, line: diagnostic.line, rule: diagnostic.rule });
    }
  }
  const lines = files.reduce((sum, file) => sum + corpus.linesByFile.get(file), 0);
  return { wallSeconds, cpuSeconds, peakRssKb, reports, errors, timeouts, lines };
}

/**
 * Runs a peer file by file with `parallelism` processes, each under `time -v`. A calibration
 * run on every 20th file predicts the full run; when that exceeds `budgetSeconds`, only every
 * k-th file is measured and the time is extrapolated to the whole corpus (said in the row).
 */
export async function measurePeer(peer, inputs, corpus, { parallelism, budgetSeconds, timeoutSeconds, parseExpectations, log }) {
  const sourceFiles = corpus.files;
  const loadAverage = loadavg()[0];
  const calibration = await runPeerOnFiles(peer, inputs, corpus, everyKth(sourceFiles, 20), parallelism, timeoutSeconds);
  const predicted = calibration.wallSeconds * (corpus.sourceLines / calibration.lines);
  const stride = predicted <= budgetSeconds ? 1 : Math.ceil(predicted / budgetSeconds);
  log(`speed: ${peer.label}: calibration predicts ${predicted.toFixed(0)} s for the corpus; measuring ${stride === 1 ? "every file" : `1 file in ${stride}`}`);
  const files = everyKth(sourceFiles, stride);
  const measured = await runPeerOnFiles(peer, inputs, corpus, files, parallelism, timeoutSeconds);
  // Time scales with the source lines analysed; the shared header is read by every file alike.
  const scale = corpus.sourceLines / measured.lines;
  const unit = corpusUnit(corpus, files, parseExpectations);
  return {
    tool: peer.id,
    label: `${peer.label} (${parallelism} processes)`,
    jobs: parallelism,
    loadAverage,
    files: sourceFiles.length,
    lines: corpus.lines,
    sampled: stride > 1,
    measuredFiles: files.length,
    measuredLines: measured.lines,
    wallSeconds: measured.wallSeconds * scale,
    measuredWallSeconds: measured.wallSeconds,
    cpuSeconds: measured.cpuSeconds * scale,
    peakRssMb: kilobytesToMegabytes(measured.peakRssKb),
    timeouts: measured.timeouts,
    errors: [...new Set(measured.errors)].slice(0, 5),
    errorCount: measured.errors.length,
    findings: measured.reports.filter((report) => report.rule !== undefined).length,
    recall: seededBugRecall(unit, measured.reports.filter((report) => report.rule !== undefined)),
  };
}

/** Line counts per corpus file, for sampling and extrapolation. */
export function describeCorpus(corpus) {
  const linesByFile = new Map(
    corpus.files.map((file) => [file, readFileSync(join(corpus.dir, file), "utf8").split("\n").length - 1]),
  );
  const sourceLines = [...linesByFile.values()].reduce((sum, lines) => sum + lines, 0);
  return { ...corpus, linesByFile, sourceLines };
}

