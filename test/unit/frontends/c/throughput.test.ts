import { test } from "node:test";
import assert from "node:assert/strict";
import { driverLikeSource } from "./driver-source";
import { lowerC } from "./lowering";

test("a generated driver-like file is lowered completely; lines per second are reported", async (context) => {
  const { text, functions } = driverLikeSource(20000);
  // Warm the JIT first; CPU time, not wall time, so that a busy machine does not skew the number.
  await lowerC(driverLikeSource(4000).text);
  const before = process.cpuUsage();
  const file = await lowerC(text);
  const used = process.cpuUsage(before);
  const seconds = (used.user + used.system) / 1e6;
  assert.deepEqual(file.problems, []);
  assert.equal(file.functions.length, functions);
  assert.ok(file.functions.every((fn) => fn.blocks.some((block) => block.terminator.kind === "return")));
  const lines = text.split("\n").length;
  context.diagnostic(`C frontend: ${lines} lines in ${seconds.toFixed(2)} s of CPU = ${Math.round(lines / seconds)} lines/s (preprocess + parse + lower)`);
});
