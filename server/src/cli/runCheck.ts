// `vmbguard check`: configuration, files, the core, filters, output and the exit code.
import { mkdirSync, statSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import type { SourceInput } from "../analysis/check";
import { isHeaderFile } from "../frontends";
import type { Finding, Severity } from "../analysis/findings";
import type { Config } from "../config/config";
import { defaultConfig } from "../config/config";
import { findConfigFile, loadConfigFile } from "../config/load";
import { ConfigError, checkModelReferences } from "../config/validate";
import type { CheckOptions } from "./args";
import { BaselineError, readBaseline, withoutBaseline } from "./baseline";
import { discoverFiles } from "./discover";
import { formatJson } from "./jsonFormat";
import { defaultMaxFileBytes, readSourceFile } from "./readSource";
import type { Report, ReportProblem } from "./report";
import { isInsideRoot, portablePath } from "./reportPaths";
import { formatSarif } from "./sarif";
import { inShard } from "./shard";
import { checkOnThreads, threadsFor } from "./shardPool";
import { formatText, wantsColor } from "./textFormat";
import { toolVersion } from "./version";
import { ProjectBuild } from "../workspace/buildSettings/projectBuild";

export interface CheckEnvironment {
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown };
  /** Aborted on Ctrl-C: the run stops and exits with `interrupted`. */
  signal?: AbortSignal;
}

export const exitCodes = { clean: 0, findings: 1, error: 2, interrupted: 130 } as const;

/** An error that ends the run with exit code 2 and one line naming what failed. */
class FatalError extends Error {}

const severityRank: Record<Severity, number> = { error: 0, warning: 1, information: 2 };

function isDirectory(file: string): boolean {
  try {
    return statSync(file).isDirectory();
  } catch {
    return false;
  }
}

function loadConfiguration(options: CheckOptions, cwd: string): { config: Config; file?: string } {
  if (options.config !== undefined) {
    const file = path.resolve(cwd, options.config);
    return { config: loadConfigFile(file), file };
  }
  const firstPath = path.resolve(cwd, options.paths[0]);
  const start = isDirectory(firstPath) ? firstPath : path.dirname(firstPath);
  const chosen = findConfigFile(start) ?? findConfigFile(cwd);
  return chosen === undefined ? { config: defaultConfig() } : { config: loadConfigFile(chosen), file: chosen };
}

/** The path handed to the core and shown in reports: relative with `/` inside the working folder, absolute outside. */
function reportedPath(absolute: string, cwd: string): string {
  return isInsideRoot(absolute, cwd) ? portablePath(absolute, cwd) : absolute;
}

function readAll(files: readonly string[], cwd: string, maxBytes: number): { sources: SourceInput[]; problems: ReportProblem[] } {
  const outcomes = files.map((file) => readSourceFile(file, maxBytes));
  const sources: SourceInput[] = [];
  const problems: ReportProblem[] = [];
  for (const [index, outcome] of outcomes.entries()) {
    const file = reportedPath(files[index], cwd);
    if (outcome.kind === "skipped") {
      problems.push({ file, message: outcome.reason, severity: "warning" });
      continue;
    }
    if (outcome.warning !== undefined) problems.push({ file, message: outcome.warning, severity: "warning" });
    sources.push({ path: file, text: outcome.text });
  }
  return { sources, problems };
}

function applyFilters(
  findings: readonly Finding[],
  options: CheckOptions,
  baseline: ReadonlySet<string> | undefined,
): { shown: Finding[]; belowThreshold: number; inBaseline: number } {
  const selected = options.rules.length === 0 ? findings : findings.filter((finding) => options.rules.includes(finding.ruleId));
  const threshold = severityRank[options.severity];
  const atThreshold = selected.filter((finding) => severityRank[finding.severity] <= threshold);
  const shown = baseline === undefined ? atThreshold : withoutBaseline(atThreshold, baseline);
  return { shown, belowThreshold: selected.length - atThreshold.length, inBaseline: atThreshold.length - shown.length };
}

/** By file, then position (problems without one first), so every format lists them in one stable order. */
function compareProblems(a: ReportProblem, b: ReportProblem): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  const lineOf = (problem: ReportProblem): number => problem.range?.start.line ?? -1;
  const columnOf = (problem: ReportProblem): number => problem.range?.start.column ?? -1;
  return lineOf(a) - lineOf(b) || columnOf(a) - columnOf(b);
}

function writeOutput(text: string, options: CheckOptions, environment: CheckEnvironment): void {
  if (options.output === undefined) {
    environment.stdout.write(text);
    return;
  }
  const file = path.resolve(environment.cwd, options.output);
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
  } catch (error) {
    throw new FatalError(`${options.output}: cannot write the report: ${(error as Error).message}`);
  }
}

async function check(options: CheckOptions, environment: CheckEnvironment): Promise<number> {
  const { cwd } = environment;
  const started = Date.now();
  const { config, file: configFile } = loadConfiguration(options, cwd);
  config.models = [...new Set([...config.models, ...options.models])];
  checkModelReferences(config, configFile ?? "command line");
  // Read before any work, so a bad --baseline fails fast.
  const baseline = options.baseline === undefined ? undefined : readBaseline(path.resolve(cwd, options.baseline));

  const discovered = await discoverFiles(options.paths, cwd, {
    patternBase: configFile === undefined ? cwd : path.dirname(configFile),
    include: config.include,
    exclude: config.exclude,
  });
  const shard = options.shard;
  const files = shard === undefined ? discovered.files : discovered.files.filter((file) => inShard(portablePath(file, cwd), shard));
  const { sources, problems } = readAll(files, cwd, config.maxFileBytes ?? defaultMaxFileBytes);
  // Every shard also analyzes the other shards' headers, without reporting on them: their macros,
  // constants, SAL declarations and callback roles reach a file whichever shard they landed in.
  const otherHeaders = shard === undefined ? [] : discovered.files.filter((file) => isHeaderFile(file) && !inShard(portablePath(file, cwd), shard));
  const contextSources = (readAll(otherHeaders, cwd, config.maxFileBytes ?? defaultMaxFileBytes)).sources;
  for (const skipped of discovered.skipped) problems.push({ file: reportedPath(skipped.file, cwd), message: skipped.reason, severity: "warning" });
  for (const missingPath of discovered.missing) problems.push({ file: missingPath, message: "no such file or directory", severity: "error" });

  const checked = [...sources, ...contextSources];
  const build = new ProjectBuild({
    config,
    base: configFile === undefined ? cwd : path.dirname(configFile),
    roots: options.paths.map((given) => path.resolve(cwd, given)).filter(isDirectory),
    projectFiles: discovered.projectFiles,
    maxFileBytes: config.maxFileBytes ?? defaultMaxFileBytes,
  });
  const lowering = build.loweringInputs(checked, cwd);
  for (const problem of build.problems) problems.push({ file: reportedPath(problem.file, cwd), message: problem.message, severity: "warning" });
  const threads = options.fitJobsToInput ? threadsFor(checked, options.jobs) : options.jobs;
  const { result, failures } = await checkOnThreads(checked, config, threads, {
    signal: environment.signal,
    contextFiles: new Set(contextSources.map((source) => source.path)),
    lowering,
  });
  for (const failure of failures.filter((each) => !contextSources.includes(each.source))) problems.push({ file: failure.source.path, message: `not analyzed: the parser failed: ${failure.message}`, severity: "error" });
  problems.push(...result.problems);

  const { shown, belowThreshold, inBaseline } = applyFilters(result.findings, options, baseline);
  const report: Report = {
    findings: shown,
    problems: problems.sort(compareProblems),
    stats: { ...result.stats, millis: Date.now() - started },
    belowThreshold,
    inBaseline,
    files: sources.map((source) => source.path),
    root: cwd,
    functions: result.functions,
    missingPaths: discovered.missing,
  };
  switch (options.format) {
    case "json":
      writeOutput(formatJson(report, toolVersion(), { listFunctions: options.listFunctions }), options, environment);
      break;
    case "sarif":
      writeOutput(formatSarif(report, config, toolVersion()), options, environment);
      break;
    case "text": {
      const colored = options.output === undefined && wantsColor(environment.stdout, options.noColor, environment.env);
      writeOutput(formatText(report, colored), options, environment);
      break;
    }
  }
  // A path that does not exist is most likely a typo in a CI script: the rest is still
  // reported, but the run fails whatever the findings.
  for (const missingPath of discovered.missing) environment.stderr.write(`vmbguard: ${missingPath}: no such file or directory\n`);
  if (discovered.missing.length > 0) return exitCodes.error;
  if (options.exitZero || shown.length === 0) return exitCodes.clean;
  return exitCodes.findings;
}

/** Runs `vmbguard check`; returns the exit code. Expected failures become one line on stderr. */
export async function runCheck(options: CheckOptions, environment: CheckEnvironment): Promise<number> {
  try {
    return await check(options, environment);
  } catch (error) {
    if (environment.signal?.aborted === true) {
      environment.stderr.write("vmbguard: interrupted\n");
      return exitCodes.interrupted;
    }
    if (error instanceof ConfigError || error instanceof BaselineError || error instanceof FatalError) {
      environment.stderr.write(`vmbguard: ${error.message}\n`);
      return exitCodes.error;
    }
    throw error;
  }
}
