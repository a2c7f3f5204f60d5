// What a finished simulation returns, and its readable rendering for test failures.
import type { KmclEvent } from "./events";
import type { HandleFamily } from "./handles";
import type { SimulationMode } from "./options";
import { type StackFrame, shortFile } from "./stacks";
import type { ViolationRecord } from "./violations";

export interface SimulationStats {
  channelsAllocated: number;
  channelsCleanedUp: number;
  packetsAllocated: number;
  /** VmbPacketAllocate calls that returned NULL: injected faults plus lookaside exhaustion. */
  allocationFailures: number;
  lookasideExhausted: number;
  callerPacketsInitialized: number;
  packetsFreedByDriver: number;
  packetsFreedByLibrary: number;
  sends: number;
  sendFailures: number;
  synchronousRequests: number;
  completionRoutinesRun: number;
  packetsCancelled: number;
  incomingDelivered: number;
  incomingCompleted: number;
  incomingDropped: number;
  /** Incoming packets handed back with VmbChannelPacketDeferToPassive. */
  incomingDeferred: number;
  /** VmbChannelPacketFail calls. */
  incomingFailed: number;
  /** VmbChannelPacketGetExternalData calls that returned STATUS_PENDING. */
  incomingPended: number;
  /** VmbPacketRestore calls that put a packet back in flight. */
  packetsRestored: number;
  /** Most lookaside packets outstanding at once, across channels. */
  peakOutstandingPackets: number;
  violations: number;
  events: number;
  virtualTimeMs: number;
}

export interface SimulationReport {
  simulationId: number;
  seed: number;
  mode: SimulationMode;
  /** No violations. */
  ok: boolean;
  /** The first `violationLimit` violations. */
  violations: ViolationRecord[];
  /** Violations beyond the limit: counted (stats.violations) and emitted as events, not kept. */
  violationsDropped: number;
  /** The newest events (see eventLogLimit), oldest first. */
  events: KmclEvent[];
  /** Events older than the kept ones. */
  eventsDropped: number;
  stats: SimulationStats;
}

/** One handle as a debugger or a report shows it. */
export interface HandleDescription {
  id: number;
  family: HandleFamily;
  state: string;
  variant?: string;
  channelId?: number;
  /** What the driver keeps in the handle (VmbPacketSetPointer, VmbChannelSetPointer), when set. */
  pointer?: unknown;
  /**
   * Virtual times (ms): when the handle came to be (allocated, initialized, delivered) and when it
   * ended (freed, completed, cleaned up). A packet's completion has no driver stack, so its time is
   * what places it.
   */
  times: { started: number; ended?: number };
  stacks: { allocated?: StackFrame[]; sent?: StackFrame[]; freed?: StackFrame[]; completed?: StackFrame[]; cleanedUp?: StackFrame[] };
}

/** The innermost frame of the program: Node's own frames (`node:internal/...`) explain nothing to a driver author. */
function site(frames: StackFrame[] | undefined): string | undefined {
  const top = frames?.find((frame) => !frame.file.startsWith("node:"));
  return top ? `${shortFile(top.file)}:${top.line}:${top.column}${top.functionName === "<anonymous>" ? "" : ` (${top.functionName})`}` : undefined;
}

/** One violation in a line or three: what, which handle, and the sites that explain it. */
export function formatViolation(violation: ViolationRecord): string {
  const lines = [`${violation.kind} ${violation.family} #${violation.handleId}: ${violation.message}`];
  const labelled: [string, StackFrame[] | undefined][] = [
    ["at", violation.stacks.at],
    ["allocated at", violation.stacks.allocated],
    ["sent at", violation.stacks.sent],
    ["freed at", violation.stacks.freed],
    ["completed at", violation.stacks.completed],
  ];
  for (const [label, frames] of labelled) {
    const where = site(frames);
    if (where) lines.push(`    ${label} ${where}`);
  }
  return lines.join("\n");
}

export function formatReport(report: SimulationReport): string {
  if (report.ok) return `simulation #${report.simulationId} (seed ${report.seed}): no violations`;
  const count = report.stats.violations;
  return [
    `simulation #${report.simulationId} (seed ${report.seed}): ${count} violation${count === 1 ? "" : "s"}`,
    ...report.violations.map((violation) => `  ${formatViolation(violation).replace(/\n/g, "\n  ")}`),
    ...(report.violationsDropped > 0 ? [`  ... and ${report.violationsDropped} more (violationLimit)`] : []),
    ...replayHint(report),
  ].join("\n");
}

/** Runs are a function of the seed: when stacks were off, say how to get them for just these handles. */
function replayHint(report: SimulationReport): string[] {
  // Incoming completions are made by the library: they never have an allocation site to replay.
  const unexplained = report.violations
    .filter((violation) => violation.family !== "completion" && violation.stacks.allocated === undefined)
    .map((violation) => violation.handleId);
  if (unexplained.length === 0) return [];
  const ids = [...new Set(unexplained)].sort((a, b) => a - b);
  return [`  replay with { seed: ${report.seed}, traceHandles: [${ids.join(", ")}] } for the stacks of these handles`];
}
