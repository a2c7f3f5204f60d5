import { test } from "node:test";
import assert from "node:assert/strict";
import { Scheduler } from "../../../runtime/src/kmcl/scheduler";
import { BoundedLog } from "../../../runtime/src/kmcl/boundedLog";
import { SeededRandom } from "../../../runtime/src/kmcl/random";

test("the scheduler runs tasks by due time, first scheduled first among equal times", () => {
  const scheduler = new Scheduler();
  const random = new SeededRandom(1, 0);
  const expected: { time: number; order: number }[] = [];
  const ran: { time: number; order: number }[] = [];
  for (let order = 0; order < 500; order++) {
    const delay = random.below(20);
    expected.push({ time: delay, order });
    scheduler.schedule(delay, () => ran.push({ time: scheduler.now, order }));
  }
  assert.equal(scheduler.run(undefined, 10_000), 500);
  expected.sort((a, b) => a.time - b.time || a.order - b.order);
  assert.deepEqual(ran, expected);
});

test("run(until) stops at the horizon and moves the clock to it; tasks scheduled while running are honoured", () => {
  const scheduler = new Scheduler();
  const ran: string[] = [];
  scheduler.schedule(5, () => {
    ran.push("a@5");
    scheduler.schedule(0, () => ran.push(`b@${scheduler.now}`));
    scheduler.schedule(10, () => ran.push(`c@${scheduler.now}`));
  });
  assert.equal(scheduler.run(7, 100), 2);
  assert.deepEqual(ran, ["a@5", "b@5"]);
  assert.equal(scheduler.now, 7);
  assert.equal(scheduler.pendingCount, 1);
  scheduler.run(undefined, 100);
  assert.deepEqual(ran, ["a@5", "b@5", "c@15"]);
});

test("a run that never goes idle stops with an error instead of hanging", () => {
  const scheduler = new Scheduler();
  const again = () => scheduler.schedule(1, again);
  again();
  assert.throws(() => scheduler.run(undefined, 1000), /did not go idle after 1000 steps/);
});

test("an explicit order shuffles tasks that are due together without touching other times", () => {
  const scheduler = new Scheduler();
  const ran: string[] = [];
  scheduler.schedule(1, () => ran.push("x"), 30);
  scheduler.schedule(1, () => ran.push("y"), 10);
  scheduler.schedule(0, () => ran.push("first"), 99);
  scheduler.run(undefined, 10);
  assert.deepEqual(ran, ["first", "y", "x"]);
});

test("the bounded log keeps the newest items in order and counts the dropped ones", () => {
  const log = new BoundedLog<number>(3);
  for (let item = 1; item <= 7; item++) log.push(item);
  assert.deepEqual(log.toArray(), [5, 6, 7]);
  assert.equal(log.droppedCount, 4);
  assert.equal(log.find((item) => item < 7), 6, "find looks from the newest");
  const none = new BoundedLog<number>(0);
  none.push(1);
  assert.deepEqual(none.toArray(), []);
  assert.equal(none.droppedCount, 1);
  assert.throws(() => new BoundedLog(-1), /non-negative integer/);
});

test("seeded streams are reproducible, independent, and spread over [0, 1)", () => {
  const draw = (seed: number, stream: number) => {
    const random = new SeededRandom(seed, stream);
    return Array.from({ length: 1000 }, () => random.next());
  };
  assert.deepEqual(draw(42, 1), draw(42, 1));
  assert.notDeepEqual(draw(42, 1), draw(42, 2));
  assert.notDeepEqual(draw(42, 1), draw(43, 1));
  const values = draw(7, 3);
  assert.ok(values.every((value) => value >= 0 && value < 1));
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  assert.ok(Math.abs(mean - 0.5) < 0.05, `mean ${mean}`);
  const buckets = new Array<number>(10).fill(0);
  for (const value of values) buckets[Math.floor(value * 10)]!++;
  assert.ok(buckets.every((count) => count > 60 && count < 140), `buckets ${buckets.join(",")}`);
});
