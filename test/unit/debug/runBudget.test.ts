// The `timeout` budget: running time counts, paused time does not.
import { mock, test } from "node:test";
import assert from "node:assert/strict";
import { RunBudget } from "../../../runtime/src/debug/runBudget";

test("the budget expires after the running time adds up, whatever the pauses in between", () => {
  mock.timers.enable({ apis: ["setTimeout", "Date"], now: 0 });
  try {
    let expired = 0;
    const budget = new RunBudget(1000, () => expired++);
    budget.start();
    mock.timers.tick(600);
    budget.stop();
    mock.timers.tick(5000);
    assert.equal(expired, 0, "paused time does not count");
    budget.start();
    budget.start();
    mock.timers.tick(399);
    assert.equal(expired, 0);
    mock.timers.tick(1);
    assert.equal(expired, 1, "600 + 400 ms of running");
  } finally {
    mock.timers.reset();
  }
});
