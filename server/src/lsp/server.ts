// The language server: LSP requests and notifications in, the core's findings out. Everything
// here translates; the checking itself is the same core call as `vmbguard check`.
import * as path from "node:path";
import {
  CodeActionKind,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  DidChangeWorkspaceFoldersNotification,
  FileChangeType,
  MessageType,
  Position,
  Range,
  ShowMessageNotification,
  TextDocumentSyncKind,
  TextDocuments,
  type Connection,
  type InitializeParams,
  type InitializeResult,
} from "vscode-languageserver/node";
import { TextDocument } from "vscode-languageserver-textdocument";
import { prepareParsers } from "../analysis/check";
import { toolVersion } from "../cli/version";
import { configFileName } from "../config/load";
import { isSupportedSource } from "../frontends";
import type { Completed } from "./checkScheduler";
import { codeActions, fixAllKind } from "./codeActions";
import { fileUri, toRange } from "./diagnostics";
import { hoverAt } from "./hover";
import { statusNotification, type StatusParams } from "./protocol";
import { registerPullDiagnostics } from "./pullDiagnostics";
import { documentOf, filePath, invalidParams } from "./requestParams";
import type { EditorSettings } from "./settings";
import { registerVmbGuardRequests } from "./vmbguardRequests";
import { Workspace, type CheckedProject, type ProjectState } from "./workspace";

/** Options a client may pass in `initializationOptions`. */
interface InitializationOptions {
  /** Quiet time after an edit before a check starts (default 100 ms). */
  debounceMillis?: number;
  /** The `vmbguard` settings, for clients without `workspace/configuration`. */
  settings?: EditorSettings;
}

const defaultDebounceMillis = 100;
const settingsSection = "vmbguard";

export function startServer(connection: Connection): void {
  const documents = new TextDocuments(TextDocument);
  let pullDiagnostics = false;
  let refreshSupport = false;
  let configurationRequests = false;
  let dynamicConfiguration = false;
  let dynamicWatchers = false;
  let pushedSettings: EditorSettings = {};
  let initialFolders: string[] = [];
  let debounceMillis = defaultDebounceMillis;
  let workspace: Workspace | undefined;
  /** The status shown last: every project's last counts. */
  const counts = new Map<ProjectState, { findings: number; files: number }>();

  /** A request to the client failed (refused, or unknown to it): the server goes on without it. */
  const logFailure = (method: string, error: unknown): void => {
    connection.console.warn(`${method} failed: ${error instanceof Error ? error.message : String(error)}`);
  };

  const sendStatus = (state: StatusParams["state"], message?: string): void => {
    // Only the projects still open: a removed folder's counts no longer show.
    const current = (workspace?.all() ?? []).map((state) => counts.get(state)).filter((each) => each !== undefined);
    const totals = current.reduce((sum, each) => ({ findings: sum.findings + each.findings, files: sum.files + each.files }), { findings: 0, files: 0 });
    void connection.sendNotification(statusNotification, { state, ...totals, message } satisfies StatusParams);
  };

  const openVersions = (): Map<string, number> => {
    const versions = new Map<string, number>();
    for (const document of documents.all()) {
      const file = filePath(document.uri);
      if (file !== undefined) versions.set(file, document.version);
    }
    return versions;
  };

  const publish = (state: ProjectState, completed: Completed<CheckedProject>): void => {
    const checked = completed.value;
    for (const document of documents.all()) {
      const file = filePath(document.uri);
      if (file === undefined || workspace?.existingProjectOf(file) !== state) continue;
      // Only the text that was checked gets its diagnostics: a newer version waits for its own check.
      if (checked.versions.get(file) !== document.version) continue;
      void connection.sendDiagnostics({ uri: document.uri, version: document.version, diagnostics: checked.diagnostics.get(file) ?? [] });
    }
  };

  const settingsFor = async (root: string | undefined): Promise<EditorSettings> => {
    if (!configurationRequests) return pushedSettings;
    try {
      const settings = (await connection.workspace.getConfiguration(root === undefined ? { section: settingsSection } : { scopeUri: fileUri(root), section: settingsSection })) as EditorSettings | null;
      return settings ?? {};
    } catch (error) {
      logFailure("workspace/configuration", error);
      return pushedSettings;
    }
  };

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    const capabilities = params.capabilities;
    pullDiagnostics = capabilities.textDocument?.diagnostic !== undefined;
    refreshSupport = capabilities.workspace?.diagnostics?.refreshSupport === true;
    configurationRequests = capabilities.workspace?.configuration === true;
    dynamicConfiguration = capabilities.workspace?.didChangeConfiguration?.dynamicRegistration === true;
    dynamicWatchers = capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
    const options = (params.initializationOptions ?? {}) as InitializationOptions;
    if (typeof options.debounceMillis === "number" && options.debounceMillis >= 0) debounceMillis = options.debounceMillis;
    if (typeof options.settings === "object" && options.settings !== null) pushedSettings = options.settings;
    const folderUris = params.workspaceFolders?.map((folder) => folder.uri) ?? (params.rootUri ? [params.rootUri] : []);
    initialFolders = folderUris.map(filePath).filter((folder): folder is string => folder !== undefined);
    if (folderUris.length === 0 && typeof params.rootPath === "string") initialFolders = [path.resolve(params.rootPath)];
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, fixAllKind] },
        hoverProvider: true,
        ...(pullDiagnostics ? { diagnosticProvider: { identifier: "vmbguard", interFileDependencies: true, workspaceDiagnostics: true } } : {}),
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: "vmbguard", version: toolVersion() },
    };
  });

  connection.onInitialized(async () => {
    // The C grammar compiles while the folders are walked, not after.
    prepareParsers().catch((error: unknown) => logFailure("loading the C parser", error));
    if (dynamicConfiguration) connection.client.register(DidChangeConfigurationNotification.type, { section: settingsSection }).catch((error: unknown) => logFailure("client/registerCapability", error));
    if (dynamicWatchers) {
      connection.client
        .register(DidChangeWatchedFilesNotification.type, {
          watchers: [{ globPattern: `**/${configFileName}` }, { globPattern: "**/*.{c,h,cpp,hpp,ts,tsx,js}" }, { globPattern: "**/.gitignore" }, { globPattern: "**/{*.vcxproj,compile_commands.json}" }],
        })
        .catch((error: unknown) => logFailure("client/registerCapability", error));
    }
    const created = new Workspace(
      {
        debounceMillis,
        openVersions,
        progress: async (project, stage) => {
          if (stage === "indexing") sendStatus("indexing");
          const progress = await connection.window.createWorkDoneProgress().catch((error: unknown) => {
            logFailure("window/workDoneProgress/create", error);
            return undefined;
          });
          if (progress === undefined) return { report: () => undefined, done: () => undefined };
          progress.begin(`VmbGuard: ${stage}`, 0, project.root ?? "", false);
          return {
            report: (done, total) => progress.report(total === 0 ? 100 : Math.floor((done * 100) / total), `${done}/${total} files`),
            done: () => progress.done(),
          };
        },
        checkStarted: () => sendStatus("checking"),
        checkCompleted: (state, completed) => {
          const { result, reuse } = completed.value;
          counts.set(state, { findings: result.findings.length, files: result.stats.files });
          connection.console.log(
            `checked ${state.project.root ?? "files outside the folders"}: ${result.stats.files} files, ${result.findings.length} findings in ${result.stats.millis} ms (${reuse.analyzed} function analyses made, ${reuse.reused} reused)`,
          );
          if (pullDiagnostics) {
            if (refreshSupport) connection.languages.diagnostics.refresh().catch((error: unknown) => logFailure("workspace/diagnostic/refresh", error));
          } else {
            publish(state, completed);
          }
          sendStatus("idle");
        },
        checkFailed: (project, error) => {
          const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
          connection.console.error(`checking ${project.root ?? "files outside the folders"} failed: ${message}`);
          sendStatus("failed", error instanceof Error ? error.message : String(error));
        },
        configurationError: (_project, message) => {
          connection.console.error(message);
          // A notification, not window/showMessageRequest: nothing to answer, so nothing a client can refuse.
          void connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Error, message: `VmbGuard: ${message}` });
        },
      },
      settingsFor,
    );
    for (const folder of initialFolders) await created.addFolder(folder);
    // Only now do documents find their folders (an open before this would land outside them).
    workspace = created;
    // Documents opened before the folders were known go to their projects now.
    for (const document of documents.all()) await documentChanged(document);
  });

  // Handled as a plain notification: the library's own hook refuses clients that never send it.
  connection.onNotification(DidChangeWorkspaceFoldersNotification.type, async ({ event }) => {
    for (const removed of event.removed) {
      const root = filePath(removed.uri);
      if (root !== undefined) workspace?.removeFolder(root);
    }
    for (const added of event.added) {
      const root = filePath(added.uri);
      if (root !== undefined) await workspace?.addFolder(root);
    }
    await rehomeDocuments();
  });

  /** Open documents move to the project that owns them now (a folder was added or removed). */
  const rehomeDocuments = async (): Promise<void> => {
    if (workspace === undefined) return;
    for (const document of documents.all()) {
      const file = filePath(document.uri);
      if (file === undefined || !isSupportedSource(file)) continue;
      const owner = await workspace.projectOf(file);
      for (const state of workspace.all()) {
        if (state === owner || !state.project.hasEditorText(file)) continue;
        state.project.setEditorText(file, undefined);
        state.scheduler.invalidate();
      }
      if (!owner.project.hasEditorText(file)) await documentChanged(document);
    }
  };

  connection.onDidChangeConfiguration(async (change) => {
    const settings = (change.settings as { vmbguard?: unknown } | null | undefined)?.vmbguard;
    if (typeof settings === "object" && settings !== null) pushedSettings = settings as EditorSettings;
    await workspace?.reconfigure();
  });

  connection.onDidChangeWatchedFiles(async (change) => {
    let configurationChanged = false;
    for (const event of change.changes) {
      const file = filePath(event.uri);
      if (file === undefined) continue;
      const name = path.basename(file);
      // The build's files (workspace/buildSettings) change what every file includes and defines, as a configuration would.
      if (name === configFileName || name === ".gitignore" || name === "compile_commands.json" || name.toLowerCase().endsWith(".vcxproj")) {
        configurationChanged = true;
        continue;
      }
      const state = workspace?.existingProjectOf(file);
      if (state === undefined || !isSupportedSource(file)) continue;
      state.project.diskChanged(file, event.type === FileChangeType.Deleted);
      // An open document's text comes from the editor: the disk copy only matters once it closes.
      if (!state.project.hasEditorText(file)) state.scheduler.invalidate();
    }
    if (!configurationChanged || workspace === undefined) return;
    await workspace.reconfigure();
    // A .gitignore or an include/exclude the same config resolves to: walk the folders again anyway.
    for (const state of workspace.folderStates()) state.reindex();
  });

  const documentChanged = async (document: TextDocument): Promise<void> => {
    const file = filePath(document.uri);
    if (file === undefined || workspace === undefined || !isSupportedSource(file)) return;
    const state = await workspace.projectOf(file);
    state.project.setEditorText(file, document.getText());
    state.scheduler.invalidate();
  };

  documents.onDidChangeContent((event) => void documentChanged(event.document));
  documents.onDidClose((event) => {
    const file = filePath(event.document.uri);
    if (file === undefined || workspace === undefined) return;
    const state = workspace.existingProjectOf(file);
    if (state === undefined) return;
    state.project.setEditorText(file, undefined);
    // A closed file keeps no diagnostics in the editor: its disk text is still checked for the others.
    if (!pullDiagnostics) void connection.sendDiagnostics({ uri: event.document.uri, diagnostics: [] });
    state.scheduler.invalidate();
  });
  documents.onDidSave((event) => {
    const file = filePath(event.document.uri);
    if (file !== undefined) workspace?.existingProjectOf(file)?.project.diskChanged(file, false);
  });

  /** The check of the document's current text, or undefined when it is not (yet) a checked source. */
  const checkedFor = async (uri: string, file: string): Promise<{ state: ProjectState; checked: CheckedProject } | undefined> => {
    const state = workspace?.existingProjectOf(file);
    if (state === undefined || !state.project.knows(file)) return undefined;
    const completed = await state.scheduler.current();
    const document = documents.get(uri);
    if (document !== undefined && completed.value.versions.get(file) !== document.version) return undefined;
    return { state, checked: completed.value };
  };

  connection.onCodeAction(async (params) => {
    const { uri, file } = documentOf(params);
    if (!Range.is(params.range)) throw invalidParams("range must be an LSP range");
    const found = await checkedFor(uri, file);
    const text = found?.checked.texts.get(file);
    if (found === undefined || text === undefined) return [];
    return codeActions({
      uri,
      file,
      text,
      language: found.checked.lowered.get(file)?.language ?? "c",
      findings: found.checked.findingsByFile.get(file) ?? [],
      range: params.range,
      diagnostics: params.context?.diagnostics ?? [],
      only: params.context?.only,
    });
  });

  connection.onHover(async (params) => {
    const { uri, file } = documentOf(params);
    if (!Position.is(params.position)) throw invalidParams("position must be an LSP position");
    const found = await checkedFor(uri, file);
    const lowered = found?.checked.lowered.get(file);
    if (found === undefined || lowered === undefined) return null;
    const hover = hoverAt({
      file: lowered,
      files: found.checked.lowered.values(),
      config: found.state.project.configuration.config,
      summaries: found.checked.summaries,
      findings: found.checked.findingsByFile.get(file) ?? [],
      position: { line: params.position.line, column: params.position.character },
      analyzeAgain: found.checked.analyzeAgain,
    });
    if (hover === undefined) return null;
    return { contents: hover.contents, range: toRange(hover.range) };
  });

  registerPullDiagnostics(connection, documents, () => workspace);
  registerVmbGuardRequests(connection, () => workspace);

  connection.onShutdown(() => workspace?.dispose());
  documents.listen(connection);
  connection.listen();
}
