import { test } from "node:test";
import assert from "node:assert/strict";
import { findCall, lowerC, lowerFunction } from "./lowering";

test("columns count UTF-16 code units after non-ASCII text", async () => {
  const fn = await lowerFunction("/* é 😀 */ void f(VMBPACKET p) { /* ü */ VmbPacketFree(p); }");
  const call = findCall(fn, "VmbPacketFree");
  assert.ok(call !== undefined);
  const column = "/* é 😀 */ void f(VMBPACKET p) { /* ü */ ".length;
  assert.deepEqual(call.range, { start: { line: 0, column }, end: { line: 0, column: column + "VmbPacketFree(p)".length } });
  assert.deepEqual(call.callee.range, { start: { line: 0, column }, end: { line: 0, column: column + "VmbPacketFree".length } });
  assert.deepEqual(call.args[0].range, { start: { line: 0, column: column + 14 }, end: { line: 0, column: column + 15 } });
});

test("blanked annotations leave every range where it was", async () => {
  const fn = await lowerFunction(
    ["_Use_decl_annotations_", "VOID", "Release(_In_ __drv_freesMem(Mem) VMBPACKET Packet)", "{", "    Kmcl->VmbPacketFree(Packet);", "}"].join("\n"),
  );
  const call = findCall(fn, "VmbPacketFree");
  assert.deepEqual(call?.range, { start: { line: 4, column: 4 }, end: { line: 4, column: 31 } });
  assert.deepEqual(fn.params[0].range, { start: { line: 2, column: 33 }, end: { line: 2, column: 49 } });
  assert.deepEqual(fn.nameRange, { start: { line: 2, column: 0 }, end: { line: 2, column: 7 } });
});

test("the implicit return at the end of a function is the closing brace", async () => {
  const fn = await lowerFunction("void f(int x)\n{\n    if (x) {\n        g();\n    }\n}\n");
  const returns = fn.blocks.flatMap((block) => (block.terminator.kind === "return" ? [block.terminator] : []));
  assert.equal(returns.length, 1);
  assert.deepEqual(returns[0].range, { start: { line: 5, column: 0 }, end: { line: 5, column: 1 } });
  assert.equal(returns[0].value, undefined);
});

test("an explicit return covers its statement; branches cover their atomic condition", async () => {
  const fn = await lowerFunction("int f(PVOID p, PVOID q)\n{\n  if (p && q != NULL) return 1;\n  return 0;\n}");
  const branches = fn.blocks.flatMap((block) => (block.terminator.kind === "branch" ? [block.terminator] : []));
  assert.deepEqual(
    branches.map((branch) => branch.range),
    [
      { start: { line: 2, column: 6 }, end: { line: 2, column: 7 } },
      { start: { line: 2, column: 11 }, end: { line: 2, column: 20 } },
    ],
  );
  const returns = fn.blocks.flatMap((block) => (block.terminator.kind === "return" ? [block.terminator] : []));
  assert.deepEqual(
    returns.map((terminator) => terminator.range).sort((left, right) => left.start.line - right.start.line),
    [
      { start: { line: 2, column: 22 }, end: { line: 2, column: 31 } },
      { start: { line: 3, column: 2 }, end: { line: 3, column: 11 } },
    ],
  );
});

test("CRLF line endings and a byte order mark keep lines, columns and #if 0 handling", async () => {
  const file = await lowerC(
    "\uFEFF#if 0\r\nbroken(\r\n#endif\r\nvoid f(VMBPACKET p)\r\n{\r\n    // vmbguard-disable-next-line double-free\r\n    VmbPacketFree(p);\r\n}\r\n",
  );
  assert.deepEqual(file.problems, []);
  const fn = file.functions[0];
  assert.deepEqual(findCall(fn, "VmbPacketFree")?.range, { start: { line: 6, column: 4 }, end: { line: 6, column: 20 } });
  const exit = fn.blocks.find((block) => block.terminator.kind === "return")?.terminator;
  assert.deepEqual(exit?.kind === "return" && exit.range, { start: { line: 7, column: 0 }, end: { line: 7, column: 1 } });
  assert.deepEqual(file.suppressions.map((suppression) => [suppression.line, suppression.range.end.column]), [[6, 45]]);
});
