// A driver-style TypeScript port of samples/netvsc-lite's send and receive paths, written against
// the runtime the way a driver author would. `bugs` switches on the sample's deliberate bugs, so
// each bug runs beside its correct twin.
import {
  NT_SUCCESS,
  type NTSTATUS,
  type OutParam,
  STATUS_INSUFFICIENT_RESOURCES,
  STATUS_SUCCESS,
  VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION,
  type VMBCHANNEL,
  type VMBPACKET,
  type VMBPACKETCOMPLETION,
  VmbChannelAllocate,
  VmbChannelCleanup,
  VmbChannelEnable,
  VmbChannelInitSetProcessPacketCallbacks,
  VmbChannelPacketComplete,
  VmbPacketAllocate,
  VmbPacketFree,
  VmbPacketGetContext,
  VmbPacketSend,
  VmbPacketSetCompletionRoutine,
} from "../../../../runtime/src/kmcl/index";

export interface NvlBugs {
  /** NvlSendControlMessage returns after a failed send without freeing (packet-leak). */
  leakOnSendFailure?: boolean;
  /** NvlSendKeepAlive frees the packet even after a successful send (free-in-flight). */
  freeAfterSend?: boolean;
  /** NvlProcessPacket drops a malformed frame without completing it (completion-leak). */
  dropMalformedFrame?: boolean;
  /** NvlNegotiateProtocol frees the configuration packet on send failure, then again at its cleanup label (double-free). */
  freeTwiceOnNegotiationFailure?: boolean;
  /** NvlSendFrame reads the packet context before checking the allocation for NULL. */
  contextBeforeNullCheck?: boolean;
}

export interface NvlAdapter {
  channel: VMBCHANNEL;
  bugs: NvlBugs;
  receivePaused: boolean;
  deferred: VMBPACKETCOMPLETION[];
  framesCompleted: number;
  framesReceived: number;
}

const headerLength = 4;
const encoder = new TextEncoder();

function NvlSendFrameCompletion(packet: VMBPACKET, _status: NTSTATUS): void {
  const adapter = VmbPacketGetContext(packet).adapter as NvlAdapter;
  adapter.framesCompleted++;
  VmbPacketFree(packet);
}

export function NvlSendFrame(adapter: NvlAdapter, frame: Uint8Array): NTSTATUS {
  const packet = VmbPacketAllocate(adapter.channel);
  if (adapter.bugs.contextBeforeNullCheck) VmbPacketGetContext(packet as VMBPACKET).adapter = adapter;
  if (packet === null) return STATUS_INSUFFICIENT_RESOURCES;
  VmbPacketGetContext(packet).adapter = adapter;
  VmbPacketSetCompletionRoutine(packet, NvlSendFrameCompletion);
  const status = VmbPacketSend(packet, frame, frame.length, null, VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION);
  if (!NT_SUCCESS(status)) VmbPacketFree(packet);
  return status;
}

export function NvlSendControlMessage(adapter: NvlAdapter, message: string): NTSTATUS {
  const packet = VmbPacketAllocate(adapter.channel);
  if (!packet) return STATUS_INSUFFICIENT_RESOURCES;
  const bytes = encoder.encode(message);
  const status = VmbPacketSend(packet, bytes, bytes.length, null, VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION);
  if (!NT_SUCCESS(status)) {
    if (adapter.bugs.leakOnSendFailure) return status;
    VmbPacketFree(packet);
  }
  return status;
}

/** The C sample's goto ladder, as a TypeScript try/finally with an ownership flag. */
export function NvlNegotiateProtocol(adapter: NvlAdapter, version: number): NTSTATUS {
  const configPacket = VmbPacketAllocate(adapter.channel);
  if (!configPacket) return STATUS_INSUFFICIENT_RESOURCES;
  let ownsConfigPacket = true;
  try {
    const request = new Uint8Array([version, 0, 0, 0]);
    const status = VmbPacketSend(configPacket, request, request.length, null, VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION);
    if (NT_SUCCESS(status)) {
      ownsConfigPacket = false;
    } else if (adapter.bugs.freeTwiceOnNegotiationFailure) {
      VmbPacketFree(configPacket);
    }
    return status;
  } finally {
    if (ownsConfigPacket) VmbPacketFree(configPacket);
  }
}

export function NvlSendKeepAlive(adapter: NvlAdapter): NTSTATUS {
  const packet = VmbPacketAllocate(adapter.channel);
  if (!packet) return STATUS_INSUFFICIENT_RESOURCES;
  const status = VmbPacketSend(packet, null, 0, null, 0);
  if (!NT_SUCCESS(status) || adapter.bugs.freeAfterSend) VmbPacketFree(packet);
  return status;
}

function NvlProcessPacket(adapter: NvlAdapter, completion: VMBPACKETCOMPLETION, buffer: Uint8Array, length: number): void {
  if (length < headerLength) {
    if (adapter.bugs.dropMalformedFrame) return;
    VmbChannelPacketComplete(completion, null, 0);
    return;
  }
  adapter.framesReceived++;
  if (adapter.receivePaused) {
    adapter.deferred.push(completion);
    return;
  }
  VmbChannelPacketComplete(completion, buffer.subarray(0, headerLength), headerLength);
}

export function NvlResumeReceive(adapter: NvlAdapter): void {
  adapter.receivePaused = false;
  for (const completion of adapter.deferred.splice(0)) VmbChannelPacketComplete(completion, null, 0);
}

/** Opens the adapter's channel in the ambient simulation, as a driver's AddDevice would. */
export function NvlOpenAdapter(bugs: NvlBugs = {}): { status: NTSTATUS; adapter: NvlAdapter | null } {
  const out: OutParam<VMBCHANNEL> = { value: null };
  let status = VmbChannelAllocate(null, false, out);
  if (!NT_SUCCESS(status)) return { status, adapter: null };
  const channel = out.value!;
  const adapter: NvlAdapter = { channel, bugs, receivePaused: false, deferred: [], framesCompleted: 0, framesReceived: 0 };
  status = VmbChannelInitSetProcessPacketCallbacks(channel, (_channel, completion, buffer, length) => NvlProcessPacket(adapter, completion, buffer, length));
  if (NT_SUCCESS(status)) status = VmbChannelEnable(channel);
  if (!NT_SUCCESS(status)) {
    VmbChannelCleanup(channel);
    return { status, adapter: null };
  }
  return { status: STATUS_SUCCESS, adapter };
}

export function NvlCloseAdapter(adapter: NvlAdapter): void {
  NvlResumeReceive(adapter);
  VmbChannelCleanup(adapter.channel);
}
