// The three KMCL handle types. Drivers see read-only views (VMBCHANNEL, VMBPACKET,
// VMBPACKETCOMPLETION); the simulation owns the objects behind them and is the only writer.
// Every object carries its own state, so a stale handle is recognised however long ago it died,
// even after the simulation dropped it from its bounded history.
import type { ChannelSettings, Gpadl, RestoreProgress, SaveProgress } from "./channelSettings";
import type { Simulation } from "./simulation";
import type { CapturedStack } from "./stacks";
import type { NTSTATUS } from "./status";

export type HandleFamily = "channel" | "packet" | "completion";

/** KMCL.md: allocated → (init callbacks) → enabled ⇄ disabled → cleaned-up. */
export type ChannelState = "allocated" | "enabled" | "disabled" | "cleaned-up";

/**
 * KMCL.md packet machine. `uninitialized`: caller memory not yet given to VmbPacketInitialize.
 * `freed-by-library`: the default completion routine freed it. `orphaned`: its channel was cleaned
 * up while the driver still owned it (reported as a leak); any later use is a use after cleanup.
 */
export type PacketState = "uninitialized" | "allocated" | "in-flight" | "freed" | "freed-by-library" | "orphaned";

/** `lookaside`: from VmbPacketAllocate. `caller-memory`: built by VmbPacketInitialize, never VmbPacketFree'd. */
export type PacketVariant = "lookaside" | "caller-memory";

/**
 * An incoming packet: `pending` (the driver's) until VmbChannelPacketComplete. The library takes it
 * back while it is `deferred` (VmbChannelPacketDeferToPassive) or `awaiting-external-data`
 * (VmbChannelPacketGetExternalData returned STATUS_PENDING), and delivers it again; `failed`
 * (VmbChannelPacketFail) ends it. `orphaned` when its channel was cleaned up first.
 */
export type CompletionState = "pending" | "deferred" | "awaiting-external-data" | "completed" | "failed" | "orphaned";

/** A C out-parameter (`VMBCHANNEL *Channel`): the callee writes `value`. */
export interface OutParam<T> {
  value: T | null;
}

/** An MDL describing external data: here simply the bytes it covers. */
export interface MDL {
  readonly bytes: Uint8Array;
}

export interface VMBCHANNEL {
  readonly family: "channel";
  readonly id: number;
  readonly simulationId: number;
  readonly state: ChannelState;
  readonly isServer: boolean;
}

export interface VMBPACKET {
  readonly family: "packet";
  /** 0 for caller memory that no VmbPacketInitialize has bound to a simulation yet. */
  readonly id: number;
  readonly simulationId: number;
  readonly state: PacketState;
  readonly variant: PacketVariant;
}

export interface VMBPACKETCOMPLETION {
  readonly family: "completion";
  readonly id: number;
  readonly simulationId: number;
  readonly state: CompletionState;
}

export type VmbHandle = VMBCHANNEL | VMBPACKET | VMBPACKETCOMPLETION;

/** EvtVmbChannelProcessPacket(Channel, Packet, Buffer, BufferLength, Flags). */
export type EvtVmbChannelProcessPacket = (
  channel: VMBCHANNEL,
  packet: VMBPACKETCOMPLETION,
  buffer: Uint8Array,
  bufferLength: number,
  flags: number,
) => void | Promise<void>;

/** EvtVmbChannelProcessingComplete(Channel, PacketsProcessed): after a batch of deliveries. */
export type EvtVmbChannelProcessingComplete = (channel: VMBCHANNEL, packetsProcessed: number) => void | Promise<void>;

/** EvtVmbPacketCompletionRoutine(Packet, Status, Buffer, BufferLength): owns the packet when it runs. */
export type EvtVmbPacketCompletionRoutine = (
  packet: VMBPACKET,
  status: NTSTATUS,
  buffer: Uint8Array | null,
  bufferLength: number,
) => void | Promise<void>;

/** EvtVmbChannelOpened(Channel): a failure status rolls the channel back to a state where no traffic flows. */
export type EvtVmbChannelOpened = (channel: VMBCHANNEL) => NTSTATUS;

/** EvtVmbChannelClosed, EvtVmbChannelSuspend, EvtVmbChannelStarted, EvtVmbChannelPostStarted. */
export type EvtVmbChannelStateChange = (channel: VMBCHANNEL) => void;

/** VMB_CHANNEL_STATE_CHANGE_CALLBACKS: fill Version and Size with VMB_CHANNEL_STATE_CHANGE_CALLBACKS_INIT. */
export interface VMB_CHANNEL_STATE_CHANGE_CALLBACKS {
  Version: number;
  Size: number;
  EvtChannelOpened?: EvtVmbChannelOpened | null;
  EvtChannelClosed?: EvtVmbChannelStateChange | null;
  EvtChannelSuspend?: EvtVmbChannelStateChange | null;
  EvtChannelStarted?: EvtVmbChannelStateChange | null;
  EvtChannelPostStarted?: EvtVmbChannelStateChange | null;
}

/**
 * EvtVmbChannelSavePacket(Channel, Packet, SaveBuf, SaveBufSize, BytesNeeded): called first with an
 * empty buffer; a failure with `bytesNeeded.value` set asks for a second call with that many bytes.
 */
export type EvtVmbChannelSavePacket = (channel: VMBCHANNEL, packet: VMBPACKET, saveBuf: Uint8Array, saveBufSize: number, bytesNeeded: OutParam<number>) => NTSTATUS;

/** EvtVmbChannelRestorePacket(Channel, LibBuf, LibBufSize, SaveBuf, SaveBufSize): VmbPacketAllocate, then VmbPacketRestore(packet, LibBuf, LibBufSize). */
export type EvtVmbChannelRestorePacket = (channel: VMBCHANNEL, libBuf: Uint8Array, libBufSize: number, saveBuf: Uint8Array, saveBufSize: number) => NTSTATUS;

/** EvtVmbChannelPnpFailure(Channel, FailureStatus). */
export type EvtVmbChannelPnpFailure = (channel: VMBCHANNEL, failureStatus: NTSTATUS) => void;

/** Stacks of the transitions a handle went through (each the latest one), when capture is on. */
export interface HandleStacks {
  allocated?: CapturedStack;
  sent?: CapturedStack;
  freed?: CapturedStack;
  completed?: CapturedStack;
  cleanedUp?: CapturedStack;
}

/** An incoming packet waiting for its channel to be enabled with a process-packet callback. */
export interface QueuedDelivery {
  payload: Uint8Array;
  externalData: Uint8Array | null;
  /** A redelivery of an incoming packet the library took back: the same handle comes again. */
  completion?: CompletionObject;
}

export class ChannelObject implements VMBCHANNEL {
  readonly family = "channel" as const;
  state: ChannelState = "allocated";
  readonly stacks: HandleStacks = {};
  processPacket: EvtVmbChannelProcessPacket | undefined;
  processingComplete: EvtVmbChannelProcessingComplete | undefined;
  /** Lookaside packets not yet freed: owned by the driver or in flight. */
  readonly outstandingPackets = new Set<PacketObject>();
  /** Caller-memory packets initialized on this channel (they do not count against the lookaside list). */
  readonly callerPackets = new Set<PacketObject>();
  readonly pendingCompletions = new Set<CompletionObject>();
  readonly queuedDeliveries: QueuedDelivery[] = [];
  /** Incoming packets the library took back (deferred, external data pending) until it delivers them again. */
  readonly heldCompletions = new Set<CompletionObject>();
  cleanedUpTime: number | undefined;
  /** What the VmbChannelInit* calls configured. */
  readonly settings: ChannelSettings = { flags: 0, serverFlags: 0, clientContextSize: 0 };
  /** Paused or active, orthogonal to enabled (the header's state model): incoming packets wait while paused. */
  paused = false;
  /** VmbChannelPause on a channel that is not enabled: it pauses when it is. */
  pauseOnEnable = false;
  /** The opposite endpoint opened the channel (EvtChannelOpened succeeded). */
  open = false;
  /** VmbChannelPacketFail stopped the incoming queue; the next VmbChannelEnable restarts it. */
  incomingStopped = false;
  /** Inside an EvtChannel* state change callback, where VmbChannelStart and VmbChannelPause may not be called. */
  inStateChangeCallback = false;
  /** VmbChannelSetTransactionQuota: incoming packets outstanding at once. */
  transactionQuota = Number.POSITIVE_INFINITY;
  incomingAtPassive = false;
  /** VmbChannelSetPointer's pointer. */
  pointer: unknown = null;
  interruptLatency = 0;
  /** GPADLs by handle number: the driver's (VmbChannelCreateGpadlFrom*) and the opposite endpoint's. */
  readonly gpadls = new Map<number, Gpadl>();
  /** Packets put back in flight by VmbPacketRestore before the channel was enabled: the host sees them at VmbChannelEnable. */
  readonly restoredPackets: PacketObject[] = [];
  /** Between VmbChannelSaveBegin and VmbChannelSaveEnd. */
  saving: SaveProgress | undefined;
  /** Between the first and the last chunk given to VmbChannelRestoreFromBuffer. */
  restoring: RestoreProgress | undefined;

  constructor(
    readonly owner: Simulation,
    readonly id: number,
    readonly simulationId: number,
    readonly isServer: boolean,
    /** Zero-based creation order in its simulation: scenario files name channels by it. */
    readonly index: number,
    readonly lookasideCapacity: number,
    readonly allocatedTime: number,
  ) {}
}

export class PacketObject implements VMBPACKET {
  readonly family = "packet" as const;
  id: number;
  simulationId: number;
  state: PacketState;
  channel: ChannelObject | undefined;
  readonly stacks: HandleStacks = {};
  completionRoutine: EvtVmbPacketCompletionRoutine | undefined;
  /** VmbPacketGetContext's area: created on first use so packets that never use it cost nothing. */
  context: Record<string, unknown> | undefined;
  pointer: unknown = null;
  /** The bytes of the last send or restore: what VmbChannelSaveBegin saves of a packet in flight. */
  request: Uint8Array | null = null;
  /** Bumped by each send, so a completion scheduled for an earlier send (then cancelled) is ignored. */
  sendGeneration = 0;
  allocatedTime = 0;
  /** Virtual time of the last completion (or free), for reports. */
  endedTime: number | undefined;
  /** Undefined only for caller memory that no VmbPacketInitialize has bound yet. */
  owner: Simulation | undefined;

  constructor(
    owner: Simulation | undefined,
    id: number,
    simulationId: number,
    readonly variant: PacketVariant,
    channel: ChannelObject | undefined,
    /** Caller memory: its size, checked against VmbChannelSizeofPacket. */
    readonly byteCount: number,
  ) {
    this.owner = owner;
    this.id = id;
    this.simulationId = simulationId;
    this.channel = channel;
    this.state = variant === "caller-memory" ? "uninitialized" : "allocated";
  }
}

export class CompletionObject implements VMBPACKETCOMPLETION {
  readonly family = "completion" as const;
  state: CompletionState = "pending";
  readonly stacks: HandleStacks = {};
  /** What the driver answered with VmbChannelPacketComplete, for the host's log. */
  response: Uint8Array | null = null;
  completedTime: number | undefined;
  /** Its external data is paged in: VmbChannelPacketGetExternalData no longer pends. */
  externalDataReady = false;

  constructor(
    readonly owner: Simulation,
    readonly id: number,
    readonly simulationId: number,
    readonly channel: ChannelObject,
    readonly payload: Uint8Array,
    readonly externalData: Uint8Array | null,
    readonly deliveredTime: number,
  ) {}
}

export type HandleObject = ChannelObject | PacketObject | CompletionObject;

export function isHandleObject(value: unknown): value is HandleObject {
  return value instanceof ChannelObject || value instanceof PacketObject || value instanceof CompletionObject;
}

/** `packet #12`, `channel #1`, `completion #40`: how reports name a handle. */
export function describeHandle(handle: HandleObject): string {
  if (handle instanceof PacketObject && handle.variant === "caller-memory") return `caller-memory packet #${handle.id}`;
  return `${handle.family} #${handle.id}`;
}

/** Packet sizes the simulated library reports: VmbChannelSizeofPacket for caller memory. */
export const simulatedPacketObjectSize = 0x180;
