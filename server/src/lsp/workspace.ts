// The projects of a session: one per workspace folder, plus one per vmbguard.json for the files
// opened outside every folder. Each has its index, its configuration and its check scheduler; a
// file belongs to the innermost folder holding it.
import * as path from "node:path";
import type { Diagnostic } from "vscode-languageserver/node";
import type { Finding } from "../analysis/findings";
import { findConfigFile } from "../config/load";
import { CheckScheduler, type Completed } from "./checkScheduler";
import { diagnosticsByFile } from "./diagnostics";
import { Project, type ProgressReporter, type ProjectCheck } from "./project";
import { resolveConfig, type EditorSettings, type ResolvedConfig } from "./settings";

export interface CheckedProject extends ProjectCheck {
  /** The editor version of each open document the check read, by absolute path. */
  versions: ReadonlyMap<string, number>;
  diagnostics: ReadonlyMap<string, Diagnostic[]>;
  findingsByFile: ReadonlyMap<string, Finding[]>;
}

export interface ProjectHooks {
  debounceMillis: number;
  /** The open documents' versions by absolute path, read when a check starts. */
  openVersions(): ReadonlyMap<string, number>;
  /** A `window/workDoneProgress` for the folder's walk, or for the lowering of many files (a first check). */
  progress(project: Project, stage: "indexing" | "parsing"): Promise<ProgressReporter>;
  checkStarted(project: Project): void;
  checkCompleted(state: ProjectState, completed: Completed<CheckedProject>): void;
  checkFailed(project: Project, error: unknown): void;
  configurationError(project: Project, message: string): void;
}

export class ProjectState {
  readonly scheduler: CheckScheduler<CheckedProject>;
  private indexed: Promise<void> = Promise.resolve();
  private indexController = new AbortController();

  /** The configuration error shown last: the same one is not shown again on every file event. */
  private shownError: string | undefined;

  constructor(
    readonly project: Project,
    private readonly hooks: ProjectHooks,
  ) {
    this.reportError(project.configuration.error);
    this.scheduler = new CheckScheduler((signal) => this.check(signal), {
      debounceMillis: hooks.debounceMillis,
      onCompleted: (completed) => hooks.checkCompleted(this, completed),
      onFailed: (error) => hooks.checkFailed(project, error),
    });
  }

  /** Walks the folder again (a new configuration, or the user asked) and checks once it is done. */
  reindex(): void {
    this.indexController.abort();
    const controller = new AbortController();
    this.indexController = controller;
    this.indexed = (async () => {
      const progress = await this.hooks.progress(this.project, "indexing");
      try {
        await this.project.index(controller.signal, progress.report);
      } finally {
        progress.done();
      }
    })();
    // A superseded walk is aborted on purpose; its successor reports for it.
    this.indexed.catch(() => undefined);
    this.scheduler.invalidate({ immediately: true });
  }

  private async check(signal: AbortSignal): Promise<CheckedProject> {
    await this.indexed;
    signal.throwIfAborted();
    const open = this.hooks.openVersions();
    const versions = new Map([...open].filter(([file]) => this.project.hasEditorText(file)));
    this.hooks.checkStarted(this.project);
    const check = await this.project.check(signal, () => this.hooks.progress(this.project, "parsing"));
    const findingsByFile = new Map<string, Finding[]>();
    for (const finding of check.result.findings) {
      const list = findingsByFile.get(finding.file);
      if (list === undefined) findingsByFile.set(finding.file, [finding]);
      else list.push(finding);
    }
    return { ...check, versions, findingsByFile, diagnostics: diagnosticsByFile(check.result.findings, check.result.problems) };
  }

  /** Takes a new configuration; when it differs, the index and every result are redone. */
  configure(resolved: ResolvedConfig): void {
    this.reportError(resolved.error);
    const before = this.project.configuration;
    const same = JSON.stringify([before.config, before.file, before.patternBase]) === JSON.stringify([resolved.config, resolved.file, resolved.patternBase]);
    if (same) return;
    this.project.reconfigure(resolved);
    this.reindex();
  }

  private reportError(error: string | undefined): void {
    if (error !== undefined && error !== this.shownError) this.hooks.configurationError(this.project, error);
    this.shownError = error;
  }

  dispose(): void {
    this.indexController.abort();
    this.scheduler.dispose();
  }
}

export class Workspace {
  private readonly folders = new Map<string, ProjectState>();
  /**
   * Files opened outside every folder, checked together per configuration file that applies to
   * them (the nearest vmbguard.json above each; "" for none).
   */
  private readonly loose = new Map<string, Promise<ProjectState>>();
  private readonly looseStates = new Map<string, { state: ProjectState; base: string }>();

  constructor(
    private readonly hooks: ProjectHooks,
    private settingsFor: (root: string | undefined) => Promise<EditorSettings>,
  ) {}

  async addFolder(root: string): Promise<void> {
    if (this.folders.has(root)) return;
    const state = new ProjectState(new Project(root, await this.resolve(root)), this.hooks);
    this.folders.set(root, state);
    state.reindex();
  }

  removeFolder(root: string): void {
    this.folders.get(root)?.dispose();
    this.folders.delete(root);
  }

  private async resolve(root: string): Promise<ResolvedConfig> {
    return resolveConfig(root, await this.settingsFor(root));
  }

  private folderOf(file: string): ProjectState | undefined {
    let best: ProjectState | undefined;
    for (const state of this.folders.values()) {
      if (state.project.contains(file) && (best === undefined || state.project.root!.length > best.project.root!.length)) best = state;
    }
    return best;
  }

  private looseKey(file: string): string {
    return findConfigFile(path.dirname(file)) ?? "";
  }

  /** The project that checks `file`: the innermost folder holding it, else the loose project of its configuration. */
  async projectOf(file: string): Promise<ProjectState> {
    const folder = this.folderOf(file);
    if (folder !== undefined) return folder;
    const key = this.looseKey(file);
    let pending = this.loose.get(key);
    // Made once, even when two documents open at the same time.
    if (pending === undefined) {
      const base = path.dirname(file);
      pending = this.resolve(base).then((resolved) => {
        const state = new ProjectState(new Project(undefined, resolved), this.hooks);
        this.looseStates.set(key, { state, base });
        return state;
      });
      this.loose.set(key, pending);
    }
    return pending;
  }

  /** The project of `file` if one exists already (no loose project is made for it). */
  existingProjectOf(file: string): ProjectState | undefined {
    return this.folderOf(file) ?? this.looseStates.get(this.looseKey(file))?.state;
  }

  all(): ProjectState[] {
    return [...this.folders.values(), ...[...this.looseStates.values()].map((each) => each.state)];
  }

  folderStates(): ProjectState[] {
    return [...this.folders.values()];
  }

  /** The settings or a vmbguard.json changed: every project resolves its configuration again. */
  async reconfigure(): Promise<void> {
    for (const [root, state] of this.folders) state.configure(await this.resolve(root));
    for (const { state, base } of this.looseStates.values()) state.configure(await this.resolve(base));
  }

  dispose(): void {
    for (const state of this.all()) state.dispose();
  }
}
