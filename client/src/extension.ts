// The VS Code extension: starts the bundled language server (dist/server.js) over Node IPC and
// adds the commands and the status bar item; the checking itself is the server's, the same core
// as `vmbguard check` in CI. The vmbus-sim debugger is registered beside it.
import { writeFile } from "node:fs/promises";
import * as path from "node:path";
import * as vscode from "vscode";
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from "vscode-languageclient/node";
import {
  checkWorkspaceRequest,
  exportSarifRequest,
  statusNotification,
  type CheckWorkspaceResult,
  type ExportSarifParams,
  type ExportSarifResult,
  type StatusParams,
} from "../../server/src/lsp/protocol";
import { registerSimulationDebugging } from "./simulationDebugging";
import { StatusItem } from "./statusItem";

const checkedLanguages = ["c", "cpp", "typescript", "javascript"];
let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  registerSimulationDebugging(context);
  const output = vscode.window.createOutputChannel("VmbGuard", { log: true });
  const status = new StatusItem(vscode.workspace.isTrusted);
  const serverModule = context.asAbsolutePath(path.join("dist", "server.js"));
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: { module: serverModule, transport: TransportKind.ipc },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: checkedLanguages.map((language) => ({ scheme: "file", language })),
    outputChannel: output,
    // Pull on every edit, save and focus (the client's defaults pull on open only); the server
    // answers for the newest text and asks for a refresh when an edit elsewhere changes a file.
    diagnosticPullOptions: { onChange: true, onSave: true, onFocus: true },
  };
  client = new LanguageClient("vmbguard", "VmbGuard", serverOptions, clientOptions);
  const languageClient = client;
  context.subscriptions.push(
    output,
    status,
    languageClient.onNotification(statusNotification, (params: StatusParams) => status.show(params)),
    vscode.workspace.onDidGrantWorkspaceTrust(() => status.trusted()),
    vscode.commands.registerCommand("vmbguard.checkWorkspace", async () => {
      const result = await languageClient.sendRequest<CheckWorkspaceResult>(checkWorkspaceRequest);
      void vscode.window.showInformationMessage(`VmbGuard: ${result.findings} problems in ${result.files} files (${result.millis} ms).`);
    }),
    vscode.commands.registerCommand("vmbguard.exportSarif", () => exportSarif(languageClient)),
    vscode.commands.registerCommand("vmbguard.showOutput", () => output.show()),
  );
  await languageClient.start();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}

/** Asks the server for the last check of a folder as SARIF (the CLI's writer) and saves it where the user says. */
async function exportSarif(languageClient: LanguageClient): Promise<void> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length === 0) {
    void vscode.window.showErrorMessage("VmbGuard: open a folder to export its findings.");
    return;
  }
  const folder = folders.length === 1 ? folders[0] : await vscode.window.showWorkspaceFolderPick({ placeHolder: "Folder to export" });
  if (folder === undefined) return;
  const target = await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.joinPath(folder.uri, "vmbguard.sarif"), filters: { SARIF: ["sarif", "json"] } });
  if (target === undefined) return;
  const params: ExportSarifParams = { folderUri: folder.uri.toString() };
  const result = await languageClient.sendRequest<ExportSarifResult>(exportSarifRequest, params);
  await writeFile(target.fsPath, result.sarif);
  void vscode.window.showInformationMessage(`VmbGuard: ${result.findings} findings written to ${target.fsPath}.`);
}
