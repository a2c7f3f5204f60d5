import { test } from "node:test";
import assert from "node:assert/strict";
import {
  KmclViolation,
  STATUS_BUFFER_TOO_SMALL,
  STATUS_CANCELLED,
  STATUS_INVALID_DEVICE_STATE,
  STATUS_NOT_FOUND,
  STATUS_SUCCESS,
  Simulation,
  VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION,
  VMBUS_CHANNEL_PROCESS_PACKET_FLAG_EXTERNAL_DATA,
  type VMBPACKET,
  type VMBPACKETCOMPLETION,
  VmbChannelCleanup,
  VmbChannelDisable,
  VmbChannelEnable,
  VmbChannelInitSetProcessPacketCallbacks,
  VmbChannelPacketComplete,
  VmbChannelPacketGetExternalData,
  VmbChannelSendSynchronousRequest,
  VmbChannelSizeofPacket,
  VmbPacketAllocate,
  VmbPacketFree,
  VmbPacketGetContext,
  VmbPacketGetPointer,
  VmbPacketInitialize,
  VmbPacketSend,
  VmbPacketSendWithExternalMdl,
  VmbPacketSendWithExternalPfns,
  VmbPacketSetCompletionRoutine,
  VmbPacketSetPointer,
  allocateCallerPacketMemory,
  type MDL,
  type OutParam,
} from "../../../runtime/src/kmcl/index";

const WAIT = VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION;
const bytes = (text: string) => new TextEncoder().encode(text);

test("a channel goes allocated → enabled → disabled → cleaned-up", () => {
  const sim = new Simulation();
  const channel = sim.createChannel({ enabled: false });
  assert.equal(channel.state, "allocated");
  assert.equal(VmbChannelInitSetProcessPacketCallbacks(channel, () => undefined), STATUS_SUCCESS);
  assert.equal(VmbChannelEnable(channel), STATUS_SUCCESS);
  assert.equal(channel.state, "enabled");
  assert.equal(VmbChannelEnable(channel), STATUS_INVALID_DEVICE_STATE, "enabling twice is a state error, not a transition");
  assert.throws(() => VmbChannelInitSetProcessPacketCallbacks(channel, () => undefined), (error: unknown) => error instanceof KmclViolation && error.kind === "invalid-state", "Init* calls belong before enable");
  VmbChannelDisable(channel);
  assert.equal(channel.state, "disabled");
  VmbChannelCleanup(channel);
  assert.equal(channel.state, "cleaned-up");
  const report = sim.finish();
  assert.deepEqual(report.violations.map((violation) => violation.kind), ["invalid-state"]);
  assert.deepEqual(report.events.filter((event) => event.family === "channel" && event.kind !== "violation").map((event) => event.kind), ["allocate", "enable", "disable", "cleanup"]);
});

test("a packet allocated and never sent is freed by the driver: allocated → freed", () => {
  const sim = new Simulation();
  const channel = sim.createChannel();
  const packet = VmbPacketAllocate(channel);
  assert.ok(packet);
  assert.equal(packet.state, "allocated");
  assert.equal(packet.variant, "lookaside");
  VmbPacketFree(packet);
  assert.equal(packet.state, "freed");
  VmbChannelCleanup(channel);
  const report = sim.finish();
  assert.equal(report.ok, true);
  assert.equal(report.stats.packetsFreedByDriver, 1);
});

test("send with the default routine: in-flight until the host completes, then freed by the library", () => {
  const sim = new Simulation();
  const channel = sim.createChannel();
  const packet = VmbPacketAllocate(channel)!;
  assert.equal(VmbPacketSend(packet, bytes("ping"), 4, null, WAIT), STATUS_SUCCESS);
  assert.equal(packet.state, "in-flight");
  assert.equal(sim.host.requests.toArray()[0]!.packetId, packet.id);
  sim.runUntilIdle();
  assert.equal(packet.state, "freed-by-library");
  VmbChannelCleanup(channel);
  const report = sim.finish();
  assert.equal(report.ok, true);
  assert.equal(report.stats.packetsFreedByLibrary, 1);
  const packetEvents = report.events.filter((event) => event.handleId === packet.id).map((event) => `${event.kind}:${event.state}${event.by ? `:${event.by}` : ""}`);
  assert.deepEqual(packetEvents, ["allocate:allocated", "send:in-flight", "complete:freed-by-library:default-routine", "free:freed-by-library:library"]);
});

test("send with a custom routine: the routine receives the packet back (allocated) with the host's status and answer", () => {
  const sim = new Simulation();
  sim.host.reply({ action: "complete", status: STATUS_SUCCESS, response: "pong" });
  const channel = sim.createChannel();
  const packet = VmbPacketAllocate(channel)!;
  const seen: { state: string; status: number; answer: string }[] = [];
  VmbPacketSetCompletionRoutine(packet, (completed, status, buffer, length) => {
    seen.push({ state: completed.state, status, answer: new TextDecoder().decode(buffer!.subarray(0, length)) });
    VmbPacketFree(completed);
  });
  VmbPacketSend(packet, bytes("ping"), 4, null, WAIT);
  sim.runUntilIdle();
  assert.deepEqual(seen, [{ state: "allocated", status: STATUS_SUCCESS, answer: "pong" }]);
  assert.equal(packet.state, "freed");
  VmbChannelCleanup(channel);
  assert.equal(sim.finish().ok, true);
});

test("without WAIT_FOR_COMPLETION the completion runs once the packet is in the ring, whatever the host does", () => {
  const sim = new Simulation({ host: { defaultReply: { action: "drop" } } });
  const channel = sim.createChannel();
  const packet = VmbPacketAllocate(channel)!;
  assert.equal(VmbPacketSend(packet, bytes("fire and forget"), 15, null, 0), STATUS_SUCCESS);
  sim.runUntilIdle();
  assert.equal(packet.state, "freed-by-library");
  assert.equal(sim.host.requests.size, 1, "the host still received it");
  VmbChannelCleanup(channel);
  assert.equal(sim.finish().ok, true);
});

test("a failed send leaves the packet owned by the sender, who frees it", () => {
  const sim = new Simulation({ faults: { failSend: { nth: 1, status: "STATUS_INSUFFICIENT_RESOURCES" } } });
  const channel = sim.createChannel();
  const packet = VmbPacketAllocate(channel)!;
  const status = VmbPacketSend(packet, bytes("x"), 1, null, WAIT);
  assert.ok(status < 0);
  assert.equal(packet.state, "allocated");
  VmbPacketFree(packet);
  VmbChannelCleanup(channel);
  const report = sim.finish();
  assert.equal(report.ok, true);
  assert.equal(report.stats.sendFailures, 1);
});

test("sending on a channel that is not enabled fails with STATUS_INVALID_DEVICE_STATE and keeps ownership", () => {
  const sim = new Simulation();
  const channel = sim.createChannel({ enabled: false });
  const packet = VmbPacketAllocate(channel)!;
  assert.equal(VmbPacketSend(packet, null, 0, null, WAIT), STATUS_INVALID_DEVICE_STATE);
  assert.equal(packet.state, "allocated");
  VmbPacketFree(packet);
  VmbChannelCleanup(channel);
  assert.equal(sim.finish().ok, true);
});

test("the external-MDL and external-PFN sends append their external data to what the host receives", () => {
  const sim = new Simulation();
  const channel = sim.createChannel();
  const mdl: MDL = { bytes: bytes("0123456789") };
  VmbPacketSendWithExternalMdl(VmbPacketAllocate(channel)!, bytes("hdr"), 3, mdl, 2, 4, WAIT);
  VmbPacketSendWithExternalPfns(VmbPacketAllocate(channel)!, bytes("hdr"), 3, [bytes("ab"), bytes("cd")], 1, 2, WAIT);
  const received = sim.host.requests.toArray().map((request) => new TextDecoder().decode(request.payload));
  assert.deepEqual(received, ["hdr2345", "hdrbc"]);
  sim.runUntilIdle();
  VmbChannelCleanup(channel);
  assert.equal(sim.finish().ok, true);
});

test("a packet's context and pointer live with the packet", () => {
  const sim = new Simulation();
  const channel = sim.createChannel();
  const packet = VmbPacketAllocate(channel)!;
  VmbPacketGetContext(packet).requestId = 7;
  VmbPacketSetPointer(packet, { irp: 42 });
  assert.equal(VmbPacketGetContext(packet).requestId, 7);
  assert.deepEqual(VmbPacketGetPointer(packet), { irp: 42 });
  VmbPacketFree(packet);
  VmbChannelCleanup(channel);
  assert.equal(sim.finish().ok, true);
});

test("the lookaside list has a capacity: exhaustion returns NULL, a free makes room again", () => {
  const sim = new Simulation({ lookasideCapacity: 2 });
  const channel = sim.createChannel();
  const first = VmbPacketAllocate(channel);
  const second = VmbPacketAllocate(channel);
  assert.ok(first && second);
  assert.equal(VmbPacketAllocate(channel), null);
  VmbPacketFree(first);
  const third = VmbPacketAllocate(channel);
  assert.ok(third);
  VmbPacketFree(second);
  VmbPacketFree(third);
  VmbChannelCleanup(channel);
  const report = sim.finish();
  assert.equal(report.ok, true);
  assert.equal(report.stats.lookasideExhausted, 1);
  assert.equal(report.stats.peakOutstandingPackets, 2);
});

test("caller-memory packets: VmbPacketInitialize binds them; after completion the caller owns them again, nothing to free", () => {
  const sim = new Simulation();
  const channel = sim.createChannel();
  const memory = allocateCallerPacketMemory(VmbChannelSizeofPacket(channel));
  assert.equal(memory.state, "uninitialized");
  assert.ok(VmbPacketInitialize(channel, memory, VmbChannelSizeofPacket(channel) - 1) < 0, "too small a buffer is refused");
  assert.equal(VmbPacketInitialize(channel, memory, VmbChannelSizeofPacket(channel)), STATUS_SUCCESS);
  assert.equal(memory.state, "allocated");
  assert.equal(memory.variant, "caller-memory");
  VmbPacketSend(memory, bytes("x"), 1, null, WAIT);
  assert.equal(memory.state, "in-flight");
  sim.runUntilIdle();
  assert.equal(memory.state, "allocated");
  VmbChannelCleanup(channel);
  assert.equal(sim.finish().ok, true, "an owned caller-memory packet at cleanup is not a leak");
});

test("disabling a channel cancels its packets in flight: the default routine frees them, a custom routine gets STATUS_CANCELLED", () => {
  const sim = new Simulation({ host: { defaultReply: { action: "drop" } } });
  const channel = sim.createChannel();
  const byLibrary = VmbPacketAllocate(channel)!;
  const custom = VmbPacketAllocate(channel)!;
  const statuses: number[] = [];
  VmbPacketSetCompletionRoutine(custom, (packet, status) => {
    statuses.push(status);
    VmbPacketFree(packet);
  });
  VmbPacketSend(byLibrary, null, 0, null, WAIT);
  VmbPacketSend(custom, null, 0, null, WAIT);
  sim.runUntilIdle();
  assert.equal(byLibrary.state, "in-flight", "a dropped packet stays in flight");
  VmbChannelDisable(channel);
  assert.equal(byLibrary.state, "freed-by-library");
  assert.deepEqual(statuses, [STATUS_CANCELLED]);
  VmbChannelCleanup(channel);
  const report = sim.finish();
  assert.equal(report.ok, true);
  assert.equal(report.stats.packetsCancelled, 2);
});

test("incoming packets: delivered with a pending completion, completed once, the host gets the answer", () => {
  const sim = new Simulation();
  const completions: VMBPACKETCOMPLETION[] = [];
  const channel = sim.createChannel({
    processPacket: (_channel, completion, buffer, length, flags) => {
      assert.equal(new TextDecoder().decode(buffer.subarray(0, length)), "request");
      assert.equal(flags & VMBUS_CHANNEL_PROCESS_PACKET_FLAG_EXTERNAL_DATA, VMBUS_CHANNEL_PROCESS_PACKET_FLAG_EXTERNAL_DATA);
      const mdl: OutParam<MDL> = { value: null };
      assert.equal(VmbChannelPacketGetExternalData(completion, 0, mdl), STATUS_SUCCESS);
      assert.equal(new TextDecoder().decode(mdl.value!.bytes), "bulk");
      completions.push(completion);
    },
  });
  sim.host.deliver(channel, "request", { delayMs: 5, externalData: "bulk" });
  sim.advance(4);
  assert.equal(completions.length, 0, "not due yet");
  sim.advance(1);
  assert.equal(completions.length, 1);
  const completion = completions[0]!;
  assert.equal(completion.state, "pending");
  VmbChannelPacketComplete(completion, bytes("answer"), 6);
  assert.equal(completion.state, "completed");
  assert.equal(new TextDecoder().decode(sim.host.completions.toArray()[0]!.response), "answer");
  VmbChannelCleanup(channel);
  assert.equal(sim.finish().ok, true);
});

test("incoming packets wait for the channel to be enabled with a callback", () => {
  const sim = new Simulation();
  const channel = sim.createChannel({ enabled: false });
  const delivered: string[] = [];
  sim.host.deliver(channel, "early");
  sim.runUntilIdle();
  VmbChannelInitSetProcessPacketCallbacks(channel, (_channel, completion, buffer) => {
    delivered.push(new TextDecoder().decode(buffer));
    VmbChannelPacketComplete(completion, null, 0);
  });
  VmbChannelEnable(channel);
  sim.runUntilIdle();
  assert.deepEqual(delivered, ["early"]);
  VmbChannelCleanup(channel);
  assert.equal(sim.finish().ok, true);
});

test("a synchronous request waits in virtual time for the host's answer and needs no packet", () => {
  const sim = new Simulation({ host: { replies: [{ action: "complete", response: "answer", delayMs: 30 }, { action: "drop" }] }, synchronousTimeoutMs: 100 });
  const channel = sim.createChannel();
  const answer = new Uint8Array(16);
  const size: OutParam<number> = { value: null };
  assert.equal(VmbChannelSendSynchronousRequest(channel, bytes("q"), 1, null, WAIT, answer, size), STATUS_SUCCESS);
  assert.equal(size.value, 6);
  assert.equal(new TextDecoder().decode(answer.subarray(0, 6)), "answer");
  assert.equal(sim.now, 30);
  assert.ok(VmbChannelSendSynchronousRequest(channel, bytes("q"), 1, null, WAIT, answer, size) < 0, "a dropped request times out");
  assert.equal(sim.now, 130);
  VmbChannelCleanup(channel);
  assert.equal(sim.finish().ok, true);
});

test("advance moves the clock and runs only what falls due", () => {
  const sim = new Simulation({ faults: { completionDelayMs: 10 } });
  const channel = sim.createChannel();
  const packet: VMBPACKET = VmbPacketAllocate(channel)!;
  VmbPacketSend(packet, null, 0, null, WAIT);
  assert.equal(sim.advance(9), 0);
  assert.equal(packet.state, "in-flight");
  assert.deepEqual(sim.describeHandle(packet.id)!.times, { started: 0 }, "in flight: not ended");
  assert.equal(sim.advance(1), 1);
  assert.equal(packet.state, "freed-by-library");
  assert.equal(sim.now, 10);
  assert.deepEqual(sim.describeHandle(packet.id)!.times, { started: 0, ended: 10 }, "the library freed it when its completion ran");
  VmbChannelCleanup(channel);
  assert.equal(sim.finish().ok, true);
});

test("a completion routine that faults during a cancellation does not leave other packets in flight", () => {
  const sim = new Simulation({ mode: "strict", host: { defaultReply: { action: "drop" } } });
  const channel = sim.createChannel();
  const faulty = VmbPacketAllocate(channel)!;
  const other = VmbPacketAllocate(channel)!;
  VmbPacketSetCompletionRoutine(faulty, (packet) => {
    VmbPacketFree(packet);
    VmbPacketFree(packet);
  });
  VmbPacketSend(faulty, null, 0, null, WAIT);
  VmbPacketSend(other, null, 0, null, WAIT);
  assert.throws(() => VmbChannelDisable(channel), /double-free/);
  assert.equal(other.state, "freed-by-library", "the second packet was still cancelled");
  VmbChannelCleanup(channel);
  assert.deepEqual(sim.finish().violations.map((violation) => violation.kind), ["double-free"]);
});

test("a completion routine that faults during VmbChannelCleanup's cancellation still leaves the channel cleaned up", () => {
  const sim = new Simulation({ mode: "strict", host: { defaultReply: { action: "drop" } } });
  const channel = sim.createChannel();
  const packet = VmbPacketAllocate(channel)!;
  VmbPacketSetCompletionRoutine(packet, (completed) => {
    VmbPacketFree(completed);
    VmbPacketFree(completed);
  });
  VmbPacketSend(packet, null, 0, null, WAIT);
  assert.throws(() => VmbChannelCleanup(channel), /double-free/);
  assert.equal(channel.state, "cleaned-up");
  assert.deepEqual(sim.finish().violations.map((violation) => violation.kind), ["double-free"], "no channel-leak on top");
});

test("the processing-complete callback follows each batch of deliveries", () => {
  const sim = new Simulation();
  const calls: string[] = [];
  const channel = sim.createChannel({
    processPacket: (_channel, completion) => {
      calls.push("packet");
      VmbChannelPacketComplete(completion, null, 0);
    },
    processingComplete: (_channel, processed) => void calls.push(`batch of ${processed}`),
  });
  sim.host.deliver(channel, "a");
  sim.runUntilIdle();
  assert.deepEqual(calls, ["packet", "batch of 1"]);
  VmbChannelCleanup(channel);
  assert.equal(sim.finish().ok, true);
});

test("an incoming packet without external data answers VmbChannelPacketGetExternalData with STATUS_NOT_FOUND", () => {
  const sim = new Simulation();
  const statuses: number[] = [];
  const channel = sim.createChannel({
    processPacket: (_channel, completion, _buffer, _length, flags) => {
      assert.equal(flags, 0);
      const mdl: OutParam<MDL> = { value: null };
      statuses.push(VmbChannelPacketGetExternalData(completion, 0, mdl));
      assert.equal(mdl.value, null);
      VmbChannelPacketComplete(completion, null, 0);
    },
  });
  sim.host.deliver(channel, "inline only");
  sim.runUntilIdle();
  assert.deepEqual(statuses, [STATUS_NOT_FOUND]);
  VmbChannelCleanup(channel);
  assert.equal(sim.finish().ok, true);
});

test("a synchronous answer longer than the completion buffer is STATUS_BUFFER_TOO_SMALL, with the size needed", () => {
  const sim = new Simulation({ host: { defaultReply: { action: "complete", response: "a long answer" } } });
  const channel = sim.createChannel();
  const size: OutParam<number> = { value: null };
  assert.equal(VmbChannelSendSynchronousRequest(channel, null, 0, null, WAIT, new Uint8Array(4), size), STATUS_BUFFER_TOO_SMALL);
  assert.equal(size.value, 13);
  VmbChannelCleanup(channel);
  assert.equal(sim.finish().ok, true);
});
