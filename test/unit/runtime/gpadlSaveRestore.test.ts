// GPADLs (created, mapped, unmapped, deleted in pairs) and saving and restoring a channel with its
// packets in flight: each misuse next to the correct sequence.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  type MDL,
  type OutParam,
  STATUS_ACCESS_DENIED,
  STATUS_BUFFER_OVERFLOW,
  STATUS_BUFFER_TOO_SMALL,
  STATUS_INVALID_DEVICE_STATE,
  STATUS_MORE_PROCESSING_REQUIRED,
  STATUS_SUCCESS,
  Simulation,
  type VMBPACKET,
  type VMB_CHANNEL_STATE_CHANGE_CALLBACKS,
  VMB_CHANNEL_STATE_CHANGE_CALLBACKS_INIT,
  VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION,
  VMBUS_CHANNEL_GPADL_FLAG_READ_ONLY,
  VmbChannelCleanup,
  VmbChannelCreateGpadlFromBuffer,
  VmbChannelCreateGpadlFromMdl,
  VmbChannelDeleteGpadl,
  VmbChannelDisable,
  VmbChannelEnable,
  VmbChannelInitSetStateChangeCallbacks,
  VmbChannelMapGpadl,
  VmbChannelRestoreFromBuffer,
  VmbChannelSaveBegin,
  VmbChannelSaveContinue,
  VmbChannelSaveEnd,
  VmbChannelUnmapGpadl,
  VmbPacketAllocate,
  VmbPacketFree,
  VmbPacketRestore,
  VmbPacketSend,
  VmbServerChannelInitSetSaveRestorePacketCallbacks,
} from "../../../runtime/src/kmcl/index";

const kinds = (sim: Simulation) => sim.violations.map((violation) => violation.kind);
const out = <T>(): OutParam<T> => ({ value: null });

test("a GPADL created, mapped, unmapped and deleted leaves nothing behind; its memory is shared", () => {
  const sim = new Simulation({ mode: "strict" });
  const channel = sim.createChannel();
  const ring = new Uint8Array(4096);
  const handle = out<number>();
  assert.equal(VmbChannelCreateGpadlFromBuffer(channel, 0, ring, ring.length, handle), STATUS_SUCCESS);
  const mdl = out<MDL>();
  assert.equal(VmbChannelMapGpadl(channel, 0, handle.value!, mdl), STATUS_SUCCESS);
  mdl.value!.bytes[0] = 0x5a;
  assert.equal(ring[0], 0x5a, "the mapping describes the same memory");
  VmbChannelUnmapGpadl(channel, handle.value!);
  VmbChannelDeleteGpadl(channel, handle.value!);
  VmbChannelCleanup(channel);
  assert.equal(sim.finish().ok, true);
});

test("GPADL misuse: a second mapping, a second delete, a GPADL never deleted", () => {
  const sim = new Simulation({ mode: "report" });
  const channel = sim.createChannel();
  const handle = out<number>();
  VmbChannelCreateGpadlFromMdl(channel, 0, { bytes: new Uint8Array(8192) }, 4096, 0, handle);
  assert.equal(VmbChannelMapGpadl(channel, 0, handle.value!, out()), STATUS_SUCCESS);
  assert.equal(VmbChannelMapGpadl(channel, 0, handle.value!, out()), STATUS_INVALID_DEVICE_STATE);
  VmbChannelUnmapGpadl(channel, handle.value!);
  VmbChannelDeleteGpadl(channel, handle.value!);
  VmbChannelDeleteGpadl(channel, handle.value!);
  VmbChannelCreateGpadlFromBuffer(channel, 0, new Uint8Array(64), 64, out());
  VmbChannelCleanup(channel);
  assert.deepEqual(kinds(sim), ["invalid-state", "invalid-state", "gpadl-leak"]);
});

test("a GPADL needs an open channel", () => {
  const sim = new Simulation({ mode: "report" });
  const channel = sim.createChannel({ enabled: false });
  assert.equal(VmbChannelCreateGpadlFromBuffer(channel, 0, new Uint8Array(64), 64, out()), STATUS_INVALID_DEVICE_STATE);
  assert.deepEqual(kinds(sim), ["invalid-state"]);
});

test("a server maps the opposite endpoint's GPADL: read-only ones only for reading, and it unmaps them", () => {
  const sim = new Simulation({ mode: "report" });
  const server = sim.createChannel({ isServer: true });
  const guestBuffer = new TextEncoder().encode("guest data");
  const gpadl = sim.host.createGpadl(server, guestBuffer, { readOnly: true });
  assert.equal(VmbChannelMapGpadl(server, 0, gpadl, out()), STATUS_ACCESS_DENIED);
  const mdl = out<MDL>();
  assert.equal(VmbChannelMapGpadl(server, VMBUS_CHANNEL_GPADL_FLAG_READ_ONLY, gpadl, mdl), STATUS_SUCCESS);
  assert.equal(new TextDecoder().decode(mdl.value!.bytes), "guest data");
  VmbChannelDeleteGpadl(server, gpadl);
  VmbChannelCleanup(server);
  assert.deepEqual(kinds(sim), ["invalid-state", "gpadl-leak"], "the driver may not delete the guest's GPADL, and never unmapped it");
});

/** A server channel whose driver saves a tag per packet and restores packets as the header describes. */
function serverWithSaveRestore(sim: Simulation, restored: VMBPACKET[], tags: string[]) {
  const channel = sim.createChannel({ enabled: false, isServer: true });
  const status = VmbServerChannelInitSetSaveRestorePacketCallbacks(
    channel,
    (_channel, packet, saveBuf, saveBufSize, bytesNeeded) => {
      const tag = new TextEncoder().encode(`tag of #${packet.id}`);
      if (saveBufSize < tag.length) {
        bytesNeeded.value = tag.length;
        return STATUS_BUFFER_TOO_SMALL;
      }
      saveBuf.set(tag);
      return STATUS_SUCCESS;
    },
    (restoring, libBuf, libBufSize, saveBuf) => {
      tags.push(new TextDecoder().decode(saveBuf));
      const packet = VmbPacketAllocate(restoring);
      if (!packet) return STATUS_BUFFER_TOO_SMALL;
      const restoreStatus = VmbPacketRestore(packet, libBuf, libBufSize);
      if (restoreStatus !== STATUS_SUCCESS) VmbPacketFree(packet);
      else restored.push(packet);
      return restoreStatus;
    },
  );
  assert.equal(status, STATUS_SUCCESS);
  return channel;
}

test("save a channel with a packet in flight, restore it on a new one: the packet is in flight again", () => {
  const sim = new Simulation({ mode: "strict", host: { replies: [{ action: "drop" }] } });
  const restored: VMBPACKET[] = [];
  const tags: string[] = [];
  const before = serverWithSaveRestore(sim, restored, tags);
  assert.equal(VmbChannelEnable(before), STATUS_SUCCESS);
  const sent = VmbPacketAllocate(before)!;
  assert.equal(VmbPacketSend(sent, new TextEncoder().encode("transaction"), 11, null, VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION), STATUS_SUCCESS);

  assert.equal(VmbChannelSaveBegin(before), STATUS_SUCCESS);
  const chunks: Uint8Array[] = [];
  const filled = out<number>();
  const required = out<number>();
  assert.equal(VmbChannelSaveContinue(before, new Uint8Array(0), 0, filled, required), STATUS_BUFFER_TOO_SMALL);
  let status = STATUS_BUFFER_OVERFLOW;
  while (status === STATUS_BUFFER_OVERFLOW || status === STATUS_BUFFER_TOO_SMALL) {
    const buffer = new Uint8Array(required.value!);
    status = VmbChannelSaveContinue(before, buffer, buffer.length, filled, required);
    chunks.push(buffer.slice(0, filled.value!));
  }
  assert.equal(status, STATUS_SUCCESS);
  VmbChannelSaveEnd(before);
  VmbChannelCleanup(before);

  const after = serverWithSaveRestore(sim, restored, tags);
  const statuses = chunks.map((chunk) => VmbChannelRestoreFromBuffer(after, chunk, chunk.length));
  assert.deepEqual(statuses, [STATUS_MORE_PROCESSING_REQUIRED, STATUS_SUCCESS], "chunk by chunk");
  assert.deepEqual(tags, [`tag of #${sent.id}`], "the driver's own state comes back");
  assert.equal(restored.length, 1);
  assert.equal(restored[0]!.state, "in-flight");
  assert.equal(sim.host.requests.size, 1, "the host sees the restored packet once the channel is enabled");
  VmbChannelEnable(after);
  const requests = sim.host.requests.toArray();
  assert.equal(new TextDecoder().decode(requests.at(-1)!.payload), "transaction");
  sim.runUntilIdle();
  assert.equal(restored[0]!.state, "freed-by-library", "completed by the host, freed by the default routine");
  VmbChannelCleanup(after);
  assert.equal(sim.finish().ok, true);
});

test("freeing a restored packet is free-in-flight; a failed restore leaves it to free", () => {
  const sim = new Simulation({ mode: "report", faults: { failCalls: { VmbPacketRestore: { nth: 2 } } } });
  const channel = sim.createChannel();
  const restored = VmbPacketAllocate(channel)!;
  assert.equal(VmbPacketRestore(restored, new Uint8Array([1, 2]), 2), STATUS_SUCCESS);
  VmbPacketFree(restored);
  const kept = VmbPacketAllocate(channel)!;
  assert.notEqual(VmbPacketRestore(kept, new Uint8Array([1, 2]), 2), STATUS_SUCCESS);
  VmbPacketFree(kept);
  assert.deepEqual(kinds(sim), ["free-in-flight"]);
});

test("VmbChannelSaveContinue or VmbChannelSaveEnd without VmbChannelSaveBegin, and a second SaveBegin, are invalid-state", () => {
  const sim = new Simulation({ mode: "report" });
  const channel = sim.createChannel();
  assert.equal(VmbChannelSaveContinue(channel, new Uint8Array(16), 16, out(), out()), STATUS_INVALID_DEVICE_STATE);
  VmbChannelSaveEnd(channel);
  assert.equal(VmbChannelSaveBegin(channel), STATUS_SUCCESS);
  assert.equal(VmbChannelSaveBegin(channel), STATUS_INVALID_DEVICE_STATE);
  VmbChannelSaveEnd(channel);
  assert.deepEqual(kinds(sim), ["invalid-state", "invalid-state", "invalid-state"]);
});

test("GPADLs established in EvtChannelOpened and destroyed in EvtChannelClosed, as the header asks", () => {
  const sim = new Simulation({ mode: "strict" });
  const channel = sim.createChannel({ enabled: false });
  const handle = out<number>();
  const callbacks: Partial<VMB_CHANNEL_STATE_CHANGE_CALLBACKS> = {};
  VMB_CHANNEL_STATE_CHANGE_CALLBACKS_INIT(callbacks);
  callbacks.EvtChannelOpened = (opened) => VmbChannelCreateGpadlFromBuffer(opened, 0, new Uint8Array(4096), 4096, handle);
  callbacks.EvtChannelClosed = (closed) => VmbChannelDeleteGpadl(closed, handle.value!);
  VmbChannelInitSetStateChangeCallbacks(channel, callbacks);
  assert.equal(VmbChannelEnable(channel), STATUS_SUCCESS);
  assert.equal(channel.state, "enabled");
  VmbChannelDisable(channel);
  VmbChannelCleanup(channel);
  assert.equal(sim.finish().ok, true);
});
