import { test } from "node:test";
import assert from "node:assert/strict";
import { branchConditions, pathsOf } from "../cfg-text";
import { lowerFunction, terminatorsOf } from "./lowering";

function joined(paths: string[][]): string[] {
  return paths.map((path) => path.join(" ; "));
}

test("__finally runs on the return path, with the return value computed before it", async () => {
  const fn = await lowerFunction(`
NTSTATUS f(VMBCHANNEL c) {
  VMBPACKET p = VmbPacketAllocate(c);
  __try {
    if (p == NULL) return STATUS_NO_MEMORY;
    return send(p);
  } __finally {
    release(p);
  }
}`);
  assert.deepEqual(joined(pathsOf(fn)), [
    "p = VmbPacketAllocate(c) ; [(p == null)] ; #return = STATUS_NO_MEMORY ; release(p) ; return #return",
    "p = VmbPacketAllocate(c) ; ![(p == null)] ; #return = send(p) ; release(p) ; return #return",
  ]);
});

test("falling out of __try and __leave run the finally body once, then continue after it", async () => {
  const fn = await lowerFunction(`
void f(int x) {
  __try {
    if (x) __leave;
    work();
  } __finally {
    cleanup();
  }
  after();
}`);
  assert.deepEqual(joined(pathsOf(fn)), ["[x] ; cleanup() ; after() ; return", "![x] ; work() ; cleanup() ; after() ; return"]);
});

test("goto, break and continue out of __try run the finally bodies they leave, innermost first", async () => {
  const fn = await lowerFunction(`
void f(int x) {
  while (more()) {
    __try {
      __try {
        if (x == 1) break;
        if (x == 2) continue;
        if (x == 3) goto out;
        if (x == 4) goto inside;
        step();
inside:
        inner();
      } __finally {
        innerFinally();
      }
    } __finally {
      outerFinally();
    }
  }
out:
  done();
}`);
  const paths = joined(pathsOf(fn));
  assert.ok(paths.includes("[more()] ; [(x == 1)] ; innerFinally() ; outerFinally() ; done() ; return"), paths.join("\n"));
  assert.ok(paths.includes("[more()] ; ![(x == 1)] ; [(x == 2)] ; innerFinally() ; outerFinally() ; (loop)"));
  assert.ok(paths.includes("[more()] ; ![(x == 1)] ; ![(x == 2)] ; [(x == 3)] ; innerFinally() ; outerFinally() ; done() ; return"));
  assert.ok(
    paths.includes("[more()] ; ![(x == 1)] ; ![(x == 2)] ; ![(x == 3)] ; [(x == 4)] ; inner() ; innerFinally() ; outerFinally() ; (loop)"),
    "a goto that stays inside the __try runs no finally",
  );
});

test("__except: the handler is entered from each point that may raise, not after the body completes", async () => {
  const fn = await lowerFunction(`
void f(PVOID user, PVOID copy) {
  __try {
    probe(user);
    local = 1;
    value = *(PUCHAR)user;
    release(copy);
  } __except (EXCEPTION_EXECUTE_HANDLER) {
    recover(copy);
  }
  after();
}`);
  assert.deepEqual(joined(pathsOf(fn)), [
    "[?()] ; EXCEPTION_EXECUTE_HANDLER ; recover(copy) ; after() ; return",
    "![?()] ; probe(user) ; local = 1 ; [?()] ; EXCEPTION_EXECUTE_HANDLER ; recover(copy) ; after() ; return",
    "![?()] ; probe(user) ; local = 1 ; ![?()] ; value = *user ; [?()] ; EXCEPTION_EXECUTE_HANDLER ; recover(copy) ; after() ; return",
    "![?()] ; probe(user) ; local = 1 ; ![?()] ; value = *user ; ![?()] ; release(copy) ; after() ; return",
  ]);
  assert.equal(terminatorsOf(fn, "return").length, 1);
});

test("raising inside a __try/__finally nested in a __try/__except runs the finally first", async () => {
  const fn = await lowerFunction(`
void f(PVOID p) {
  __try {
    __try {
      work(p);
    } __finally {
      cleanup(p);
    }
  } __except (1) {
    handle();
  }
}`);
  assert.deepEqual(joined(pathsOf(fn)), [
    "[?()] ; cleanup(p) ; 1 ; handle() ; return",
    "![?()] ; work(p) ; [?()] ; 1 ; handle() ; return",
    "![?()] ; work(p) ; ![?()] ; cleanup(p) ; return",
  ]);
  assert.deepEqual(branchConditions(fn), ["?()", "?()"], "the finally body itself may raise into the outer handler");
});
