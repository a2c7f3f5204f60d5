import { test } from "node:test";
import assert from "node:assert/strict";
import { branchConditions, exprText, pathsOf, reachableBlocks, successors } from "../cfg-text";
import { branchesOf, lowerFunction, loopHeaders, terminatorsOf } from "./lowering";

test("if / else if / else: one branch per condition, every path returns", async () => {
  const fn = await lowerFunction(`
int f(int a) {
  if (a == 1) { g(1); } else if (a == 2) { g(2); } else { g(3); }
  return a;
}`);
  assert.deepEqual(branchConditions(fn), ["(a == 1)", "(a == 2)"]);
  assert.deepEqual(pathsOf(fn), [
    ["[(a == 1)]", "g(1)", "return a"],
    ["![(a == 1)]", "[(a == 2)]", "g(2)", "return a"],
    ["![(a == 1)]", "![(a == 2)]", "g(3)", "return a"],
  ]);
});

test("&&, || and ! over a logical operand become atomic branches", async () => {
  const fn = await lowerFunction(`
void f(PVOID p, PVOID q, int c) {
  if (p && (q || !c)) { use(p); }
  if (!(p && q)) { fail(); }
}`);
  assert.deepEqual(branchConditions(fn), ["p", "q", "!c", "p", "q"]);
  const paths = pathsOf(fn).map((path) => path.join(" ; "));
  assert.ok(paths.includes("[p] ; ![q] ; ![!c] ; [p] ; [q] ; return"), "p, not q, c: no use; p && q: no fail");
  assert.ok(paths.includes("![p] ; ![p] ; fail() ; return"), "!p: fail (De Morgan)");
  assert.ok(paths.includes("[p] ; [q] ; use(p) ; [p] ; ![q] ; fail() ; return"));
});

test("?: in a condition is lowered to branches, in a value it stays an expression", async () => {
  const fn = await lowerFunction(`
void f(int c, PVOID p, PVOID q) {
  if (c ? p : q) { use(p); }
  x = c ? p : q;
}`);
  assert.deepEqual(branchConditions(fn), ["c", "p", "q"]);
  assert.ok(reachableBlocks(fn).some((block) => block.instrs.some((instr) => instr.kind === "assign" && exprText(instr.value) === "(c ? p : q)")));
});

test("an assignment inside a condition stays in the atomic test", async () => {
  const fn = await lowerFunction(`
void f(VMBCHANNEL c) {
  VMBPACKET p;
  if ((p = VmbPacketAllocate(c)) == NULL) return;
  VmbPacketFree(p);
}`);
  assert.deepEqual(branchConditions(fn), ["((p = VmbPacketAllocate(c)) == null)"]);
});

test("while: the header is a loop header with a back edge; break and continue", async () => {
  const fn = await lowerFunction(`
void f(int n) {
  while (n > 0) {
    if (n == 5) break;
    if (n == 7) { n--; continue; }
    n--;
  }
  done();
}`);
  const headers = loopHeaders(fn);
  assert.equal(headers.length, 1);
  const header = headers[0];
  assert.equal(header.terminator.kind, "branch");
  const backEdges = fn.blocks.filter((block) => block.id !== header.id && successors(block.terminator).includes(header.id));
  assert.equal(backEdges.length, 3, "entry, continue and the end of the body reach the header");
  const exits = pathsOf(fn).filter((path) => path.at(-1) !== "(loop)");
  assert.equal(exits.length, 2, "leaving by the condition or by break");
  assert.ok(exits.every((path) => path.at(-2) === "done()"));
});

test("constant loop conditions produce no branch", async () => {
  const fn = await lowerFunction(`
void f(void) {
  while (1) { if (stop()) break; }
  for (;;) { if (stop()) break; }
}`);
  assert.deepEqual(branchConditions(fn), ["stop()", "stop()"]);
  assert.equal(loopHeaders(fn).length, 2);
});

test("for: initializer once, condition at the header, update on continue and at the end of the body", async () => {
  const fn = await lowerFunction(`
void f(void) {
  for (int i = 0; i < 4; i++) {
    if (skip(i)) continue;
    work(i);
  }
}`);
  assert.equal(loopHeaders(fn).length, 1);
  const paths = pathsOf(fn).map((path) => path.join(" ; "));
  assert.ok(paths.includes("i = 0 ; [(i < 4)] ; [skip(i)] ; i = (i + 1) ; (loop)"), paths.join("\n"));
  assert.ok(paths.includes("i = 0 ; [(i < 4)] ; ![skip(i)] ; work(i) ; i = (i + 1) ; (loop)"));
  assert.ok(paths.includes("i = 0 ; ![(i < 4)] ; scope-end i ; return"));
});

test("do { ... break; } while (0) is not a loop; do { } while (x) is", async () => {
  const once = await lowerFunction(`
int f(VMBCHANNEL c) {
  VMBPACKET p = NULL;
  do {
    p = VmbPacketAllocate(c);
    if (p == NULL) break;
    send(p);
  } while (0);
  return 0;
}`);
  assert.equal(loopHeaders(once).length, 0);
  assert.deepEqual(pathsOf(once).map((path) => path.join(" ; ")), [
    "p = null ; p = VmbPacketAllocate(c) ; [(p == null)] ; return 0",
    "p = null ; p = VmbPacketAllocate(c) ; ![(p == null)] ; send(p) ; return 0",
  ]);
  const loop = await lowerFunction("void g(int x) { do { x = step(x); } while (x); }");
  assert.equal(loopHeaders(loop).length, 1);
  assert.equal(branchesOf(loop).length, 1);
});

test("switch: a chain of == tests, fall-through between cases, default and break", async () => {
  const fn = await lowerFunction(`
void f(int mode) {
  switch (mode) {
  case 1:
    one();
  case 2:
    two();
    break;
  default:
    other();
  }
  after();
}`);
  assert.deepEqual(branchConditions(fn), ["(mode == 1)", "(mode == 2)"]);
  const caseOne = fn.blocks.find((block) => block.label === "case 1");
  const caseTwo = fn.blocks.find((block) => block.label === "case 2");
  assert.ok(caseOne !== undefined && caseTwo !== undefined);
  assert.deepEqual(caseOne.terminator, { kind: "goto", target: caseTwo.id }, "case 1 falls through into case 2");
  assert.deepEqual(pathsOf(fn).map((path) => path.join(" ; ")), [
    "[(mode == 1)] ; one() ; two() ; after() ; return",
    "![(mode == 1)] ; [(mode == 2)] ; two() ; after() ; return",
    "![(mode == 1)] ; ![(mode == 2)] ; other() ; after() ; return",
  ]);
});

test("a switch on a call evaluates it once into a temporary", async () => {
  const fn = await lowerFunction("void f(void) { switch (next()) { case 1: a(); break; case 2: b(); break; } }");
  const conds = branchConditions(fn);
  assert.deepEqual(conds, ["(#switch0 == 1)", "(#switch0 == 2)"]);
  assert.ok(pathsOf(fn).every((path) => path[0] === "#switch0 = next()"));
  assert.ok(pathsOf(fn).some((path) => path.join(" ; ") === "#switch0 = next() ; ![(#switch0 == 1)] ; ![(#switch0 == 2)] ; return"));
});

test("goto reaches its label forward and backward", async () => {
  const fn = await lowerFunction(`
NTSTATUS f(VMBCHANNEL c) {
  VMBPACKET p;
  NTSTATUS status = 0;
retry:
  p = VmbPacketAllocate(c);
  if (p == NULL) goto retry;
  status = VmbPacketSend(p, 0, 0, NULL, 0);
  if (!NT_SUCCESS(status)) {
    VmbPacketFree(p);
    goto cleanup;
  }
  log();
cleanup:
  return status;
}`);
  assert.equal(terminatorsOf(fn, "return").length, 1, "the cleanup label holds the only return");
  assert.equal(loopHeaders(fn).length, 1, "the backward goto to retry makes a loop");
  const retry = fn.blocks.find((block) => block.instrs.some((instr) => instr.kind === "assign" && exprText(instr.value) === "VmbPacketAllocate(c)"));
  assert.ok(retry !== undefined);
  assert.equal(retry.loopHeader, true);
  const nullCheck = fn.blocks.find((block) => block.terminator.kind === "branch" && exprText(block.terminator.cond) === "(p == null)");
  assert.ok(nullCheck !== undefined && nullCheck.terminator.kind === "branch");
  assert.equal(nullCheck.id, retry.id, "the test ends the block that allocates");
  assert.equal((fn.blocks[nullCheck.terminator.then].terminator as { target?: number }).target ?? nullCheck.terminator.then, retry.id);
  const paths = pathsOf(fn).map((path) => path.join(" ; "));
  assert.ok(paths.some((path) => path.includes("VmbPacketFree(p) ; return status")), "the failure path reaches cleanup");
  assert.ok(paths.some((path) => path.includes("log() ; return status")));
});

test("scope-end lists a nested block's variables at its closing brace, not at the function's end", async () => {
  const fn = await lowerFunction(`
void f(VMBCHANNEL c) {
  int outer = 0;
  {
    VMBPACKET p = VmbPacketAllocate(c);
    int n;
    use(p);
  }
  done(outer);
}`);
  const scopeEnds = fn.blocks.flatMap((block) => block.instrs).filter((instr) => instr.kind === "scope-end");
  assert.equal(scopeEnds.length, 1);
  assert.deepEqual(scopeEnds[0].kind === "scope-end" && scopeEnds[0].names, ["p", "n"]);
  assert.deepEqual(scopeEnds[0].range, { start: { line: 7, column: 2 }, end: { line: 7, column: 3 } });
});

test("a break out of a block ends the scopes it leaves", async () => {
  const fn = await lowerFunction(`
void f(VMBCHANNEL c) {
  while (more()) {
    VMBPACKET p = VmbPacketAllocate(c);
    if (p == NULL) break;
    VmbPacketFree(p);
  }
}`);
  const paths = pathsOf(fn).map((path) => path.join(" ; "));
  assert.ok(paths.includes("[more()] ; p = VmbPacketAllocate(c) ; [(p == null)] ; scope-end p ; return"), paths.join("\n"));
});

test("#if groups in a body are alternative branches named after their condition", async () => {
  const fn = await lowerFunction(`
void f(void) {
#ifdef DBG
  trace(1);
#endif
  work();
#if defined(DBG)
  trace(2);
#elif LEVEL > 2
  trace(3);
#else
  trace(4);
#endif
#ifndef DBG
  quiet();
#endif
}`);
  assert.deepEqual(branchConditions(fn), ["#if defined(DBG)", "#if defined(DBG)", "#if LEVEL > 2", "!#if defined(DBG)"]);
  const paths = pathsOf(fn).map((path) => path.filter((line) => !line.startsWith("!") && !line.startsWith("[")).join(" ; "));
  assert.ok(paths.includes("trace(1) ; work() ; trace(2) ; return"));
  assert.ok(paths.includes("work() ; trace(3) ; quiet() ; return"));
  assert.ok(paths.includes("work() ; trace(4) ; quiet() ; return"));
  assert.ok(paths.every((path) => !(path.includes("trace(2)") && path.includes("trace(3)"))), "never two alternatives at once");
});

test("continue inside a switch inside a loop goes to the loop; break leaves only the switch", async () => {
  const fn = await lowerFunction(`
void f(void) {
  while (more()) {
    switch (kind()) {
    case 1:
      continue;
    default:
      break;
    }
    after();
  }
}`);
  const paths = pathsOf(fn).map((path) => path.join(" ; "));
  assert.ok(paths.includes("[more()] ; #switch0 = kind() ; [(#switch0 == 1)] ; (loop)"), paths.join("\n"));
  assert.ok(paths.includes("[more()] ; #switch0 = kind() ; ![(#switch0 == 1)] ; after() ; (loop)"));
});

test("an #elif after a dead #if 0 in a body is an ordinary alternative", async () => {
  const fn = await lowerFunction(`
void f(void) {
#if 0
  never();
#elif VERBOSE
  chatty();
#else
  quiet();
#endif
}`);
  assert.deepEqual(branchConditions(fn), ["#if VERBOSE"]);
  const paths = pathsOf(fn).map((path) => path.join(" ; "));
  assert.deepEqual(paths, ["[#if VERBOSE] ; chatty() ; return", "![#if VERBOSE] ; quiet() ; return"]);
});
