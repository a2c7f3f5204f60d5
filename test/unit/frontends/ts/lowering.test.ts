// The TypeScript frontend's lowering, read back as paths: what each construct becomes in the IR.
import { test } from "node:test";
import assert from "node:assert/strict";
import { lowerTypeScript } from "../../../../server/src/frontends/ts/index";
import type { IrFile, IrFunction } from "../../../../server/src/ir/ir";
import { exprText, pathsOf, reachableBlocks } from "../cfg-text";

function lower(text: string, file = "driver.ts"): IrFile {
  return lowerTypeScript(file, text);
}

function only(file: IrFile, id: string): IrFunction {
  const found = file.functions.filter((fn) => fn.id === id);
  assert.equal(found.length, 1, `expected one function ${id}, found: ${file.functions.map((fn) => fn.id).join(", ")}`);
  return found[0];
}

function paths(text: string, id: string): string[] {
  const file = lower(text);
  assert.deepEqual(file.problems, []);
  return pathsOf(only(file, id)).map((path) => path.join(" ; "));
}

test("KMCL calls are named by what they import, however they are imported", () => {
  const result = paths(
    `import { VmbPacketFree as release } from "vmbguard/runtime";
import * as kmcl from "vmbguard/runtime";
const { VmbPacketAllocate: take } = require("vmbguard/runtime");
class Driver {
  constructor(private readonly api: typeof kmcl) {}
  run(c: unknown) {
    const p = take(c);
    release(p);
    kmcl.VmbPacketFree(p);
    this.api.VmbPacketFree(p);
  }
}`,
    "Driver.run",
  );
  assert.deepEqual(result, ["p = VmbPacketAllocate(c) ; VmbPacketFree(p) ; VmbPacketFree[via kmcl](p) ; VmbPacketFree[via this.api](p) ; return"]);
});

test("a local that shadows an import is called by its own name", () => {
  const result = paths(
    `import { VmbPacketFree as release } from "vmbguard/runtime";
function f(p: unknown, release: (x: unknown) => void) { release(p); }`,
    "f",
  );
  assert.deepEqual(result, ["release(p) ; return"]);
});

test("finally runs before a return inside try, after the returned value is computed", () => {
  const result = paths(`function f(p: unknown) { try { use(p); return compute(); } finally { VmbPacketFree(p); } }`, "f");
  assert.deepEqual(result, ["use(p) ; declare #tmp0 ; #tmp0 = compute() ; VmbPacketFree(p) ; return #tmp0"]);
});

test("inside try with catch, a call may throw into the handler; catch and the normal path meet after", () => {
  const result = paths(`function f() { try { a(); b(); } catch (e) { handle(e); } done(); }`, "f");
  assert.deepEqual(result, [
    "[?()] ; declare e ; handle(e) ; scope-end e ; done() ; return",
    "![?()] ; a() ; [?()] ; declare e ; handle(e) ; scope-end e ; done() ; return",
    "![?()] ; a() ; ![?()] ; b() ; done() ; return",
  ]);
});

test("an uncaught throw leaves the function through every enclosing finally", () => {
  const result = paths(`function f(p: unknown, bad: boolean) { try { if (bad) throw new Error("bad"); } finally { VmbPacketFree(p); } }`, "f");
  assert.deepEqual(result, ['[bad] ; Error("bad") ; VmbPacketFree(p) ; throw', "![bad] ; VmbPacketFree(p) ; return"]);
});

test("a throw inside try with catch goes to the handler", () => {
  const result = paths(`function f(bad: boolean) { try { if (bad) throw oops; } catch { recover(); } }`, "f");
  assert.deepEqual(result, ["[bad] ; recover() ; return", "![bad] ; return"]);
});

test("labeled continue goes to the outer loop, labeled break leaves it", () => {
  const file = lower(`function f(rows: number[][]) {
  outer: for (const row of rows) {
    for (const cell of row) {
      if (cell < 0) continue outer;
      if (cell > 9) break outer;
    }
  }
  done();
}`);
  const fn = only(file, "f");
  const loops = reachableBlocks(fn).filter((block) => block.loopHeader).map((block) => block.id);
  assert.equal(loops.length, 2);
  const [outerHeader, innerHeader] = loops;
  const continueBlock = reachableBlocks(fn).find((block) => block.terminator.kind === "goto" && block.terminator.target === outerHeader && block.instrs.some((instr) => instr.kind === "scope-end" && instr.names.includes("cell") && instr.names.includes("row")));
  assert.ok(continueBlock, "continue outer ends the inner loop's scope and jumps to the outer header");
  assert.ok(innerHeader > outerHeader);
  const result = pathsOf(fn).map((path) => path.join(" ; "));
  assert.ok(result.some((path) => path.endsWith("[(cell > 9)] ; scope-end row cell ; done() ; return")), result.join("\n"));
});

test("switch cases fall through until a break", () => {
  const result = paths(`function f(k: number) { switch (k) { case 1: a(); case 2: b(); break; default: c(); } }`, "f");
  assert.deepEqual(result, ["[(k == 1)] ; a() ; b() ; return", "![(k == 1)] ; [(k == 2)] ; b() ; return", "![(k == 1)] ; ![(k == 2)] ; c() ; return"]);
});

test("optional chains and ?? become null tests; a call on the left of ?? is evaluated once", () => {
  const result = paths(`function f(ctx: any) { const c = ctx?.channel; const d = open() ?? c; }`, "f");
  assert.deepEqual(result, ["c = ((ctx != null) ? ctx.channel : null) ; declare #tmp0 ; d = ((#tmp0 = open()), ((#tmp0 != null) ? #tmp0 : c)) ; return"]);
});

test("null checks: === null, == null, !p and === undefined", () => {
  const result = paths(`function f(p: any) { if (p === null) a(); if (p == undefined) b(); if (!p) c(); if (p !== undefined) d(); }`, "f");
  const conditions = new Set(result.flatMap((path) => path.split(" ; ").filter((step) => step.startsWith("["))));
  assert.deepEqual([...conditions].sort(), ["[!p]", "[(p != null)]", "[(p == null)]"]);
});

test("&&, || and ?: in conditions become branches", () => {
  const result = paths(`function f(p: any, q: any) { if (!p || (q ? p.ok : false)) return; go(); }`, "f");
  assert.deepEqual(result, ["[!p] ; return", "![!p] ; [q] ; [p.ok] ; return", "![!p] ; [q] ; ![p.ok] ; go() ; return", "![!p] ; ![q] ; go() ; return"]);
});

test("functions, arrow functions, methods, class fields, accessors, object-literal methods and module code are all lowered", () => {
  const file = lower(`
export function send() {}
const start = async () => { await send(); };
class Nic {
  private onComplete = (packet: unknown) => release(packet);
  constructor(private api: unknown) {}
  get ready() { return true; }
  async open() { const handlers = { process(c: unknown) { complete(c); } }; register(handlers); }
}
start();`);
  assert.deepEqual(
    file.functions.map((fn) => `${fn.id}:${fn.name}${fn.isClosure ? " (closure)" : ""}`),
    ["(module):(module)", "send:send", "Nic.onComplete:onComplete", "Nic.constructor:Nic", "Nic.ready:ready", "Nic.open:open", "(module).start:start (closure)", "Nic.open.process:process (closure)"],
  );
});

test("a closure lists the locals it captures; a named one is called by its name", () => {
  const file = lower(`function f(p: unknown, n: number) {
  const later = () => { log(n); VmbPacketFree(p); };
  schedule(later);
  schedule((x: number) => x + n);
}`);
  const fn = only(file, "f");
  const closures = reachableBlocks(fn).flatMap((block) => block.instrs).flatMap((instr) => (instr.kind === "assign" ? [instr.value] : instr.kind === "eval" ? [instr.expr] : []));
  assert.deepEqual(closures.map(exprText), ["closure f.later[n, p]", "schedule(later)", "schedule(closure f#2[n])"]);
  assert.equal(only(file, "f.later").name, "later");
});

test("object and array literals, pushes and yields keep what they hold", () => {
  const result = paths(`function* f(p: unknown) { const o = { packet: p }; const a = [p]; yield p; }`, "f");
  assert.deepEqual(result, ["o = kept(p) ; a = kept(p) ; kept(p) ; return"]);
});

test("destructuring reads the properties of a location; other values leave the names unknown", () => {
  const result = paths(`function f(ctx: any) { const { channel, packet: p } = ctx; const [x] = make(); }`, "f");
  assert.deepEqual(result, ["channel = ctx.channel ; p = ctx.packet ; make() ; declare x ; return"]);
});

test("a syntax error is a problem, and the functions around it are still lowered", () => {
  const file = lower(`function broken(p: unknown) {
  if (p {
    VmbPacketFree(p);
}

function fine(c: unknown) {
  const p = VmbPacketAllocate(c);
}
`);
  assert.ok(file.problems.length > 0 && file.problems.every((problem) => problem.message.startsWith("Syntax error")), JSON.stringify(file.problems));
  assert.ok(file.functions.some((fn) => fn.name === "fine"));
});

test("JavaScript files are parsed as JavaScript; suppression comments are read", () => {
  const file = lower(
    `const { VmbPacketFree } = require("vmbguard/runtime");
function f(p) {
  // vmbguard-disable-next-line double-free -- freed by the caller's retry
  VmbPacketFree(p);
}`,
    "driver.js",
  );
  assert.deepEqual(file.problems, []);
  assert.deepEqual(file.suppressions.map((suppression) => ({ line: suppression.line, rules: suppression.rules })), [{ line: 3, rules: ["double-free"] }]);
});

test("binary and huge input give a problem, never an exception", () => {
  const binary = lower(String.fromCharCode(...Array.from({ length: 2000 }, (_, index) => (index * 7919) % 256)));
  assert.ok(Array.isArray(binary.functions));
  const huge = lower("x".repeat(17 * 1024 * 1024));
  assert.deepEqual(huge.functions, []);
  assert.match(huge.problems[0].message, /too large/);
});

test("a module that renames the API gets forwarding functions of the new names", () => {
  const file = lower(`export { VmbPacketFree as freePacket } from "vmbguard/runtime";
import { VmbPacketSend as send } from "vmbguard/runtime";
export { send as post };
export const sendPacket = send;
export const limit = 4;`);
  const forwarded = file.functions.filter((fn) => fn.id !== "(module)").map((fn) => `${fn.name}: ${pathsOf(fn).map((path) => path.join(" ; ")).join(" | ")}`);
  const args = Array.from({ length: 8 }, (_, index) => `#arg${index}`).join(", ");
  assert.deepEqual(forwarded, [`freePacket: return VmbPacketFree(${args})`, `post: return VmbPacketSend(${args})`, `sendPacket: return VmbPacketSend(${args})`]);
});
