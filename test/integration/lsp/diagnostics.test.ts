// Diagnostics over stdio: pushed or pulled, updated on edits, across files, with the path and the rule's docs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import type { DocumentDiagnosticReport, WorkspaceDiagnosticReport } from "vscode-languageserver-protocol/node";
import { copyFixtures, LspSession, relativeFiles, ruleLines, uriOf } from "./lspSession";

const ruleDocs = "https://github.com/vmbguard/vmbguard/blob/main/docs/rules.md";

test("push: an opened file gets its findings with code, docs link, source and the path as related information", async () => {
  const tree = copyFixtures(["packet-leak-error-path"]);
  const session = await LspSession.start({ root: tree.root });
  try {
    const bad = path.join(tree.root, "packet-leak-error-path", "bad.c");
    const uri = session.open(bad);
    const published = await session.currentDiagnostics(uri);
    assert.deepEqual(ruleLines(published.diagnostics), [["leak", 29]]);
    const [diagnostic] = published.diagnostics;
    assert.equal(diagnostic.source, "vmbguard");
    assert.equal(diagnostic.severity, 1);
    assert.deepEqual(diagnostic.codeDescription, { href: `${ruleDocs}#leak` });
    assert.deepEqual(diagnostic.range, { start: { line: 28, character: 8 }, end: { line: 28, character: 40 } });
    assert.deepEqual(
      diagnostic.relatedInformation?.map((info) => [info.location.uri, info.location.range.start.line + 1, info.message]),
      [
        [uri, 23, "packet acquired here by 'VmbPacketAllocate'"],
        [uri, 24, "taken: 'packet == NULL' is false"],
        [uri, 28, "taken: 'MessageSize > Context->MaxMessageSize' is true"],
        [uri, 29, "leaked here"],
      ],
    );
  } finally {
    await session.close();
    tree.cleanup();
  }
});

test("push: an edit that frees the packet clears the finding, and undoing it brings it back", async () => {
  const tree = copyFixtures(["packet-leak-error-path"]);
  const session = await LspSession.start({ root: tree.root });
  try {
    const folder = path.join(tree.root, "packet-leak-error-path");
    const uri = session.open(path.join(folder, "bad.c"));
    assert.deepEqual(ruleLines((await session.currentDiagnostics(uri)).diagnostics), [["leak", 29]]);
    session.change(uri, readFileSync(path.join(folder, "good.c"), "utf8"));
    assert.deepEqual(ruleLines((await session.currentDiagnostics(uri)).diagnostics), []);
    // Three lines pushed down: the finding moves with them.
    session.insert(uri, 0, 0, "/* one */\n/* two */\n/* three */\n");
    assert.deepEqual(ruleLines((await session.currentDiagnostics(uri)).diagnostics), []);
    session.change(uri, readFileSync(path.join(folder, "bad.c"), "utf8"));
    assert.deepEqual(ruleLines((await session.currentDiagnostics(uri)).diagnostics), [["leak", 29]]);
  } finally {
    await session.close();
    tree.cleanup();
  }
});

test("pull: textDocument/diagnostic answers with the findings of the current text, unchanged when nothing changed", async () => {
  const tree = copyFixtures(["double-free"]);
  const session = await LspSession.start({ root: tree.root, pull: true });
  try {
    const uri = session.open(path.join(tree.root, "double-free", "bad.c"));
    const first = (await session.connection.sendRequest("textDocument/diagnostic", { textDocument: { uri } })) as DocumentDiagnosticReport;
    assert.equal(first.kind, "full");
    assert.ok(first.kind === "full");
    assert.deepEqual(ruleLines(first.items), [["double-free", 42]]);
    assert.deepEqual(first.items[0].relatedInformation?.map((info) => info.location.range.start.line + 1), [24, 25, 31, 32, 42]);
    const again = (await session.connection.sendRequest("textDocument/diagnostic", { textDocument: { uri }, previousResultId: first.resultId })) as DocumentDiagnosticReport;
    assert.deepEqual(again, { kind: "unchanged", resultId: first.resultId });
    // The second free removed: the next pull sees the edit.
    session.change(uri, readFileSync(path.join(tree.root, "double-free", "good.c"), "utf8"));
    const edited = (await session.connection.sendRequest("textDocument/diagnostic", { textDocument: { uri }, previousResultId: first.resultId })) as DocumentDiagnosticReport;
    assert.ok(edited.kind === "full");
    assert.deepEqual(ruleLines(edited.items), []);
    assert.equal(session.published.length, 0, "a pull client gets no pushed diagnostics");
  } finally {
    await session.close();
    tree.cleanup();
  }
});

test("pull: workspace/diagnostic reports every file of the folder, including files never opened", async () => {
  const tree = copyFixtures(["packet-leak-error-path", "double-free"]);
  const session = await LspSession.start({ root: tree.root, pull: true });
  try {
    const report = (await session.connection.sendRequest("workspace/diagnostic", { previousResultIds: [] })) as WorkspaceDiagnosticReport;
    assert.deepEqual(relativeFiles(report, tree.root), [
      ["double-free/bad.c", [["double-free", 42]]],
      ["double-free/good.c", []],
      ["packet-leak-error-path/bad.c", [["leak", 29]]],
      ["packet-leak-error-path/good.c", []],
    ]);
  } finally {
    await session.close();
    tree.cleanup();
  }
});

test("cross-file: editing a wrapper in another file re-checks its callers", async () => {
  // Only the buggy twin: the good one defines the same helper, and one program has one definition.
  const tree = copyFixtures(["cross-file-helper/bad"]);
  const session = await LspSession.start({ root: tree.root });
  try {
    const folder = path.join(tree.root, "cross-file-helper", "bad");
    const transmit = session.open(path.join(folder, "transmit.c"));
    assert.deepEqual(ruleLines((await session.currentDiagnostics(transmit)).diagnostics), [["double-free", 28]]);
    const txpoolFile = path.join(folder, "txpool.c");
    const txpool = session.open(txpoolFile);
    await session.currentDiagnostics(txpool);
    const seen = session.published.length;
    // The helper no longer frees: the caller's second free is now the only one, and its error path leaks.
    session.change(txpool, readFileSync(txpoolFile, "utf8").replace("    VmbPacketFree(Packet);\n", ""));
    const updated = await session.waitForDiagnostics(transmit, (params) => session.published.indexOf(params) >= seen);
    assert.deepEqual(ruleLines(updated.diagnostics), [["leak", 21]]);
  } finally {
    await session.close();
    tree.cleanup();
  }
});

test("configuration: settings apply without restart, and vmbguard.json wins over them", async () => {
  const tree = copyFixtures(["packet-leak-error-path"]);
  let settings: Record<string, unknown> = { rules: {} };
  const session = await LspSession.start({ root: tree.root, settings: () => settings });
  try {
    const uri = session.open(path.join(tree.root, "packet-leak-error-path", "bad.c"));
    assert.deepEqual(ruleLines((await session.currentDiagnostics(uri)).diagnostics), [["leak", 29]]);

    let seen = session.published.length;
    settings = { rules: { "leak": "off" } };
    void session.connection.sendNotification("workspace/didChangeConfiguration", { settings: { vmbguard: settings } });
    assert.deepEqual(ruleLines((await session.waitForDiagnostics(uri, (params) => session.published.indexOf(params) >= seen)).diagnostics), []);

    seen = session.published.length;
    const configFile = path.join(tree.root, "vmbguard.json");
    writeFileSync(configFile, JSON.stringify({ rules: { "leak": "warning" } }));
    void session.connection.sendNotification("workspace/didChangeWatchedFiles", { changes: [{ uri: uriOf(configFile), type: 1 }] });
    const fromFile = await session.waitForDiagnostics(uri, (params) => session.published.indexOf(params) >= seen);
    assert.deepEqual(ruleLines(fromFile.diagnostics), [["leak", 29]]);
    assert.equal(fromFile.diagnostics[0].severity, 2, "the file's 'warning' wins over the settings' 'off'");
  } finally {
    await session.close();
    tree.cleanup();
  }
});

test("configuration: a bad vmbguard.json is shown once, naming the key, and checking goes on with the settings", async () => {
  const tree = copyFixtures(["packet-leak-error-path"]);
  writeFileSync(path.join(tree.root, "vmbguard.json"), JSON.stringify({ rules: { "packet-leek": "off" } }));
  const shown: string[] = [];
  const session = await LspSession.start({ root: tree.root });
  session.connection.onNotification("window/showMessage", (params: { message: string }) => {
    shown.push(params.message);
  });
  try {
    const uri = session.open(path.join(tree.root, "packet-leak-error-path", "bad.c"));
    assert.deepEqual(ruleLines((await session.currentDiagnostics(uri)).diagnostics), [["leak", 29]]);
    // A file event that changes nothing does not repeat the message.
    void session.connection.sendNotification("workspace/didChangeWatchedFiles", { changes: [{ uri: uriOf(path.join(tree.root, "vmbguard.json")), type: 2 }] });
    session.change(uri, readFileSync(path.join(tree.root, "packet-leak-error-path", "good.c"), "utf8"));
    assert.deepEqual(ruleLines((await session.currentDiagnostics(uri)).diagnostics), []);
    assert.deepEqual(shown, [`VmbGuard: ${path.join(tree.root, "vmbguard.json")}: rules.packet-leek: unknown rule id (did you mean "leak"?)`]);
  } finally {
    await session.close();
    tree.cleanup();
  }
});

test("node-ipc: dist/server.js forked as the VS Code extension starts it serves the same diagnostics", async () => {
  const tree = copyFixtures(["packet-leak-error-path"]);
  const session = await LspSession.start({ root: tree.root, transport: "node-ipc" });
  try {
    const uri = session.open(path.join(tree.root, "packet-leak-error-path", "bad.c"));
    assert.deepEqual(ruleLines((await session.currentDiagnostics(uri)).diagnostics), [["leak", 29]]);
  } finally {
    await session.close();
    tree.cleanup();
  }
});

test("a file opened outside every workspace folder is checked on its own, with the vmbguard.json above it", async () => {
  const folder = copyFixtures(["double-free"]);
  const outside = copyFixtures(["packet-leak-error-path"]);
  writeFileSync(path.join(outside.root, "vmbguard.json"), JSON.stringify({ rules: { "leak": "information" } }));
  const session = await LspSession.start({ root: folder.root });
  try {
    const uri = session.open(path.join(outside.root, "packet-leak-error-path", "bad.c"));
    const published = await session.currentDiagnostics(uri);
    assert.deepEqual(ruleLines(published.diagnostics), [["leak", 29]]);
    assert.equal(published.diagnostics[0].severity, 3, "its own vmbguard.json applies");
  } finally {
    await session.close();
    folder.cleanup();
    outside.cleanup();
  }
});

test("a server killed in the middle of a check and started again, as vscode-languageclient restarts it, serves the editor's unsaved text and the folder as before", async () => {
  const tree = copyFixtures(["packet-leak-error-path", "double-free"]);
  const bad = path.join(tree.root, "packet-leak-error-path", "bad.c");
  const first = await LspSession.start({ root: tree.root, transport: "node-ipc" });
  const uri = first.open(bad);
  await first.currentDiagnostics(uri);
  first.insert(uri, 0, 0, "/* unsaved */\n/* edit */\n");
  assert.deepEqual(ruleLines((await first.currentDiagnostics(uri)).diagnostics), [["leak", 31]]);
  // One more edit starts a check; the process dies under it.
  first.insert(uri, 0, 0, "\n");
  const died = new Promise((resolve) => first.child.once("exit", resolve));
  first.child.kill("SIGKILL");
  await died;
  first.connection.dispose();
  // The client starts a new server and opens its documents again with the text it holds, never saved.
  const second = await LspSession.start({ root: tree.root, transport: "node-ipc", pull: true });
  try {
    second.open(bad, `\n/* unsaved */\n/* edit */\n${readFileSync(bad, "utf8")}`);
    const report = (await second.connection.sendRequest("workspace/diagnostic", { previousResultIds: [] })) as WorkspaceDiagnosticReport;
    assert.deepEqual(relativeFiles(report, tree.root), [
      ["double-free/bad.c", [["double-free", 42]]],
      ["double-free/good.c", []],
      ["packet-leak-error-path/bad.c", [["leak", 32]]],
      ["packet-leak-error-path/good.c", []],
    ]);
  } finally {
    await second.close();
    tree.cleanup();
  }
});

test("C++: the kmdf-guard sample's RAII double free and its leaks are published, with the destructor's run in the path", async () => {
  const root = mkdtempSync(path.join(tmpdir(), "vmbguard-lsp-cpp-"));
  cpSync(path.join(__dirname, "../../../../samples/kmdf-guard"), root, { recursive: true });
  const session = await LspSession.start({ root });
  try {
    const send = session.open(path.join(root, "send.cpp"));
    const published = await session.currentDiagnostics(send);
    assert.deepEqual(ruleLines(published.diagnostics), [
      ["leak", 32],
      ["double-free", 47],
    ]);
    const doubleFree = published.diagnostics.find((diagnostic) => diagnostic.code === "double-free");
    assert.deepEqual(
      doubleFree?.relatedInformation?.map((info) => [info.location.range.start.line + 1, info.message]),
      [
        [39, "packet acquired here by 'VmbPacketAllocate'"],
        [40, "taken: 'packet == nullptr' is false"],
        [44, "taken: 'm_pingsEnabled == 0' is true"],
        [45, "released here by 'VmbPacketFree'"],
        [47, "released again here"],
      ],
    );
    const request = session.open(path.join(root, "request.cpp"));
    assert.deepEqual(ruleLines((await session.currentDiagnostics(request)).diagnostics), [["leak", 21]]);
  } finally {
    await session.close();
    rmSync(root, { recursive: true, force: true });
  }
});
