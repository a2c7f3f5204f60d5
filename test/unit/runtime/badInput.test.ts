import { test } from "node:test";
import assert from "node:assert/strict";
import {
  Simulation,
  VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION,
  type VMBCHANNEL,
  type VMBPACKET,
  type VMBPACKETCOMPLETION,
  VmbChannelAllocate,
  VmbChannelCleanup,
  VmbChannelPacketComplete,
  VmbPacketAllocate,
  VmbPacketFree,
  VmbPacketGetContext,
  VmbPacketInitialize,
  VmbPacketSend,
  VmbPacketSetCompletionRoutine,
  allocateCallerPacketMemory,
  STATUS_INVALID_PARAMETER,
} from "../../../runtime/src/kmcl/index";

const WAIT = VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION;

/** What the simulation knows, to show that a rejected call changed nothing. */
function snapshot(sim: Simulation): string {
  return JSON.stringify({ live: sim.liveHandles().map(({ id, state }) => [id, state]), violations: sim.violations.length, pending: sim.pendingWork });
}

test("undefined, NULL and non-handles are TypeErrors that name the function and what it got, and change nothing", () => {
  const sim = new Simulation();
  const channel = sim.createChannel();
  const lookasidePacket = VmbPacketAllocate(channel)!;
  const before = snapshot(sim);
  const cases: [() => unknown, RegExp][] = [
    [() => VmbPacketAllocate(undefined as unknown as VMBCHANNEL), /VmbPacketAllocate: expected a VMBCHANNEL, got undefined/],
    [() => VmbPacketFree(null as unknown as VMBPACKET), /VmbPacketFree: expected a VMBPACKET, got NULL/],
    [() => VmbPacketSend({ family: "packet", id: 1 } as unknown as VMBPACKET, null, 0, null, 0), /VmbPacketSend: expected a VMBPACKET, got an object that is not a KMCL handle/],
    [() => VmbPacketGetContext(42 as unknown as VMBPACKET), /expected a VMBPACKET, got number 42/],
    [() => VmbChannelPacketComplete(channel as unknown as VMBPACKETCOMPLETION, null, 0), /expected a VMBPACKETCOMPLETION .*, got channel #\d+/],
    [() => VmbChannelCleanup("channel" as unknown as VMBCHANNEL), /VmbChannelCleanup: expected a VMBCHANNEL, got string channel/],
    [() => VmbChannelAllocate(null, false, undefined as never), /VmbChannelAllocate: expected an out-parameter object/],
    [() => VmbPacketInitialize(channel, lookasidePacket, 512), /expected caller packet memory/],
  ];
  for (const [call, message] of cases) assert.throws(call, (error: unknown) => error instanceof TypeError && message.test(error.message));
  assert.equal(snapshot(sim), before);
});

test("buffers and lengths are checked: a length beyond the buffer is a TypeError, unknown flags a parameter error", () => {
  const sim = new Simulation();
  const channel = sim.createChannel();
  const packet = VmbPacketAllocate(channel)!;
  assert.throws(() => VmbPacketSend(packet, new Uint8Array(2), 3, null, WAIT), /length 3 is outside the buffer \(2 bytes\)/);
  assert.throws(() => VmbPacketSend(packet, null, 1, null, WAIT), /a NULL buffer needs a length of 0/);
  assert.throws(() => VmbPacketSend(packet, null, 0, null, -1), /Flags must be a UINT32/);
  assert.equal(VmbPacketSend(packet, null, 0, null, 0x80), STATUS_INVALID_PARAMETER);
  assert.throws(() => VmbPacketSetCompletionRoutine(packet, null as never), /expected a completion routine function, got null/);
  assert.equal(packet.state, "allocated", "nothing was sent");
  VmbPacketFree(packet);
  VmbChannelCleanup(channel);
  assert.equal(sim.finish().ok, true);
});

test("a handle of another simulation is used with its own simulation, never mixed into this one", () => {
  const first = new Simulation({ mode: "report" });
  const second = new Simulation({ mode: "report" });
  const firstChannel = first.createChannel();
  const secondChannel = second.createChannel();
  assert.throws(() => second.host.deliver(firstChannel, "x"), /channel #\d+ belongs to simulation #\d+, not #\d+/);
  const memory = allocateCallerPacketMemory(1024);
  assert.equal(VmbPacketInitialize(firstChannel, memory, 1024), 0);
  assert.throws(() => VmbPacketInitialize(secondChannel, memory, 1024), /holds caller-memory packet #\d+ of simulation #\d+, not of simulation #\d+/);
  const packet = VmbPacketAllocate(firstChannel)!;
  VmbPacketFree(packet);
  VmbPacketFree(packet);
  assert.equal(first.violations.length, 1, "the double free belongs to the packet's simulation");
  assert.equal(second.violations.length, 0);
  assert.equal(second.liveHandles().length, 1, "only its own channel");
});

test("after sim.finish() every use of its handles is a TypeError; finish itself is idempotent", () => {
  const sim = new Simulation({ mode: "report" });
  const channel = sim.createChannel();
  const packet = VmbPacketAllocate(channel)!;
  const report = sim.finish();
  assert.equal(sim.finish(), report);
  const uses: (() => unknown)[] = [
    () => VmbPacketFree(packet),
    () => VmbPacketSend(packet, null, 0, null, 0),
    () => VmbPacketAllocate(channel),
    () => VmbChannelCleanup(channel),
    () => VmbPacketFree(channel as unknown as VMBPACKET),
    () => sim.runUntilIdle(),
    () => sim.advance(1),
    () => sim.createChannel(),
    () => sim.host.deliver(channel, "late"),
  ];
  for (const use of uses) assert.throws(use, (error: unknown) => error instanceof TypeError && /simulation #\d+ has finished/.test(error.message));
  assert.equal(report.violations.length, 2, "the leaks found at finish and nothing since");
});

test("bad options are TypeErrors before anything runs", () => {
  assert.throws(() => new Simulation({ mode: "loose" as never }), /mode: expected one of "strict", "report"/);
  assert.throws(() => new Simulation({ seed: 1.5 }), /seed: expected an integer/);
  assert.throws(() => new Simulation({ lookasideCapacity: -1 }), /lookasideCapacity: expected a non-negative integer/);
  assert.throws(() => new Simulation({ faults: { failSend: { nth: 0 } } }), /faults\.failSend\.nth: expected one-based call numbers/);
  assert.throws(() => new Simulation({ faults: { failSend: { nth: 1, status: 0 } } }), /needs a failure status/);
  assert.throws(() => new Simulation({ faults: { failAllocation: {} } }), /give nth or a probability/);
  assert.throws(() => new Simulation({ faults: { failSend: { nht: 1 } } as never }), /faults\.failSend: unknown option "nht"/);
  assert.throws(() => new Simulation({ stacks: "some" as never }), /stacks: expected one of/);
  assert.throws(() => new Simulation({ colour: "blue" } as never), /unknown option "colour"/);
  assert.throws(() => new Simulation().advance(-1), /advance: expected a non-negative number/);
  assert.throws(() => new Simulation().createChannel({ processPackets: () => undefined } as never), /createChannel: unknown option "processPackets"/);
  assert.throws(() => new Simulation().createChannel({ lookasideCapacity: 1.5 }), /lookasideCapacity: expected a non-negative integer/);
});
