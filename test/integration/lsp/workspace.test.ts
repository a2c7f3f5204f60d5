// The workspace index over stdio: progress while it is built, .gitignore and exclude respected,
// header edits reaching the files that include them, and VmbGuard's own requests.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import type { WorkspaceDiagnosticReport } from "vscode-languageserver-protocol/node";
import { runCli } from "../cli/cliRun";
import { copyFixtures, LspSession, relativeFiles, ruleLines } from "./lspSession";

test("index: progress is reported, .gitignore'd and excluded files stay out, and a config exclude change applies", async () => {
  const tree = copyFixtures(["packet-leak-error-path"]);
  const leak = readFileSync(path.join(tree.root, "packet-leak-error-path", "bad.c"), "utf8");
  mkdirSync(path.join(tree.root, "build"));
  writeFileSync(path.join(tree.root, "build", "generated.c"), leak);
  writeFileSync(path.join(tree.root, ".gitignore"), "build/\n");
  const progress: unknown[] = [];
  const session = await LspSession.start({ root: tree.root, pull: true });
  session.connection.onNotification("$/progress", (params: { value: { kind: string; title?: string; message?: string } }) => {
    progress.push([params.value.kind, params.value.title ?? params.value.message]);
  });
  try {
    const report = (await session.connection.sendRequest("workspace/diagnostic", { previousResultIds: [] })) as WorkspaceDiagnosticReport;
    assert.deepEqual(relativeFiles(report, tree.root), [
      ["packet-leak-error-path/bad.c", [["leak", 29]]],
      ["packet-leak-error-path/good.c", []],
    ]);
    assert.deepEqual(progress, [["begin", "VmbGuard: indexing"], ["report", "0/2 files"], ["report", "2/2 files"], ["end", undefined]]);

    writeFileSync(path.join(tree.root, "vmbguard.json"), JSON.stringify({ exclude: ["**/bad.c"] }));
    void session.connection.sendNotification("workspace/didChangeWatchedFiles", { changes: [{ uri: new URL(`file://${tree.root}/vmbguard.json`).href, type: 1 }] });
    // The long poll answers once the re-check after the change completes.
    const previousResultIds = report.items.map((item) => ({ uri: item.uri, value: item.resultId! }));
    const after = (await session.connection.sendRequest("workspace/diagnostic", { previousResultIds })) as WorkspaceDiagnosticReport;
    assert.deepEqual(relativeFiles(after, tree.root), [["packet-leak-error-path/good.c", []]]);
  } finally {
    await session.close();
    tree.cleanup();
  }
});

test("header: editing a macro in a header re-checks the file that includes it", async () => {
  const tree = copyFixtures(["header-macros/bad"]);
  const session = await LspSession.start({ root: tree.root });
  try {
    const folder = path.join(tree.root, "header-macros", "bad");
    const send = session.open(path.join(folder, "send.c"));
    assert.deepEqual(ruleLines((await session.currentDiagnostics(send)).diagnostics), [["double-free", 21]]);
    const headerFile = path.join(folder, "nvl.h");
    const header = session.open(headerFile);
    await session.currentDiagnostics(header);
    const seen = session.published.length;
    session.change(header, readFileSync(headerFile, "utf8").replace("VmbPacketFree(_Packet)", "do { VmbPacketFree(_Packet); (_Packet) = NULL; } while (0)"));
    const updated = await session.waitForDiagnostics(send, (params) => session.published.indexOf(params) >= seen);
    assert.deepEqual(ruleLines(updated.diagnostics), []);
  } finally {
    await session.close();
    tree.cleanup();
  }
});

test("vmbguard/checkWorkspace, vmbguard/exportSarif and vmbguard/status", async () => {
  const tree = copyFixtures(["packet-leak-error-path", "double-free"]);
  const session = await LspSession.start({ root: tree.root });
  const statuses: unknown[] = [];
  session.connection.onNotification("vmbguard/status", (params: { state: string; findings: number; files: number }) => {
    statuses.push([params.state, params.findings, params.files]);
  });
  try {
    const counts = await session.connection.sendRequest("vmbguard/checkWorkspace");
    assert.deepEqual({ ...(counts as object), millis: 0 }, { findings: 2, files: 4, millis: 0 });
    assert.deepEqual(statuses.at(-1), ["idle", 2, 4]);
    assert.ok(statuses.some((status) => (status as unknown[])[0] === "checking"));

    const exported = (await session.connection.sendRequest("vmbguard/exportSarif", {})) as { sarif: string; findings: number };
    assert.equal(exported.findings, 2);
    type SarifLog = { version: string; runs: { results: { ruleId: string; partialFingerprints: Record<string, string>; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[] }[] }[] };
    const log = JSON.parse(exported.sarif) as SarifLog;
    assert.equal(log.version, "2.1.0");
    assert.deepEqual(
      log.runs[0].results.map((result) => [result.ruleId, result.locations[0].physicalLocation.artifactLocation.uri, result.locations[0].physicalLocation.region.startLine]),
      [
        ["double-free", "double-free/bad.c", 42],
        ["leak", "packet-leak-error-path/bad.c", 29],
      ],
    );
    // The same fingerprints as CI's log of that folder: an exported log works as a --baseline.
    const ci = JSON.parse(runCli(["check", "--format", "sarif", "--exit-zero", "."], tree.root).stdout) as SarifLog;
    assert.deepEqual(
      log.runs[0].results.map((result) => result.partialFingerprints),
      ci.runs[0].results.map((result) => result.partialFingerprints),
    );
  } finally {
    await session.close();
    tree.cleanup();
  }
});

test("workspace folders added and removed while running are indexed and dropped", async () => {
  const first = copyFixtures(["packet-leak-error-path"]);
  const second = copyFixtures(["double-free"]);
  const session = await LspSession.start({ root: first.root, pull: true });
  try {
    const files = async (): Promise<[string, unknown][]> => {
      const report = (await session.connection.sendRequest("workspace/diagnostic", { previousResultIds: [] })) as WorkspaceDiagnosticReport;
      return report.items
        .map((item): [string, unknown] => [path.basename(path.dirname(new URL(item.uri).pathname)) + "/" + path.basename(new URL(item.uri).pathname), item.kind === "full" ? ruleLines(item.items) : "unchanged"])
        .sort((a, b) => a[0].localeCompare(b[0]));
    };
    assert.deepEqual(await files(), [["packet-leak-error-path/bad.c", [["leak", 29]]], ["packet-leak-error-path/good.c", []]]);
    // Opened while outside every folder, with unsaved text that frees once: the editor's text follows it into the folder.
    session.open(path.join(second.root, "double-free", "bad.c"), readFileSync(path.join(second.root, "double-free", "good.c"), "utf8"));
    const folder = { uri: new URL(`file://${second.root}`).href, name: "second" };
    // Messages are handled in order: the request after the notification sees the new folder.
    void session.connection.sendNotification("workspace/didChangeWorkspaceFolders", { event: { added: [folder], removed: [] } });
    assert.deepEqual(await files(), [
      ["double-free/bad.c", []],
      ["double-free/good.c", []],
      ["packet-leak-error-path/bad.c", [["leak", 29]]],
      ["packet-leak-error-path/good.c", []],
    ]);
    void session.connection.sendNotification("workspace/didChangeWorkspaceFolders", { event: { added: [], removed: [{ uri: new URL(`file://${first.root}`).href, name: "first" }] } });
    assert.deepEqual(await files(), [["double-free/bad.c", []], ["double-free/good.c", []]]);
  } finally {
    await session.close();
    first.cleanup();
    second.cleanup();
  }
});

test("a first check that parses many files reports its progress too", async () => {
  const tree = copyFixtures([]);
  for (let index = 0; index < 60; index++) {
    writeFileSync(path.join(tree.root, `unit${String(index).padStart(2, "0")}.c`), `VOID Free${index}(VMBCHANNEL Channel)\n{\n    VMBPACKET packet = VmbPacketAllocate(Channel);\n    if (packet == NULL) {\n        return;\n    }\n    VmbPacketFree(packet);\n}\n`);
  }
  writeFileSync(path.join(tree.root, "unit59.c"), leakySource);
  const progress: unknown[] = [];
  const session = await LspSession.start({ root: tree.root, pull: true });
  session.connection.onNotification("$/progress", (params: { value: { kind: string; title?: string; message?: string } }) => {
    progress.push([params.value.kind, params.value.title ?? params.value.message]);
  });
  try {
    const report = (await session.connection.sendRequest("workspace/diagnostic", { previousResultIds: [] })) as WorkspaceDiagnosticReport;
    assert.deepEqual(relativeFiles(report, tree.root).filter(([, found]) => (found as unknown[]).length > 0), [["unit59.c", [["leak", 7]]]]);
    assert.deepEqual(progress, [
      ["begin", "VmbGuard: indexing"],
      ["report", "0/60 files"],
      ["report", "50/60 files"],
      ["report", "60/60 files"],
      ["end", undefined],
      ["begin", "VmbGuard: parsing"],
      ["report", "0/60 files"],
      ["report", "20/60 files"],
      ["report", "40/60 files"],
      ["end", undefined],
    ]);
  } finally {
    await session.close();
    tree.cleanup();
  }
});

const leakySource = `NTSTATUS Leaky(VMBCHANNEL Channel, ULONG Flags)
{
    VMBPACKET packet = VmbPacketAllocate(Channel);
    if (packet == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    if (Flags & 1) return STATUS_NOT_SUPPORTED;
    VmbPacketFree(packet);
    return STATUS_SUCCESS;
}
`;
