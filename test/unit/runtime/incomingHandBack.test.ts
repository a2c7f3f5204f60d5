// Incoming packets the driver hands back to the library: VmbChannelPacketDeferToPassive,
// VmbChannelPacketFail and VmbChannelPacketGetExternalData returning STATUS_PENDING. Each
// violation next to the correct driver code it is the twin of.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  type EvtVmbChannelProcessPacket,
  type MDL,
  type OutParam,
  STATUS_PENDING,
  STATUS_SUCCESS,
  Simulation,
  type SimulationOptions,
  type VMBPACKETCOMPLETION,
  type ViolationKind,
  VmbChannelCleanup,
  VmbChannelDisable,
  VmbChannelEnable,
  VmbChannelPacketComplete,
  VmbChannelPacketDeferToPassive,
  VmbChannelPacketFail,
  VmbChannelPacketGetExternalData,
  VmbChannelSetTransactionQuota,
} from "../../../runtime/src/kmcl/index";

/** Runs `processPacket` on one channel fed by `payloads`; returns the report's violation kinds and what the callback saw. */
function receive(processPacket: EvtVmbChannelProcessPacket, payloads: string[], options: SimulationOptions = {}, externalData?: string) {
  const sim = new Simulation({ mode: "report", ...options });
  const channel = sim.createChannel({ processPacket });
  for (const payload of payloads) sim.host.deliver(channel, payload, externalData === undefined ? {} : { externalData });
  sim.runUntilIdle();
  const completions = sim.host.completions.toArray().length;
  VmbChannelCleanup(channel);
  const report = sim.finish();
  return { kinds: report.violations.map((violation) => violation.kind) as ViolationKind[], completions, report };
}

test("a packet deferred to passive comes back as the same handle, and is completed then", () => {
  const seen: VMBPACKETCOMPLETION[] = [];
  const { kinds, completions, report } = receive((_channel, packet) => {
    seen.push(packet);
    if (seen.length === 1) {
      VmbChannelPacketDeferToPassive(packet);
      return;
    }
    VmbChannelPacketComplete(packet, null, 0);
  }, ["work"]);
  assert.deepEqual(kinds, []);
  assert.equal(seen.length, 2, "delivered again after the deferral");
  assert.equal(seen[0], seen[1], "the same VMBPACKETCOMPLETION");
  assert.equal(completions, 1);
  assert.equal(report.stats.incomingDeferred, 1);
  assert.equal(report.stats.incomingDelivered, 1, "one packet from the host");
});

test("completing a deferred packet in the same delivery is free-in-flight", () => {
  let deliveries = 0;
  const { kinds } = receive((_channel, packet) => {
    deliveries++;
    if (deliveries > 1) return VmbChannelPacketComplete(packet, null, 0);
    VmbChannelPacketDeferToPassive(packet);
    VmbChannelPacketComplete(packet, null, 0);
  }, ["work"]);
  assert.deepEqual(kinds, ["free-in-flight"]);
});

test("STATUS_PENDING from VmbChannelPacketGetExternalData: return, and the packet comes again with its data ready", () => {
  const statuses: number[] = [];
  let data: Uint8Array | undefined;
  const { kinds, completions, report } = receive((_channel, packet) => {
    const mdl: OutParam<MDL> = { value: null };
    const status = VmbChannelPacketGetExternalData(packet, 0, mdl);
    statuses.push(status);
    if (status === STATUS_PENDING) return;
    data = mdl.value?.bytes;
    VmbChannelPacketComplete(packet, null, 0);
  }, ["read"], { faults: { externalDataPending: { nth: 1, delayMs: 3 } } }, "paged out");
  assert.deepEqual(kinds, []);
  assert.deepEqual(statuses, [STATUS_PENDING, STATUS_SUCCESS]);
  assert.equal(new TextDecoder().decode(data), "paged out");
  assert.equal(completions, 1);
  assert.equal(report.stats.incomingPended, 1);
  assert.equal(report.stats.virtualTimeMs, 3, "delivered again once the data is paged in");
});

test("completing after STATUS_PENDING is free-in-flight; asking again is use-in-flight", () => {
  const completing = receive((_channel, packet) => {
    if (VmbChannelPacketGetExternalData(packet, 0, { value: null }) === STATUS_PENDING) VmbChannelPacketComplete(packet, null, 0);
    else VmbChannelPacketComplete(packet, null, 0);
  }, ["read"], { faults: { externalDataPending: { nth: 1 } } }, "data");
  assert.deepEqual(completing.kinds, ["free-in-flight"]);

  let calls = 0;
  const retrying = receive((_channel, packet) => {
    // The bug: retrying in a loop instead of returning from the callback.
    while (VmbChannelPacketGetExternalData(packet, 0, { value: null }) === STATUS_PENDING && ++calls < 3);
    if (packet.state === "pending") VmbChannelPacketComplete(packet, null, 0);
  }, ["read"], { faults: { externalDataPending: { nth: 1 } } }, "data");
  assert.deepEqual(retrying.kinds, ["use-in-flight"]);
});

test("VmbChannelPacketFail ends the packet and stops the queue until the channel is enabled again", () => {
  const sim = new Simulation({ mode: "report" });
  const received: string[] = [];
  const channel = sim.createChannel({
    processPacket: (_channel, packet, buffer) => {
      const text = new TextDecoder().decode(buffer);
      received.push(text);
      if (text === "malformed") VmbChannelPacketFail(packet);
      else VmbChannelPacketComplete(packet, null, 0);
    },
  });
  sim.host.deliver(channel, "malformed");
  sim.host.deliver(channel, "next", { delayMs: 1 });
  sim.runUntilIdle();
  assert.deepEqual(received, ["malformed"], "the queue stopped");
  VmbChannelDisable(channel);
  assert.equal(VmbChannelEnable(channel), STATUS_SUCCESS);
  sim.runUntilIdle();
  assert.deepEqual(received, ["malformed", "next"]);
  VmbChannelCleanup(channel);
  const report = sim.finish();
  assert.equal(report.ok, true, report.violations.map((violation) => violation.message).join("\n"));
  assert.equal(report.stats.incomingFailed, 1);
});

test("completing a failed packet is free-in-flight", () => {
  const { kinds } = receive((_channel, packet) => {
    VmbChannelPacketFail(packet);
    VmbChannelPacketComplete(packet, null, 0);
  }, ["malformed"]);
  assert.deepEqual(kinds, ["free-in-flight"]);
});

test("a packet waiting for its external data is the library's at cleanup: no completion-leak", () => {
  const sim = new Simulation({ mode: "report", faults: { externalDataPending: { nth: 1, delayMs: 10 } } });
  const channel = sim.createChannel({ processPacket: (_channel, packet) => void VmbChannelPacketGetExternalData(packet, 0, { value: null }) });
  sim.host.deliver(channel, "read", { externalData: "data" });
  sim.advance(5);
  VmbChannelCleanup(channel);
  assert.deepEqual(sim.finish().violations, []);
});

test("a driver that defers every delivery never lets the channel go idle", () => {
  const sim = new Simulation({ mode: "report", maxStepsPerRun: 1000 });
  const channel = sim.createChannel({ processPacket: (_channel, packet) => VmbChannelPacketDeferToPassive(packet) });
  sim.host.deliver(channel, "again and again");
  assert.throws(() => sim.runUntilIdle(), /did not go idle/);
});

test("a deferred packet comes back ahead of new packets its quota holds back", () => {
  const sim = new Simulation({ mode: "strict" });
  const order: string[] = [];
  let deferred = false;
  const channel = sim.createChannel({
    processPacket: (_channel, packet, buffer) => {
      const text = new TextDecoder().decode(buffer);
      order.push(text);
      if (text === "first" && !deferred) {
        deferred = true;
        VmbChannelPacketDeferToPassive(packet);
        return;
      }
      VmbChannelPacketComplete(packet, null, 0);
    },
  });
  VmbChannelSetTransactionQuota(channel, 1);
  sim.host.deliver(channel, "first");
  sim.host.deliver(channel, "second");
  sim.runUntilIdle();
  assert.deepEqual(order, ["first", "first", "second"]);
  VmbChannelCleanup(channel);
  assert.equal(sim.finish().ok, true);
});
