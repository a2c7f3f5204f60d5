// VmbGuard's own requests (protocol.ts): check the whole workspace now, and export a folder's last
// check as SARIF with the CLI's own writer.
import type { Connection } from "vscode-languageserver/node";
import { formatSarif } from "../cli/sarif";
import { toolVersion } from "../cli/version";
import { checkWorkspaceRequest, exportSarifRequest, type CheckWorkspaceResult, type ExportSarifParams, type ExportSarifResult } from "./protocol";
import { filePath, invalidParams } from "./requestParams";
import type { Workspace } from "./workspace";

export function registerVmbGuardRequests(connection: Connection, workspaceOf: () => Workspace | undefined): void {
  connection.onRequest(checkWorkspaceRequest, async (): Promise<CheckWorkspaceResult> => {
    const started = Date.now();
    const states = workspaceOf()?.all() ?? [];
    for (const state of states) state.reindex();
    const results = await Promise.all(states.map((state) => state.scheduler.current()));
    return {
      findings: results.reduce((sum, completed) => sum + completed.value.result.findings.length, 0),
      files: results.reduce((sum, completed) => sum + completed.value.result.stats.files, 0),
      millis: Date.now() - started,
    };
  });

  connection.onRequest(exportSarifRequest, async (params: ExportSarifParams | undefined): Promise<ExportSarifResult> => {
    const folders = workspaceOf()?.folderStates() ?? [];
    const root = params?.folderUri === undefined ? folders[0]?.project.root : filePath(params.folderUri);
    const state = folders.find((each) => each.project.root === root);
    if (state === undefined || root === undefined) throw invalidParams(params?.folderUri === undefined ? "no workspace folder is open" : `not a workspace folder: ${params.folderUri}`);
    const { value } = await state.scheduler.current();
    const report = {
      findings: value.result.findings,
      problems: value.result.problems,
      stats: value.result.stats,
      belowThreshold: 0,
      inBaseline: 0,
      files: [...value.texts.keys()],
      root,
    };
    return { sarif: formatSarif(report, state.project.configuration.config, toolVersion()), findings: value.result.findings.length };
  });
}
