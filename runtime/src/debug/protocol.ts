// What the adapter and the preload in the debuggee agree on. The preload sends through the V8
// inspector's own console (node:inspector `console`), which reaches the adapter's inspector session
// in order with the pauses and never the program's stdout; the adapter calls into the preload with
// Runtime.evaluate on the global object below.
import type { SimulationOptions, ViolationKind, ViolationRecord } from "../kmcl/index";
import type { StackFrame } from "../kmcl/stacks";

/** The environment variable carrying DebuggeeOptions as JSON (read once, then deleted). */
export const debuggeeOptionsVariable = "VMBGUARD_DAP_OPTIONS";

/** The global the preload installs in the debuggee. */
export const debugHookGlobal = "__vmbguardDebug";

/** The first argument of every inspector console message of the preload; the second is JSON. */
export const consoleMarker = "vmbguard:dap";

export interface DebuggeeOptions {
  /** Options of the ambient simulation: the scenario with the launch configuration's seed and faults. */
  simulation: SimulationOptions;
  /** File descriptor of a pipe from the adapter: when it closes, the adapter is gone and so is the debuggee. */
  lifelineFd?: number;
}

/** What the preload reports. */
export type DebuggeeMessage =
  | { type: "event"; text: string }
  | { type: "events-suppressed"; count: number }
  | { type: "logpoint"; id: number; text: string }
  | { type: "report"; simulationId: number; seed: number; violations: ViolationRecord[]; violationCount: number }
  | { type: "warning"; text: string };

/** The simulations and their live handles, as the VMBus scope shows them. */
export interface VmbusSnapshot {
  simulations: SimulationSnapshot[];
}

export interface SimulationSnapshot {
  id: number;
  seed: number;
  mode: string;
  now: number;
  finished: boolean;
  violations: { kind: ViolationKind; handleId: number; message: string }[];
  handles: HandleSnapshot[];
}

export interface HandleSnapshot {
  id: number;
  family: string;
  state: string;
  variant?: string;
  channelId?: number;
  started: number;
  allocated?: StackFrame[];
  sent?: StackFrame[];
  freed?: StackFrame[];
  completed?: StackFrame[];
}

/** The functions the preload installs on the debugHookGlobal (called by the adapter through Runtime.evaluate). */
export interface DebugHooks {
  /** The kinds that pause the program (the exception filters minus the ignored ones). */
  setBreakOnViolations(kinds: string[]): void;
  /** Called with the violation whenever one of those kinds happens; the adapter breaks on it. */
  violationBreak(violation: ViolationRecord): void;
  /** Hits per breakpoint id, counted by the conditions of breakpoints with a hit count. */
  hitCounts: Record<number, number>;
  /** Logpoints call this from their breakpoint condition: even indexes are text, odd ones values. */
  logpoint(id: number, parts: unknown[]): false;
  /** The JSON of a VmbusSnapshot. */
  snapshot(): string;
  /** The simulated KMCL, for function breakpoints on its functions. */
  runtime: Record<string, unknown>;
}
