// The simulator finding netvsc-lite's bugs at run time: a seeded sweep with fault injection runs a
// workload against the correct driver (never a violation) and against each bug (always found).
import { test } from "node:test";
import assert from "node:assert/strict";
import { type SimulationReport, type ViolationKind, configureSimulation, resetAmbientSimulation } from "../../../runtime/src/kmcl/index";
import {
  type NvlBugs,
  NvlCloseAdapter,
  NvlNegotiateProtocol,
  NvlOpenAdapter,
  NvlResumeReceive,
  NvlSendControlMessage,
  NvlSendFrame,
  NvlSendKeepAlive,
} from "./netvscLite/driver";

/** One run: open, traffic both ways with the receive path paused half the time, close, finish. */
function run(seed: number, bugs: NvlBugs): SimulationReport {
  resetAmbientSimulation();
  const sim = configureSimulation({
    mode: "report",
    seed,
    faults: { failAllocation: { probability: 0.05 }, failSend: { probability: 0.15 }, completionDelayMs: 1, reorderCompletions: true },
    host: { respond: (request) => ({ action: "echo", delayMs: request.packetId % 4 }) },
  });
  const { adapter } = NvlOpenAdapter(bugs);
  assert.ok(adapter);
  for (let round = 0; round < 20; round++) {
    adapter.receivePaused = round % 2 === 1;
    if (round % 4 === 0) NvlNegotiateProtocol(adapter, round);
    NvlSendFrame(adapter, new Uint8Array([round, 1, 2, 3, 4]));
    NvlSendControlMessage(adapter, `control ${round}`);
    NvlSendKeepAlive(adapter);
    sim.host.deliver(adapter.channel, round % 5 === 0 ? [9] : [round, 0, 0, 0, 7], { delayMs: round % 3 });
    sim.advance(2);
    if (!adapter.receivePaused) NvlResumeReceive(adapter);
  }
  sim.runUntilIdle();
  NvlCloseAdapter(adapter);
  return sim.finish();
}

const seeds = Array.from({ length: 12 }, (_, index) => index + 1);

test("the correct driver survives every seed of the fault sweep with no violation", () => {
  for (const seed of seeds) {
    const report = run(seed, {});
    assert.deepEqual(report.violations.map((violation) => violation.message), [], `seed ${seed}`);
    assert.ok(report.stats.sendFailures > 0 && report.stats.allocationFailures > 0, `seed ${seed} injected faults`);
  }
});

const bugCases: [string, NvlBugs, ViolationKind][] = [
  ["leak after a failed control send", { leakOnSendFailure: true }, "packet-leak"],
  ["keep-alive freed after a successful send", { freeAfterSend: true }, "free-in-flight"],
  ["malformed frame dropped without completion", { dropMalformedFrame: true }, "completion-leak"],
  ["configuration packet freed twice on a failed negotiation", { freeTwiceOnNegotiationFailure: true }, "double-free"],
];

for (const [name, bugs, kind] of bugCases) {
  test(`the sweep finds the ${name} (${kind}) and only that`, () => {
    const found = new Set<ViolationKind>();
    for (const seed of seeds) for (const violation of run(seed, bugs).violations) found.add(violation.kind);
    assert.deepEqual([...found], [kind]);
  });
}

test("the sweep finds the context read before the NULL check: the first injected allocation failure is a clear TypeError", () => {
  const failures: string[] = [];
  for (const seed of seeds) {
    try {
      run(seed, { contextBeforeNullCheck: true });
    } catch (error) {
      failures.push(error instanceof TypeError ? error.message : String(error));
    }
  }
  assert.ok(failures.length > 0, "some seed fails an allocation in NvlSendFrame");
  for (const message of failures) assert.equal(message, "VmbPacketGetContext: expected a VMBPACKET, got NULL");
});

test("a failing seed replays exactly", () => {
  const first = run(4, { leakOnSendFailure: true });
  const again = run(4, { leakOnSendFailure: true });
  assert.ok(first.violations.length > 0, "seed 4 fails a control send");
  assert.deepEqual(again.violations.map(({ kind, handleId, message }) => ({ kind, handleId, message })), first.violations.map(({ kind, handleId, message }) => ({ kind, handleId, message })));
  assert.deepEqual(again.stats, first.stats);
});
