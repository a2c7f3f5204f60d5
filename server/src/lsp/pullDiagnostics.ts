// LSP 3.17 pull diagnostics: a document's diagnostics for its current text, and every file of the
// folders at once (held open until the next check when the client already has the current one).
import { DocumentDiagnosticReportKind, type Connection, type DocumentDiagnosticReport, type TextDocuments, type WorkspaceDocumentDiagnosticReport } from "vscode-languageserver/node";
import type { TextDocument } from "vscode-languageserver-textdocument";
import { fileUri } from "./diagnostics";
import { cancelled, documentOf } from "./requestParams";
import type { Workspace } from "./workspace";

export function registerPullDiagnostics(connection: Connection, documents: TextDocuments<TextDocument>, workspaceOf: () => Workspace | undefined): void {
  connection.languages.diagnostics.on(async (params): Promise<DocumentDiagnosticReport> => {
    const { file } = documentOf(params);
    const state = workspaceOf()?.existingProjectOf(file);
    if (state === undefined || !state.project.knows(file)) return { kind: DocumentDiagnosticReportKind.Full, items: [] };
    const completed = await state.scheduler.current();
    const resultId = String(completed.generation);
    if (params.previousResultId === resultId) return { kind: DocumentDiagnosticReportKind.Unchanged, resultId };
    return { kind: DocumentDiagnosticReportKind.Full, resultId, items: completed.value.diagnostics.get(file) ?? [] };
  });

  connection.languages.diagnostics.onWorkspace(async (params, token) => {
    const workspace = workspaceOf();
    if (workspace === undefined) return { items: [] };
    const previous = new Map((params.previousResultIds ?? []).map((each) => [each.uri, each.value]));
    const states = workspace.all();
    let results = await Promise.all(states.map((state) => state.scheduler.current()));
    // Nothing new since the client's last answer: hold the request until a check completes (a long poll).
    const knownToClient = results.every((completed) => [...completed.value.texts.keys()].every((file) => previous.get(fileUri(file)) === String(completed.generation)));
    if (knownToClient && previous.size > 0) {
      const next = await Promise.race([Promise.race(states.map((state, index) => state.scheduler.next(results[index].generation))), cancelled(token)]);
      if (next === "cancelled") return { items: [] };
      results = await Promise.all(states.map((state) => state.scheduler.current()));
    }
    const items: WorkspaceDocumentDiagnosticReport[] = [];
    for (const completed of results) {
      const resultId = String(completed.generation);
      for (const file of completed.value.texts.keys()) {
        const uri = fileUri(file);
        const version = documents.get(uri)?.version ?? null;
        if (previous.get(uri) === resultId) items.push({ kind: DocumentDiagnosticReportKind.Unchanged, uri, version, resultId });
        else items.push({ kind: DocumentDiagnosticReportKind.Full, uri, version, resultId, items: completed.value.diagnostics.get(file) ?? [] });
      }
    }
    return { items };
  });
}
