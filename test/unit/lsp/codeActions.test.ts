// How each fix hint becomes an edit, on texts shaped to hit the edge cases: a fall off the end of a
// function, a brace-less `if`, CRLF line ends, tabs, an existing suppression comment.
import { test } from "node:test";
import assert from "node:assert/strict";
import { TextDocument } from "vscode-languageserver-textdocument";
import type { Finding, FixHint } from "../../../server/src/analysis/findings";
import { codeActions, planFix } from "../../../server/src/lsp/codeActions";
import { SourceText } from "../../../server/src/lsp/sourceText";

const file = "/work/driver.c";
const uri = "file:///work/driver.c";

function range(line: number, column: number, endColumn: number) {
  return { start: { line, column }, end: { line, column: endColumn } };
}

function applied(text: string, fix: FixHint, language: "c" | "ts" = "c"): string | undefined {
  const plan = planFix(new SourceText(text, language), fix);
  return plan === undefined ? undefined : TextDocument.applyEdits(TextDocument.create(uri, "c", 1, text), plan.edits);
}

test("falling off the end: the release goes last in the body, one indentation step in", () => {
  const text = ["VOID F(VMBCHANNEL c)", "{", "\tVMBPACKET p = VmbPacketAllocate(c);", "\tif (p == NULL) {", "\t\treturn;", "\t}", "\tUse(p);", "}", ""].join("\n");
  const fixed = applied(text, { kind: "insert-release", file, before: range(7, 0, 1), callText: "VmbPacketFree", handleText: "p" });
  assert.equal(fixed, text.replace("\tUse(p);\n}", "\tUse(p);\n\tVmbPacketFree(p);\n}"));
});

test("CRLF files keep CRLF; a `case` label keeps the release on its line", () => {
  const text = ["switch (k) {", "case 1: return STATUS_SUCCESS;", "}", ""].join("\r\n");
  const fixed = applied(text, { kind: "insert-release", file, before: range(1, 8, 30), callText: "Kmcl->VmbPacketFree", handleText: "ctx->Packet" });
  assert.equal(fixed, ["switch (k) {", "case 1: Kmcl->VmbPacketFree(ctx->Packet); return STATUS_SUCCESS;", "}", ""].join("\r\n"));
  const own = ["{", "    x = 1;", "    return 0;", "}", ""].join("\r\n");
  assert.equal(applied(own, { kind: "insert-release", file, before: range(2, 4, 13), callText: "VmbPacketFree", handleText: "p" }), ["{", "    x = 1;", "    VmbPacketFree(p);", "    return 0;", "}", ""].join("\r\n"));
});

test("an `else` body without braces is wrapped; a comment between does not hide the `else`", () => {
  const text = ["if (a) Free(p);", "else // no packet left", "    return STATUS_RETRY;", ""].join("\n");
  assert.equal(applied(text, { kind: "insert-release", file, before: range(2, 4, 24), callText: "VmbPacketFree", handleText: "p" }), ["if (a) Free(p);", "else // no packet left", "    { VmbPacketFree(p); return STATUS_RETRY; }", ""].join("\n"));
});

test("a second release that is the body of a brace-less `if` is not removed; nulling wraps both", () => {
  const text = ["VmbPacketFree(p);", "if (again)", "    VmbPacketFree(p);", ""].join("\n");
  assert.equal(applied(text, { kind: "remove-statement", file, range: range(2, 4, 20) }), undefined);
  const first = ["if (failed)", "    VmbPacketFree(p);", "VmbPacketFree(p);", ""].join("\n");
  assert.equal(applied(first, { kind: "null-after-release", file, after: range(1, 4, 20), handleText: "p" }), ["if (failed)", "    { VmbPacketFree(p); p = NULL; }", "VmbPacketFree(p);", ""].join("\n"));
});

test("in TypeScript the handle is nulled with null; a release sharing its line keeps the rest", () => {
  const text = ["if (bad) {", "  VmbPacketFree(packet); count++;", "}", ""].join("\n");
  assert.equal(applied(text, { kind: "null-after-release", file: "/work/driver.ts", after: range(1, 2, 23), handleText: "packet" }, "ts"), ["if (bad) {", "  VmbPacketFree(packet); packet = null; count++;", "}", ""].join("\n"));
  assert.equal(applied(text, { kind: "remove-statement", file, range: range(1, 2, 23) }), ["if (bad) {", "  count++;", "}", ""].join("\n"));
});

function finding(ruleId: string, line: number, fixes: FixHint[] = []): Finding {
  return { ruleId, severity: "error", message: ruleId, file, range: range(line, 4, 10), functionName: "F", path: [], fixes, fingerprint: `${ruleId}:${line}` };
}

test("a suppression joins an existing disable-next-line comment above the line", () => {
  const text = ["{", "    // vmbguard-disable-next-line use-after-free", "    return 0;", "}", ""].join("\n");
  const actions = codeActions({ uri, file, text, language: "c", findings: [finding("leak", 2)], range: { start: { line: 2, character: 0 }, end: { line: 2, character: 0 } }, diagnostics: [] });
  assert.deepEqual(actions.map((action) => action.title), ["Suppress 'leak' on this line (// vmbguard-disable-next-line)"]);
  const edited = TextDocument.applyEdits(TextDocument.create(uri, "c", 1, text), actions[0].edit!.changes![uri]);
  assert.equal(edited.split("\n")[1], "    // vmbguard-disable-next-line use-after-free, leak");
});

test("source.fixAll takes only the release-before-exit fixes, never a second release's", () => {
  const text = ["{", "    return 1;", "    VmbPacketFree(p);", "}", ""].join("\n");
  const leak = finding("leak", 1, [{ kind: "insert-release", file, before: range(1, 4, 13), callText: "VmbPacketFree", handleText: "p" }]);
  const twice = finding("double-free", 2, [{ kind: "remove-statement", file, range: range(2, 4, 20) }]);
  const actions = codeActions({ uri, file, text, language: "c", findings: [leak, twice], range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, diagnostics: [], only: ["source.fixAll"] });
  assert.deepEqual(actions.map((action) => [action.title, action.kind]), [["Fix all 1 VmbGuard problems in this file", "source.fixAll.vmbguard"]]);
  assert.deepEqual(actions[0].edit!.changes![uri].map((edit) => edit.newText), ["    VmbPacketFree(p);\n"]);
});
