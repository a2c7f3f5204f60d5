// What the debug console prints: simulation events and the violations of the end-of-run report.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { ViolationRecord } from "../../../runtime/src/kmcl/violations";
import { formatKmclEvent } from "../../../runtime/src/debug/eventText";
import { formatReportedViolation, reportHeadline, violationLocation, violationStackTrace } from "../../../runtime/src/debug/reportFormat";

const leak: ViolationRecord = {
  kind: "packet-leak",
  handleId: 3,
  family: "packet",
  operation: "finish",
  message: "packet #3 allocated at nic/send.ts:5:35 was still owned by the driver when the simulation finished",
  simulationId: 1,
  time: 4,
  seq: 9,
  stacks: {
    at: [{ file: "node:internal/process/task_queues", line: 95, column: 5, functionName: "processTicksAndRejections" }],
    allocated: [
      { file: "file:///drv/nic/send.ts", line: 5, column: 35, functionName: "sendSized" },
      { file: "/drv/nic/main.ts", line: 14, column: 1, functionName: "Object.<anonymous>" },
    ],
  },
};

test("events are one line: simulation, virtual time, what happened to which handle, its new state", () => {
  assert.equal(formatKmclEvent({ simulationId: 2, seq: 4, time: 12, kind: "free", family: "packet", handleId: 7, state: "freed", by: "driver" }), "[sim #2 12 ms] free packet #7 (driver) -> freed");
  assert.equal(
    formatKmclEvent({ simulationId: 1, seq: 5, time: 3, kind: "send-failed", family: "packet", handleId: 2, state: "allocated", status: -1073741670, by: "fault" }),
    "[sim #1 3 ms] send-failed packet #2 (fault) STATUS_INSUFFICIENT_RESOURCES (0xC000009A) -> allocated",
  );
  assert.equal(formatKmclEvent({ simulationId: 1, seq: 1, time: 0, kind: "simulation-start", message: "seed 0, strict mode" }), "[sim #1 0 ms] simulation-start: seed 0, strict mode");
  assert.equal(formatKmclEvent({ simulationId: 1, seq: 6, time: 3, kind: "violation", violation: "double-free", message: "packet #2 was already freed" }), "[sim #1 3 ms] VIOLATION double-free: packet #2 was already freed");
});

test("a reported leak names its program sites as absolute file:line:column, and points the editor at its allocation", () => {
  assert.equal(reportHeadline(1, 7, 2), "simulation #1 (seed 7) finished: 2 violations");
  assert.equal(reportHeadline(1, 7, 0), "simulation #1 (seed 7) finished: no violations");
  assert.equal(formatReportedViolation(leak), [`  packet-leak packet #3: ${leak.message}`, "      allocated at sendSized (/drv/nic/send.ts:5:35)"].join("\n"));
  assert.deepEqual(violationLocation(leak), { path: "/drv/nic/send.ts", line: 5, column: 35 });
  assert.equal(
    violationStackTrace(leak, ["sendSized (/drv/nic/send.ts:6:3)"]),
    ["at:", "    at sendSized (/drv/nic/send.ts:6:3)", "allocated at:", "    at sendSized (/drv/nic/send.ts:5:35)", "    at /drv/nic/main.ts:14:1"].join("\n"),
  );
});

test("any other violation points the editor where it happened", () => {
  const doubleFree: ViolationRecord = { ...leak, kind: "double-free", stacks: { at: [{ file: "/drv/nic/send.ts", line: 9, column: 3, functionName: "release" }], allocated: leak.stacks.allocated } };
  assert.deepEqual(violationLocation(doubleFree), { path: "/drv/nic/send.ts", line: 9, column: 3 });
});
