import { test } from "node:test";
import assert from "node:assert/strict";
import { branchConditions, pathsOf } from "../cfg-text";
import { findCall, lowerC } from "./lowering";

test("a call to a function-like macro of the file is lowered as its body", async () => {
  const file = await lowerC(`
#define QA_TAG 'mFqA'
#define FREE_POOL(_Pointer) ExFreePoolWithTag((_Pointer), QA_TAG)
#define RELEASE(ctx) FREE_POOL((ctx)->Buffer)
#define NAME_OF(x) #x
#define SAFE_FREE(p) do { if (p) { ExFreePool(p); } } while (0)
void f(PCONTEXT context, PVOID history)
{
    FREE_POOL(history);
    RELEASE(context);
    n = NAME_OF(history);
    SAFE_FREE(history);
    FREE_POOL(history, 2);
}`);
  assert.deepEqual(file.problems, []);
  const fn = file.functions[0];
  assert.deepEqual(pathsOf(fn).map((path) => path.join(" ; ")), [
    "ExFreePoolWithTag(history, QA_TAG) ; ExFreePoolWithTag(context->Buffer, QA_TAG) ; n = NAME_OF(history) ; [history] ; ExFreePool(history) ; FREE_POOL(history, 2) ; return",
    "ExFreePoolWithTag(history, QA_TAG) ; ExFreePoolWithTag(context->Buffer, QA_TAG) ; n = NAME_OF(history) ; ![history] ; FREE_POOL(history, 2) ; return",
  ]);
  const [macroBranch] = fn.blocks.flatMap((block) => (block.terminator.kind === "branch" ? [block.terminator] : []));
  assert.deepEqual(macroBranch.range, { start: { line: 11, column: 4 }, end: { line: 11, column: 22 } }, "a statement macro's branches are placed at the invocation");
  assert.deepEqual(branchConditions(fn), ["history"]);
  const free = findCall(fn, "ExFreePoolWithTag");
  assert.deepEqual(free?.range, { start: { line: 8, column: 4 }, end: { line: 8, column: 22 } }, "the expansion is placed at the invocation");
  assert.deepEqual(free?.args[0].range, { start: { line: 8, column: 14 }, end: { line: 8, column: 21 } }, "arguments keep their own ranges");
});
