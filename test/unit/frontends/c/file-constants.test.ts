import { test } from "node:test";
import assert from "node:assert/strict";
import { branchConditions, pathsOf } from "../cfg-text";
import { lowerC } from "./lowering";

test("macros, const globals and unwritten statics with literal values decide branches", async () => {
  const file = await lowerC(`
#define KEEP_BUFFER FALSE
#define PASSES 3
#define STATUS_MY_FAILURE 0xC0000001
static const BOOLEAN FreeBuffer = TRUE;
static ULONG Mode = 2;
static ULONG Counter = 0;
ULONG Exported = 1;

void f(PVOID p, ULONG n) {
  if (!KEEP_BUFFER) a();
  if (FreeBuffer && Mode == 2) b();
  if (Counter) c();
  if (Exported) d();
  if (n < PASSES) e();
  if (n == STATUS_MY_FAILURE) g();
  Counter++;
}`);
  assert.deepEqual(file.problems, []);
  const fn = file.functions[0];
  assert.deepEqual(branchConditions(fn), ["Counter", "Exported", "(n < 3)", "(n == STATUS_MY_FAILURE)"], "written statics, non-static globals and status codes keep their names");
  assert.ok(pathsOf(fn).every((path) => path[0] === "a()" && path[1] === "b()"));
});

test("a local or parameter of the same name hides the file-scope constant", async () => {
  const file = await lowerC(`
static const int Limit = 4;
void f(int Limit) { if (Limit) a(); }
void g(void) { int Limit = n(); if (Limit) a(); }
void h(void) { if (Limit) a(); }
`);
  assert.deepEqual(file.functions.map((fn) => branchConditions(fn)), [["Limit"], ["Limit"], []]);
});

test("a call to a parameterless function that only returns a constant is that constant", async () => {
  const file = await lowerC(`
static BOOLEAN StagingEnabled(VOID) { return TRUE; }
static BOOLEAN Sometimes(VOID) { return Poll(); }
void f(void) {
  if (StagingEnabled()) a();
  if (Sometimes()) b();
}`);
  const fn = file.functions.find((candidate) => candidate.name === "f");
  assert.ok(fn !== undefined);
  assert.deepEqual(branchConditions(fn), ["Sometimes()"]);
});

test("two #if branches defining one macro differently leave it a variable", async () => {
  const file = await lowerC(`
#ifdef DBG
#define VERBOSE 1
#else
#define VERBOSE 0
#endif
void f(void) { if (VERBOSE) trace(); }
`);
  assert.deepEqual(branchConditions(file.functions[0]), ["VERBOSE"]);
});
