// The three KMCL handle types. Drivers see read-only views (VMBCHANNEL, VMBPACKET,
// VMBPACKETCOMPLETION); the simulation owns the objects behind them and is the only writer.
// Every object carries its own state, so a stale handle is recognised however long ago it died,
// even after the simulation dropped it from its bounded history.
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

/** An incoming packet: pending until VmbChannelPacketComplete; `orphaned` when its channel was cleaned up first. */
export type CompletionState = "pending" | "completed" | "orphaned";

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
  cleanedUpTime: number | undefined;

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
