// The one entry point of the core: sources in, findings out. The CLI and the language
// server are thin adapters over these calls, so the editor and CI always agree.
import { createHash } from "node:crypto";
import * as path from "node:path";
import type { Config } from "../config/config";
import type { IrFile, SourceRange } from "../ir/ir";
import type { ModelEntry } from "../model/model";
import { summaryWaves } from "./callGraph";
import type { Finding } from "./findings";
import { currentRuleId, ruleNamed } from "./rules";
import { AnalysisShard, severityOf, type FileDigest, type FunctionDigest, type ShardDigest, type ShardModel } from "./shard";
import { sameEntry } from "./summaries";
import type { SummaryUpdate } from "./summaryTable";
import { collectHeaderDefinitions, lowerFile, type LoweringContext, type LoweringInputs } from "../frontends";

export { prepareParsers } from "../frontends";

export interface SourceInput {
  path: string;
  text: string;
}

export interface FileProblem {
  file: string;
  message: string;
  range?: SourceRange;
  severity: "error" | "warning";
}

export interface CheckStats {
  files: number;
  lines: number;
  functions: number;
  millis: number;
}

/** A function the check analyzed: where it is, for listings (`vmbguard check --list-functions`). */
export interface AnalyzedFunction {
  name: string;
  /** The name reports give it (`Nic.open`), when it differs from `name`. */
  qualifiedName?: string;
  file: string;
  /** Zero-based lines of its start and of its closing brace. */
  line: number;
  endLine: number;
}

export interface CheckResult {
  findings: Finding[];
  problems: FileProblem[];
  stats: CheckStats;
  /** Every function analyzed in the reported files, by file and position. */
  functions: AnalyzedFunction[];
}

export interface CheckOptions {
  signal?: AbortSignal;
  /**
   * Files analyzed only for what they teach the others (declarations, roles, summaries, macros):
   * their own findings and problems are not reported, nor counted (the headers of other `--shard`s).
   */
  contextFiles?: ReadonlySet<string>;
  /**
   * The folder that fingerprints name absolute paths relative to (default: the working folder, as
   * the CLI reports paths): the language server passes the workspace folder, so a SARIF log it
   * exports matches one `vmbguard check` writes there.
   */
  root?: string;
  /** The project's build settings and the headers read through its include folders (workspace/buildSettings). */
  lowering?: LoweringInputs;
}

/** Summaries inside a recursive cycle are recomputed until stable, at most this many rounds. */
const maxCycleRounds = 4;

export type { LoweringContext, LoweringInputs } from "../frontends";

/** What every file's lowering needs to know of the others (the headers' definitions) and of the build. */
export async function prepareLowering(sources: readonly SourceInput[], config: Config, inputs?: LoweringInputs): Promise<LoweringContext> {
  return collectHeaderDefinitions(sources, config, inputs);
}

export async function lowerSource(source: SourceInput, config: Config, context?: LoweringContext): Promise<IrFile> {
  return lowerFile(source.path, source.text, config, context);
}

/**
 * The sources with the headers found through include folders that are not among them, those
 * analyzed as context (not reported): their declarations say what a call to a function without a
 * body does with its arguments (model/sal.ts). `contextFiles` holds the added headers and the given ones.
 */
export function withHeadersFound(sources: readonly SourceInput[], options: CheckOptions): { sources: SourceInput[]; contextFiles: Set<string>; added: Set<string> } {
  const given = new Set(sources.map((source) => source.path));
  const headers = (options.lowering?.extraHeaders ?? []).filter((header) => !given.has(header.path));
  const added = new Set(headers.map((header) => header.path));
  return { sources: [...sources, ...headers], contextFiles: new Set([...(options.contextFiles ?? []), ...added]), added };
}

export async function checkSources(given: SourceInput[], config: Config, options: CheckOptions = {}): Promise<CheckResult> {
  const started = Date.now();
  const { sources, contextFiles } = withHeadersFound(given, options);
  const context = await prepareLowering(sources, config, options.lowering);
  const files: IrFile[] = [];
  for (const source of sources) {
    options.signal?.throwIfAborted();
    files.push(await lowerSource(source, config, context));
  }
  const result = await analyzeLowered(files, sources, config, { ...options, contextFiles });
  result.stats.millis = Date.now() - started;
  return result;
}

/** Analyzes lowered files in this thread. */
export async function analyzeLowered(files: IrFile[], sources: SourceInput[], config: Config, options: CheckOptions = {}): Promise<CheckResult> {
  const shard = new AnalysisShard(config);
  for (const file of files) shard.add(file);
  return analyzeShards([localShard(shard)], sources, config, options);
}

/**
 * A shard as the orchestration reaches it: in this thread, or in a worker. Calls on the shards of
 * one wave are made together, in list order; a shard in this thread answers synchronously, so it
 * belongs last in the list, after the workers have their requests.
 */
export interface ShardHandle {
  digest(): Promise<ShardDigest>;
  configure(model: ShardModel): Promise<void>;
  analyze(indexes: number[], updates: SummaryUpdate[]): Promise<(ModelEntry | undefined)[]>;
  findings(): Promise<Finding[]>;
}

export function localShard(shard: AnalysisShard): ShardHandle {
  return {
    digest: async () => shard.digest(),
    configure: async (model) => shard.configure(model),
    analyze: async (indexes, updates) => shard.analyze(indexes, updates),
    findings: async () => shard.findings(),
  };
}

type PlacedFunction = FunctionDigest & { shard: number; local: number };

/**
 * Analyzes the functions of all shards: the shards' digests give the call graph, the roles and
 * the SAL-learned model; then the functions are analyzed in waves (analyzeInWaves). The result is
 * the same however the files are spread.
 */
export async function analyzeShards(shards: readonly ShardHandle[], sources: readonly SourceInput[], config: Config, options: CheckOptions = {}): Promise<CheckResult> {
  const started = Date.now();
  const digests = await Promise.all(shards.map((shard) => shard.digest()));
  const functions: PlacedFunction[] = digests.flatMap((digest, shard) => digest.functions.map((fn, local) => ({ ...fn, shard, local })));
  functions.sort(byPosition);
  const inputOrder = new Map(sources.map((source, index) => [source.path, index]));
  const files = digests.flatMap((digest) => digest.files).sort((a, b) => (inputOrder.get(a.file) ?? sources.length) - (inputOrder.get(b.file) ?? sources.length));
  const reported = (file: string): boolean => options.contextFiles?.has(file) !== true;
  const problems: FileProblem[] = files.filter((file) => reported(file.file)).flatMap((file) =>
    file.problems.map((problem) => ({ file: file.file, message: problem.message, range: problem.range, severity: "warning" as const })),
  );

  // Declared roles first, then the functions' own and registered ones: a later assignment wins.
  const roleOf = new Map<string, string>();
  for (const file of files) for (const assigned of file.declaredRoles) roleOf.set(assigned.functionName, assigned.role);
  for (const fn of functions) for (const assigned of fn.assignedRoles) roleOf.set(assigned.functionName, assigned.role);
  const learned = files.flatMap((file) => file.learned);
  const globalConstants = [...unchangedGlobals(files, functions)];
  await Promise.all(
    shards.map((shard, index) => shard.configure({ learned, roles: digests[index].functions.map((fn) => roleOf.get(fn.name)), globalConstants })),
  );

  await analyzeInWaves(shards, functions, options.signal);

  const findings = (await Promise.all(shards.map((shard) => shard.findings()))).flat();
  const kept = applySuppressions(findings, files, config).filter((finding) => reported(finding.file));
  assignFingerprints(kept, sources, options.root ?? process.cwd());
  kept.sort(compareFindings);
  const lines = sources.reduce((sum, source) => sum + (reported(source.path) ? countLines(source.text) : 0), 0);
  const stats = { files: files.filter((file) => reported(file.file)).length, lines, functions: functions.filter((fn) => reported(fn.file)).length, millis: Date.now() - started };
  const analyzed = functions.filter((fn) => reported(fn.file)).map(({ name, qualifiedName, file, line, endLine }) => ({ name, ...(qualifiedName === undefined ? {} : { qualifiedName }), file, line, endLine }));
  return { findings: kept, problems, stats, functions: analyzed };
}

/**
 * Every function analyzed once its callees are (a recursive component until its summaries settle),
 * each where its IR lives; the summaries learned go to every shard before the next wave.
 */
async function analyzeInWaves(shards: readonly ShardHandle[], functions: readonly PlacedFunction[], signal: AbortSignal | undefined): Promise<void> {
  const summaryOf = new Map<number, ModelEntry>();
  const updates: SummaryUpdate[] = [];
  const updatesSent = shards.map(() => 0);
  for (const wave of summaryWaves(functions)) {
    let active = wave;
    for (let round = 0; round < maxCycleRounds && active.length > 0; round++) {
      signal?.throwIfAborted();
      const batches = shards.map((): number[] => []);
      for (const component of active) for (const member of component.members) batches[functions[member].shard].push(member);
      const results = await Promise.all(
        shards.map((shard, index) => {
          if (batches[index].length === 0) return [];
          const news = updates.slice(updatesSent[index]);
          updatesSent[index] = updates.length;
          return shard.analyze(batches[index].map((member) => functions[member].local), news);
        }),
      );
      const changed = new Set<number>();
      batches.forEach((batch, index) =>
        batch.forEach((member, position) => {
          const summary = results[index][position];
          if (!summary || sameEntry(summaryOf.get(member), summary)) return;
          summaryOf.set(member, summary);
          updates.push({ order: member, name: functions[member].name, file: functions[member].file, entry: summary });
          changed.add(member);
        }),
      );
      active = active.filter((component) => component.recursive && component.members.some((member) => changed.has(member)));
    }
  }
}

/**
 * Globals shared between files that keep their initial value: `const`, or written by no function
 * of the files checked (which assumes the check sees the whole program, as a driver's tree is).
 * A name defined twice with different values is no constant.
 */
function unchangedGlobals(files: readonly FileDigest[], functions: readonly FunctionDigest[]): Map<string, number | null> {
  const written = new Set(functions.flatMap((fn) => fn.writes));
  const values = new Map<string, number | null>();
  const conflicting = new Set<string>();
  for (const file of files) {
    for (const global of file.sharedGlobals) {
      if (global.value === undefined || (!global.isConst && written.has(global.name))) {
        conflicting.add(global.name);
        continue;
      }
      if (values.has(global.name) && values.get(global.name) !== global.value) conflicting.add(global.name);
      values.set(global.name, global.value);
    }
  }
  for (const name of conflicting) values.delete(name);
  return values;
}

function byPosition(a: FunctionDigest, b: FunctionDigest): number {
  return a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column;
}

function countLines(text: string): number {
  let count = 1;
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) count++;
  return count;
}

/** Drops suppressed findings; reports suppressions that silenced nothing. */
function applySuppressions(findings: Finding[], files: readonly Pick<FileDigest, "file" | "suppressions">[], config: Config): Finding[] {
  const used = new Set<string>();
  const suppressionKey = (file: string, line: number, rule: string) => `${file}\u0000${line}\u0000${rule}`;
  const suppressed = new Set<string>();
  // A former rule id (`packet-leak`) suppresses what its rule reports now.
  for (const file of files) for (const s of file.suppressions) for (const rule of s.rules) suppressed.add(suppressionKey(file.file, s.line, currentRuleId(rule)));
  const kept = findings.filter((finding) => {
    const key = suppressionKey(finding.file, finding.range.start.line, finding.ruleId);
    if (!suppressed.has(key)) return true;
    used.add(key);
    return false;
  });
  const severity = severityOf("unused-suppression", config);
  if (!severity) return kept;
  for (const file of files) {
    for (const s of file.suppressions) {
      for (const rule of s.rules) {
        if (used.has(suppressionKey(file.file, s.line, currentRuleId(rule)))) continue;
        kept.push({
          ruleId: "unused-suppression",
          severity,
          message: ruleNamed(rule) !== undefined ? `This suppression of '${rule}' silences nothing on line ${s.line + 1}.` : `This suppression names an unknown rule '${rule}'.`,
          file: file.file,
          range: s.range,
          functionName: "",
          path: [],
          fixes: [],
          fingerprint: "",
        });
      }
    }
  }
  return kept;
}

/**
 * Fingerprints survive unrelated edits: they hash the rule, the file, the function and the
 * code text of the finding's and the acquisition's lines (not their numbers), plus an ordinal
 * among otherwise identical findings.
 */
function assignFingerprints(findings: Finding[], sources: readonly SourceInput[], root: string): void {
  const byPath = new Map(sources.map((source) => [source.path, source.text]));
  // Only files with findings are split into lines.
  const lines = new Map<string, string[]>();
  const lineOf = (file: string, line: number) => {
    let split = lines.get(file);
    if (!split) lines.set(file, (split = (byPath.get(file) ?? "").split(/\r?\n/)));
    return split[line] ?? "";
  };
  const normalize = (file: string, range?: SourceRange) => (range ? lineOf(file, range.start.line).replace(/\s+/g, " ").trim() : "");
  const seen = new Map<string, number>();
  for (const finding of [...findings].sort(compareFindings)) {
    const file = path.isAbsolute(finding.file) ? path.relative(root, finding.file) : finding.file;
    // Under the rule's first id, so that a baseline written before a rename still matches.
    const base = [ruleNamed(finding.ruleId)?.formerIds?.[0] ?? finding.ruleId, file.split(path.sep).join("/"), finding.functionName, normalize(finding.file, finding.range), normalize(finding.file, finding.acquiredAt?.range)].join("\u0000");
    const ordinal = seen.get(base) ?? 0;
    seen.set(base, ordinal + 1);
    finding.fingerprint = createHash("sha256").update(`${base}\u0000${ordinal}`).digest("hex").slice(0, 32);
  }
}

export function compareFindings(a: Finding, b: Finding): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  return a.range.start.line - b.range.start.line || a.range.start.column - b.range.start.column || (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0) || (a.message < b.message ? -1 : a.message > b.message ? 1 : 0);
}
