// The VS Code extension. Until the language server lands it runs the bundled checker
// (`dist/cli.js check --format json`) over the workspace on save and shows its findings as
// diagnostics; the editor and CI therefore run the very same analysis.
import { execFile } from "node:child_process";
import * as path from "node:path";
import * as vscode from "vscode";

interface JsonPosition {
  line: number;
  column: number;
}

interface JsonFinding {
  ruleId: string;
  severity: "error" | "warning" | "information";
  message: string;
  file: string;
  range: { start: JsonPosition; end: JsonPosition };
  path: { message: string; file: string; range: { start: JsonPosition; end: JsonPosition } }[];
}

const severities: Record<JsonFinding["severity"], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  information: vscode.DiagnosticSeverity.Information,
};

const rulesDoc = "https://github.com/vmbguard/vmbguard/blob/main/docs/rules.md";

export function activate(context: vscode.ExtensionContext): void {
  registerSimulationDebugging(context);
  const diagnostics = vscode.languages.createDiagnosticCollection("vmbguard");
  const output = vscode.window.createOutputChannel("VmbGuard");
  const cli = path.join(context.extensionPath, "dist", "cli.js");
  let running: ReturnType<typeof execFile> | undefined;
  let timer: NodeJS.Timeout | undefined;

  const toRange = (range: JsonFinding["range"]) => new vscode.Range(range.start.line, range.start.column, range.end.line, range.end.column);

  const checkFolder = (folder: vscode.WorkspaceFolder) => {
    running?.kill();
    const started = Date.now();
    running = execFile(process.execPath, [cli, "check", "--format", "json", "--exit-zero", folder.uri.fsPath], { cwd: folder.uri.fsPath, maxBuffer: 256 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (stderr) output.append(stderr);
      if (error && !stdout) {
        if (!error.killed) output.appendLine(`vmbguard check failed: ${error.message}`);
        return;
      }
      const report = JSON.parse(stdout) as { findings: JsonFinding[] };
      const byFile = new Map<string, vscode.Diagnostic[]>();
      for (const finding of report.findings) {
        const file = path.resolve(folder.uri.fsPath, finding.file);
        const diagnostic = new vscode.Diagnostic(toRange(finding.range), finding.message, severities[finding.severity]);
        diagnostic.source = "vmbguard";
        diagnostic.code = { value: finding.ruleId, target: vscode.Uri.parse(`${rulesDoc}#${finding.ruleId}`) };
        diagnostic.relatedInformation = finding.path.map(
          (step) => new vscode.DiagnosticRelatedInformation(new vscode.Location(vscode.Uri.file(path.resolve(folder.uri.fsPath, step.file)), toRange(step.range)), step.message),
        );
        byFile.set(file, [...(byFile.get(file) ?? []), diagnostic]);
      }
      diagnostics.forEach((uri) => {
        if (uri.fsPath.startsWith(folder.uri.fsPath) && !byFile.has(uri.fsPath)) diagnostics.delete(uri);
      });
      for (const [file, list] of byFile) diagnostics.set(vscode.Uri.file(file), list);
      output.appendLine(`checked ${folder.name} in ${Date.now() - started} ms: ${report.findings.length} findings`);
    });
  };

  const checkWorkspace = () => vscode.workspace.workspaceFolders?.forEach(checkFolder);
  const scheduleCheck = (document: vscode.TextDocument) => {
    if (!["c", "cpp", "typescript", "javascript"].includes(document.languageId)) return;
    clearTimeout(timer);
    timer = setTimeout(checkWorkspace, 300);
  };

  context.subscriptions.push(
    diagnostics,
    output,
    vscode.commands.registerCommand("vmbguard.checkWorkspace", checkWorkspace),
    vscode.commands.registerCommand("vmbguard.showOutput", () => output.show()),
    vscode.workspace.onDidSaveTextDocument(scheduleCheck),
    vscode.workspace.onDidOpenTextDocument(scheduleCheck),
    { dispose: () => running?.kill() },
  );
  checkWorkspace();
}

export function deactivate(): void {}

/** The `vmbus-sim` debugger: F5 on a driver program runs it against the simulated VMBus (docs/debugging.md). */
function registerSimulationDebugging(context: vscode.ExtensionContext): void {
  const simulateCurrentFile: vscode.DebugConfiguration = { type: "vmbus-sim", request: "launch", name: "Simulate the current driver program", program: "${file}", cwd: "${workspaceFolder}" };
  const provider: vscode.DebugConfigurationProvider = {
    provideDebugConfigurations: () => [simulateCurrentFile],
    resolveDebugConfiguration: (folder, configuration) => {
      if (!vscode.workspace.isTrusted) {
        void vscode.window.showErrorMessage("VmbGuard runs no workspace code in an untrusted workspace: trust it to simulate a driver program.");
        return undefined;
      }
      const editor = vscode.window.activeTextEditor;
      // F5 with no launch.json: simulate the open TypeScript or JavaScript file.
      if (!configuration.type && !configuration.request && !configuration.name) {
        if (editor === undefined || !["typescript", "javascript"].includes(editor.document.languageId)) return configuration;
        Object.assign(configuration, simulateCurrentFile, { program: editor.document.uri.fsPath, cwd: folder?.uri.fsPath });
      }
      configuration.program ??= editor?.document.uri.fsPath;
      if (!configuration.program) {
        void vscode.window.showErrorMessage('VmbGuard: nothing to simulate: open a driver program or set "program" in launch.json.');
        return undefined;
      }
      return configuration;
    },
  };
  // The extension host's own executable runs the adapter as Node, so no Node install is needed.
  const adapter = path.join(context.extensionPath, "dist", "dap.js");
  context.subscriptions.push(
    vscode.debug.registerDebugConfigurationProvider("vmbus-sim", provider),
    vscode.debug.registerDebugAdapterDescriptorFactory("vmbus-sim", {
      createDebugAdapterDescriptor: () => new vscode.DebugAdapterExecutable(process.execPath, [adapter], { env: { ELECTRON_RUN_AS_NODE: "1" } }),
    }),
  );
}
