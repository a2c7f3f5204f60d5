import { test } from "node:test";
import assert from "node:assert/strict";
import {
  NT_SUCCESS,
  STATUS_DEVICE_NOT_READY,
  type SimulationOptions,
  Simulation,
  VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION,
  type VMBPACKET,
  VmbChannelCleanup,
  VmbPacketAllocate,
  VmbPacketFree,
  VmbPacketSend,
  VmbPacketSetCompletionRoutine,
} from "../../../runtime/src/kmcl/index";

const WAIT = VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION;

/** A small driver workload: allocate, send with a custom routine that frees, handle every failure. */
function workload(options: SimulationOptions, packets = 40): { sim: Simulation; completionOrder: number[]; allocated: boolean[] } {
  const sim = new Simulation({ mode: "report", ...options });
  sim.host.respondWith((request) => ({ action: "echo", delayMs: request.packetId % 3 }));
  const channel = sim.createChannel();
  const completionOrder: number[] = [];
  const allocated: boolean[] = [];
  for (let index = 0; index < packets; index++) {
    const packet = VmbPacketAllocate(channel);
    allocated.push(packet !== null);
    if (!packet) continue;
    VmbPacketSetCompletionRoutine(packet, (done) => {
      completionOrder.push(done.id);
      VmbPacketFree(done);
    });
    if (!NT_SUCCESS(VmbPacketSend(packet, new Uint8Array([index]), 1, null, WAIT))) VmbPacketFree(packet);
    if (index % 8 === 7) sim.runUntilIdle();
  }
  sim.runUntilIdle();
  VmbChannelCleanup(channel);
  return { sim, completionOrder, allocated };
}

test("failAllocation.nth makes exactly those VmbPacketAllocate calls return NULL", () => {
  const { allocated, sim } = workload({ faults: { failAllocation: { nth: [2, 5] } } }, 6);
  assert.deepEqual(allocated, [true, false, true, true, false, true]);
  const report = sim.finish();
  assert.equal(report.ok, true);
  assert.equal(report.stats.allocationFailures, 2);
  assert.equal(report.events.filter((event) => event.kind === "allocate-failed" && event.by === "fault").length, 2);
});

test("failAllocation.probability fails about that share of calls, reproducibly per seed", () => {
  const first = workload({ seed: 7, faults: { failAllocation: { probability: 0.25 } } }, 400).allocated;
  const again = workload({ seed: 7, faults: { failAllocation: { probability: 0.25 } } }, 400).allocated;
  const otherSeed = workload({ seed: 8, faults: { failAllocation: { probability: 0.25 } } }, 400).allocated;
  assert.deepEqual(again, first);
  assert.notDeepEqual(otherSeed, first);
  const failures = first.filter((ok) => !ok).length;
  assert.ok(failures > 60 && failures < 140, `${failures} of 400 failed at p = 0.25`);
});

test("failSend fails the Nth send with the given status; the sender keeps and frees the packet", () => {
  const sim = new Simulation({ faults: { failSend: { nth: 2, status: STATUS_DEVICE_NOT_READY } } });
  const channel = sim.createChannel();
  const statuses: number[] = [];
  const packets: VMBPACKET[] = [];
  for (let index = 0; index < 3; index++) {
    const packet = VmbPacketAllocate(channel)!;
    packets.push(packet);
    statuses.push(VmbPacketSend(packet, null, 0, null, WAIT));
  }
  assert.deepEqual(statuses, [0, STATUS_DEVICE_NOT_READY, 0]);
  assert.equal(packets[1]!.state, "allocated");
  VmbPacketFree(packets[1]!);
  sim.runUntilIdle();
  VmbChannelCleanup(channel);
  const report = sim.finish();
  assert.equal(report.ok, true);
  assert.deepEqual(report.events.filter((event) => event.kind === "send-failed").map((event) => [event.handleId, event.status, event.by]), [[packets[1]!.id, STATUS_DEVICE_NOT_READY, "fault"]]);
});

test("a send fault found by probability is reproducible from the seed", () => {
  const run = (seed: number) => workload({ seed, faults: { failSend: { probability: 0.3 } } }, 100).sim.finish().events.filter((event) => event.kind === "send-failed").map((event) => event.handleId);
  assert.deepEqual(run(3), run(3));
  assert.ok(run(3).length > 10);
  assert.notDeepEqual(run(3), run(4));
});

test("completionDelayMs delays every completion in virtual time", () => {
  const sim = new Simulation({ faults: { completionDelayMs: 25 } });
  const channel = sim.createChannel();
  const packet = VmbPacketAllocate(channel)!;
  VmbPacketSend(packet, null, 0, null, WAIT);
  sim.advance(24);
  assert.equal(packet.state, "in-flight");
  sim.runUntilIdle();
  assert.equal(sim.now, 25);
  assert.equal(packet.state, "freed-by-library");
  VmbChannelCleanup(channel);
  assert.equal(sim.finish().ok, true);
});

test("reorderCompletions shuffles completions that are due together, the same way for the same seed", () => {
  const inOrder = workload({ seed: 11 }).completionOrder;
  const shuffled = workload({ seed: 11, faults: { reorderCompletions: true } }).completionOrder;
  const shuffledAgain = workload({ seed: 11, faults: { reorderCompletions: true } }).completionOrder;
  assert.deepEqual(shuffledAgain, shuffled);
  assert.notDeepEqual(shuffled, inOrder);
  assert.deepEqual([...shuffled].sort((a, b) => a - b), [...inOrder].sort((a, b) => a - b), "the same packets complete, in another order");
});

test("same seed, same run: the whole event log is identical with every fault enabled", () => {
  const options: SimulationOptions = {
    seed: 1234,
    faults: { failAllocation: { probability: 0.1 }, failSend: { probability: 0.2, status: "STATUS_CANCELLED" }, completionDelayMs: 3, reorderCompletions: true },
  };
  const first = workload(options, 200).sim.finish();
  const second = workload(options, 200).sim.finish();
  const strip = (events: typeof first.events) => events.map(({ simulationId: _simulationId, ...rest }) => rest);
  assert.ok(first.events.length > 500);
  assert.deepEqual(strip(second.events), strip(first.events));
  assert.deepEqual(second.stats, first.stats);
  assert.notDeepEqual(strip(workload({ ...options, seed: 1235 }, 200).sim.finish().events), strip(first.events));
});

test("enabling one fault does not shift another fault's decisions for the same seed", () => {
  const allocationsOnly = workload({ seed: 5, faults: { failAllocation: { probability: 0.2 } } }, 100).allocated;
  const withSendFaults = workload({ seed: 5, faults: { failAllocation: { probability: 0.2 }, failSend: { probability: 0.5 } } }, 100).allocated;
  assert.deepEqual(withSendFaults, allocationsOnly);
});
