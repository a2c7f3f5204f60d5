// The KMCL surface under its own names and shapes (vmbuskernelmodeclientlibapi.h). Each function
// checks that its arguments are handles of the right type and of a running simulation, then
// performs its transition on the simulation that owns the handle. Stacks are cut at these
// functions, so the innermost recorded frame is always the driver's call.
import { getSimulation, runningAmbientSimulation } from "./ambient";
import { snapshotBytes } from "./bytes";
import { channelArgument, completionArgument, describeValue, flagsArgument, lengthArgument, mdlBytes, outArgument, packetArgument } from "./apiArguments";
import {
  ChannelObject,
  CompletionObject,
  type EvtVmbChannelProcessPacket,
  type EvtVmbChannelProcessingComplete,
  type EvtVmbPacketCompletionRoutine,
  type MDL,
  type OutParam,
  PacketObject,
  type VMBCHANNEL,
  type VMBPACKET,
  type VMBPACKETCOMPLETION,
} from "./handles";
import { captureStack } from "./stacks";
import { type NTSTATUS, NT_SUCCESS, STATUS_SUCCESS, VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION } from "./status";
import { KmclBugCheck } from "./violations";

export type { OutParam, MDL } from "./handles";


/** What the opposite endpoint receives: the inline buffer followed by any external data. */
function requestBytes(inline: Uint8Array, external: Uint8Array | null): Uint8Array {
  if (external === null || external.length === 0) return inline;
  const joined = new Uint8Array(inline.length + external.length);
  joined.set(inline);
  joined.set(external, inline.length);
  return joined;
}

// ---- channels ----

/**
 * Allocates a channel in the ambient simulation (see configureSimulation); writes it to `channel.value`.
 * The parent device object only matters to a real PnP stack, so any value is accepted.
 */
export function VmbChannelAllocate(_parentDeviceObject: unknown, isServer: boolean, channel: OutParam<VMBCHANNEL>): NTSTATUS {
  const out = outArgument<VMBCHANNEL>(channel, "VmbChannelAllocate", "Channel");
  const simulation = getSimulation();
  const injected = simulation.injectedFailure("VmbChannelAllocate");
  if (injected !== undefined) return injected;
  out.value = simulation.allocateChannel(Boolean(isServer), VmbChannelAllocate);
  return STATUS_SUCCESS;
}

export function VmbChannelInitSetProcessPacketCallbacks(
  channel: VMBCHANNEL,
  processPacketCallback: EvtVmbChannelProcessPacket | null,
  processingCompleteCallback?: EvtVmbChannelProcessingComplete | null,
): NTSTATUS {
  const target = channelArgument(channel, "VmbChannelInitSetProcessPacketCallbacks");
  return target.owner.setProcessPacketCallbacks(target, processPacketCallback ?? undefined, processingCompleteCallback ?? undefined, VmbChannelInitSetProcessPacketCallbacks);
}

export function VmbChannelEnable(channel: VMBCHANNEL): NTSTATUS {
  const target = channelArgument(channel, "VmbChannelEnable");
  return target.owner.enableChannel(target, VmbChannelEnable);
}

export function VmbChannelDisable(channel: VMBCHANNEL): void {
  const target = channelArgument(channel, "VmbChannelDisable");
  target.owner.disableChannel(target, VmbChannelDisable);
}

/** Disables the channel if needed and releases it; packets and incoming packets it still holds are leaks. */
export function VmbChannelCleanup(channel: VMBCHANNEL): void {
  const target = channelArgument(channel, "VmbChannelCleanup");
  target.owner.cleanupChannel(target, VmbChannelCleanup);
}

/** The size a caller-memory packet buffer needs for VmbPacketInitialize. */
export function VmbChannelSizeofPacket(channel: VMBCHANNEL): number {
  const target = channelArgument(channel, "VmbChannelSizeofPacket");
  return target.owner.sizeofPacket(target, VmbChannelSizeofPacket);
}

/**
 * Sends `buffer` and waits (in virtual time) for the host's answer, copied into `completionBuffer`;
 * `completionBufferSize.value` receives the answer's length. No packet object: nothing to free.
 */
export function VmbChannelSendSynchronousRequest(
  channel: VMBCHANNEL,
  buffer: Uint8Array | null,
  bufferSize: number,
  externalDataMdl: MDL | null,
  flags: number,
  completionBuffer: Uint8Array | null,
  completionBufferSize: OutParam<number> | null,
  timeoutMs?: number,
): NTSTATUS {
  const operation = "VmbChannelSendSynchronousRequest";
  const target = channelArgument(channel, operation);
  const inline = snapshotBytes(buffer, lengthArgument(bufferSize, operation, "BufferSize"), operation);
  const external = mdlBytes(externalDataMdl, 0, 0, operation);
  if (completionBuffer !== null && !(completionBuffer instanceof Uint8Array)) throw new TypeError(`${operation}: CompletionBuffer must be a Uint8Array or NULL`);
  if (completionBufferSize !== null) outArgument<number>(completionBufferSize, operation, "CompletionBufferSize");
  if (timeoutMs !== undefined && (typeof timeoutMs !== "number" || !(timeoutMs >= 0))) throw new TypeError(`${operation}: Timeout must be a non-negative number of milliseconds`);
  return target.owner.sendSynchronousRequest(target, requestBytes(inline, external), flagsArgument(flags, operation), completionBuffer, completionBufferSize, timeoutMs, VmbChannelSendSynchronousRequest);
}

// ---- packets ----

/** A packet from the channel's lookaside list, or null when the list is exhausted (or a fault says so). */
export function VmbPacketAllocate(channel: VMBCHANNEL): VMBPACKET | null {
  const target = channelArgument(channel, "VmbPacketAllocate");
  const site = target.owner.wantsAllocationSite() ? captureStack(VmbPacketAllocate, target.owner.stackDepth) : undefined;
  return target.owner.allocatePacket(target, VmbPacketAllocate, site);
}

/**
 * Caller-owned memory to build a packet in with VmbPacketInitialize (the TypeScript spelling of a
 * buffer of VmbChannelSizeofPacket bytes). Never pass it to VmbPacketFree.
 */
export function allocateCallerPacketMemory(byteCount: number): VMBPACKET {
  return new PacketObject(undefined, 0, 0, "caller-memory", undefined, lengthArgument(byteCount, "allocateCallerPacketMemory", "byteCount"));
}

export function VmbPacketInitialize(channel: VMBCHANNEL, packet: VMBPACKET, byteCount: number): NTSTATUS {
  const operation = "VmbPacketInitialize";
  const target = channelArgument(channel, operation);
  if (!(packet instanceof PacketObject) || packet.variant !== "caller-memory") {
    throw new TypeError(`${operation}: expected caller packet memory from allocateCallerPacketMemory, got ${describeValue(packet)}`);
  }
  return target.owner.initializePacket(target, packet, lengthArgument(byteCount, operation, "BufferSize"), VmbPacketInitialize);
}

/** Frees a packet never sent, or one whose replaced completion routine received it back. */
export function VmbPacketFree(packet: VMBPACKET): void {
  // C drivers cast freely: a channel or completion handed to VmbPacketFree is a bug to report, not a type error.
  const given: unknown = packet;
  if (given instanceof ChannelObject || given instanceof CompletionObject) {
    given.owner.assertRunning("VmbPacketFree");
    given.owner.reportForeignFree(given, VmbPacketFree);
    return;
  }
  const target = packetArgument(packet, "VmbPacketFree");
  const site = target.owner.wantsTransitionSite(target) ? captureStack(VmbPacketFree, target.owner.stackDepth) : undefined;
  target.owner.freePacket(target, VmbPacketFree, site);
}

/** On success the packet belongs to the library until its completion routine runs; on failure the sender still owns it. */
export function VmbPacketSend(packet: VMBPACKET, buffer: Uint8Array | null, bufferLength: number, externalDataMdl: MDL | null, flags: number): NTSTATUS {
  const operation = "VmbPacketSend";
  const target = packetArgument(packet, operation);
  const inline = snapshotBytes(buffer, lengthArgument(bufferLength, operation, "BufferLength"), operation);
  const external = mdlBytes(externalDataMdl, 0, 0, operation);
  const site = target.owner.wantsTransitionSite(target) ? captureStack(VmbPacketSend, target.owner.stackDepth) : undefined;
  return target.owner.sendPacket(target, requestBytes(inline, external), flagsArgument(flags, operation), operation, VmbPacketSend, site);
}

export function VmbPacketSendWithExternalMdl(
  packet: VMBPACKET,
  buffer: Uint8Array | null,
  bufferLength: number,
  externalDataMdl: MDL | null,
  mdlOffset: number,
  mdlLength: number,
  flags: number,
): NTSTATUS {
  const operation = "VmbPacketSendWithExternalMdl";
  const target = packetArgument(packet, operation);
  const inline = snapshotBytes(buffer, lengthArgument(bufferLength, operation, "BufferLength"), operation);
  const external = mdlBytes(externalDataMdl, lengthArgument(mdlOffset, operation, "MdlOffset"), lengthArgument(mdlLength, operation, "MdlLength"), operation);
  const site = target.owner.wantsTransitionSite(target) ? captureStack(VmbPacketSendWithExternalMdl, target.owner.stackDepth) : undefined;
  return target.owner.sendPacket(target, requestBytes(inline, external), flagsArgument(flags, operation), operation, VmbPacketSendWithExternalMdl, site);
}

/** External data given as guest page contents (the simulation has no physical memory: PFNs are the pages' bytes). */
export function VmbPacketSendWithExternalPfns(
  packet: VMBPACKET,
  buffer: Uint8Array | null,
  bufferLength: number,
  pages: readonly Uint8Array[] | null,
  externalDataOffset: number,
  externalDataLength: number,
  flags: number,
): NTSTATUS {
  const operation = "VmbPacketSendWithExternalPfns";
  const target = packetArgument(packet, operation);
  const inline = snapshotBytes(buffer, lengthArgument(bufferLength, operation, "BufferLength"), operation);
  if (pages !== null && (!Array.isArray(pages) || !pages.every((page) => page instanceof Uint8Array))) {
    throw new TypeError(`${operation}: expected the pages as an array of Uint8Array, or NULL`);
  }
  let external: Uint8Array | null = null;
  if (pages !== null && pages.length > 0) {
    external = mdlBytes({ bytes: concatenate(pages) }, lengthArgument(externalDataOffset, operation, "ExternalDataOffset"), lengthArgument(externalDataLength, operation, "ExternalDataLength"), operation);
  }
  const site = target.owner.wantsTransitionSite(target) ? captureStack(VmbPacketSendWithExternalPfns, target.owner.stackDepth) : undefined;
  return target.owner.sendPacket(target, requestBytes(inline, external), flagsArgument(flags, operation), operation, VmbPacketSendWithExternalPfns, site);
}

function concatenate(pages: readonly Uint8Array[]): Uint8Array {
  const total = pages.reduce((sum, page) => sum + page.length, 0);
  const joined = new Uint8Array(total);
  let offset = 0;
  for (const page of pages) {
    joined.set(page, offset);
    offset += page.length;
  }
  return joined;
}

/** Replaces the default routine: `routine` then receives the packet at completion and must free or keep it. */
export function VmbPacketSetCompletionRoutine(packet: VMBPACKET, routine: EvtVmbPacketCompletionRoutine): void {
  const target = packetArgument(packet, "VmbPacketSetCompletionRoutine");
  target.owner.setCompletionRoutine(target, routine, VmbPacketSetCompletionRoutine);
}

/** The packet's context area: an object the driver may fill, alive until the packet dies. */
export function VmbPacketGetContext(packet: VMBPACKET): Record<string, unknown> {
  const target = packetArgument(packet, "VmbPacketGetContext");
  return target.owner.packetContext(target, VmbPacketGetContext);
}

export function VmbPacketSetPointer(packet: VMBPACKET, pointer: unknown): void {
  const target = packetArgument(packet, "VmbPacketSetPointer");
  target.owner.setPacketPointer(target, pointer, VmbPacketSetPointer);
}

/**
 * Puts a saved in-flight packet back in flight (from EvtVmbChannelRestorePacket, with its LibBuf): on
 * success the library owns it as after a send; on failure the caller still does.
 */
export function VmbPacketRestore(packet: VMBPACKET, buffer: Uint8Array | null, bufferSize: number): NTSTATUS {
  const operation = "VmbPacketRestore";
  const target = packetArgument(packet, operation);
  const saved = snapshotBytes(buffer, lengthArgument(bufferSize, operation, "BufferSize"), operation);
  const site = target.owner.wantsTransitionSite(target) ? captureStack(VmbPacketRestore, target.owner.stackDepth) : undefined;
  return target.owner.sendPacket(target, saved, VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION, operation, VmbPacketRestore, site);
}

/** The channel the packet belongs to. */
export function VmbPacketGetChannel(packet: VMBPACKET): VMBCHANNEL | null {
  const target = packetArgument(packet, "VmbPacketGetChannel");
  return target.owner.packetChannel(target, VmbPacketGetChannel);
}

export function VmbPacketGetPointer(packet: VMBPACKET): unknown {
  const target = packetArgument(packet, "VmbPacketGetPointer");
  return target.owner.packetPointer(target, VmbPacketGetPointer);
}

// ---- incoming packets ----

/** Completes an incoming packet (exactly once), answering with the first `bufferSize` bytes of `buffer`. */
export function VmbChannelPacketComplete(packetCompletion: VMBPACKETCOMPLETION, buffer: Uint8Array | null, bufferSize: number): void {
  const operation = "VmbChannelPacketComplete";
  const target = completionArgument(packetCompletion, operation);
  const response = snapshotBytes(buffer, lengthArgument(bufferSize, operation, "BufSize"), operation);
  const site = target.owner.wantsTransitionSite(target) ? captureStack(VmbChannelPacketComplete, target.owner.stackDepth) : undefined;
  target.owner.completeIncoming(target, response, VmbChannelPacketComplete, site);
}

/**
 * The external data of an incoming packet, written to `mdl.value`; STATUS_NOT_FOUND when it has none.
 * STATUS_PENDING when it is not paged in yet: return from the callback without completing the
 * packet; the library delivers the same packet again once the data is ready.
 */
export function VmbChannelPacketGetExternalData(packetCompletion: VMBPACKETCOMPLETION, flags: number, mdl: OutParam<MDL>): NTSTATUS {
  const operation = "VmbChannelPacketGetExternalData";
  const target = completionArgument(packetCompletion, operation);
  flagsArgument(flags, operation);
  const out = outArgument<MDL>(mdl, operation, "Mdl");
  const bytes: { value: Uint8Array | null } = { value: null };
  const status = target.owner.incomingExternalData(target, flags, bytes, VmbChannelPacketGetExternalData);
  if (NT_SUCCESS(status) && bytes.value) out.value = { bytes: bytes.value };
  return status;
}

/** Hands the incoming packet back to the library, which delivers it again: this delivery must not complete it. */
export function VmbChannelPacketDeferToPassive(packetCompletion: VMBPACKETCOMPLETION): void {
  const target = completionArgument(packetCompletion, "VmbChannelPacketDeferToPassive");
  target.owner.deferIncoming(target, VmbChannelPacketDeferToPassive);
}

/** Fails a malformed incoming packet: the library ends it, and the channel's incoming queue stops. */
export function VmbChannelPacketFail(packetCompletion: VMBPACKETCOMPLETION): void {
  const target = completionArgument(packetCompletion, "VmbChannelPacketFail");
  const site = target.owner.wantsTransitionSite(target) ? captureStack(VmbChannelPacketFail, target.owner.stackDepth) : undefined;
  target.owner.failIncoming(target, VmbChannelPacketFail, site);
}

// ---- bug checks (NT_SUCCESS and the status codes are in status.ts) ----

/** Stops the simulated system: recorded on the running ambient simulation (if any), then thrown as a KmclBugCheck. */
export function KeBugCheckEx(bugCheckCode: number, parameter1: unknown, parameter2: unknown, parameter3: unknown, parameter4: unknown): never {
  if (typeof bugCheckCode !== "number" || !Number.isInteger(bugCheckCode)) throw new TypeError(`KeBugCheckEx: BugCheckCode must be a ULONG, got ${describeValue(bugCheckCode)}`);
  runningAmbientSimulation()?.recordBugCheck(bugCheckCode);
  throw new KmclBugCheck(bugCheckCode, [parameter1, parameter2, parameter3, parameter4]);
}

export function KeBugCheck(bugCheckCode: number): never {
  return KeBugCheckEx(bugCheckCode, 0, 0, 0, 0);
}
