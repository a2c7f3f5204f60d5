// samples/sim-nic (the NIC-style driver the debugger quick start runs) under the simulator, run as
// the debugger runs main.ts: the ambient simulation configured from scenario.json plus the launch
// configuration's seed and faults, the driver loaded afterwards, the traffic of main.ts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  type FaultOptions,
  KmclViolation,
  type SimulationMode,
  type SimulationReport,
  type StackFrame,
  configureSimulation,
  formatStatus,
  loadScenario,
  resetAmbientSimulation,
} from "vmbguard/runtime";

const sampleDirectory = join(__dirname, "..", "..", "..", "..", "samples", "sim-nic");
const driverSource = readFileSync(join(sampleDirectory, "driver.ts"), "utf8").split("\n");
const scenario = loadScenario(join(sampleDirectory, "scenario.json"));

/** The seeded bug's lines in driver.ts (README.md names the first one). */
const doubleFreeLine = 291;
const earlyFreeLine = 273;
const sendAllocationLine = 252;
/** The launch configuration that reveals the bug: the 3rd packet send (the 2nd data frame) fails. */
const revealingFaults: FaultOptions = { failSend: { nth: 3 } };

interface SimNicRun {
  initializeStatus: string;
  report: SimulationReport;
  sendCompletions: string[];
  receivedFrames: string[];
  linkStates: boolean[];
  statistics: Record<string, number> | undefined;
  hostRequests: number;
  hostCompletions: number;
}

async function runSample(options: { seed?: number; mode?: SimulationMode; faults?: FaultOptions } = {}): Promise<SimNicRun> {
  resetAmbientSimulation();
  const sim = configureSimulation({ ...scenario, ...options });
  // Loaded once a Simulation has enabled source maps, so stacks name driver.ts and its lines.
  const driver = await import("../../../samples/sim-nic/driver.js");
  const { SimNicProtocolStub, SimNicRunTraffic } = await import("../../../samples/sim-nic/protocol.js");
  const protocol = new SimNicProtocolStub();
  const { status, adapter } = driver.SimNicInitialize(protocol);
  if (adapter !== null) {
    SimNicRunTraffic(sim, adapter, protocol);
    driver.SimNicHalt(adapter);
    assert.equal(adapter.state, "halted");
    assert.equal(adapter.outstandingSends, 0);
  }
  const decoder = new TextDecoder();
  return {
    initializeStatus: formatStatus(status),
    report: sim.finish(),
    sendCompletions: protocol.sendCompletions.map(({ id, status: sendStatus }) => `${id}: ${formatStatus(sendStatus)}`),
    // Each frame ends with its text after the 14-byte Ethernet header.
    receivedFrames: protocol.receivedFrames.map((frame) => decoder.decode(frame.subarray(14))),
    linkStates: protocol.linkStates,
    statistics: adapter === null ? undefined : { ...adapter.statistics },
    hostRequests: sim.host.requests.size,
    hostCompletions: sim.host.completions.size,
  };
}

function topFrame(frames: StackFrame[] | undefined): { file: string; line: number; functionName: string } {
  assert.ok(frames && frames.length > 0, "a recorded stack");
  const { file, line, functionName } = frames[0]!;
  return { file: file.replace(/\\/g, "/").replace(/^.*\/samples\//, "samples/"), line, functionName };
}

test("the normal run is clean and moves exactly the scenario's traffic", async () => {
  const run = await runSample();
  assert.equal(run.initializeStatus, "STATUS_SUCCESS (0x00000000)");
  assert.deepEqual(run.report.violations, []);
  assert.equal(run.report.ok, true);
  // Completion order: frames 1-2 at 3 ms, the host fails frame 4 at 13 ms before frame 3 completes
  // at 14 ms, and frame 8 (which the host drops) is cancelled by the halt.
  assert.deepEqual(run.sendCompletions, [
    "1: STATUS_SUCCESS (0x00000000)",
    "2: STATUS_SUCCESS (0x00000000)",
    "4: STATUS_DEVICE_NOT_READY (0xC00000A3)",
    "3: STATUS_SUCCESS (0x00000000)",
    "5: STATUS_SUCCESS (0x00000000)",
    "6: STATUS_SUCCESS (0x00000000)",
    "7: STATUS_SUCCESS (0x00000000)",
    "8: STATUS_CANCELLED (0xC0000120)",
  ]);
  // rx 6 arrives while the three receive buffers are all with the protocol: dropped.
  assert.deepEqual(run.receivedFrames, ["rx 1", "rx 2", "rx 3", "rx 4", "rx 5", "rx 7"]);
  assert.deepEqual(run.linkStates, [true]);
  assert.deepEqual(run.statistics, { framesSent: 6, sendErrors: 2, framesReceived: 6, receiveErrors: 1, receiveDropsNoBuffer: 1 });
  const { stats } = run.report;
  assert.deepEqual(
    {
      channelsAllocated: stats.channelsAllocated,
      channelsCleanedUp: stats.channelsCleanedUp,
      synchronousRequests: stats.synchronousRequests,
      packetsAllocated: stats.packetsAllocated,
      sends: stats.sends,
      sendFailures: stats.sendFailures,
      packetsFreedByLibrary: stats.packetsFreedByLibrary,
      completionRoutinesRun: stats.completionRoutinesRun,
      packetsCancelled: stats.packetsCancelled,
      packetsFreedByDriver: stats.packetsFreedByDriver,
      incomingDelivered: stats.incomingDelivered,
      incomingCompleted: stats.incomingCompleted,
      incomingDropped: stats.incomingDropped,
    },
    {
      channelsAllocated: 1,
      channelsCleanedUp: 1,
      synchronousRequests: 1,
      packetsAllocated: 9,
      sends: 9,
      sendFailures: 0,
      packetsFreedByLibrary: 1,
      completionRoutinesRun: 8,
      packetsCancelled: 1,
      packetsFreedByDriver: 8,
      incomingDelivered: 9,
      incomingCompleted: 9,
      incomingDropped: 0,
    },
  );
  assert.equal(run.hostRequests, 10, "RNDIS initialize, the packet filter and 8 frames");
  assert.equal(run.hostCompletions, 9, "every incoming packet answered");
});

test("a failed frame send reveals the seeded double free at its driver.ts line, with the first free's line", async () => {
  const run = await runSample({ faults: revealingFaults });
  assert.equal(run.report.violations.length, 1, run.report.violations.map((violation) => violation.message).join("\n"));
  const violation = run.report.violations[0]!;
  assert.equal(violation.kind, "double-free");
  assert.equal(violation.operation, "VmbPacketFree");
  assert.equal(violation.family, "packet");
  assert.deepEqual(topFrame(violation.stacks.at), { file: "samples/sim-nic/driver.ts", line: doubleFreeLine, functionName: "SimNicCompleteSend" });
  assert.deepEqual(topFrame(violation.stacks.freed), { file: "samples/sim-nic/driver.ts", line: earlyFreeLine, functionName: "SimNicSendNetBufferList" });
  assert.deepEqual(topFrame(violation.stacks.allocated), { file: "samples/sim-nic/driver.ts", line: sendAllocationLine, functionName: "SimNicSendNetBufferList" });
  assert.equal(violation.message, `packet #${violation.handleId} was already freed at sim-nic/driver.ts:${earlyFreeLine}:18`);
  // The failed frame is still completed to the protocol exactly once.
  assert.deepEqual(run.sendCompletions.filter((line) => line.startsWith("2: ")), ["2: STATUS_INSUFFICIENT_RESOURCES (0xC000009A)"]);
  assert.equal(run.report.stats.sendFailures, 1);
});

test("the lines the test expects are the seeded bug's calls, and README.md names the faulting one", () => {
  assert.match(driverSource[doubleFreeLine - 1]!, /^\s+VmbPacketFree\(packet\);$/);
  assert.match(driverSource[earlyFreeLine - 1]!, /^\s+VmbPacketFree\(packet\);$/);
  assert.match(driverSource[earlyFreeLine - 2]!, /The fix is to delete this call/);
  assert.match(driverSource[sendAllocationLine - 1]!, /VmbPacketAllocate\(adapter\.channel\)/);
  const readme = readFileSync(join(sampleDirectory, "README.md"), "utf8");
  assert.ok(readme.includes(`driver.ts:${doubleFreeLine}`), "README.md names the double free's line");
  assert.ok(readme.includes(`driver.ts:${earlyFreeLine}`), "README.md names the first free's line");
});

test("samples/.vscode/launch.json runs this program and scenario: clean, and with the fault that reveals the bug", () => {
  const samplesDirectory = join(sampleDirectory, "..");
  // launch.json is JSONC: its comments are whole lines.
  const text = readFileSync(join(samplesDirectory, ".vscode", "launch.json"), "utf8").replace(/^\s*\/\/.*$/gm, "");
  const configurations = (JSON.parse(text) as { configurations: Record<string, unknown>[] }).configurations;
  const resolve = (path: unknown) => String(path).replace("${workspaceFolder}", samplesDirectory);
  assert.deepEqual(configurations.map((configuration) => configuration.type), ["vmbus-sim", "vmbus-sim"]);
  for (const configuration of configurations) {
    assert.equal(resolve(configuration.program), join(sampleDirectory, "main.ts"));
    assert.equal(resolve(configuration.scenario), join(sampleDirectory, "scenario.json"));
    assert.equal(configuration.seed, scenario.seed);
  }
  assert.deepEqual(configurations.map((configuration) => configuration.faults), [undefined, revealingFaults]);
});

/** Runs the compiled main.ts in its own process, the ambient simulation configured first as the debugger does. */
function runMainProgram(faults?: FaultOptions): { exitCode: number; stdout: string; stderr: string } {
  const launcher = [
    `const runtime = require(${JSON.stringify(require.resolve("vmbguard/runtime"))});`,
    `runtime.configureSimulation({ ...runtime.loadScenario(${JSON.stringify(join(sampleDirectory, "scenario.json"))}), faults: ${JSON.stringify(faults)} });`,
    `require(${JSON.stringify(join(__dirname, "..", "..", "..", "samples", "sim-nic", "main.js"))});`,
  ].join("\n");
  try {
    return { exitCode: 0, stdout: execFileSync(process.execPath, ["-e", launcher], { encoding: "utf8", stdio: "pipe" }), stderr: "" };
  } catch (error) {
    const failed = error as { status: number; stdout: string; stderr: string };
    return { exitCode: failed.status, stdout: failed.stdout, stderr: failed.stderr };
  }
}

test("main.ts, the program F5 runs, prints the traffic and a clean report, or the seeded bug with its lines", () => {
  const clean = runMainProgram();
  assert.deepEqual(clean, {
    exitCode: 0,
    stdout: "sim-nic: 6 of 8 frames sent, 6 received, 1 dropped (receive pool full), 1 malformed; link up\nsimulation #1 (seed 1): no violations\n",
    stderr: "",
  });
  const faulty = runMainProgram(revealingFaults);
  assert.equal(faulty.exitCode, 1);
  assert.equal(faulty.stderr, "");
  assert.equal(
    faulty.stdout,
    [
      // Frame 2 failed to send; the host's failure reply then went to frame 5 and its drop to no frame.
      "sim-nic: 6 of 8 frames sent, 6 received, 1 dropped (receive pool full), 1 malformed; link up",
      "simulation #1 (seed 1): 1 violation",
      `  double-free packet #5: packet #5 was already freed at sim-nic/driver.ts:${earlyFreeLine}:18`,
      `      at sim-nic/driver.ts:${doubleFreeLine}:16 (SimNicCompleteSend)`,
      `      allocated at sim-nic/driver.ts:${sendAllocationLine}:35 (SimNicSendNetBufferList)`,
      `      freed at sim-nic/driver.ts:${earlyFreeLine}:18 (SimNicSendNetBufferList)`,
      "",
    ].join("\n"),
  );
});

test("in strict mode the seeded double free throws at the faulting call", async () => {
  await assert.rejects(runSample({ mode: "strict", faults: revealingFaults }), (error: unknown) => {
    assert.ok(error instanceof KmclViolation, String(error));
    assert.equal(error.kind, "double-free");
    assert.equal(topFrame(error.stacks.at).line, doubleFreeLine);
    return true;
  });
});

test("a failed control send is handled: initialization fails cleanly, nothing leaks", async () => {
  const run = await runSample({ faults: { failSend: { nth: 1 } } });
  assert.equal(run.initializeStatus, "STATUS_INSUFFICIENT_RESOURCES (0xC000009A)");
  assert.deepEqual(run.report.violations, []);
  assert.equal(run.report.stats.packetsFreedByDriver, 1, "the packet-filter packet, freed by its send-failure path");
  assert.equal(run.report.stats.channelsCleanedUp, 1);
});

test("the same seed gives the same run, a different seed a different one", async () => {
  const faults: FaultOptions = { failSend: { probability: 0.25 }, reorderCompletions: true, completionDelayMs: 1 };
  const comparable = (run: SimNicRun) => ({
    violations: run.report.violations.map(({ kind, handleId, operation, message, time, seq, stacks }) => ({ kind, handleId, operation, message, time, seq, at: topFrame(stacks.at).line })),
    events: run.report.events.map(({ simulationId: _simulationId, ...event }) => event),
    stats: run.report.stats,
    sendCompletions: run.sendCompletions,
    receivedFrames: run.receivedFrames,
  });
  const first = comparable(await runSample({ seed: 3, faults }));
  const again = comparable(await runSample({ seed: 3, faults }));
  // Every failed frame send hits the seeded bug once; seed 3 fails three of them.
  assert.deepEqual(first.violations.map(({ kind, at }) => `${kind} at ${at}`), Array(3).fill(`double-free at ${doubleFreeLine}`));
  assert.equal(first.stats.sendFailures, 3);
  assert.deepEqual(again, first);
  const otherSeed = comparable(await runSample({ seed: 4, faults }));
  assert.notDeepEqual(otherSeed.events, first.events);
});
