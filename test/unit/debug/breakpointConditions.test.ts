// Conditions, hit counts and logpoints as the one V8 condition the debuggee evaluates.
import { test } from "node:test";
import assert from "node:assert/strict";
import { buildCondition, conditionSyntaxError, logMessageArray, parseHitCondition } from "../../../runtime/src/debug/breakpointConditions";

test("hit conditions read like VS Code's JavaScript debugger: a bare number is the nth hit", () => {
  assert.deepEqual(parseHitCondition("3"), { operator: "==", count: 3 });
  assert.deepEqual(parseHitCondition("== 3"), { operator: "==", count: 3 });
  assert.deepEqual(parseHitCondition(">=10"), { operator: ">=", count: 10 });
  assert.deepEqual(parseHitCondition("%2"), { operator: "%", count: 2 });
  assert.throws(() => parseHitCondition("three"), /^Error: invalid hit count "three": expected a number, optionally after ==, >, >=, <, <= or %$/);
});

test("a log message becomes texts and guarded expressions, braces nesting", () => {
  assert.equal(logMessageArray("plain"), '["plain"]');
  const parts = new Function("round", "packet", `return ${logMessageArray("round {round}: {packet.id} { {a: 1}.a } {missing}")};`)(2, { id: 7 }) as unknown[];
  assert.deepEqual(parts, ["round ", 2, ": ", 7, " ", 1, " ", "<missing is not defined>", ""]);
  assert.equal(logMessageArray("open { brace"), '["open { brace"]');
});

test("one condition combines the user's condition, the hit count and the logpoint, in that order", () => {
  const calls: unknown[][] = [];
  const hooks = { hitCounts: {} as Record<number, number>, logpoint: (id: number, parts: unknown[]) => (calls.push([id, ...parts]), false) };
  (globalThis as Record<string, unknown>).__vmbguardDebug = hooks;
  try {
    const condition = buildCondition(4, { condition: "round > 1", hitCondition: "%2", logMessage: "round {round}" })!;
    const evaluate = new Function("round", `return ${condition};`) as (round: number) => unknown;
    const results = [1, 2, 3, 4, 5].map((round) => Boolean(evaluate(round)));
    assert.deepEqual(results, [false, false, false, false, false], "a logpoint never stops");
    assert.deepEqual(hooks.hitCounts, { 4: 4 }, "hits count only while the condition holds");
    assert.deepEqual(calls, [
      [4, "round ", 3, ""],
      [4, "round ", 5, ""],
    ]);
    const counted = new Function(`return ${buildCondition(5, { hitCondition: ">=2" })};`) as () => boolean;
    assert.deepEqual([counted(), counted(), counted()], [false, true, true]);
  } finally {
    delete (globalThis as Record<string, unknown>).__vmbguardDebug;
  }
  assert.equal(buildCondition(6, {}), undefined);
  assert.equal(buildCondition(6, { condition: "  " }), undefined);
});

test("a condition that does not parse is caught before it silently never stops", () => {
  assert.equal(conditionSyntaxError("round === 2"), undefined);
  assert.match(conditionSyntaxError("round === ") ?? "", /Unexpected token/);
});
