// VmbGuard's own CLI (dist/cli.js), run the way a user runs it in CI.
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { run } from "./measure.mjs";

export function cliPath(repoRoot) {
  return join(repoRoot, "dist", "cli.js");
}

export function oursAvailable(repoRoot) {
  return existsSync(cliPath(repoRoot));
}

/**
 * The threads `vmbguard check` uses without `--jobs` for these source texts, by the CLI's own rule
 * (`threadsFor` in server/src/cli/shardPool.ts, compiled by `npm run build`): at most one per
 * megabyte of source, so a small corpus runs on fewer threads than there are cores.
 */
export function defaultThreads(repoRoot, texts) {
  const compiled = join(repoRoot, "out", "server", "src", "cli", "shardPool.js");
  if (!existsSync(compiled)) throw new Error(`${compiled} is missing: run npm run build first`);
  const { threadsFor } = createRequire(import.meta.url)(compiled);
  return threadsFor(texts.map((text) => ({ text })), availableParallelism());
}

/** Arguments of `vmbguard check` with every severity reported (analysis-incomplete is information). */
export function checkArguments(repoRoot, paths, { config, jobs } = {}) {
  return [
    cliPath(repoRoot),
    "check",
    "--format", "json",
    "--severity", "information",
    "--exit-zero",
    ...(config === undefined ? [] : ["--config", config]),
    ...(jobs === undefined ? [] : ["--jobs", String(jobs)]),
    ...paths,
  ];
}

/**
 * Reads the JSON report: findings carry one-based `range.start.line` (cli/jsonFormat.ts) and
 * paths relative to the working folder.
 */
export function parseReport(text) {
  const document = JSON.parse(text);
  const reports = (document.findings ?? []).map((finding) => ({
    file: finding.file,
    line: finding.range.start.line,
    rule: finding.ruleId,
    message: finding.message,
  }));
  const problems = (document.problems ?? []).map((problem) => `${problem.file}: ${problem.message}`);
  return { reports, problems, stats: document.stats };
}

/** Checks `paths` (relative to `cwd`) and returns the reports, or an error description. */
export async function checkWithOurs(repoRoot, cwd, paths, options = {}) {
  const result = await run(process.execPath, checkArguments(repoRoot, paths, options), { cwd, timeoutSeconds: options.timeoutSeconds ?? 120 });
  if (result.exitCode !== 0 || result.timedOut) {
    return { reports: [], errors: [`exit ${result.exitCode}${result.timedOut ? " (timed out)" : ""}: ${result.stderr.trim().split("\n").slice(0, 3).join(" | ")}`] };
  }
  try {
    const parsed = parseReport(result.stdout);
    return { reports: parsed.reports, errors: [], problems: parsed.problems };
  } catch (error) {
    return { reports: [], errors: [`unreadable JSON report: ${error.message}`] };
  }
}

export function readReportFile(file) {
  return parseReport(readFileSync(file, "utf8"));
}
