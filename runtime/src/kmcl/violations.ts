// Lifecycle violations. Kinds are the rule ids of RULES.md, plus the runtime-only `channel-leak`,
// `use-after-cleanup`, `use-in-flight` (re-sending or re-routing a packet the library owns, using an
// incoming packet handed back to it), `invalid-state` (a call the channel's state rules out) and
// `gpadl-leak` (a GPADL never deleted, a mapping never unmapped).
import type { HandleFamily } from "./handles";
import type { StackFrame } from "./stacks";

export const violationKinds = [
  "double-free",
  "use-after-free",
  "free-in-flight",
  "free-unowned",
  "double-completion",
  "packet-leak",
  "completion-leak",
  "channel-leak",
  "use-after-cleanup",
  "use-in-flight",
  "invalid-state",
  "gpadl-leak",
] as const;

export type ViolationKind = (typeof violationKinds)[number];

/** The stacks that explain a violation: where it happened and the earlier transitions it contradicts. */
export interface ViolationStacks {
  /** The faulting call (for leaks: the VmbChannelCleanup or sim.finish() that found them). */
  at?: StackFrame[];
  allocated?: StackFrame[];
  sent?: StackFrame[];
  freed?: StackFrame[];
  completed?: StackFrame[];
}

export interface ViolationRecord {
  kind: ViolationKind;
  handleId: number;
  family: HandleFamily;
  /** The KMCL function that faulted, or `VmbChannelCleanup` / `finish` for leaks. */
  operation: string;
  message: string;
  simulationId: number;
  /** Virtual time (ms) and event sequence number of the violation. */
  time: number;
  seq: number;
  stacks: ViolationStacks;
}

/** Thrown at the faulting call in strict mode. */
export class KmclViolation extends Error {
  readonly kind: ViolationKind;
  readonly handleId: number;
  readonly family: HandleFamily;
  readonly operation: string;
  readonly stacks: ViolationStacks;
  readonly record: ViolationRecord;

  constructor(record: ViolationRecord) {
    super(`${record.kind}: ${record.message}`);
    this.name = "KmclViolation";
    this.kind = record.kind;
    this.handleId = record.handleId;
    this.family = record.family;
    this.operation = record.operation;
    this.stacks = record.stacks;
    this.record = record;
  }
}

/** A bug check: the simulated system stopped (KeBugCheck / KeBugCheckEx). */
export class KmclBugCheck extends Error {
  constructor(
    readonly bugCheckCode: number,
    readonly parameters: readonly unknown[],
  ) {
    super(`bug check 0x${(bugCheckCode >>> 0).toString(16).toUpperCase().padStart(8, "0")}`);
    this.name = "KmclBugCheck";
  }
}
