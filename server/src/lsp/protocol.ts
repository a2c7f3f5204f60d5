// VmbGuard's own messages beside LSP, shared by the server and the VS Code extension. Other
// clients may ignore them: everything they need comes through standard LSP.

/** Server to client: what the server is doing, for a status bar item. */
export const statusNotification = "vmbguard/status";

export interface StatusParams {
  state: "indexing" | "checking" | "idle" | "failed";
  /** Findings in the workspace after the last check (all folders). */
  findings: number;
  /** Files the last check analyzed (all folders). */
  files: number;
  /** For `failed`: why. */
  message?: string;
}

/** Client to server: index every folder again and check it; answers when the checks are done. */
export const checkWorkspaceRequest = "vmbguard/checkWorkspace";

export interface CheckWorkspaceResult {
  findings: number;
  files: number;
  millis: number;
}

/** Client to server: the last check of a folder as a SARIF 2.1.0 log (the CLI's own writer). */
export const exportSarifRequest = "vmbguard/exportSarif";

export interface ExportSarifParams {
  /** The workspace folder; the first one when left out. */
  folderUri?: string;
}

export interface ExportSarifResult {
  /** The SARIF log, as `vmbguard check --format sarif` writes it. */
  sarif: string;
  findings: number;
}
