// The server under abuse: edits faster than it can check, malformed messages, huge lines and a
// long run of random edits. It answers errors where due, never publishes a stale result, and
// keeps serving.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { TextDocument } from "vscode-languageserver-textdocument";
import type { DocumentDiagnosticReport } from "vscode-languageserver-protocol/node";
import { copyFixtures, LspSession, ruleLines, uriOf } from "./lspSession";

const fixture = (name: string): string => readFileSync(path.join(__dirname, "../../../../test/fixtures/c/packet-leak-error-path", name), "utf8");

/** The fixture's function many times over (renamed), so that one check takes a while. */
function manyCopies(source: string, copies: number): string {
  const body = source.slice(source.indexOf("_Use_decl_annotations_"));
  const header = source.slice(0, source.indexOf("_Use_decl_annotations_"));
  return header + Array.from({ length: copies }, (_, index) => body.replace("NvlSendControlMessage", `NvlSendControlMessage${index}`)).join("\n");
}

async function withSession(run: (session: LspSession, root: string) => Promise<void>, options: { pull?: boolean; debounceMillis?: number } = {}): Promise<void> {
  const tree = copyFixtures([]);
  const session = await LspSession.start({ root: tree.root, pull: options.pull, initializationOptions: options.debounceMillis === undefined ? undefined : { debounceMillis: options.debounceMillis } });
  try {
    await run(session, tree.root);
  } finally {
    await session.close();
    tree.cleanup();
  }
}

test("rapid edits: only checked versions are published, in order, each with its own text's findings", async () => {
  await withSession(async (session, root) => {
    // About 4,000 lines: a check takes longer than the 30 ms between two edits.
    const copies = 120;
    const bad = manyCopies(fixture("bad.c"), copies);
    const good = manyCopies(fixture("good.c"), copies);
    const uri = session.open(path.join(root, "driver.c"), good);
    assert.deepEqual(ruleLines((await session.currentDiagnostics(uri)).diagnostics), []);
    const expected = new Map<number, number>([[1, 0]]);
    for (let edit = 0; edit < 40; edit++) {
      const text = edit % 2 === 0 ? bad : good;
      expected.set(session.change(uri, text), text === bad ? copies : 0);
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
    const last = await session.currentDiagnostics(uri);
    assert.equal(last.version, 41);
    const versions = session.published.filter((params) => params.uri === uri).map((params) => params.version!);
    assert.deepEqual(versions, [...versions].sort((a, b) => a - b), "publications never go back to an older version");
    assert.equal(new Set(versions).size, versions.length, "each version is published once");
    for (const params of session.published) {
      const findings = params.diagnostics.map((diagnostic) => diagnostic.code);
      assert.deepEqual(findings, Array(expected.get(params.version!)).fill("leak"), `version ${params.version} carries the findings of its own text`);
    }
    assert.ok(versions.length < 40, `edits that arrived while a check ran made its result stale, so it was dropped (${versions.length} of 40 published)`);
  });
});

test("malformed messages: bad JSON, unknown methods and bad params get errors, and the server keeps serving", async () => {
  await withSession(async (session, root) => {
    const garbage = "{ this is not json";
    session.child.stdin!.write(`Content-Length: ${Buffer.byteLength(garbage)}\r\n\r\n${garbage}`);
    await assert.rejects(session.connection.sendRequest("vmbguard/noSuchMethod", {}), (error: { code?: number }) => error.code === -32601);
    await assert.rejects(session.connection.sendRequest("textDocument/hover", { position: { line: 0, character: 0 } }), (error: { code?: number; message?: string }) => error.code === -32602 && error.message === "textDocument.uri must be a string");
    await assert.rejects(session.connection.sendRequest("textDocument/codeAction", { textDocument: { uri: "untitled:1" }, range: null, context: {} }), (error: { code?: number }) => error.code === -32602);
    await assert.rejects(session.connection.sendRequest("textDocument/codeAction", { textDocument: { uri: uriOf(path.join(root, "bad.c")) }, range: { start: 3 }, context: {} }), (error: { code?: number; message?: string }) => error.code === -32602 && error.message === "range must be an LSP range");
    await assert.rejects(session.connection.sendRequest("textDocument/hover", { textDocument: { uri: uriOf(path.join(root, "bad.c")) }, position: "top" }), (error: { code?: number; message?: string }) => error.code === -32602 && error.message === "position must be an LSP position");
    await assert.rejects(session.connection.sendRequest("vmbguard/exportSarif", { folderUri: uriOf(path.join(root, "elsewhere")) }), (error: { code?: number }) => error.code === -32602);
    // An edit for a document never opened is ignored rather than fatal.
    void session.connection.sendNotification("textDocument/didChange", { textDocument: { uri: uriOf(path.join(root, "ghost.c")), version: 2 }, contentChanges: [{ text: "x" }] });
    const uri = session.open(path.join(root, "bad.c"), fixture("bad.c"));
    assert.deepEqual(ruleLines((await session.currentDiagnostics(uri)).diagnostics), [["leak", 29]]);
    assert.equal(session.child.exitCode, null);
  });
});

test("a document with 1 MB lines is checked, and the finding stays on its line", async () => {
  await withSession(async (session, root) => {
    const hugeComment = `/* ${"x".repeat(1 << 20)} */`;
    const hugeTable = `static const unsigned char Table[] = { ${"0, ".repeat(350_000)}0 };`;
    const text = `${hugeComment}\n${hugeTable}\n${fixture("bad.c")}`;
    const uri = session.open(path.join(root, "huge.c"), text);
    assert.deepEqual(ruleLines((await session.currentDiagnostics(uri)).diagnostics), [["leak", 31]]);
  });
});

/** A small seeded generator (mulberry32): the same edits on every run. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test("10,000 random incremental edits in a row, then the real text: the server follows and reports it", async () => {
  await withSession(async (session, root) => {
    const random = seeded(4);
    const alphabet = ["(", ")", "{", "}", ";", "\n", " ", "/*", "*/", "\"", "'", "#define X", "VmbPacketFree(packet);", "return", "if", "x", "é", "\u0000"];
    const uri = session.open(path.join(root, "random.c"), fixture("bad.c"));
    let document = TextDocument.create(uri, "c", 1, fixture("bad.c"));
    for (let edit = 0; edit < 10_000; edit++) {
      const length = document.getText().length;
      const start = Math.floor(random() * (length + 1));
      const end = Math.min(length, start + (random() < 0.5 ? 0 : Math.floor(random() * 20)));
      const text = random() < 0.7 ? alphabet[Math.floor(random() * alphabet.length)] : "";
      const range = { start: document.positionAt(start), end: document.positionAt(end) };
      document = TextDocument.update(document, [{ range, text }], session.edit(uri, range, text));
    }
    session.change(uri, fixture("bad.c"));
    assert.deepEqual(ruleLines((await session.currentDiagnostics(uri)).diagnostics), [["leak", 29]]);
  });
});

test("pull: a request for a document that changes while it waits answers for the newest text", async () => {
  await withSession(async (session, root) => {
    const uri = session.open(path.join(root, "bad.c"), fixture("bad.c"));
    const pending = session.connection.sendRequest("textDocument/diagnostic", { textDocument: { uri } }) as Promise<DocumentDiagnosticReport>;
    session.change(uri, fixture("good.c"));
    const report = await pending;
    assert.ok(report.kind === "full");
    assert.deepEqual(ruleLines(report.items), []);
    // A long quiet time: the edit surely arrives before the first check starts.
  }, { pull: true, debounceMillis: 500 });
});

test("documents the server cannot check (untitled, not C) get nothing, and closing a file clears its diagnostics", async () => {
  await withSession(async (session, root) => {
    void session.connection.sendNotification("textDocument/didOpen", { textDocument: { uri: "untitled:Untitled-1", languageId: "c", version: 1, text: fixture("bad.c") } });
    const untitled = (await session.connection.sendRequest("textDocument/hover", { textDocument: { uri: "untitled:Untitled-1" }, position: { line: 22, character: 16 } }).catch((error: { code: number }) => error.code)) as number;
    assert.equal(untitled, -32602);
    const notes = session.open(path.join(root, "notes.txt"), "VmbPacketAllocate");
    const uri = session.open(path.join(root, "bad.c"), fixture("bad.c"));
    assert.deepEqual(ruleLines((await session.currentDiagnostics(uri)).diagnostics), [["leak", 29]]);
    assert.deepEqual(session.published.filter((params) => params.uri !== uri).map((params) => params.uri), [], `nothing for ${notes} or the untitled document`);
    const seen = session.published.length;
    void session.connection.sendNotification("textDocument/didClose", { textDocument: { uri } });
    const cleared = await session.waitForDiagnostics(uri, (params) => session.published.indexOf(params) >= seen);
    assert.deepEqual(cleared.diagnostics, []);
  });
});

test("a client that refuses progress, registrations and refreshes still gets its diagnostics", async () => {
  const tree = copyFixtures(["packet-leak-error-path"]);
  const session = await LspSession.start({ root: tree.root, refuse: ["window/workDoneProgress/create", "client/registerCapability", "workspace/diagnostic/refresh"], pull: true });
  try {
    const uri = session.open(path.join(tree.root, "packet-leak-error-path", "bad.c"));
    const report = (await session.connection.sendRequest("textDocument/diagnostic", { textDocument: { uri } })) as DocumentDiagnosticReport;
    assert.ok(report.kind === "full");
    assert.deepEqual(ruleLines(report.items), [["leak", 29]]);
    session.change(uri, fixture("good.c"));
    const after = (await session.connection.sendRequest("textDocument/diagnostic", { textDocument: { uri } })) as DocumentDiagnosticReport;
    assert.ok(after.kind === "full");
    assert.deepEqual(ruleLines(after.items), []);
    assert.equal(session.child.exitCode, null);
    assert.doesNotMatch(session.stderr(), /Error/);
  } finally {
    await session.close();
    tree.cleanup();
  }
});
