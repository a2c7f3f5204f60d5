// The status bar item: what the server is doing (vmbguard/status) and, in an untrusted
// workspace, that only static checking runs.
import * as vscode from "vscode";
import type { StatusParams } from "../../server/src/lsp/protocol";

export class StatusItem implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem("vmbguard.status", vscode.StatusBarAlignment.Left);
  private last: StatusParams = { state: "indexing", findings: 0, files: 0 };

  constructor(private isTrusted: boolean) {
    this.item.name = "VmbGuard";
    this.item.command = "vmbguard.showOutput";
    this.render();
    this.item.show();
  }

  show(status: StatusParams): void {
    this.last = status;
    this.render();
  }

  trusted(): void {
    this.isTrusted = true;
    this.render();
  }

  private render(): void {
    const { state, findings, files, message } = this.last;
    this.item.text = {
      indexing: "$(sync~spin) VmbGuard: indexing…",
      checking: "$(sync~spin) VmbGuard: checking…",
      idle: `$(${findings === 0 ? "check" : "warning"}) VmbGuard: ${findings} ${findings === 1 ? "problem" : "problems"}`,
      failed: "$(error) VmbGuard: check failed",
    }[state];
    const restricted = this.isTrusted ? "" : "\n\nRestricted mode: static checking only (VmbGuard never runs workspace code).";
    const detail = state === "failed" ? `The last check failed: ${message ?? "see the output"}.` : `${findings} problems in ${files} files.`;
    this.item.tooltip = `${detail}${restricted}\nClick for the VmbGuard output.`;
  }

  dispose(): void {
    this.item.dispose();
  }
}
