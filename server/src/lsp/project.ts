// The workspace index of one folder: every source the CLI would check there (the editor's unsaved
// text wins over the disk), lowered once and kept until its text, an included header or the
// configuration changes. A check analyzes all of them with the same core call as `vmbguard
// check`, so the cross-file summaries and the SAL-learned model are those CI sees; the analysis of
// the functions an edit did not affect is reused from the check before (functionResultCache.ts).
import * as path from "node:path";
import { analyzeShards, lowerSource, prepareLowering, withHeadersFound, type CheckResult, type FileProblem, type LoweringContext, type LoweringInputs, type SourceInput } from "../analysis/check";
import { discoverFiles } from "../cli/discover";
import { defaultMaxFileBytes, readSourceFile } from "../cli/readSource";
import { cppOnlyHeaders, headerKey, includedHeaderNames, isHeaderFile, isSupportedSource } from "../frontends";
import { pathKey } from "../frontends/includes";
import { FunctionResultCache, type ReuseCounts } from "../analysis/functionResultCache";
import { AnalysisShard, type FunctionDigest } from "../analysis/shard";
import { SummaryTable } from "../analysis/summaryTable";
import type { FunctionAnalysis } from "../analysis/engine";
import type { IrFile, IrFunction } from "../ir/ir";
import type { ModelEntry } from "../model/model";
import { interruptibleShard } from "./interruptibleShard";
import { ProjectBuild } from "../workspace/buildSettings/projectBuild";
import type { ResolvedConfig } from "./settings";

interface LoweredFile {
  text: string;
  ir: IrFile;
  /** Names of the headers it reaches: a change to one of them lowers it again. */
  includes: string[];
}

/** How far an index or a check has come, for `window/workDoneProgress`. */
export type ProgressReport = (done: number, total: number) => void;

export interface ProgressReporter {
  report: ProgressReport;
  done(): void;
}

/** Fewer files than this are lowered too fast to be worth a progress report. */
const filesWorthAProgressReport = 50;

export interface ProjectCheck {
  result: CheckResult;
  /** The text each file was checked with: code actions and hovers read positions in it. */
  texts: ReadonlyMap<string, string>;
  /** The lowered files of the check, for hovers. */
  lowered: ReadonlyMap<string, IrFile>;
  /** The summaries of the user functions, as the check applied them at their calls. */
  summaries: SummaryTable;
  /** How many function analyses the check made, and how many it took over from the check before. */
  reuse: ReuseCounts;
  /** A function's analysis made again as the check made it, exit states included (for hovers). */
  analyzeAgain(fn: IrFunction): FunctionAnalysis | undefined;
}

/** The summaries in the order the check resolves them by (file, then position), as its SummaryTable holds them. */
function summaryTableOf(functions: readonly FunctionDigest[], computed: ReadonlyMap<number, ModelEntry>): SummaryTable {
  const placed = [...computed].map(([index, entry]) => ({ fn: functions[index], entry }));
  placed.sort((a, b) => (a.fn.file < b.fn.file ? -1 : a.fn.file > b.fn.file ? 1 : a.fn.line - b.fn.line || a.fn.column - b.fn.column));
  const table = new SummaryTable();
  placed.forEach(({ fn, entry }, order) => table.apply({ order, name: fn.name, file: fn.file, entry }));
  return table;
}

/** Lets pending I/O (a newer edit, a cancellation) in between two files of a long check. */
const yieldToEvents = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class Project {
  private readonly diskTexts = new Map<string, string>();
  private readonly editorTexts = new Map<string, string>();
  /** Files of the folder that could not be read (binary, too large): reported like the CLI does. */
  private readProblems: FileProblem[] = [];
  private readonly lowered = new Map<string, LoweredFile>();
  private headerContext: { context: LoweringContext; headers: Map<string, string>; build: string } | undefined;
  /** The .vcxproj files of the last walk. */
  private projectFiles: string[] = [];
  /** The build settings, read again after a walk or a new configuration. */
  private build: ProjectBuild | undefined;
  /** Each function's last analysis: a check after an edit analyzes only what the edit can have changed. */
  private functionResults = new FunctionResultCache();

  constructor(
    /** The workspace folder; undefined for the files opened outside every folder. */
    readonly root: string | undefined,
    private resolved: ResolvedConfig,
  ) {}

  get configuration(): ResolvedConfig {
    return this.resolved;
  }

  contains(file: string): boolean {
    if (this.root === undefined) return false;
    const relative = path.relative(this.root, file);
    return !relative.startsWith("..") && !path.isAbsolute(relative);
  }

  /** A new configuration: what lowering depends on (macros, models) may differ, so nothing is kept. */
  reconfigure(resolved: ResolvedConfig): void {
    this.resolved = resolved;
    this.lowered.clear();
    this.headerContext = undefined;
    this.build = undefined;
    this.functionResults = new FunctionResultCache();
  }

  private get maxFileBytes(): number {
    return this.resolved.config.maxFileBytes ?? defaultMaxFileBytes;
  }

  /** Walks the folder as `vmbguard check <folder>` would and reads every source found. */
  async index(signal: AbortSignal, progress?: ProgressReport): Promise<void> {
    if (this.root === undefined) return;
    const { config, patternBase } = this.resolved;
    const discovered = await discoverFiles([this.root], this.root, { patternBase, include: config.include, exclude: config.exclude });
    this.diskTexts.clear();
    this.readProblems = [];
    this.projectFiles = discovered.projectFiles;
    this.build = undefined;
    for (const [done, file] of discovered.files.entries()) {
      if (done % 50 === 0) {
        progress?.(done, discovered.files.length);
        await yieldToEvents();
        signal.throwIfAborted();
      }
      this.readFromDisk(file);
    }
    progress?.(discovered.files.length, discovered.files.length);
  }

  private readFromDisk(file: string): void {
    const outcome = readSourceFile(file, this.maxFileBytes);
    this.readProblems = this.readProblems.filter((problem) => problem.file !== file);
    if (outcome.kind === "skipped") {
      this.diskTexts.delete(file);
      this.readProblems.push({ file, message: outcome.reason, severity: "warning" });
      return;
    }
    if (outcome.warning !== undefined) this.readProblems.push({ file, message: outcome.warning, severity: "warning" });
    this.diskTexts.set(file, outcome.text);
  }

  /** A file changed, appeared or vanished on disk (a watched-files event). */
  diskChanged(file: string, deleted: boolean): void {
    if (deleted) {
      this.diskTexts.delete(file);
      this.readProblems = this.readProblems.filter((problem) => problem.file !== file);
    } else if (isSupportedSource(file)) {
      this.readFromDisk(file);
    }
    // A header read through an include folder is not a source of the folder: read it again next time.
    this.build?.forget(file);
  }

  /** As `vmbguard check <folder>` reads them (workspace/buildSettings), once per walk and configuration. */
  private projectBuild(): ProjectBuild {
    this.build ??= new ProjectBuild({
      config: this.resolved.config,
      base: this.resolved.patternBase,
      roots: this.root === undefined ? [] : [this.root],
      projectFiles: this.projectFiles,
      maxFileBytes: this.maxFileBytes,
    });
    return this.build;
  }

  /** The editor holds `text` for `file` (open or edited); undefined when it is closed again. */
  setEditorText(file: string, text: string | undefined): void {
    if (text === undefined) this.editorTexts.delete(file);
    else this.editorTexts.set(file, text);
  }

  hasEditorText(file: string): boolean {
    return this.editorTexts.has(file);
  }

  /** Whether a check reports on `file`: a source of the folder, or one the editor has open. */
  knows(file: string): boolean {
    return this.editorTexts.has(file) || this.diskTexts.has(file);
  }

  /** Every source of the check, editor text over disk text, in the CLI's order (sorted paths). */
  private sources(): { sources: SourceInput[]; problems: FileProblem[] } {
    const texts = new Map(this.diskTexts);
    const problems = this.readProblems.filter((problem) => !this.editorTexts.has(problem.file));
    for (const [file, text] of this.editorTexts) {
      if (!isSupportedSource(file)) continue;
      if (Buffer.byteLength(text) > this.maxFileBytes) {
        texts.delete(file);
        problems.push({ file, message: `skipped: the document is over the ${this.maxFileBytes} byte limit (maxFileBytes)`, severity: "warning" });
        continue;
      }
      texts.set(file, text);
    }
    const sources = [...texts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([file, text]) => ({ path: file, text }));
    return { sources, problems };
  }

  /**
   * The headers' definitions, computed again only when a header's text changed; the files that
   * include a changed header are lowered again.
   */
  private async loweringContext(sources: readonly SourceInput[]): Promise<{ context: LoweringContext; inputs: LoweringInputs }> {
    const inputs = this.projectBuild().loweringInputs(sources, this.root ?? process.cwd());
    const checkedHeaders = sources.filter((source) => isHeaderFile(source.path));
    const headers = new Map([...checkedHeaders, ...inputs.extraHeaders].map((source) => [source.path, source.text]));
    const build = JSON.stringify(inputs.build);
    const cppHeaders = cppOnlyHeaders(sources);
    const previous = this.headerContext;
    const sameCppHeaders = previous !== undefined && (previous.context.cppHeaders ?? []).join("\n") === cppHeaders.join("\n");
    if (previous !== undefined && sameCppHeaders && previous.build === build && previous.headers.size === headers.size && [...headers].every(([file, text]) => previous.headers.get(file) === text)) {
      return { context: previous.context, inputs };
    }
    // Other include folders or definitions: every file may lower differently.
    if (previous !== undefined && previous.build !== build) this.lowered.clear();
    const changedNames = new Set<string>();
    for (const [file, text] of headers) if (previous?.headers.get(file) !== text) changedNames.add(headerKey(file));
    for (const file of previous?.headers.keys() ?? []) if (!headers.has(file)) changedNames.add(headerKey(file));
    // A header that became C++ only (or stopped being) is lowered again by its grammar, and so are its includers.
    const before = new Set(previous?.context.cppHeaders ?? []);
    const now = new Set(cppHeaders);
    const flipped = [...before, ...now].filter((name) => before.has(name) !== now.has(name));
    for (const key of flipped) changedNames.add(headerKey(key));
    for (const file of this.lowered.keys()) if (flipped.includes(pathKey(file))) this.lowered.delete(file);
    for (const [file, entry] of this.lowered) if (entry.includes.some((name) => changedNames.has(name))) this.lowered.delete(file);
    // Every source: which headers only C++ sources include is part of the context (only headers are parsed).
    const context = await prepareLowering(sources, this.resolved.config, { ...inputs, cppHeaders });
    this.headerContext = { context, headers, build };
    return { context, inputs };
  }

  /**
   * Checks every source; throws the signal's reason when it is aborted (a newer edit). When many
   * files are to be lowered (the first check, a new configuration), `startProgress` reports it.
   */
  async check(signal: AbortSignal, startProgress?: () => Promise<ProgressReporter>): Promise<ProjectCheck> {
    const started = Date.now();
    const { sources, problems } = this.sources();
    for (const problem of this.projectBuild().problems) problems.push({ file: problem.file, message: problem.message, severity: "warning" });
    const { context, inputs } = await this.loweringContext(sources);
    const toLower = sources.filter((source) => this.lowered.get(source.path)?.text !== source.text).length;
    const progress = toLower >= filesWorthAProgressReport && startProgress !== undefined ? await startProgress() : undefined;
    try {
      const reportLowered = progress === undefined ? undefined : (done: number) => progress.report(done, toLower);
      // As the CLI: the headers found through include folders are analyzed too, not reported.
      const found = withHeadersFound(sources, { lowering: inputs });
      return await this.lowerAndAnalyze(found.sources, problems, context, signal, reportLowered, started, found.contextFiles);
    } finally {
      progress?.done();
    }
  }

  private async lowerAndAnalyze(
    sources: SourceInput[],
    problems: FileProblem[],
    context: LoweringContext,
    signal: AbortSignal,
    reportLowered: ((done: number) => void) | undefined,
    started: number,
    contextFiles: ReadonlySet<string>,
  ): Promise<ProjectCheck> {
    const { config } = this.resolved;
    const files: IrFile[] = [];
    let lowered = 0;
    for (const source of sources) {
      const cached = this.lowered.get(source.path);
      if (cached?.text === source.text) {
        files.push(cached.ir);
        continue;
      }
      // Lowering is the costly part of a first check: let a newer edit or a cancellation in.
      await yieldToEvents();
      signal.throwIfAborted();
      if (lowered % 20 === 0) reportLowered?.(lowered);
      lowered++;
      try {
        const ir = await lowerSource(source, config, context);
        this.lowered.set(source.path, { text: source.text, ir, includes: includedHeaderNames(source.path, source.text, context) });
        files.push(ir);
      } catch (error) {
        // As the CLI: one file the parser cannot take is reported, the others are still checked.
        this.lowered.delete(source.path);
        if (!contextFiles.has(source.path)) problems.push({ file: source.path, message: `not analyzed: the parser failed: ${error instanceof Error ? error.message : String(error)}`, severity: "error" });
      }
    }
    const checked = new Set(sources.map((source) => source.path));
    for (const file of [...this.lowered.keys()]) if (!checked.has(file)) this.lowered.delete(file);
    signal.throwIfAborted();
    // As analyzeLowered does, but in slices that a newer edit can interrupt.
    const shard = new AnalysisShard(config, this.functionResults);
    for (const file of files) shard.add(file);
    const computed = new Map<number, ModelEntry>();
    const result = await analyzeShards([interruptibleShard(shard, signal, computed)], sources, config, { signal, root: this.root, contextFiles });
    this.functionResults.sweep();
    result.problems.unshift(...problems);
    result.stats.millis = Date.now() - started;
    return {
      result,
      texts: new Map(sources.map((source) => [source.path, source.text])),
      lowered: new Map(files.map((file) => [file.file, file])),
      summaries: summaryTableOf(shard.digest().functions, computed),
      reuse: this.functionResults.lastCheck,
      analyzeAgain: (fn) => shard.analyzeAgain(fn),
    };
  }
}
