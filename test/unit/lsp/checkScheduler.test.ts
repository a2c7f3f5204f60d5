// The scheduler alone, with a fake check whose completion the test controls.
import { test } from "node:test";
import assert from "node:assert/strict";
import { CheckScheduler, type Completed } from "../../../server/src/lsp/checkScheduler";

/** A check that finishes only when the test says so, and records whether it was aborted. */
class ControlledChecks {
  readonly started: { signal: AbortSignal; finish: (value: string) => void }[] = [];
  run = (signal: AbortSignal): Promise<string> =>
    new Promise((resolve, reject) => {
      signal.addEventListener("abort", () => reject(signal.reason));
      this.started.push({ signal, finish: resolve });
    });
}

const tick = (millis = 5): Promise<void> => new Promise((resolve) => setTimeout(resolve, millis));

test("an edit during a check aborts it, and only the newest text's result is delivered", async () => {
  const checks = new ControlledChecks();
  const delivered: Completed<string>[] = [];
  const scheduler = new CheckScheduler(checks.run, { debounceMillis: 0, onCompleted: (completed) => delivered.push(completed), onFailed: assert.fail });
  scheduler.invalidate();
  await tick();
  assert.equal(checks.started.length, 1);
  scheduler.invalidate();
  assert.equal(checks.started[0].signal.aborted, true, "the older check is aborted at once");
  // Even if the aborted check still produced a value, it is stale and never delivered.
  checks.started[0].finish("old");
  await tick();
  assert.equal(checks.started.length, 2);
  checks.started[1].finish("new");
  await tick();
  assert.deepEqual(delivered.map((completed) => [completed.generation, completed.value]), [[2, "new"]]);
  scheduler.dispose();
});

test("edits within the debounce start one check; current() waits for the result of the latest edit", async () => {
  const checks = new ControlledChecks();
  const scheduler = new CheckScheduler(checks.run, { debounceMillis: 30, onCompleted: () => undefined, onFailed: assert.fail });
  scheduler.invalidate();
  scheduler.invalidate();
  scheduler.invalidate();
  const pending = scheduler.current();
  await tick(60);
  assert.equal(checks.started.length, 1);
  checks.started[0].finish("third");
  assert.deepEqual(await pending, { generation: 3, value: "third" });
  assert.deepEqual(await scheduler.current(), { generation: 3, value: "third" }, "then it answers at once");
  scheduler.dispose();
});

test("an edit that finds nothing under way is checked at once; one that cuts a check short waits the debounce", async () => {
  const checks = new ControlledChecks();
  const scheduler = new CheckScheduler(checks.run, { debounceMillis: 10_000, onCompleted: () => undefined, onFailed: assert.fail });
  scheduler.invalidate();
  await tick();
  assert.equal(checks.started.length, 1, "started without the 10 s debounce");
  checks.started[0].finish("first");
  await tick();
  scheduler.invalidate();
  await tick();
  assert.equal(checks.started.length, 2, "idle again: at once again");
  scheduler.invalidate();
  await tick(50);
  assert.equal(checks.started[1].signal.aborted, true);
  assert.equal(checks.started.length, 2, "a check was cut short: the next waits for the edits to pause");
  scheduler.dispose();
});

test("a failing check rejects its waiters and is reported once; the next edit checks again", async () => {
  let fail = true;
  const failures: unknown[] = [];
  const scheduler = new CheckScheduler(async () => {
    if (fail) throw new Error("parser exploded");
    return "fine";
  }, { debounceMillis: 0, onCompleted: () => undefined, onFailed: (error) => failures.push((error as Error).message) });
  await assert.rejects(scheduler.current(), /parser exploded/);
  await assert.rejects(scheduler.current(), /parser exploded/);
  assert.deepEqual(failures, ["parser exploded"]);
  fail = false;
  scheduler.invalidate();
  assert.deepEqual(await scheduler.current(), { generation: 2, value: "fine" });
  scheduler.dispose();
});
