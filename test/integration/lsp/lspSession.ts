// Drives the bundled language server (`dist/cli.js lsp --stdio`) as an editor would: a JSON-RPC
// client over the child's stdin and stdout, recording every diagnostics publication.
import assert from "node:assert/strict";
import { fork, spawn, type ChildProcess } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import {
  createProtocolConnection,
  IPCMessageReader,
  IPCMessageWriter,
  ResponseError,
  StreamMessageReader,
  StreamMessageWriter,
  type ClientCapabilities,
  type Diagnostic,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  type Range,
  type WorkspaceDiagnosticReport,
} from "vscode-languageserver-protocol/node";

export const repoRoot = path.resolve(__dirname, "../../../..");
export const cliPath = path.join(repoRoot, "dist", "cli.js");
export const serverPath = path.join(repoRoot, "dist", "server.js");
export const fixturesRoot = path.join(repoRoot, "test", "fixtures");

export function uriOf(file: string): string {
  return pathToFileURL(file).href;
}

/** A temporary copy of C (or TypeScript) fixture folders: edits and config files never touch the originals. */
export function copyFixtures(names: readonly string[], language: "c" | "ts" = "c"): { root: string; cleanup: () => void } {
  const root = mkdtempSync(path.join(tmpdir(), "vmbguard-lsp-"));
  for (const name of names) cpSync(path.join(fixturesRoot, language, name), path.join(root, name), { recursive: true });
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** What a test reads of a diagnostic: the rule and the one-based line. */
export function ruleLines(diagnostics: readonly Diagnostic[]): [string | number | undefined, number][] {
  return diagnostics.map((diagnostic) => [diagnostic.code, diagnostic.range.start.line + 1]);
}

/** A workspace diagnostic report as [file relative to `root`, its rules and lines, or "unchanged"], by file. */
export function relativeFiles(report: WorkspaceDiagnosticReport, root: string): [string, unknown][] {
  return report.items
    .map((item): [string, unknown] => [path.relative(root, new URL(item.uri).pathname), item.kind === "full" ? ruleLines(item.items) : "unchanged"])
    .sort((a, b) => a[0].localeCompare(b[0]));
}

export interface SessionOptions {
  root: string;
  /** Advertise LSP 3.17 pull diagnostics (textDocument/diagnostic); otherwise the server pushes. */
  pull?: boolean;
  initializationOptions?: Record<string, unknown>;
  /** Answers to workspace/configuration requests; without it the client does not offer them. */
  settings?: () => Record<string, unknown>;
  /** `vmbguard lsp --stdio` (default), or dist/server.js forked over Node IPC as the extension does. */
  transport?: "stdio" | "node-ipc";
  /** Server-to-client requests this client refuses with an error (as some clients do). */
  refuse?: string[];
}

export class LspSession {
  readonly published: PublishDiagnosticsParams[] = [];
  private readonly versions = new Map<string, number>();
  private stderrText = "";
  private readonly waiters: (() => void)[] = [];

  private constructor(
    readonly connection: ProtocolConnection,
    readonly child: ChildProcess,
  ) {
    connection.onNotification("textDocument/publishDiagnostics", (params: PublishDiagnosticsParams) => {
      this.published.push(params);
      for (const waiter of this.waiters.splice(0)) waiter();
    });
    child.stderr!.on("data", (chunk: Buffer) => {
      this.stderrText += chunk.toString();
    });
  }

  static async start(options: SessionOptions): Promise<LspSession> {
    assert.ok(existsSync(cliPath), `${cliPath} is missing: run "npm run build" (npm test does) first`);
    let child: ChildProcess;
    let connection: ProtocolConnection;
    if (options.transport === "node-ipc") {
      // As the VS Code extension starts it: the server bundle forked with an IPC channel.
      assert.ok(existsSync(serverPath), `${serverPath} is missing: run "npm run build" first`);
      child = fork(serverPath, ["--node-ipc"], { stdio: ["pipe", "pipe", "pipe", "ipc"] });
      connection = createProtocolConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
    } else {
      child = spawn(process.execPath, [cliPath, "lsp", "--stdio"], { stdio: ["pipe", "pipe", "pipe"] });
      connection = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    }
    const session = new LspSession(connection, child);
    connection.onRequest("window/workDoneProgress/create", () => null);
    connection.onRequest("client/registerCapability", () => null);
    connection.onRequest("workspace/diagnostic/refresh", () => null);
    connection.onNotification("window/logMessage", () => undefined);
    connection.onNotification("$/progress", () => undefined);
    connection.onNotification("vmbguard/status", () => undefined);
    if (options.settings !== undefined) {
      const settings = options.settings;
      connection.onRequest("workspace/configuration", (params: { items: unknown[] }) => params.items.map(() => settings()));
    }
    for (const method of options.refuse ?? []) {
      connection.onRequest(method, () => new ResponseError(-32601, `${method} is not supported by this client`));
    }
    connection.listen();
    const capabilities: ClientCapabilities = {
      window: { workDoneProgress: true },
      workspace: { configuration: options.settings !== undefined, didChangeWatchedFiles: { dynamicRegistration: true }, diagnostics: { refreshSupport: options.pull === true } },
      textDocument: {
        publishDiagnostics: { relatedInformation: true, versionSupport: true },
        ...(options.pull === true ? { diagnostic: { dynamicRegistration: false, relatedDocumentSupport: false } } : {}),
        codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ["quickfix", "source.fixAll"] } } },
        hover: { contentFormat: ["markdown"] },
      },
    };
    await connection.sendRequest("initialize", {
      processId: process.pid,
      rootUri: uriOf(options.root),
      workspaceFolders: [{ uri: uriOf(options.root), name: path.basename(options.root) }],
      capabilities,
      initializationOptions: { debounceMillis: 20, ...options.initializationOptions },
    });
    await connection.sendNotification("initialized", {});
    return session;
  }

  stderr(): string {
    return this.stderrText;
  }

  open(file: string, text = readFileSync(file, "utf8")): string {
    const uri = uriOf(file);
    this.versions.set(uri, 1);
    const languageId = [".ts", ".tsx", ".js"].includes(path.extname(file)) ? "typescript" : "c";
    void this.connection.sendNotification("textDocument/didOpen", { textDocument: { uri, languageId, version: 1, text } });
    return uri;
  }

  /** Replaces the whole text; returns the new version. */
  change(uri: string, text: string): number {
    const version = (this.versions.get(uri) ?? 0) + 1;
    this.versions.set(uri, version);
    void this.connection.sendNotification("textDocument/didChange", { textDocument: { uri, version }, contentChanges: [{ text }] });
    return version;
  }

  /** Replaces `range` by `text` (an incremental change); returns the new version. */
  edit(uri: string, range: Range, text: string): number {
    const version = (this.versions.get(uri) ?? 0) + 1;
    this.versions.set(uri, version);
    void this.connection.sendNotification("textDocument/didChange", { textDocument: { uri, version }, contentChanges: [{ range, text }] });
    return version;
  }

  /** Inserts `text` at a position; returns the new version. */
  insert(uri: string, line: number, character: number, text: string): number {
    const at = { line, character };
    return this.edit(uri, { start: at, end: at }, text);
  }

  version(uri: string): number {
    return this.versions.get(uri) ?? 0;
  }

  /** The first publication for `uri` (after those already seen) that satisfies `accept`. */
  async waitForDiagnostics(uri: string, accept: (params: PublishDiagnosticsParams) => boolean = () => true, timeoutMillis = 20_000): Promise<PublishDiagnosticsParams> {
    const deadline = Date.now() + timeoutMillis;
    for (;;) {
      const found = this.published.find((params) => params.uri === uri && accept(params));
      if (found !== undefined) return found;
      const left = deadline - Date.now();
      if (left <= 0) assert.fail(`no matching diagnostics for ${uri} within ${timeoutMillis} ms; got ${JSON.stringify(this.published.filter((params) => params.uri === uri).map((params) => [params.version, ruleLines(params.diagnostics)]))}; stderr: ${this.stderrText}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** The publication for the document's current version. */
  currentDiagnostics(uri: string): Promise<PublishDiagnosticsParams> {
    const version = this.version(uri);
    return this.waitForDiagnostics(uri, (params) => params.version === version);
  }

  async close(): Promise<void> {
    const exited = new Promise<void>((resolve) => {
      if (this.child.exitCode !== null) resolve();
      else this.child.once("exit", () => resolve());
    });
    try {
      await this.connection.sendRequest("shutdown");
      void this.connection.sendNotification("exit");
    } catch {
      this.child.kill();
    }
    const timer = setTimeout(() => this.child.kill(), 5000);
    await exited;
    clearTimeout(timer);
    this.connection.dispose();
  }
}
