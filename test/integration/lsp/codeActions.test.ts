// Quick fixes over stdio: each is applied as an editor would, sent back as an edit, and re-checked.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { TextDocument } from "vscode-languageserver-textdocument";
import type { CodeAction, Hover, TextEdit } from "vscode-languageserver-protocol/node";
import { copyFixtures, LspSession, ruleLines } from "./lspSession";

interface OpenDocument {
  uri: string;
  text: string;
}

async function actionsAt(session: LspSession, document: OpenDocument, line: number, only?: string[]): Promise<CodeAction[]> {
  const published = await session.currentDiagnostics(document.uri);
  const range = { start: { line: line - 1, character: 0 }, end: { line: line - 1, character: 0 } };
  const diagnostics = published.diagnostics.filter((diagnostic) => diagnostic.range.start.line === line - 1);
  return (await session.connection.sendRequest("textDocument/codeAction", { textDocument: { uri: document.uri }, range, context: { diagnostics, only } })) as CodeAction[];
}

/** Applies the action's edit to the document, sends the new text and returns it. */
function apply(session: LspSession, document: OpenDocument, action: CodeAction): OpenDocument {
  const edits = action.edit?.changes?.[document.uri] as TextEdit[] | undefined;
  assert.ok(edits !== undefined && edits.length > 0, `'${action.title}' edits the document`);
  const text = TextDocument.applyEdits(TextDocument.create(document.uri, "c", 0, document.text), edits);
  session.change(document.uri, text);
  return { uri: document.uri, text };
}

function linesOf(text: string, from: number, to: number): string[] {
  return text.split("\n").slice(from - 1, to);
}

async function withFixture(names: string[], run: (session: LspSession, root: string) => Promise<void>, language: "c" | "ts" = "c"): Promise<void> {
  const tree = copyFixtures(names, language);
  const session = await LspSession.start({ root: tree.root });
  try {
    await run(session, tree.root);
  } finally {
    await session.close();
    tree.cleanup();
  }
}

function openFile(session: LspSession, file: string, text?: string): OpenDocument {
  if (text !== undefined) writeFileSync(file, text);
  const uri = session.open(file);
  return { uri, text: readFileSync(file, "utf8") };
}

test("leak: 'release before this exit' inserts VmbPacketFree(packet); with the exit's indentation, and the re-check is clean", async () => {
  await withFixture(["packet-leak-error-path"], async (session, root) => {
    const document = openFile(session, path.join(root, "packet-leak-error-path", "bad.c"));
    const actions = await actionsAt(session, document, 29);
    assert.deepEqual(
      actions.map((action) => [action.title, action.kind, action.isPreferred ?? false]),
      [
        ["Release 'packet' before this exit: VmbPacketFree(packet);", "quickfix", true],
        ["Suppress 'leak' on this line (// vmbguard-disable-next-line)", "quickfix", false],
      ],
    );
    assert.deepEqual(ruleLines(actions[0].diagnostics ?? []), [["leak", 29]]);
    const fixed = apply(session, document, actions[0]);
    assert.deepEqual(linesOf(fixed.text, 28, 31), ["    if (MessageSize > Context->MaxMessageSize) {", "        VmbPacketFree(packet);", "        return STATUS_INVALID_PARAMETER; // expect: leak", "    }"]);
    assert.deepEqual(ruleLines((await session.currentDiagnostics(document.uri)).diagnostics), []);
  });
});

test("leak: the suppression comment silences the rule on that line", async () => {
  await withFixture(["packet-leak-error-path"], async (session, root) => {
    const document = openFile(session, path.join(root, "packet-leak-error-path", "bad.c"));
    const actions = await actionsAt(session, document, 29);
    const fixed = apply(session, document, actions[1]);
    assert.deepEqual(linesOf(fixed.text, 29, 30), ["        // vmbguard-disable-next-line leak", "        return STATUS_INVALID_PARAMETER; // expect: leak"]);
    assert.deepEqual(ruleLines((await session.currentDiagnostics(document.uri)).diagnostics), []);
  });
});

test("interface table: the release is spelled through the table the packet came from", async () => {
  await withFixture(["interface-table"], async (session, root) => {
    const document = openFile(session, path.join(root, "interface-table", "bad.c"));
    assert.deepEqual(ruleLines((await session.currentDiagnostics(document.uri)).diagnostics), [["leak", 33], ["double-free", 54]]);
    const leakFix = (await actionsAt(session, document, 33))[0];
    assert.equal(leakFix.title, "Release 'packet' before this exit: Kmcl->VmbPacketFree(packet);");
    let fixed = apply(session, document, leakFix);
    assert.deepEqual(linesOf(fixed.text, 33, 34), ["        Kmcl->VmbPacketFree(packet);", "        return status; // expect: leak"]);
    assert.deepEqual(ruleLines((await session.currentDiagnostics(document.uri)).diagnostics), [["double-free", 55]]);

    const doubleFreeFixes = await actionsAt(session, fixed, 55);
    assert.deepEqual(doubleFreeFixes.map((action) => action.title), [
      "Remove the second release",
      "Set 'packet' to NULL after the first release",
      "Suppress 'double-free' on this line (// vmbguard-disable-next-line)",
    ]);
    fixed = apply(session, fixed, doubleFreeFixes[1]);
    assert.deepEqual(linesOf(fixed.text, 52, 56), ["    if (Verbose) {", "        Iface.VmbPacketFree(packet);", "        packet = NULL;", "    }", "    Kmcl->VmbPacketFree(packet); // expect: double-free"]);
    assert.deepEqual(ruleLines((await session.currentDiagnostics(document.uri)).diagnostics), []);
  });
});

test("double free: removing a second release that only follows the first leaves the file clean", async () => {
  await withFixture([], async (session, root) => {
    const source = ["VOID FreeTwice(VMBCHANNEL Channel)", "{", "    VMBPACKET packet = VmbPacketAllocate(Channel);", "    if (packet == NULL) {", "        return;", "    }", "    VmbPacketFree(packet);", "    VmbPacketFree(packet);", "}", ""].join("\n");
    const document = openFile(session, path.join(root, "twice.c"), source);
    assert.deepEqual(ruleLines((await session.currentDiagnostics(document.uri)).diagnostics), [["double-free", 8]]);
    const [remove] = await actionsAt(session, document, 8);
    assert.equal(remove.title, "Remove the second release");
    const fixed = apply(session, document, remove);
    assert.deepEqual(linesOf(fixed.text, 7, 8), ["    VmbPacketFree(packet);", "}"]);
    assert.deepEqual(ruleLines((await session.currentDiagnostics(document.uri)).diagnostics), []);
  });
});

test("double free: a shared cleanup label needs the handle nulled, not the release removed (which the re-check shows leaks)", async () => {
  await withFixture(["double-free"], async (session, root) => {
    const document = openFile(session, path.join(root, "double-free", "bad.c"));
    const [remove, nullAfter] = await actionsAt(session, document, 42);
    assert.deepEqual([remove.title, nullAfter.title], ["Remove the second release", "Set 'packet' to NULL after the first release"]);
    apply(session, document, remove);
    // The send-failure path reaches Cleanup with the only reference to the packet.
    assert.deepEqual(ruleLines((await session.currentDiagnostics(document.uri)).diagnostics), [["leak", 43]]);

    session.change(document.uri, document.text);
    const fixed = apply(session, document, nullAfter);
    assert.deepEqual(linesOf(fixed.text, 32, 34), ["        VmbPacketFree(packet);", "        packet = NULL;", "        goto Cleanup;"]);
    assert.deepEqual(ruleLines((await session.currentDiagnostics(document.uri)).diagnostics), []);
  });
});

const twoLeaks = `NTSTATUS SendA(VMBCHANNEL Channel, ULONG Flags)
{
    VMBPACKET packet;

    packet = VmbPacketAllocate(Channel);
    if (packet == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    if (Flags & 1)
        return STATUS_NOT_SUPPORTED;
    VmbPacketFree(packet);
    return STATUS_SUCCESS;
}

VOID SendB(VMBCHANNEL Channel, ULONG Flags)
{
\tVMBPACKET packet = VmbPacketAllocate(Channel);
\tif (packet == NULL) return;
\tif (Flags & 2) return;
\tVmbPacketFree(packet);
}
`;

test("fix all: every leak of the file is fixed at once, brace-less exits wrapped in a block, tabs kept", async () => {
  await withFixture([], async (session, root) => {
    const document = openFile(session, path.join(root, "two.c"), twoLeaks);
    assert.deepEqual(ruleLines((await session.currentDiagnostics(document.uri)).diagnostics), [["leak", 10], ["leak", 19]]);
    const actions = await actionsAt(session, document, 10);
    const fixAll = actions.find((action) => action.title === "Fix all 2 'leak' problems in this file");
    assert.ok(fixAll !== undefined, JSON.stringify(actions.map((action) => action.title)));
    const fixed = apply(session, document, fixAll);
    assert.deepEqual(linesOf(fixed.text, 9, 10), ["    if (Flags & 1)", "        { VmbPacketFree(packet); return STATUS_NOT_SUPPORTED; }"]);
    assert.deepEqual(linesOf(fixed.text, 19, 19), ["\tif (Flags & 2) { VmbPacketFree(packet); return; }"]);
    assert.deepEqual(ruleLines((await session.currentDiagnostics(document.uri)).diagnostics), []);

    // source.fixAll (what "fix on save" asks for) finds nothing left to fix.
    const onSave = (await session.connection.sendRequest("textDocument/codeAction", {
      textDocument: { uri: document.uri },
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      context: { diagnostics: [], only: ["source.fixAll"] },
    })) as CodeAction[];
    assert.deepEqual(onSave, []);
  });
});

test("hover on an allocation says what the model makes of it and where its packet ends up on each path", async () => {
  await withFixture(["packet-leak-error-path"], async (session, root) => {
    const document = openFile(session, path.join(root, "packet-leak-error-path", "bad.c"));
    await session.currentDiagnostics(document.uri);
    const hover = (await session.connection.sendRequest("textDocument/hover", { textDocument: { uri: document.uri }, position: { line: 22, character: 16 } })) as Hover;
    const value = (hover.contents as { value: string }).value;
    assert.deepEqual(value.split("\n"), [
      "**VmbPacketAllocate** — VmbGuard model (kmcl)",
      "",
      "Allocates a packet from the channel's lookaside list; returns NULL when none is left.",
      "",
      "- acquires a packet, returned; it may be NULL",
      "- uses the channel in argument 1: an error once it is released",
      "",
      "Where what it acquires ends up, on the paths VmbGuard explored through `NvlSendControlMessage`:",
      "- the acquisition failed: NULL on this path, nothing to release (1 path; taken: 'packet == NULL' is true (line 24))",
      "- **still owned when the function returns at line 29** (1 path; taken: 'packet == NULL' is false (line 24), taken: 'MessageSize > Context->MaxMessageSize' is true (line 28))",
      "- released by 'VmbPacketFree' at line 34 (1 path; taken: 'packet == NULL' is false (line 24), taken: 'MessageSize > Context->MaxMessageSize' is false (line 28), taken: '!NT_SUCCESS(status)' is true (line 33))",
      "- handed over by 'VmbPacketSend' (assuming it succeeds) at line 38 (1 path; …, taken: '!NT_SUCCESS(status)' is false (line 33), assuming 'VmbPacketSend' succeeds (line 38), taken: '!NT_SUCCESS(status)' is false (line 39))",
      "- released by 'VmbPacketFree' at line 40 (1 path; …, taken: '!NT_SUCCESS(status)' is false (line 33), assuming 'VmbPacketSend' fails (line 38), taken: '!NT_SUCCESS(status)' is true (line 39))",
      "",
      "- `leak` at line 29: The packet 'packet' from VmbPacketAllocate (line 23) is leaked when the function returns without VmbPacketFree: it is still owned on this path.",
    ]);
    assert.deepEqual(hover.range, { start: { line: 22, character: 13 }, end: { line: 22, character: 30 } });
    const release = (await session.connection.sendRequest("textDocument/hover", { textDocument: { uri: document.uri }, position: { line: 33, character: 10 } })) as Hover;
    assert.deepEqual((release.contents as { value: string }).value.split("\n").slice(0, 5), [
      "**VmbPacketFree** — VmbGuard model (kmcl)",
      "",
      "Frees a packet that was never sent, or whose completion routine was replaced.",
      "",
      "- releases the packet in argument 1",
    ]);
    const nothing = await session.connection.sendRequest("textDocument/hover", { textDocument: { uri: document.uri }, position: { line: 0, character: 0 } });
    assert.equal(nothing, null);
  });
});

test("TypeScript: the leak of early-return/bad.ts is fixed the same way", async () => {
  await withFixture(["early-return"], async (session, root) => {
    const document = openFile(session, path.join(root, "early-return", "bad.ts"));
    assert.deepEqual(ruleLines((await session.currentDiagnostics(document.uri)).diagnostics), [["leak", 36]]);
    const [release] = await actionsAt(session, document, 36);
    assert.equal(release.title, "Release 'packet' before this exit: VmbPacketFree(packet);");
    const fixed = apply(session, document, release);
    assert.deepEqual(linesOf(fixed.text, 35, 37), ["    ctx.rejectedRequests += 1;", "    VmbPacketFree(packet);", "    return STATUS_BUFFER_TOO_SMALL; // expect: leak"]);
    assert.deepEqual(ruleLines((await session.currentDiagnostics(document.uri)).diagnostics), []);
  }, "ts");
});

test("hover on a call of a user wrapper shows the summary the check applied there", async () => {
  await withFixture(["cross-file-helper/bad"], async (session, root) => {
    const document = openFile(session, path.join(root, "cross-file-helper", "bad", "transmit.c"));
    assert.deepEqual(ruleLines((await session.currentDiagnostics(document.uri)).diagnostics), [["double-free", 28]]);
    const hover = (await session.connection.sendRequest("textDocument/hover", { textDocument: { uri: document.uri }, position: { line: 26, character: 12 } })) as Hover;
    const lines = (hover.contents as { value: string }).value.split("\n");
    assert.deepEqual(lines, [
      "**NvlRecycleTxPacket** — VmbGuard model (summary of NvlRecycleTxPacket)",
      "",
      `Summarized from its body (${path.join(root, "cross-file-helper", "bad", "txpool.c")}:5).`,
      "",
      "- uses the handle in argument 1: an error once it is released",
      "- releases the packet in argument 2",
      "",
      "What it releases, on the paths VmbGuard explored through `NvlTransmit`:",
      "- packet acquired by 'VmbPacketAllocate' (line 13) (1 path)",
      "",
      "- The release here comes first on the path of `double-free` at line 28.",
    ]);
  });
});
