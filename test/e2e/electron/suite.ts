// Runs inside VS Code's extension host, started by @vscode/test-electron (../electron.test.ts) with
// the samples folder open and this repository as the extension under development: the extension
// must activate on a C file and publish the sample's findings as diagnostics.
import assert from "node:assert/strict";
import * as path from "node:path";
import * as vscode from "vscode";

async function diagnosticsOf(uri: vscode.Uri, accept: (diagnostics: readonly vscode.Diagnostic[]) => boolean, timeoutMillis = 60_000): Promise<readonly vscode.Diagnostic[]> {
  const deadline = Date.now() + timeoutMillis;
  for (;;) {
    const diagnostics = vscode.languages.getDiagnostics(uri);
    if (accept(diagnostics)) return diagnostics;
    if (Date.now() > deadline) throw new Error(`no matching diagnostics for ${uri.fsPath} within ${timeoutMillis} ms: ${JSON.stringify(diagnostics.map((d) => [d.code, d.range.start.line + 1]))}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

export async function run(): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, "the samples folder is open");
  const send = vscode.Uri.file(path.join(folder.uri.fsPath, "netvsc-lite", "send.c"));
  await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(send));
  const codeOf = (diagnostic: vscode.Diagnostic): string => String(typeof diagnostic.code === "object" ? diagnostic.code.value : diagnostic.code);
  const diagnostics = await diagnosticsOf(send, (found) => found.some((diagnostic) => codeOf(diagnostic) === "leak"));
  assert.deepEqual(
    diagnostics.map((diagnostic) => [codeOf(diagnostic), diagnostic.range.start.line + 1]).sort(),
    [["free-in-flight", 156], ["leak", 125], ["unchecked-allocation", 69]].sort(),
  );
  assert.ok(diagnostics.every((diagnostic) => diagnostic.source === "vmbguard"));
}
