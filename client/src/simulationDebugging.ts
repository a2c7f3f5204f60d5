// The `vmbus-sim` debugger: F5 on a driver program runs it against the simulated VMBus (docs/debugging.md).
import * as path from "node:path";
import * as vscode from "vscode";

export function registerSimulationDebugging(context: vscode.ExtensionContext): void {
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
