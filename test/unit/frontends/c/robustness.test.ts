import { test } from "node:test";
import assert from "node:assert/strict";
import { MAX_SOURCE_LENGTH } from "../../../../server/src/frontends/c/index";
import { findCall, lowerC } from "./lowering";

test("a syntax error is a problem; the rest of the file and of the function is still lowered", async () => {
  const file = await lowerC(`
void Broken(VMBPACKET p)
{
  int x = (1 + ;
  VmbPacketFree(p);
}
void Fine(void) { ok(); }
`);
  assert.ok(file.problems.length > 0);
  assert.ok(file.problems.every((problem) => problem.message.startsWith("Syntax error")));
  assert.deepEqual(file.functions.map((fn) => fn.name), ["Broken", "Fine"]);
  assert.ok(findCall(file.functions[0], "VmbPacketFree") !== undefined);
});

test("after a missing closing brace the following functions are still lowered", async () => {
  const file = await lowerC("void f(void) {\n  if (x) {\n  a();\n}\nvoid g(VMBPACKET p) { VmbPacketFree(p); }\nvoid h(void) { c(); }\n");
  assert.ok(file.problems.some((problem) => /missing }/.test(problem.message)));
  assert.deepEqual(file.functions.map((fn) => fn.name), ["f", "g", "h"]);
  const g = file.functions[1];
  assert.ok(findCall(g, "VmbPacketFree") !== undefined);
  assert.equal(findCall(file.functions[0], "VmbPacketFree"), undefined, "g's body is not part of f");
});

test("unbalanced braces, binary data and replacement characters never throw", async () => {
  const inputs = [
    "void f(void) { if (x) { a(); ",
    "}}}} void g(void) { b(); } {{{",
    String.fromCharCode(...Array.from({ length: 4096 }, (_, index) => (index * 7919) % 256)),
    "\uFFFD\uFFFD int \uFFFD f(void) { return \uFFFD; }",
    "",
  ];
  for (const input of inputs) {
    const file = await lowerC(input);
    assert.equal(file.language, "c");
    assert.ok(Array.isArray(file.functions));
  }
});

test("10,000 nested parentheses and ifs are lowered without exhausting the stack", async () => {
  const depth = 10000;
  const parentheses = `void f(void) { x = ${"(".repeat(depth)}1${")".repeat(depth)}; done(); }`;
  const parenthesesFile = await lowerC(parentheses);
  assert.deepEqual(parenthesesFile.problems, [], "parentheses are stripped without recursion");
  const assignment = parenthesesFile.functions[0].blocks[0].instrs[0];
  assert.ok(assignment.kind === "assign" && assignment.value.kind === "const" && assignment.value.value === 1);

  const calls = `void f(void) { x = ${"g(".repeat(depth)}1${")".repeat(depth)}; done(); }`;
  const callsFile = await lowerC(calls);
  assert.equal(callsFile.functions.length, 1);
  assert.ok(callsFile.problems.some((problem) => /nested too deeply/.test(problem.message)));
  assert.ok(findCall(callsFile.functions[0], "done") !== undefined);

  const ifs = `void g(void) { ${"if (a) { ".repeat(depth)}deep();${" }".repeat(depth)} done(); }`;
  const ifsFile = await lowerC(ifs);
  assert.equal(ifsFile.functions.length, 1);
  assert.ok(ifsFile.problems.some((problem) => /nested too deeply/.test(problem.message)));
  assert.ok(findCall(ifsFile.functions[0], "done") !== undefined);

  const conditions = `void h(void) { if (${Array.from({ length: depth }, (_, index) => `c${index}`).join(" && ")}) ok(); }`;
  const conditionsFile = await lowerC(conditions);
  assert.equal(conditionsFile.functions.length, 1);
});

test("long else-if chains and long statement lists are not depth-limited", async () => {
  const chain = `void f(int x) { if (x == 0) a(0);${Array.from({ length: 3000 }, (_, index) => ` else if (x == ${index + 1}) a(${index + 1});`).join("")} }`;
  const file = await lowerC(chain);
  assert.deepEqual(file.problems, []);
  const branches = file.functions[0].blocks.filter((block) => block.terminator.kind === "branch");
  assert.equal(branches.length, 3001);
});

test("a file past the size limit is refused with a problem", async () => {
  const file = await lowerC(" ".repeat(MAX_SOURCE_LENGTH + 1));
  assert.deepEqual(file.functions, []);
  assert.equal(file.problems.length, 1);
  assert.match(file.problems[0].message, /too large/);
});
