import { test } from "node:test";
import assert from "node:assert/strict";
import {
  Simulation,
  VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION,
  VmbChannelCleanup,
  VmbPacketAllocate,
  VmbPacketFree,
  VmbPacketSend,
  formatReport,
  parseStackFrames,
} from "../../../runtime/src/kmcl/index";

test("stack frames parse from V8's formats: named, anonymous, async, eval, Windows paths", () => {
  const text = [
    "    at sendRequest (/drivers/net/send.ts:12:7)",
    "    at /drivers/net/main.ts:3:1",
    "    at async Promise.all (index 0)",
    "    at async run (file:///drivers/net/run.mjs:8:3)",
    "    at eval (eval at load (/drivers/loader.js:4:10), <anonymous>:1:1)",
    "    at Object.<anonymous> (C:\\drivers\\net\\send.ts:40:2)",
  ].join("\n");
  assert.deepEqual(parseStackFrames(text), [
    { functionName: "sendRequest", file: "/drivers/net/send.ts", line: 12, column: 7 },
    { functionName: "<anonymous>", file: "/drivers/net/main.ts", line: 3, column: 1 },
    { functionName: "async run", file: "file:///drivers/net/run.mjs", line: 8, column: 3 },
    { functionName: "eval", file: "/drivers/loader.js", line: 4, column: 10 },
    { functionName: "Object.<anonymous>", file: "C:\\drivers\\net\\send.ts", line: 40, column: 2 },
  ]);
});

function driverAllocates(sim: Simulation) {
  const channel = sim.createChannel();
  const packet = VmbPacketAllocate(channel)!;
  return { channel, packet };
}

test("each transition records the driver's call site with its function name", () => {
  const sim = new Simulation({ mode: "report" });
  const { channel, packet } = driverAllocates(sim);
  VmbPacketSend(packet, null, 0, null, VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION);
  sim.runUntilIdle();
  VmbPacketFree(packet);
  const described = sim.describeHandle(packet.id)!;
  assert.equal(described.state, "freed-by-library");
  assert.deepEqual(described.times, { started: 0, ended: 0 });
  const allocated = described.stacks.allocated![0]!;
  assert.equal(allocated.functionName, "driverAllocates");
  assert.match(allocated.file, /stacks\.test\.(ts|js)$/);
  assert.match(described.stacks.sent![0]!.file, /stacks\.test\.(ts|js)$/);
  const violation = sim.violations[0]!;
  assert.equal(violation.kind, "double-free");
  assert.match(violation.stacks.at![0]!.file, /stacks\.test\.(ts|js)$/);
  assert.ok(violation.stacks.at![0]!.line > allocated.line, "the double free comes after the allocation in this file");
  VmbChannelCleanup(channel);
  sim.finish();
});

test("code loaded after a Simulation enabled source maps is reported at its TypeScript lines", async () => {
  const sim = new Simulation({ mode: "report" });
  const driver = await import("./sampleDriver.js");
  const channel = sim.createChannel();
  const packet = driver.allocateRequestPacket(channel)!;
  const allocated = sim.describeHandle(packet.id)!.stacks.allocated![0]!;
  assert.match(allocated.file, /sampleDriver\.ts$/);
  assert.equal(allocated.line, 6, "the line of VmbPacketAllocate in sampleDriver.ts");
  VmbPacketFree(packet);
  VmbChannelCleanup(channel);
  sim.finish();
});

test("stack capture follows the stacks option: all, allocation only, none", () => {
  const kept = (stacks: "all" | "allocation" | "none") => {
    const sim = new Simulation({ stacks });
    const { channel, packet } = driverAllocates(sim);
    VmbPacketFree(packet);
    const described = sim.describeHandle(packet.id)!;
    VmbChannelCleanup(channel);
    sim.finish();
    return Object.keys(described.stacks).sort();
  };
  assert.deepEqual(kept("all"), ["allocated", "freed"]);
  assert.deepEqual(kept("allocation"), ["allocated"]);
  assert.deepEqual(kept("none"), []);
});

test("freed handles are kept for inspection up to historyLimit; the handle itself always remembers", () => {
  const sim = new Simulation({ mode: "report", historyLimit: 2 });
  const channel = sim.createChannel();
  const packets = [1, 2, 3].map(() => VmbPacketAllocate(channel)!);
  for (const packet of packets) VmbPacketFree(packet);
  assert.equal(sim.describeHandle(packets[0]!.id), undefined, "the oldest fell out of the history");
  assert.equal(sim.describeHandle(packets[2]!.id)!.state, "freed");
  VmbPacketFree(packets[0]!);
  assert.equal(sim.violations[0]!.kind, "double-free", "detection does not depend on the history");
  VmbChannelCleanup(channel);
  sim.finish();
});

test("traceHandles replays a seed with stacks for just the handles a fast run reported", () => {
  const leakyRun = (options: { stacks: "none"; traceHandles?: number[] }) => {
    const sim = new Simulation({ mode: "report", seed: 9, faults: { failSend: { probability: 0.5 } }, ...options });
    const channel = sim.createChannel();
    for (let index = 0; index < 20; index++) {
      const packet = VmbPacketAllocate(channel)!;
      if (VmbPacketSend(packet, null, 0, null, VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION) < 0 && index % 4 !== 0) VmbPacketFree(packet);
    }
    sim.runUntilIdle();
    VmbChannelCleanup(channel);
    return sim.finish();
  };
  const fast = leakyRun({ stacks: "none" });
  const leaked = fast.violations.map((violation) => violation.handleId);
  assert.ok(leaked.length > 1, `leaked: ${leaked.join(", ")}`);
  assert.equal(fast.violations[0]!.stacks.allocated, undefined, "no allocation site without stacks");
  assert.match(formatReport(fast), new RegExp(`replay with \\{ seed: 9, traceHandles: \\[${leaked.join(", ")}\\] \\}`));
  const replay = leakyRun({ stacks: "none", traceHandles: [leaked[0]!] });
  assert.deepEqual(replay.violations.map((violation) => violation.handleId), leaked, "the same run");
  assert.match(replay.violations[0]!.stacks.allocated![0]!.file, /stacks\.test\.(ts|js)$/);
  assert.equal(replay.violations[1]?.stacks.allocated, undefined, "other handles stay untraced");
});
