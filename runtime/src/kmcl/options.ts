// Simulation options: their types, defaults, and the validation that turns bad input into a clear
// TypeError before the run starts (a typo in a fault must not silently disable it).
import type { VMBCHANNEL } from "./handles";
import { validateHostOptions } from "./host";
import { defaultSeed } from "./random";
import { type NTSTATUS, STATUS_INSUFFICIENT_RESOURCES, parseStatus } from "./status";

export type SimulationMode = "strict" | "report";

/** Which transitions record their call stack. `allocation` keeps only allocation sites (cheapest useful). */
export type StackCapture = "all" | "allocation" | "none";

export interface FaultTrigger {
  /** One-based call numbers that fail (the 3rd VmbPacketAllocate is `nth: 3`). */
  nth?: number | number[];
  /** Each call fails with this probability, drawn from the seeded generator. */
  probability?: number;
}

export interface SendFaultTrigger extends FaultTrigger {
  /** What the failing send returns; STATUS_INSUFFICIENT_RESOURCES by default. */
  status?: NTSTATUS | string;
}

/** The KMCL functions that can fail for reasons outside the driver's control, so `failCalls` can make them fail. */
export const fallibleFunctions = [
  "VmbChannelAllocate",
  "VmbChannelEnable",
  "VmbPacketSend",
  "VmbPacketSendWithExternalMdl",
  "VmbPacketSendWithExternalPfns",
  "VmbPacketRestore",
  "VmbChannelSendSynchronousRequest",
  "VmbChannelSaveBegin",
  "VmbChannelSaveContinue",
  "VmbChannelRestoreFromBuffer",
  "VmbChannelSetInterruptLatency",
  "VmbChannelCreateGpadlFromMdl",
  "VmbChannelCreateGpadlFromBuffer",
  "VmbChannelMapGpadl",
] as const;

export type FallibleFunction = (typeof fallibleFunctions)[number];

export interface ExternalDataPendingTrigger extends FaultTrigger {
  /** Virtual time until the data is paged in and the packet is delivered again; 1 ms by default. */
  delayMs?: number;
}

export interface FaultOptions {
  /** VmbPacketAllocate returns NULL. */
  failAllocation?: FaultTrigger;
  /** VmbPacketSend* returns a failure status; the sender still owns the packet. */
  failSend?: SendFaultTrigger;
  /** The named function returns `status` (STATUS_INSUFFICIENT_RESOURCES by default) and changes nothing; each name counts its own calls. */
  failCalls?: Partial<Record<FallibleFunction, SendFaultTrigger>>;
  /** VmbChannelPacketGetExternalData returns STATUS_PENDING: the data is not paged in yet, and the packet comes again when it is. */
  externalDataPending?: ExternalDataPendingTrigger;
  /** Added to every packet completion (milliseconds of virtual time). */
  completionDelayMs?: number;
  /** Completions that are due together run in a seeded random order instead of send order. */
  reorderCompletions?: boolean;
}

/** What the opposite endpoint does with one packet the driver sent. */
export type HostReply =
  /** Completes it successfully, answering with the request's own bytes. */
  | { action: "echo"; delayMs?: number }
  /** Completes it with `status` (success by default) and `response`. */
  | { action: "complete"; status?: NTSTATUS | string; response?: BytesLike; delayMs?: number }
  /** Completes it with a failure status. */
  | { action: "fail"; status: NTSTATUS | string; delayMs?: number }
  /** Never completes it: a packet sent with WAIT_FOR_COMPLETION stays in flight until the channel is disabled. */
  | { action: "drop" };

/** What the host sees of a request: a packet send, or a synchronous request (packetId 0). */
export interface HostRequest {
  channel: VMBCHANNEL;
  packetId: number;
  payload: Uint8Array;
  flags: number;
  time: number;
  synchronous: boolean;
}

/** Bytes as code or scenario files give them: a UTF-8 string, byte values, or `{ hex }`. */
export type BytesLike = Uint8Array | string | number[] | { hex: string };

export interface IncomingPacketScript {
  /** The channel by creation order in the simulation (0: the first channel). */
  channel?: number;
  /** Virtual time of delivery; counted from the channel's creation when that is later. */
  atMs?: number;
  payload: BytesLike;
  /** Data the driver can read with VmbChannelPacketGetExternalData. */
  externalData?: BytesLike;
}

export interface HostOptions {
  /** Replies used in order, one per request; then `defaultReply`. */
  replies?: HostReply[];
  /** Echo by default. */
  defaultReply?: HostReply;
  /** Decides a reply in code; returning undefined falls back to `replies` / `defaultReply`. */
  respond?: (request: HostRequest) => HostReply | undefined;
  /** Packets the host sends to the driver's process-packet callback. */
  incoming?: IncomingPacketScript[];
}

export interface SimulationOptions {
  mode?: SimulationMode;
  seed?: number;
  faults?: FaultOptions;
  host?: HostOptions;
  /** Packets each channel's lookaside list can hand out at once. */
  lookasideCapacity?: number;
  stacks?: StackCapture;
  /** Frames kept per stack. */
  stackDepth?: number;
  /**
   * Handle ids whose stacks are captured whatever `stacks` says. Runs are a function of the seed,
   * so a violation found in a fast run without stacks replays with full stacks for just its handle.
   */
  traceHandles?: number[];
  /** Freed handles kept for inspection after they die (their own objects always remember their state). */
  historyLimit?: number;
  /** Newest events kept in the report. */
  eventLogLimit?: number;
  /** Violations kept with their stacks (a leak per request in a long soak must not grow without bound). */
  violationLimit?: number;
  /** Map stacks to TypeScript sources via Node's source-map support. */
  sourceMaps?: boolean;
  /** A synchronous request to a host that drops it waits this long (virtual ms) before STATUS_IO_TIMEOUT. */
  synchronousTimeoutMs?: number;
  /** Guards runUntilIdle against a host or driver that never goes quiet. */
  maxStepsPerRun?: number;
}

export interface ResolvedFaults {
  failAllocation: ResolvedTrigger | undefined;
  failSend: ResolvedFailure | undefined;
  failCalls: ReadonlyMap<FallibleFunction, ResolvedFailure>;
  externalDataPending: (ResolvedTrigger & { delayMs: number }) | undefined;
  completionDelayMs: number;
  reorderCompletions: boolean;
}

export interface ResolvedTrigger {
  nth: ReadonlySet<number>;
  probability: number;
}

export type ResolvedFailure = ResolvedTrigger & { status: NTSTATUS };

export interface ResolvedOptions {
  mode: SimulationMode;
  seed: number;
  faults: ResolvedFaults;
  host: HostOptions;
  lookasideCapacity: number;
  stacks: StackCapture;
  stackDepth: number;
  traceHandles: number[];
  historyLimit: number;
  eventLogLimit: number;
  violationLimit: number;
  sourceMaps: boolean;
  synchronousTimeoutMs: number;
  maxStepsPerRun: number;
}

export const optionDefaults = {
  mode: "strict",
  seed: defaultSeed,
  lookasideCapacity: 256,
  stacks: "all",
  stackDepth: 8,
  historyLimit: 1000,
  eventLogLimit: 10_000,
  violationLimit: 10_000,
  sourceMaps: true,
  synchronousTimeoutMs: 30_000,
  maxStepsPerRun: 50_000_000,
} as const;

function nonNegativeInteger(value: unknown, where: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    throw new TypeError(`${where}: expected a non-negative integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

function nonNegativeNumber(value: unknown, where: string): number {
  if (value === undefined) return 0;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new TypeError(`${where}: expected a non-negative number of milliseconds, got ${JSON.stringify(value)}`);
  }
  return value;
}

function handleIds(value: unknown): number[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((id) => Number.isInteger(id) && id > 0)) {
    throw new TypeError(`traceHandles: expected an array of handle ids (positive integers), got ${JSON.stringify(value)}`);
  }
  return value as number[];
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], where: string, fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value === "string" && (allowed as readonly string[]).includes(value)) return value as T;
  throw new TypeError(`${where}: expected one of ${allowed.map((item) => JSON.stringify(item)).join(", ")}, got ${JSON.stringify(value)}`);
}

function resolveTrigger(trigger: FaultTrigger, where: string, keys: ReadonlySet<string> = triggerKeys): ResolvedTrigger {
  if (typeof trigger !== "object" || trigger === null) throw new TypeError(`${where}: expected an object like { nth: 3 } or { probability: 0.1 }`);
  // A typo (`nht`) is named as such, not reported as a missing nth.
  rejectUnknownKeys(trigger, keys, where);
  const nthList = trigger.nth === undefined ? [] : Array.isArray(trigger.nth) ? trigger.nth : [trigger.nth];
  for (const nth of nthList) {
    if (!Number.isInteger(nth) || nth < 1) throw new TypeError(`${where}.nth: expected one-based call numbers, got ${JSON.stringify(trigger.nth)}`);
  }
  const probability = trigger.probability ?? 0;
  if (typeof probability !== "number" || !(probability >= 0 && probability <= 1)) {
    throw new TypeError(`${where}.probability: expected a number in [0, 1], got ${JSON.stringify(trigger.probability)}`);
  }
  if (nthList.length === 0 && probability === 0) throw new TypeError(`${where}: give nth or a probability above 0, or leave the fault out`);
  return { nth: new Set(nthList), probability };
}

/** Every key of SimulationOptions and of its faults: unknown keys are rejected (and the scenario schema is checked against these). */
export const simulationOptionKeys: readonly string[] = [
  "mode", "seed", "faults", "host", "lookasideCapacity", "stacks", "stackDepth", "traceHandles", "historyLimit",
  "eventLogLimit", "violationLimit", "sourceMaps", "synchronousTimeoutMs", "maxStepsPerRun",
];
export const faultOptionKeys: readonly string[] = ["failAllocation", "failSend", "failCalls", "externalDataPending", "completionDelayMs", "reorderCompletions"];
const knownOptionKeys = new Set(simulationOptionKeys);
const knownFaultKeys = new Set(faultOptionKeys);

const triggerKeys: ReadonlySet<string> = new Set(["nth", "probability"]);
const sendTriggerKeys: ReadonlySet<string> = new Set([...triggerKeys, "status"]);
const pendingTriggerKeys: ReadonlySet<string> = new Set([...triggerKeys, "delayMs"]);
const knownFallibleFunctions: ReadonlySet<string> = new Set(fallibleFunctions);

function rejectUnknownKeys(value: object, known: ReadonlySet<string>, where: string): void {
  for (const key of Object.keys(value)) {
    if (!known.has(key)) throw new TypeError(`${where}: unknown option "${key}" (known: ${[...known].join(", ")})`);
  }
}

/** A trigger with the failure status the call returns (a status NT_SUCCESS rejects). */
function resolveFailure(trigger: SendFaultTrigger, where: string): ResolvedFailure {
  const status = trigger.status === undefined ? STATUS_INSUFFICIENT_RESOURCES : parseStatus(trigger.status, `${where}.status`);
  const resolved = { ...resolveTrigger(trigger, where, sendTriggerKeys), status };
  if (status >= 0) throw new TypeError(`${where}.status: a failing call needs a failure status (NT_SUCCESS must be false)`);
  return resolved;
}

function resolveFailCalls(failCalls: FaultOptions["failCalls"]): Map<FallibleFunction, ResolvedFailure> {
  const resolved = new Map<FallibleFunction, ResolvedFailure>();
  if (failCalls === undefined) return resolved;
  if (typeof failCalls !== "object" || failCalls === null) throw new TypeError("faults.failCalls: expected an object keyed by function name");
  rejectUnknownKeys(failCalls, knownFallibleFunctions, "faults.failCalls");
  for (const [name, trigger] of Object.entries(failCalls) as [FallibleFunction, SendFaultTrigger][]) resolved.set(name, resolveFailure(trigger, `faults.failCalls.${name}`));
  return resolved;
}

function resolvePending(trigger: ExternalDataPendingTrigger | undefined): ResolvedFaults["externalDataPending"] {
  if (trigger === undefined) return undefined;
  const resolved = resolveTrigger(trigger, "faults.externalDataPending", pendingTriggerKeys);
  return { ...resolved, delayMs: trigger.delayMs === undefined ? 1 : nonNegativeNumber(trigger.delayMs, "faults.externalDataPending.delayMs") };
}

export function resolveFaults(faults: FaultOptions | undefined): ResolvedFaults {
  if (faults === undefined) return { failAllocation: undefined, failSend: undefined, failCalls: new Map(), externalDataPending: undefined, completionDelayMs: 0, reorderCompletions: false };
  if (typeof faults !== "object" || faults === null) throw new TypeError("faults: expected an object");
  rejectUnknownKeys(faults, knownFaultKeys, "faults");
  const failSend = faults.failSend === undefined ? undefined : resolveFailure(faults.failSend, "faults.failSend");
  if (faults.reorderCompletions !== undefined && typeof faults.reorderCompletions !== "boolean") {
    throw new TypeError("faults.reorderCompletions: expected true or false");
  }
  return {
    failAllocation: faults.failAllocation === undefined ? undefined : resolveTrigger(faults.failAllocation, "faults.failAllocation"),
    failSend,
    failCalls: resolveFailCalls(faults.failCalls),
    externalDataPending: resolvePending(faults.externalDataPending),
    completionDelayMs: nonNegativeNumber(faults.completionDelayMs, "faults.completionDelayMs"),
    reorderCompletions: faults.reorderCompletions ?? false,
  };
}

export function resolveOptions(options: SimulationOptions | undefined): ResolvedOptions {
  const given = options ?? {};
  if (typeof given !== "object" || given === null) throw new TypeError("Simulation options: expected an object");
  rejectUnknownKeys(given, knownOptionKeys, "Simulation options");
  if (given.seed !== undefined && (typeof given.seed !== "number" || !Number.isInteger(given.seed))) {
    throw new TypeError(`seed: expected an integer, got ${JSON.stringify(given.seed)}`);
  }
  if (given.host !== undefined) validateHostOptions(given.host);
  const lookasideCapacity = nonNegativeInteger(given.lookasideCapacity, "lookasideCapacity", optionDefaults.lookasideCapacity);
  return {
    mode: oneOf(given.mode, ["strict", "report"], "mode", optionDefaults.mode),
    seed: given.seed ?? optionDefaults.seed,
    faults: resolveFaults(given.faults),
    host: given.host ?? {},
    lookasideCapacity,
    stacks: oneOf(given.stacks, ["all", "allocation", "none"], "stacks", optionDefaults.stacks),
    stackDepth: nonNegativeInteger(given.stackDepth, "stackDepth", optionDefaults.stackDepth),
    traceHandles: handleIds(given.traceHandles),
    historyLimit: nonNegativeInteger(given.historyLimit, "historyLimit", optionDefaults.historyLimit),
    eventLogLimit: nonNegativeInteger(given.eventLogLimit, "eventLogLimit", optionDefaults.eventLogLimit),
    violationLimit: nonNegativeInteger(given.violationLimit, "violationLimit", optionDefaults.violationLimit),
    sourceMaps: given.sourceMaps ?? optionDefaults.sourceMaps,
    synchronousTimeoutMs: nonNegativeInteger(given.synchronousTimeoutMs, "synchronousTimeoutMs", optionDefaults.synchronousTimeoutMs),
    maxStepsPerRun: nonNegativeInteger(given.maxStepsPerRun, "maxStepsPerRun", optionDefaults.maxStepsPerRun),
  };
}
