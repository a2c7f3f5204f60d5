// The channel's state machine beyond its lifecycle: Init calls before VmbChannelEnable, a server
// channel paused until VmbChannelStart, the state change callbacks, VmbChannelPause waiting for
// what is outstanding, the transaction quota, and injected failures of VmbChannelEnable.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  STATUS_INVALID_PARAMETER_1,
  STATUS_INVALID_PARAMETER_2,
  STATUS_INSUFFICIENT_RESOURCES,
  STATUS_SUCCESS,
  STATUS_UNSUCCESSFUL,
  Simulation,
  type VMBCHANNEL,
  type VMBPACKETCOMPLETION,
  VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION,
  VMB_CHANNEL_STATE_CHANGE_CALLBACKS,
  VMB_CHANNEL_STATE_CHANGE_CALLBACKS_INIT,
  VmbChannelCleanup,
  VmbChannelDisable,
  VmbChannelEnable,
  VmbChannelGetInterfaceInstance,
  VmbChannelGetPointer,
  VmbChannelInitSetFlags,
  VmbChannelInitSetMaximumPacketSize,
  VmbChannelInitSetProcessPacketCallbacks,
  VmbChannelInitSetStateChangeCallbacks,
  VmbChannelPacketComplete,
  VmbChannelPause,
  VmbChannelSetInterruptLatency,
  VmbChannelSetPointer,
  VmbChannelSetTransactionQuota,
  VmbChannelStart,
  VmbClientChannelInitSetRingBufferPageCount,
  VmbPacketAllocate,
  VmbPacketSend,
  VmbServerChannelInitSetFlags,
  VmbServerChannelInitSetTargetInterfaceId,
} from "../../../runtime/src/kmcl/index";

const kinds = (sim: Simulation) => sim.violations.map((violation) => violation.kind);

test("Init calls configure a channel before VmbChannelEnable and check their values", () => {
  const sim = new Simulation({ mode: "report" });
  const channel = sim.createChannel({ enabled: false });
  assert.equal(VmbChannelInitSetMaximumPacketSize(channel, 0), STATUS_INVALID_PARAMETER_2, "zero is invalid");
  assert.equal(VmbChannelInitSetMaximumPacketSize(channel, 4096), STATUS_SUCCESS);
  assert.equal(VmbChannelInitSetFlags(channel, 0x80), STATUS_INVALID_PARAMETER_2, "unknown flag bits");
  assert.equal(VmbClientChannelInitSetRingBufferPageCount(channel, 16, 16), STATUS_SUCCESS);
  assert.equal(VmbChannelEnable(channel), STATUS_SUCCESS);
  assert.deepEqual(kinds(sim), []);
});

test("an Init call after VmbChannelEnable, or for the other endpoint, is invalid-state", () => {
  const sim = new Simulation({ mode: "report" });
  const channel = sim.createChannel();
  assert.equal(VmbChannelInitSetMaximumPacketSize(channel, 4096), STATUS_INVALID_PARAMETER_1);
  const client = sim.createChannel({ enabled: false });
  assert.equal(VmbServerChannelInitSetFlags(client, 0), STATUS_INVALID_PARAMETER_1);
  assert.deepEqual(kinds(sim), ["invalid-state", "invalid-state"]);
  assert.match(sim.violations[0]!.message, /before VmbChannelEnable/);
  assert.match(sim.violations[1]!.message, /server endpoint/);
});

test("Init calls are valid again once the channel is disabled", () => {
  const sim = new Simulation({ mode: "strict" });
  const channel = sim.createChannel();
  VmbChannelDisable(channel);
  assert.equal(VmbChannelInitSetMaximumPacketSize(channel, 8192), STATUS_SUCCESS);
  VmbChannelCleanup(channel);
});

test("a server channel is paused after VmbChannelEnable: packets wait for VmbChannelStart", () => {
  const sim = new Simulation({ mode: "report" });
  const received: VMBPACKETCOMPLETION[] = [];
  const server = sim.createChannel({ enabled: false, isServer: true, processPacket: (_channel, packet) => void received.push(packet) });
  assert.equal(VmbServerChannelInitSetTargetInterfaceId(server, "f8615163-df3e-46c5-913f-f2d2f965ed0e", "3A1D7C42-94A3-4D1C-B0F6-2E61F1D0C5AA"), STATUS_SUCCESS);
  assert.equal(VmbChannelEnable(server), STATUS_SUCCESS);
  sim.host.deliver(server, "offer accepted");
  sim.runUntilIdle();
  assert.equal(received.length, 0, "paused");
  VmbChannelStart(server);
  sim.runUntilIdle();
  assert.equal(received.length, 1);
  VmbChannelPacketComplete(received[0]!, null, 0);
  const instance = { value: null as string | null };
  VmbChannelGetInterfaceInstance(server, instance);
  assert.equal(instance.value, "3a1d7c42-94a3-4d1c-b0f6-2e61f1d0c5aa");
  VmbChannelCleanup(server);
  assert.equal(sim.finish().ok, true);
});

test("VmbChannelStart before VmbChannelEnable is invalid-state", () => {
  const sim = new Simulation({ mode: "report" });
  const server = sim.createChannel({ enabled: false, isServer: true });
  VmbChannelStart(server);
  assert.deepEqual(kinds(sim), ["invalid-state"]);
});

test("the state change callbacks run in the header's order; VmbChannelPause inside one is invalid-state", () => {
  const sim = new Simulation({ mode: "report" });
  const order: string[] = [];
  const channel = sim.createChannel({ enabled: false });
  const callbacks: Partial<VMB_CHANNEL_STATE_CHANGE_CALLBACKS> = {};
  VMB_CHANNEL_STATE_CHANGE_CALLBACKS_INIT(callbacks);
  callbacks.EvtChannelOpened = () => (order.push("opened"), STATUS_SUCCESS);
  callbacks.EvtChannelStarted = () => void order.push("started");
  callbacks.EvtChannelPostStarted = () => void order.push("post-started");
  callbacks.EvtChannelSuspend = () => void order.push("suspend");
  callbacks.EvtChannelClosed = (closing: VMBCHANNEL) => {
    order.push("closed");
    VmbChannelPause(closing);
  };
  assert.equal(VmbChannelInitSetStateChangeCallbacks(channel, callbacks), STATUS_SUCCESS);
  assert.equal(VmbChannelInitSetStateChangeCallbacks(channel, { ...callbacks, Size: 8 }), STATUS_INVALID_PARAMETER_2, "a wrong Size");
  VmbChannelEnable(channel);
  VmbChannelDisable(channel);
  assert.deepEqual(order, ["opened", "started", "post-started", "suspend", "closed"]);
  assert.deepEqual(kinds(sim), ["invalid-state"]);
  assert.match(sim.violations[0]!.message, /within a state change callback/);
});

test("a failing EvtChannelOpened leaves no traffic flowing", () => {
  const sim = new Simulation({ mode: "report" });
  const channel = sim.createChannel({ enabled: false });
  const callbacks: Partial<VMB_CHANNEL_STATE_CHANGE_CALLBACKS> = {};
  VMB_CHANNEL_STATE_CHANGE_CALLBACKS_INIT(callbacks);
  callbacks.EvtChannelOpened = () => STATUS_UNSUCCESSFUL;
  VmbChannelInitSetStateChangeCallbacks(channel, callbacks);
  assert.equal(VmbChannelEnable(channel), STATUS_SUCCESS, "VmbChannelEnable returns before the opposite endpoint opens");
  assert.equal(channel.state, "disabled");
  assert.equal(VmbChannelSetInterruptLatency(channel, 10, { value: null }) < 0, true);
  assert.deepEqual(kinds(sim), ["invalid-state"], "the latency is valid only while open");
});

test("VmbChannelPause waits (in virtual time) for the packets it sent to complete", () => {
  const sim = new Simulation({ mode: "strict", host: { defaultReply: { action: "echo", delayMs: 5 } } });
  const channel = sim.createChannel();
  const packet = VmbPacketAllocate(channel)!;
  assert.equal(VmbPacketSend(packet, null, 0, null, VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION), STATUS_SUCCESS);
  VmbChannelPause(channel);
  assert.equal(sim.now, 5);
  assert.equal(packet.state, "freed-by-library");
  VmbChannelStart(channel);
  VmbChannelCleanup(channel);
  assert.equal(sim.finish().ok, true);
});

test("VmbChannelPause with an incoming packet nobody will complete would wait forever: invalid-state", () => {
  const sim = new Simulation({ mode: "report" });
  const channel = sim.createChannel({ processPacket: () => undefined });
  sim.host.deliver(channel, "forgotten");
  sim.runUntilIdle();
  VmbChannelPause(channel);
  assert.deepEqual(kinds(sim), ["invalid-state"]);
  assert.match(sim.violations[0]!.message, /wait forever/);
});

test("the transaction quota holds new packets until a completion makes room", () => {
  const sim = new Simulation({ mode: "strict" });
  const held: VMBPACKETCOMPLETION[] = [];
  const channel = sim.createChannel({ processPacket: (_channel, packet) => void held.push(packet) });
  VmbChannelSetTransactionQuota(channel, 1);
  sim.host.deliver(channel, "one");
  sim.host.deliver(channel, "two");
  sim.runUntilIdle();
  assert.equal(held.length, 1);
  VmbChannelPacketComplete(held[0]!, null, 0);
  sim.runUntilIdle();
  assert.equal(held.length, 2);
  VmbChannelPacketComplete(held[1]!, null, 0);
  VmbChannelCleanup(channel);
  assert.equal(sim.finish().ok, true);
});

test("an injected VmbChannelEnable failure leaves the channel to enable again", () => {
  const sim = new Simulation({ mode: "strict", faults: { failCalls: { VmbChannelEnable: { nth: 1 } } } });
  const channel = sim.createChannel({ enabled: false });
  assert.equal(VmbChannelEnable(channel), STATUS_INSUFFICIENT_RESOURCES);
  assert.equal(channel.state, "allocated");
  assert.equal(VmbChannelInitSetProcessPacketCallbacks(channel, () => undefined), STATUS_SUCCESS, "still initializing");
  assert.equal(VmbChannelEnable(channel), STATUS_SUCCESS);
  VmbChannelCleanup(channel);
});

test("the channel keeps the driver's pointer; after cleanup reading it is use-after-cleanup", () => {
  const sim = new Simulation({ mode: "report" });
  const channel = sim.createChannel();
  const context = { adapter: "nic0" };
  VmbChannelSetPointer(channel, context);
  assert.equal(VmbChannelGetPointer(channel), context);
  assert.equal(sim.describeHandle(channel.id)?.pointer, context);
  VmbChannelCleanup(channel);
  assert.equal(VmbChannelGetPointer(channel), null);
  assert.deepEqual(kinds(sim), ["use-after-cleanup"]);
});
