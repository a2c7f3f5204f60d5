// sim-nic: a small synthetic NIC miniport over VMBus, shaped like netvsc (and like its C cousin
// samples/netvsc-lite). The adapter opens a channel with a process-packet callback, initializes
// the host's RNDIS endpoint, sends each NET_BUFFER_LIST as one VMBPACKET with its own completion
// routine, and receives frames in RNDIS data messages whose completions it holds in a small
// receive pool until the protocol returns the frames.
//
// It runs against the simulated KMCL of vmbguard/runtime; see README.md for how to run it under
// the debugger. One bug is left in on purpose, marked BUG below: it only shows when a send fails,
// so the normal run is clean and the run with the `failSend` fault stops on it.
import {
  type MDL,
  NT_SUCCESS,
  type NTSTATUS,
  type OutParam,
  STATUS_DEVICE_NOT_READY,
  STATUS_INSUFFICIENT_RESOURCES,
  STATUS_INVALID_PARAMETER,
  STATUS_SUCCESS,
  STATUS_UNSUCCESSFUL,
  VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION,
  VMBUS_CHANNEL_PROCESS_PACKET_FLAG_EXTERNAL_DATA,
  type VMBCHANNEL,
  type VMBPACKET,
  type VMBPACKETCOMPLETION,
  VmbChannelAllocate,
  VmbChannelCleanup,
  VmbChannelDisable,
  VmbChannelEnable,
  VmbChannelInitSetProcessPacketCallbacks,
  VmbChannelPacketComplete,
  VmbChannelPacketGetExternalData,
  VmbChannelSendSynchronousRequest,
  VmbPacketAllocate,
  VmbPacketFree,
  VmbPacketGetContext,
  VmbPacketSend,
  VmbPacketSetCompletionRoutine,
} from "vmbguard/runtime";

// ---- the wire: a cut-down RNDIS (message types and codes as in rndis.h), little-endian fields ----

export const REMOTE_NDIS_PACKET_MSG = 0x00000001;
export const REMOTE_NDIS_INITIALIZE_MSG = 0x00000002;
export const REMOTE_NDIS_SET_MSG = 0x00000005;
export const REMOTE_NDIS_INDICATE_STATUS_MSG = 0x00000007;
export const REMOTE_NDIS_INITIALIZE_CMPLT = 0x80000002;
export const RNDIS_STATUS_SUCCESS = 0x00000000;
export const RNDIS_STATUS_MEDIA_CONNECT = 0x4001000b;
export const RNDIS_STATUS_MEDIA_DISCONNECT = 0x4001000c;
const OID_GEN_CURRENT_PACKET_FILTER = 0x0001010e;
const NDIS_PACKET_TYPE_DIRECTED = 0x1;
const NDIS_PACKET_TYPE_BROADCAST = 0x8;
const RNDIS_MAJOR_VERSION = 1;
const RNDIS_MINOR_VERSION = 0;

/** MessageType and MessageLength. */
const RNDIS_HEADER_SIZE = 8;
/** A data message adds DataLength; the frame follows inline or comes as the packet's external data. */
const RNDIS_PACKET_HEADER_SIZE = RNDIS_HEADER_SIZE + 4;
/** INITIALIZE_CMPLT: header, RequestId, Status (the fields this driver reads). */
const RNDIS_INITIALIZE_CMPLT_SIZE = RNDIS_HEADER_SIZE + 8;

export const SIM_NIC_MAX_FRAME_SIZE = 1514;
/** Receive buffers the protocol may hold at once; a frame arriving when all are out is dropped. */
export const SIM_NIC_RECEIVE_BUFFER_COUNT = 3;
/** Virtual milliseconds the host gets to answer RNDIS initialization. */
const SIM_NIC_INITIALIZE_TIMEOUT_MS = 100;

function SimNicEncodeMessage(type: number, fields: readonly number[], data?: Uint8Array): Uint8Array {
  const dataOffset = RNDIS_HEADER_SIZE + fields.length * 4;
  const message = new Uint8Array(dataOffset + (data?.length ?? 0));
  const view = new DataView(message.buffer);
  view.setUint32(0, type, true);
  view.setUint32(4, message.length, true);
  fields.forEach((field, index) => view.setUint32(RNDIS_HEADER_SIZE + index * 4, field, true));
  if (data) message.set(data, dataOffset);
  return message;
}

function SimNicReadField(buffer: Uint8Array, offset: number): number {
  return new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength).getUint32(offset, true);
}

// ---- the adapter ----

/** A frame the protocol asked to send (an NDIS NET_BUFFER_LIST, reduced to what this driver reads). */
export interface SimNicNetBufferList {
  readonly id: number;
  readonly frame: Uint8Array;
}

/** A received frame indicated up; the protocol hands it back with SimNicReturnNetBufferLists. */
export interface SimNicReceivedNetBufferList {
  readonly frame: Uint8Array;
  readonly receiveSlot: number;
}

/** The NDIS calls the miniport makes upwards (NdisMSendNetBufferListsComplete and friends). */
export interface SimNicProtocol {
  sendNetBufferListComplete(nbl: SimNicNetBufferList, status: NTSTATUS): void;
  indicateReceiveNetBufferList(nbl: SimNicReceivedNetBufferList): void;
  indicateLinkState(connected: boolean): void;
}

export interface SimNicStatistics {
  framesSent: number;
  sendErrors: number;
  framesReceived: number;
  receiveErrors: number;
  receiveDropsNoBuffer: number;
}

export type SimNicState = "initializing" | "running" | "halting" | "halted";

export interface SimNicAdapter {
  readonly channel: VMBCHANNEL;
  readonly protocol: SimNicProtocol;
  state: SimNicState;
  linkUp: boolean;
  nextRequestId: number;
  /** Sends the host has not completed yet (each holds one packet). */
  outstandingSends: number;
  /** Per receive buffer: the incoming packet whose frame the protocol still reads, or null when free. */
  readonly receiveSlots: (VMBPACKETCOMPLETION | null)[];
  readonly freeReceiveSlots: number[];
  readonly statistics: SimNicStatistics;
}

/** What the send completion routine needs, kept in the packet's context area (NVL_SEND_CONTEXT in C). */
interface SimNicSendContext {
  adapter?: SimNicAdapter;
  nbl?: SimNicNetBufferList;
}

function SimNicSendContextOf(packet: VMBPACKET): SimNicSendContext {
  return VmbPacketGetContext(packet) as SimNicSendContext;
}

function SimNicNextRequestId(adapter: SimNicAdapter): number {
  adapter.nextRequestId += 1;
  return adapter.nextRequestId;
}

// ---- initialize and halt (MiniportInitializeEx, MiniportHaltEx) ----

/**
 * Opens the channel, initializes the host's RNDIS endpoint and sets the packet filter. On failure
 * everything acquired so far is released in reverse order, as the C driver's goto ladder does.
 */
export function SimNicInitialize(protocol: SimNicProtocol): { status: NTSTATUS; adapter: SimNicAdapter | null } {
  const channelOut: OutParam<VMBCHANNEL> = { value: null };
  let status = VmbChannelAllocate(null, false, channelOut);
  if (!NT_SUCCESS(status) || channelOut.value === null) return { status, adapter: null };

  const adapter: SimNicAdapter = {
    channel: channelOut.value,
    protocol,
    state: "initializing",
    linkUp: false,
    nextRequestId: 0,
    outstandingSends: 0,
    receiveSlots: new Array<VMBPACKETCOMPLETION | null>(SIM_NIC_RECEIVE_BUFFER_COUNT).fill(null),
    freeReceiveSlots: Array.from({ length: SIM_NIC_RECEIVE_BUFFER_COUNT }, (_, slot) => SIM_NIC_RECEIVE_BUFFER_COUNT - 1 - slot),
    statistics: { framesSent: 0, sendErrors: 0, framesReceived: 0, receiveErrors: 0, receiveDropsNoBuffer: 0 },
  };

  // The C driver finds its adapter with VmbChannelGetPointer; the closure carries it here. The
  // callback must be set before the channel is enabled: the host may deliver right away.
  status = VmbChannelInitSetProcessPacketCallbacks(
    adapter.channel,
    (_channel, completion, buffer, length, flags) => SimNicProcessPacket(adapter, completion, buffer, length, flags),
    null,
  );
  if (!NT_SUCCESS(status)) return SimNicAbortInitialize(adapter, status);
  status = VmbChannelEnable(adapter.channel);
  if (!NT_SUCCESS(status)) return SimNicAbortInitialize(adapter, status);
  status = SimNicRndisInitialize(adapter);
  if (NT_SUCCESS(status)) status = SimNicSetPacketFilter(adapter, NDIS_PACKET_TYPE_DIRECTED | NDIS_PACKET_TYPE_BROADCAST);
  if (!NT_SUCCESS(status)) {
    VmbChannelDisable(adapter.channel);
    return SimNicAbortInitialize(adapter, status);
  }
  adapter.state = "running";
  return { status: STATUS_SUCCESS, adapter };
}

function SimNicAbortInitialize(adapter: SimNicAdapter, status: NTSTATUS): { status: NTSTATUS; adapter: null } {
  adapter.state = "halted";
  VmbChannelCleanup(adapter.channel);
  return { status, adapter: null };
}

/** RNDIS initialization is a synchronous request: no packet object, so nothing to free on any path. */
function SimNicRndisInitialize(adapter: SimNicAdapter): NTSTATUS {
  const requestId = SimNicNextRequestId(adapter);
  const request = SimNicEncodeMessage(REMOTE_NDIS_INITIALIZE_MSG, [requestId, RNDIS_MAJOR_VERSION, RNDIS_MINOR_VERSION, SIM_NIC_MAX_FRAME_SIZE]);
  const answer = new Uint8Array(64);
  const answerLength: OutParam<number> = { value: null };
  const status = VmbChannelSendSynchronousRequest(adapter.channel, request, request.length, null, VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION, answer, answerLength, SIM_NIC_INITIALIZE_TIMEOUT_MS);
  if (!NT_SUCCESS(status)) return status;
  if ((answerLength.value ?? 0) < RNDIS_INITIALIZE_CMPLT_SIZE || SimNicReadField(answer, 0) !== REMOTE_NDIS_INITIALIZE_CMPLT || SimNicReadField(answer, 8) !== requestId) {
    // Not an answer to our request (an echoing host, or a protocol we do not speak).
    return STATUS_UNSUCCESSFUL;
  }
  return SimNicReadField(answer, 12) === RNDIS_STATUS_SUCCESS ? STATUS_SUCCESS : STATUS_DEVICE_NOT_READY;
}

/** A control message with the default completion routine: the library frees the packet once the host completes it. */
function SimNicSetPacketFilter(adapter: SimNicAdapter, filter: number): NTSTATUS {
  const packet = VmbPacketAllocate(adapter.channel);
  if (packet === null) return STATUS_INSUFFICIENT_RESOURCES;
  const message = SimNicEncodeMessage(REMOTE_NDIS_SET_MSG, [SimNicNextRequestId(adapter), OID_GEN_CURRENT_PACKET_FILTER, 4, filter]);
  const status = VmbPacketSend(packet, message, message.length, null, VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION);
  if (!NT_SUCCESS(status)) {
    // Not queued, so the default completion routine will never run: the packet is still ours.
    VmbPacketFree(packet);
  }
  return status;
}

/**
 * Stops the adapter. NDIS has stopped sending and has returned every indicated frame by now, but
 * the host may still hold sends: disabling the channel cancels them, so each one's completion
 * routine runs (with STATUS_CANCELLED) and frees its packet before the channel goes away.
 */
export function SimNicHalt(adapter: SimNicAdapter): void {
  adapter.state = "halting";
  VmbChannelDisable(adapter.channel);
  // A protocol that kept a frame past halt is its bug; the host must get its ring space back anyway.
  SimNicCompleteReceiveSlots(adapter, adapter.receiveSlots.map((_, slot) => slot));
  VmbChannelCleanup(adapter.channel);
  adapter.state = "halted";
}

// ---- send path (MiniportSendNetBufferLists) ----

/** Sends each NBL as one packet; every NBL is completed exactly once, now (on failure) or from the completion routine. */
export function SimNicSendNetBufferLists(adapter: SimNicAdapter, nbls: readonly SimNicNetBufferList[]): void {
  for (const nbl of nbls) {
    if (adapter.state !== "running") {
      adapter.protocol.sendNetBufferListComplete(nbl, STATUS_DEVICE_NOT_READY);
    } else if (nbl.frame.length === 0 || nbl.frame.length > SIM_NIC_MAX_FRAME_SIZE) {
      adapter.statistics.sendErrors += 1;
      adapter.protocol.sendNetBufferListComplete(nbl, STATUS_INVALID_PARAMETER);
    } else {
      SimNicSendNetBufferList(adapter, nbl);
    }
  }
}

function SimNicSendNetBufferList(adapter: SimNicAdapter, nbl: SimNicNetBufferList): void {
  const packet = VmbPacketAllocate(adapter.channel);
  if (packet === null) {
    // The channel's lookaside list is exhausted: fail this NBL and let the protocol retry.
    adapter.statistics.sendErrors += 1;
    adapter.protocol.sendNetBufferListComplete(nbl, STATUS_INSUFFICIENT_RESOURCES);
    return;
  }
  const context = SimNicSendContextOf(packet);
  context.adapter = adapter;
  context.nbl = nbl;
  // With the routine replaced, the library hands the packet back at completion instead of freeing it.
  VmbPacketSetCompletionRoutine(packet, SimNicSendCompletion);

  const message = SimNicEncodeMessage(REMOTE_NDIS_PACKET_MSG, [nbl.frame.length], nbl.frame);
  adapter.outstandingSends += 1;
  const status = VmbPacketSend(packet, message, message.length, null, VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION);
  if (!NT_SUCCESS(status)) {
    // Not queued: the completion routine will not run, so this path must end the send itself.
    // BUG: the packet is freed here and then again by SimNicCompleteSend, which frees it on every
    // path because the completion routine shares it: a double free whenever VmbPacketSend fails.
    // The fix is to delete this call. Only a failing send reaches it (fault `failSend`).
    VmbPacketFree(packet);
    SimNicCompleteSend(adapter, nbl, packet, status);
  }
}

/** EvtVmbPacketCompletionRoutine: the host consumed the frame (or the channel was disabled); the packet is ours again. */
function SimNicSendCompletion(packet: VMBPACKET, status: NTSTATUS, _buffer: Uint8Array | null, _bufferLength: number): void {
  const context = SimNicSendContextOf(packet);
  if (context.adapter === undefined || context.nbl === undefined) return VmbPacketFree(packet); // not one of our sends: only give it back
  SimNicCompleteSend(context.adapter, context.nbl, packet, status);
}

/** Ends one send: counts it, hands the NBL back to the protocol, and returns the packet to the lookaside list. */
function SimNicCompleteSend(adapter: SimNicAdapter, nbl: SimNicNetBufferList, packet: VMBPACKET, status: NTSTATUS): void {
  adapter.outstandingSends -= 1;
  if (NT_SUCCESS(status)) adapter.statistics.framesSent += 1;
  else adapter.statistics.sendErrors += 1;
  adapter.protocol.sendNetBufferListComplete(nbl, status);
  VmbPacketFree(packet);
}

// ---- receive path (EvtVmbChannelProcessPacket, MiniportReturnNetBufferLists) ----

/** Every incoming packet ends in exactly one VmbChannelPacketComplete: here, or when the protocol returns its frame. */
function SimNicProcessPacket(adapter: SimNicAdapter, completion: VMBPACKETCOMPLETION, buffer: Uint8Array, length: number, flags: number): void {
  if (length < RNDIS_HEADER_SIZE || SimNicReadField(buffer, 4) > length) {
    adapter.statistics.receiveErrors += 1;
    VmbChannelPacketComplete(completion, null, 0);
    return;
  }
  switch (SimNicReadField(buffer, 0)) {
    case REMOTE_NDIS_PACKET_MSG:
      SimNicReceiveFrame(adapter, completion, buffer, length, flags);
      return;
    case REMOTE_NDIS_INDICATE_STATUS_MSG:
      SimNicProcessStatus(adapter, buffer, length);
      VmbChannelPacketComplete(completion, null, 0);
      return;
    default:
      adapter.statistics.receiveErrors += 1;
      VmbChannelPacketComplete(completion, null, 0);
      return;
  }
}

function SimNicProcessStatus(adapter: SimNicAdapter, buffer: Uint8Array, length: number): void {
  if (length < RNDIS_HEADER_SIZE + 4) {
    adapter.statistics.receiveErrors += 1;
    return;
  }
  const status = SimNicReadField(buffer, RNDIS_HEADER_SIZE);
  if (status !== RNDIS_STATUS_MEDIA_CONNECT && status !== RNDIS_STATUS_MEDIA_DISCONNECT) return;
  adapter.linkUp = status === RNDIS_STATUS_MEDIA_CONNECT;
  adapter.protocol.indicateLinkState(adapter.linkUp);
}

/**
 * Indicates one frame. Its incoming packet stays pending while the protocol reads the frame: the
 * frame lives in the host's receive buffer, which the host must not reuse until the completion.
 */
function SimNicReceiveFrame(adapter: SimNicAdapter, completion: VMBPACKETCOMPLETION, buffer: Uint8Array, length: number, flags: number): void {
  const frame = SimNicFrameOf(completion, buffer, length, flags);
  if (frame === null) {
    adapter.statistics.receiveErrors += 1;
    VmbChannelPacketComplete(completion, null, 0);
    return;
  }
  // Before the packet filter is set, or once halting began, frames are not ours to indicate.
  const slot = adapter.state === "running" ? adapter.freeReceiveSlots.pop() : undefined;
  if (slot === undefined) {
    if (adapter.state === "running") adapter.statistics.receiveDropsNoBuffer += 1;
    VmbChannelPacketComplete(completion, null, 0);
    return;
  }
  adapter.receiveSlots[slot] = completion;
  adapter.statistics.framesReceived += 1;
  adapter.protocol.indicateReceiveNetBufferList({ frame, receiveSlot: slot });
}

/** The frame of a data message: inline after the header, or in the packet's external data (the receive buffer). */
function SimNicFrameOf(completion: VMBPACKETCOMPLETION, buffer: Uint8Array, length: number, flags: number): Uint8Array | null {
  if (length < RNDIS_PACKET_HEADER_SIZE) return null;
  const dataLength = SimNicReadField(buffer, RNDIS_HEADER_SIZE);
  if (dataLength === 0 || dataLength > SIM_NIC_MAX_FRAME_SIZE) return null;
  if ((flags & VMBUS_CHANNEL_PROCESS_PACKET_FLAG_EXTERNAL_DATA) !== 0) {
    const mdl: OutParam<MDL> = { value: null };
    const status = VmbChannelPacketGetExternalData(completion, 0, mdl);
    if (!NT_SUCCESS(status) || mdl.value === null || mdl.value.bytes.length < dataLength) return null;
    return mdl.value.bytes.subarray(0, dataLength);
  }
  if (length < RNDIS_PACKET_HEADER_SIZE + dataLength) return null;
  return buffer.subarray(RNDIS_PACKET_HEADER_SIZE, RNDIS_PACKET_HEADER_SIZE + dataLength);
}

/** MiniportReturnNetBufferLists: the protocol is done with these frames, so their packets complete now. */
export function SimNicReturnNetBufferLists(adapter: SimNicAdapter, nbls: readonly SimNicReceivedNetBufferList[]): void {
  SimNicCompleteReceiveSlots(adapter, nbls.map((nbl) => nbl.receiveSlot));
}

function SimNicCompleteReceiveSlots(adapter: SimNicAdapter, slots: readonly number[]): void {
  for (const slot of slots) {
    const completion = adapter.receiveSlots[slot];
    // A slot already free means the frame came back twice: completing again would be our double completion.
    if (completion === null || completion === undefined) continue;
    adapter.receiveSlots[slot] = null;
    adapter.freeReceiveSlots.push(slot);
    VmbChannelPacketComplete(completion, null, 0);
  }
}
