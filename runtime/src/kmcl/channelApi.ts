// The channel functions of the KMCL beyond its lifecycle (api.ts): the VmbChannelInit* setters,
// pausing and starting, saving and restoring, GPADLs, and the channel's own pointer and settings.
// Each checks its arguments (a TypeError names the function), then acts on the owning simulation.
import {
  bufferArgument,
  callbackArgument,
  channelArgument,
  flagsArgument,
  guidArgument,
  lengthArgument,
  mdlBytes,
  outArgument,
  uint16Argument,
} from "./apiArguments";
import { stateChangeCallbacksSize, stateChangeCallbacksVersion } from "./channelSettings";
import type {
  EvtVmbChannelPnpFailure,
  EvtVmbChannelRestorePacket,
  EvtVmbChannelSavePacket,
  MDL,
  OutParam,
  VMBCHANNEL,
  VMB_CHANNEL_STATE_CHANGE_CALLBACKS,
} from "./handles";
import {
  type NTSTATUS,
  STATUS_INVALID_PARAMETER,
  STATUS_INVALID_PARAMETER_2,
  STATUS_INVALID_PARAMETER_3,
  STATUS_SUCCESS,
  VMBUS_CHANNEL_INIT_FLAGS,
  VMBUS_SERVER_CHANNEL_INIT_FLAGS,
  hasOnlyFlags,
} from "./status";

// ---- initialization: before VmbChannelEnable ----

export function VmbChannelInitSetMaximumPacketSize(channel: VMBCHANNEL, packetSize: number): NTSTATUS {
  const operation = "VmbChannelInitSetMaximumPacketSize";
  const target = channelArgument(channel, operation);
  const size = lengthArgument(packetSize, operation, "PacketSize");
  return target.owner.configureChannel(target, operation, "any", (settings) => {
    if (size === 0) return STATUS_INVALID_PARAMETER_2;
    settings.maximumPacketSize = size;
    return STATUS_SUCCESS;
  }, VmbChannelInitSetMaximumPacketSize);
}

export function VmbChannelInitSetMaximumExternalData(channel: VMBCHANNEL, dataSize: number, chainLength: number): NTSTATUS {
  const operation = "VmbChannelInitSetMaximumExternalData";
  const target = channelArgument(channel, operation);
  const size = lengthArgument(dataSize, operation, "DataSize");
  const chain = lengthArgument(chainLength, operation, "ChainLength");
  return target.owner.configureChannel(target, operation, "any", (settings) => {
    if (size === 0) return STATUS_INVALID_PARAMETER_2;
    if (chain === 0) return STATUS_INVALID_PARAMETER_3;
    settings.maximumExternalData = { dataSize: size, chainLength: chain };
    return STATUS_SUCCESS;
  }, VmbChannelInitSetMaximumExternalData);
}

export function VmbChannelInitSetClientContextSize(channel: VMBCHANNEL, contextSize: number): NTSTATUS {
  const operation = "VmbChannelInitSetClientContextSize";
  const target = channelArgument(channel, operation);
  const size = lengthArgument(contextSize, operation, "ContextSize");
  return target.owner.configureChannel(target, operation, "any", (settings) => {
    settings.clientContextSize = size;
    return STATUS_SUCCESS;
  }, VmbChannelInitSetClientContextSize);
}

/** Fills Version and Size and clears the callbacks, as the header's FORCEINLINE helper does. */
export function VMB_CHANNEL_STATE_CHANGE_CALLBACKS_INIT(callbacks: Partial<VMB_CHANNEL_STATE_CHANGE_CALLBACKS>): asserts callbacks is VMB_CHANNEL_STATE_CHANGE_CALLBACKS {
  if (typeof callbacks !== "object" || callbacks === null) throw new TypeError("VMB_CHANNEL_STATE_CHANGE_CALLBACKS_INIT: expected the callbacks structure");
  for (const key of Object.keys(callbacks)) delete (callbacks as Record<string, unknown>)[key];
  callbacks.Version = stateChangeCallbacksVersion;
  callbacks.Size = stateChangeCallbacksSize;
}

/** EvtChannelOpened, Closed, Suspend, Started and PostStarted: a wrong Version or Size is STATUS_INVALID_PARAMETER_2. */
export function VmbChannelInitSetStateChangeCallbacks(channel: VMBCHANNEL, stateChangeCallbacks: VMB_CHANNEL_STATE_CHANGE_CALLBACKS): NTSTATUS {
  const operation = "VmbChannelInitSetStateChangeCallbacks";
  const target = channelArgument(channel, operation);
  if (typeof stateChangeCallbacks !== "object" || stateChangeCallbacks === null) throw new TypeError(`${operation}: expected a VMB_CHANNEL_STATE_CHANGE_CALLBACKS structure`);
  for (const name of ["EvtChannelOpened", "EvtChannelClosed", "EvtChannelSuspend", "EvtChannelStarted", "EvtChannelPostStarted"] as const) {
    callbackArgument(stateChangeCallbacks[name], operation, name, true);
  }
  return target.owner.setStateChangeCallbacks(target, stateChangeCallbacks, VmbChannelInitSetStateChangeCallbacks);
}

/** `PCUNICODE_STRING Name`: a string. */
export function VmbChannelInitSetFriendlyName(channel: VMBCHANNEL, name: string): NTSTATUS {
  const operation = "VmbChannelInitSetFriendlyName";
  const target = channelArgument(channel, operation);
  if (typeof name !== "string") throw new TypeError(`${operation}: Name must be a string`);
  return target.owner.configureChannel(target, operation, "any", (settings) => {
    settings.friendlyName = name;
    return STATUS_SUCCESS;
  }, VmbChannelInitSetFriendlyName);
}

export function VmbChannelInitSetFlags(channel: VMBCHANNEL, flags: number): NTSTATUS {
  const operation = "VmbChannelInitSetFlags";
  const target = channelArgument(channel, operation);
  const value = flagsArgument(flags, operation);
  return target.owner.configureChannel(target, operation, "any", (settings) => {
    if (!hasOnlyFlags(value, VMBUS_CHANNEL_INIT_FLAGS)) return STATUS_INVALID_PARAMETER_2;
    settings.flags = value;
    return STATUS_SUCCESS;
  }, VmbChannelInitSetFlags);
}

export function VmbServerChannelInitSetFlags(channel: VMBCHANNEL, flags: number): NTSTATUS {
  const operation = "VmbServerChannelInitSetFlags";
  const target = channelArgument(channel, operation);
  const value = flagsArgument(flags, operation);
  return target.owner.configureChannel(target, operation, "server", (settings) => {
    if (!hasOnlyFlags(value, VMBUS_SERVER_CHANNEL_INIT_FLAGS)) return STATUS_INVALID_PARAMETER_2;
    settings.serverFlags = value;
    return STATUS_SUCCESS;
  }, VmbServerChannelInitSetFlags);
}

export function VmbServerChannelInitSetMmioMegabytes(channel: VMBCHANNEL, mmioMegabytes: number, mmioMegabytesOptional: number): NTSTATUS {
  const operation = "VmbServerChannelInitSetMmioMegabytes";
  const target = channelArgument(channel, operation);
  const required = uint16Argument(mmioMegabytes, operation, "MmioMegabytes");
  const optional = uint16Argument(mmioMegabytesOptional, operation, "MmioMegabytesOptional");
  return target.owner.configureChannel(target, operation, "server", (settings) => {
    if (required === 0 && optional === 0) return STATUS_INVALID_PARAMETER;
    settings.mmioMegabytes = { required, optional };
    return STATUS_SUCCESS;
  }, VmbServerChannelInitSetMmioMegabytes);
}

/** `GUID` parameters: strings like "f8615163-df3e-46c5-913f-f2d2f965ed0e". */
export function VmbServerChannelInitSetTargetInterfaceId(channel: VMBCHANNEL, interfaceType: string, interfaceInstance: string): NTSTATUS {
  const operation = "VmbServerChannelInitSetTargetInterfaceId";
  const target = channelArgument(channel, operation);
  const type = guidArgument(interfaceType, operation, "InterfaceType");
  const instance = guidArgument(interfaceInstance, operation, "InterfaceInstance");
  return target.owner.configureChannel(target, operation, "server", (settings) => {
    settings.interfaceType = type;
    settings.interfaceInstance = instance;
    return STATUS_SUCCESS;
  }, VmbServerChannelInitSetTargetInterfaceId);
}

/** Called for each packet in flight by VmbChannelSaveBegin, and for each saved packet by VmbChannelRestoreFromBuffer. */
export function VmbServerChannelInitSetSaveRestorePacketCallbacks(
  channel: VMBCHANNEL,
  savePacketCallback: EvtVmbChannelSavePacket,
  restorePacketCallback: EvtVmbChannelRestorePacket,
): NTSTATUS {
  const operation = "VmbServerChannelInitSetSaveRestorePacketCallbacks";
  const target = channelArgument(channel, operation);
  const save = callbackArgument<EvtVmbChannelSavePacket>(savePacketCallback, operation, "SavePacketCallback", false);
  const restore = callbackArgument<EvtVmbChannelRestorePacket>(restorePacketCallback, operation, "RestorePacketCallback", false);
  return target.owner.configureChannel(target, operation, "server", (settings) => {
    settings.savePacket = save;
    settings.restorePacket = restore;
    return STATUS_SUCCESS;
  }, VmbServerChannelInitSetSaveRestorePacketCallbacks);
}

/** The partition's VMBus handle is opaque to the simulation: any value is kept. */
export function VmbServerChannelInitSetVmbusHandle(channel: VMBCHANNEL, vmbusHandle: unknown): NTSTATUS {
  const operation = "VmbServerChannelInitSetVmbusHandle";
  const target = channelArgument(channel, operation);
  return target.owner.configureChannel(target, operation, "server", (settings) => {
    settings.vmbusHandle = vmbusHandle;
    return STATUS_SUCCESS;
  }, VmbServerChannelInitSetVmbusHandle);
}

export function VmbClientChannelInitSetRingBufferPageCount(channel: VMBCHANNEL, incomingPageCount: number, outgoingPageCount: number): NTSTATUS {
  const operation = "VmbClientChannelInitSetRingBufferPageCount";
  const target = channelArgument(channel, operation);
  const incoming = lengthArgument(incomingPageCount, operation, "IncomingPageCount");
  const outgoing = lengthArgument(outgoingPageCount, operation, "OutgoingPageCount");
  return target.owner.configureChannel(target, operation, "client", (settings) => {
    if (incoming === 0) return STATUS_INVALID_PARAMETER_2;
    if (outgoing === 0) return STATUS_INVALID_PARAMETER_3;
    settings.ringBufferPageCount = { incoming, outgoing };
    return STATUS_SUCCESS;
  }, VmbClientChannelInitSetRingBufferPageCount);
}

export function VmbClientChannelInitSetTargetPnp(
  channel: VMBCHANNEL,
  interfaceType: string,
  interfaceInstance: string | null,
  pnpFailureCallback: EvtVmbChannelPnpFailure | null,
): NTSTATUS {
  const operation = "VmbClientChannelInitSetTargetPnp";
  const target = channelArgument(channel, operation);
  const type = guidArgument(interfaceType, operation, "InterfaceType");
  const instance = interfaceInstance === null || interfaceInstance === undefined ? undefined : guidArgument(interfaceInstance, operation, "InterfaceInstance");
  const pnpFailure = callbackArgument<EvtVmbChannelPnpFailure>(pnpFailureCallback, operation, "PnpFailureCallback", true);
  return target.owner.configureChannel(target, operation, "client", (settings) => {
    settings.interfaceType = type;
    settings.interfaceInstance = instance;
    settings.pnpFailure = pnpFailure;
    return STATUS_SUCCESS;
  }, VmbClientChannelInitSetTargetPnp);
}

// ---- paused and active ----

/** Moves an enabled channel out of the paused state: a server channel starts paused. */
export function VmbChannelStart(channel: VMBCHANNEL): void {
  const target = channelArgument(channel, "VmbChannelStart");
  target.owner.startChannel(target, VmbChannelStart);
}

/** Stops incoming packets and waits until what the driver holds and sent is completed. */
export function VmbChannelPause(channel: VMBCHANNEL): void {
  const target = channelArgument(channel, "VmbChannelPause");
  target.owner.pauseChannel(target, VmbChannelPause);
}

// ---- save and restore ----

export function VmbChannelSaveBegin(channel: VMBCHANNEL): NTSTATUS {
  const target = channelArgument(channel, "VmbChannelSaveBegin");
  return target.owner.saveBegin(target, VmbChannelSaveBegin);
}

/**
 * Writes whole chunks of the saved state into `saveBuffer`: STATUS_SUCCESS when all is saved,
 * STATUS_BUFFER_OVERFLOW when more remains, STATUS_BUFFER_TOO_SMALL when the next chunk does not fit
 * (`bytesRequired.value` is its size).
 */
export function VmbChannelSaveContinue(
  channel: VMBCHANNEL,
  saveBuffer: Uint8Array,
  saveBufferSize: number,
  bytesFilled: OutParam<number>,
  bytesRequired: OutParam<number>,
): NTSTATUS {
  const operation = "VmbChannelSaveContinue";
  const target = channelArgument(channel, operation);
  const size = lengthArgument(saveBufferSize, operation, "SaveBufferSize");
  const buffer = bufferArgument(saveBuffer, size, operation, "SaveBuffer");
  const filled = outArgument<number>(bytesFilled, operation, "BytesFilled");
  const required = outArgument<number>(bytesRequired, operation, "BytesRequired");
  return target.owner.saveContinue(target, buffer, size, filled, required, VmbChannelSaveContinue);
}

export function VmbChannelSaveEnd(channel: VMBCHANNEL): void {
  const target = channelArgument(channel, "VmbChannelSaveEnd");
  target.owner.saveEnd(target, VmbChannelSaveEnd);
}

/** Whole chunks of a saved state; STATUS_MORE_PROCESSING_REQUIRED until the last one. */
export function VmbChannelRestoreFromBuffer(channel: VMBCHANNEL, buffer: Uint8Array, bufferSize: number): NTSTATUS {
  const operation = "VmbChannelRestoreFromBuffer";
  const target = channelArgument(channel, operation);
  const size = lengthArgument(bufferSize, operation, "BufferSize");
  const bytes = bufferArgument(buffer, size, operation, "Buffer");
  return target.owner.restoreFromBuffer(target, bytes.slice(0, size), VmbChannelRestoreFromBuffer);
}

// ---- GPADLs ----

/** Describes `buffer` to the opposite endpoint (shared, not copied); delete it with VmbChannelDeleteGpadl. */
export function VmbChannelCreateGpadlFromBuffer(channel: VMBCHANNEL, flags: number, buffer: Uint8Array, byteCount: number, gpadlHandle: OutParam<number>): NTSTATUS {
  const operation = "VmbChannelCreateGpadlFromBuffer";
  const target = channelArgument(channel, operation);
  const count = lengthArgument(byteCount, operation, "ByteCount");
  const bytes = bufferArgument(buffer, count, operation, "Buffer");
  const out = outArgument<number>(gpadlHandle, operation, "GpadlHandle");
  return target.owner.createGpadl(target, operation, flagsArgument(flags, operation), bytes.subarray(0, count), out, VmbChannelCreateGpadlFromBuffer);
}

/** `dataLengthWithinMdl` 0: to the end of the MDL. */
export function VmbChannelCreateGpadlFromMdl(
  channel: VMBCHANNEL,
  flags: number,
  mdl: MDL,
  startOffsetWithinMdl: number,
  dataLengthWithinMdl: number,
  gpadlHandle: OutParam<number>,
): NTSTATUS {
  const operation = "VmbChannelCreateGpadlFromMdl";
  const target = channelArgument(channel, operation);
  if (mdl === null || mdl === undefined) throw new TypeError(`${operation}: expected an MDL ({ bytes: Uint8Array })`);
  const bytes = mdlBytes(mdl, lengthArgument(startOffsetWithinMdl, operation, "StartOffsetWithinMdl"), lengthArgument(dataLengthWithinMdl, operation, "DataLengthWithinMdl"), operation)!;
  const out = outArgument<number>(gpadlHandle, operation, "GpadlHandle");
  return target.owner.createGpadl(target, operation, flagsArgument(flags, operation), bytes, out, VmbChannelCreateGpadlFromMdl);
}

/** Maps a GPADL (created by the opposite endpoint, see `sim.host.createGpadl`, or by this one): one mapping at a time. */
export function VmbChannelMapGpadl(channel: VMBCHANNEL, flags: number, gpadlHandle: number, mdl: OutParam<MDL>): NTSTATUS {
  const operation = "VmbChannelMapGpadl";
  const target = channelArgument(channel, operation);
  const handle = lengthArgument(gpadlHandle, operation, "GpadlHandle");
  const out = outArgument<MDL>(mdl, operation, "Mdl");
  return target.owner.mapGpadl(target, flagsArgument(flags, operation), handle, out, VmbChannelMapGpadl);
}

export function VmbChannelUnmapGpadl(channel: VMBCHANNEL, gpadlHandle: number): void {
  const target = channelArgument(channel, "VmbChannelUnmapGpadl");
  target.owner.unmapGpadl(target, lengthArgument(gpadlHandle, "VmbChannelUnmapGpadl", "GpadlHandle"), VmbChannelUnmapGpadl);
}

export function VmbChannelDeleteGpadl(channel: VMBCHANNEL, gpadlHandle: number): void {
  const target = channelArgument(channel, "VmbChannelDeleteGpadl");
  target.owner.deleteGpadl(target, lengthArgument(gpadlHandle, "VmbChannelDeleteGpadl", "GpadlHandle"), VmbChannelDeleteGpadl);
}

// ---- the channel's pointer and settings ----

/** The channel keeps `pointer` (the driver's context) for VmbChannelGetPointer. */
export function VmbChannelSetPointer(channel: VMBCHANNEL, pointer: unknown): void {
  const target = channelArgument(channel, "VmbChannelSetPointer");
  target.owner.setChannelPointer(target, pointer, VmbChannelSetPointer);
}

export function VmbChannelGetPointer(channel: VMBCHANNEL): unknown {
  const target = channelArgument(channel, "VmbChannelGetPointer");
  return target.owner.channelPointer(target, VmbChannelGetPointer);
}

/** Latency in 100 ns units; `originalLatency.value` receives the previous one. Valid while the channel is open. */
export function VmbChannelSetInterruptLatency(channel: VMBCHANNEL, latency: number, originalLatency: OutParam<number>): NTSTATUS {
  const operation = "VmbChannelSetInterruptLatency";
  const target = channelArgument(channel, operation);
  const value = uint16Argument(latency, operation, "Latency");
  const out = outArgument<number>(originalLatency, operation, "OriginalLatency");
  return target.owner.setInterruptLatency(target, value, out, VmbChannelSetInterruptLatency);
}

export function VmbChannelSetIncomingProcessingAtPassive(channel: VMBCHANNEL, requirePassive: boolean): void {
  const target = channelArgument(channel, "VmbChannelSetIncomingProcessingAtPassive");
  target.owner.setIncomingProcessingAtPassive(target, Boolean(requirePassive), VmbChannelSetIncomingProcessingAtPassive);
}

/** At most `quota` incoming packets outstanding; a lower quota holds new packets until completions make room. */
export function VmbChannelSetTransactionQuota(channel: VMBCHANNEL, quota: number): void {
  const operation = "VmbChannelSetTransactionQuota";
  const target = channelArgument(channel, operation);
  const value = lengthArgument(quota, operation, "Quota");
  if (value === 0) throw new TypeError(`${operation}: Quota must be greater than 0`);
  target.owner.setTransactionQuota(target, value, VmbChannelSetTransactionQuota);
}

/** Writes the channel's instance GUID (a string) to `interfaceInstance.value`. */
export function VmbChannelGetInterfaceInstance(channel: VMBCHANNEL, interfaceInstance: OutParam<string>): void {
  const operation = "VmbChannelGetInterfaceInstance";
  const target = channelArgument(channel, operation);
  const out = outArgument<string>(interfaceInstance, operation, "InterfaceInstance");
  const instance = target.owner.interfaceInstance(target, VmbChannelGetInterfaceInstance);
  if (instance !== null) out.value = instance;
}
