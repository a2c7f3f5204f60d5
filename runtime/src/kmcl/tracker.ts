// The lifecycle tracker of one simulation, Driver Verifier-style: the call sites of transitions,
// the event log and its listeners, violations (thrown in strict mode), statistics, and the bounded
// history of dead handles. The simulation decides what happens; the tracker records it.
import { BoundedLog } from "./boundedLog";
import { EventChannel, type KmclEvent, type KmclEventKind, type KmclEventListener, kmclEventBus } from "./events";
import { CompletionObject, type HandleFamily, type HandleObject, PacketObject } from "./handles";
import type { SimulationMode, StackCapture } from "./options";
import type { HandleDescription, SimulationStats } from "./report";
import { type CapturedStack, type StackCutPoint, captureStack } from "./stacks";
import { KmclViolation, type ViolationKind, type ViolationRecord, type ViolationStacks } from "./violations";

/** Violations need their "at" stack even when transition stacks are off: they are rare. */
const violationStackDepth = 12;

export interface EventDetail {
  status?: number;
  by?: string;
  violation?: ViolationKind;
  message?: string;
}

export interface TrackerSettings {
  simulationId: number;
  mode: SimulationMode;
  stacks: StackCapture;
  stackDepth: number;
  traceHandles: readonly number[];
  historyLimit: number;
  eventLogLimit: number;
  violationLimit: number;
}

function emptyStats(): SimulationStats {
  return {
    channelsAllocated: 0,
    channelsCleanedUp: 0,
    packetsAllocated: 0,
    allocationFailures: 0,
    lookasideExhausted: 0,
    callerPacketsInitialized: 0,
    packetsFreedByDriver: 0,
    packetsFreedByLibrary: 0,
    sends: 0,
    sendFailures: 0,
    synchronousRequests: 0,
    completionRoutinesRun: 0,
    packetsCancelled: 0,
    incomingDelivered: 0,
    incomingCompleted: 0,
    incomingDropped: 0,
    incomingDeferred: 0,
    incomingFailed: 0,
    incomingPended: 0,
    packetsRestored: 0,
    peakOutstandingPackets: 0,
    violations: 0,
    events: 0,
    virtualTimeMs: 0,
  };
}

export class LifecycleTracker {
  /** Counters the simulation bumps as transitions happen. */
  readonly stats = emptyStats();
  private readonly captureTransitions: boolean;
  private readonly captureAllocations: boolean;
  private readonly tracedHandles: ReadonlySet<number>;
  private readonly history: BoundedLog<HandleObject>;
  private readonly eventLog: BoundedLog<KmclEvent>;
  private readonly listeners = new EventChannel();
  private readonly records: ViolationRecord[] = [];
  private dropped = 0;
  private sequence = 0;

  constructor(
    private readonly settings: TrackerSettings,
    private readonly now: () => number,
  ) {
    this.captureAllocations = settings.stacks !== "none" && settings.stackDepth > 0;
    this.captureTransitions = settings.stacks === "all" && settings.stackDepth > 0;
    this.tracedHandles = new Set(settings.traceHandles);
    this.history = new BoundedLog(settings.historyLimit);
    this.eventLog = new BoundedLog(settings.eventLogLimit);
  }

  /** The violations kept so far (the first `violationLimit`). */
  get violations(): readonly ViolationRecord[] {
    return this.records;
  }

  get violationsDropped(): number {
    return this.dropped;
  }

  /** The newest events, oldest first, and how many older ones the limit dropped. */
  eventLogSnapshot(): { events: KmclEvent[]; dropped: number } {
    return { events: this.eventLog.toArray(), dropped: this.eventLog.droppedCount };
  }

  subscribe(listener: KmclEventListener): () => void {
    return this.listeners.subscribe(listener);
  }

  /** Traced handles get every stack whatever `stacks` says: a seed replayed to explain one violation. */
  wantsAllocationSite(handleId: number): boolean {
    return this.captureAllocations || this.tracedHandles.has(handleId);
  }

  wantsTransitionSite(handleId: number): boolean {
    return this.captureTransitions || this.tracedHandles.has(handleId);
  }

  get stackDepth(): number {
    return Math.max(this.settings.stackDepth, 1);
  }

  allocationSite(callee: StackCutPoint, handleId: number): CapturedStack | undefined {
    return this.wantsAllocationSite(handleId) ? captureStack(callee, this.stackDepth) : undefined;
  }

  transitionSite(callee: StackCutPoint, handleId: number): CapturedStack | undefined {
    return this.wantsTransitionSite(handleId) ? captureStack(callee, this.stackDepth) : undefined;
  }

  siteText(stack: CapturedStack | undefined): string {
    return stack ? stack.site : "<stack not captured>";
  }

  /** A handle died: keep it for inspection while the history has room. */
  retire(handle: HandleObject): void {
    this.history.push(handle);
  }

  findRetired(id: number): HandleObject | undefined {
    return this.history.find((handle) => handle.id === id);
  }

  emitFor(kind: KmclEventKind, handle: HandleObject, detail?: EventDetail): number {
    return this.emit(kind, handle.family, handle.id, handle.state, detail);
  }

  /** Returns the event's sequence number; builds the event object only when someone keeps or hears it. */
  emit(kind: KmclEventKind, family: HandleFamily | undefined, handleId: number | undefined, state: string | undefined, detail: EventDetail | undefined): number {
    const seq = ++this.sequence;
    this.stats.events++;
    const local = this.listeners.hasListeners;
    const global = kmclEventBus.hasListeners;
    if (this.eventLog.limit === 0 && !local && !global) return seq;
    const event: KmclEvent = { simulationId: this.settings.simulationId, seq, time: this.now(), kind };
    if (family !== undefined) event.family = family;
    if (handleId !== undefined) event.handleId = handleId;
    if (state !== undefined) event.state = state;
    if (detail) {
      if (detail.status !== undefined) event.status = detail.status;
      if (detail.by !== undefined) event.by = detail.by;
      if (detail.violation !== undefined) event.violation = detail.violation;
      if (detail.message !== undefined) event.message = detail.message;
    }
    this.eventLog.push(event);
    if (local) this.listeners.emit(event);
    if (global) kmclEventBus.emit(event);
    return seq;
  }

  /**
   * Records a violation with its stacks (the first `violationLimit` are kept; all are counted and
   * emitted) and returns it; throws it in strict mode when `throwInStrict`.
   */
  violate(kind: ViolationKind, handle: HandleObject, operation: string, message: string, callee: StackCutPoint, throwInStrict: boolean): ViolationRecord {
    const stacks: ViolationStacks = { at: captureStack(callee, violationStackDepth)?.frames };
    const handleStacks = handle.stacks;
    if (handleStacks.allocated) stacks.allocated = handleStacks.allocated.frames;
    if (handleStacks.sent) stacks.sent = handleStacks.sent.frames;
    if (handleStacks.freed) stacks.freed = handleStacks.freed.frames;
    if (handleStacks.completed) stacks.completed = handleStacks.completed.frames;
    this.stats.violations++;
    const seq = this.emitFor("violation", handle, { violation: kind, message });
    const record: ViolationRecord = { kind, handleId: handle.id, family: handle.family, operation, message, simulationId: this.settings.simulationId, time: this.now(), seq, stacks };
    if (this.records.length < this.settings.violationLimit) this.records.push(record);
    else this.dropped++;
    if (throwInStrict && this.settings.mode === "strict") throw new KmclViolation(record);
    return record;
  }
}

/** A handle as a debugger or a report shows it: state, variant, channel and parsed stacks. */
export function describeHandleObject(handle: HandleObject): HandleDescription {
  const stacks: HandleDescription["stacks"] = {};
  for (const key of ["allocated", "sent", "freed", "completed", "cleanedUp"] as const) {
    const stack = handle.stacks[key];
    if (stack) stacks[key] = stack.frames;
  }
  const times: HandleDescription["times"] =
    handle instanceof PacketObject
      ? { started: handle.allocatedTime, ended: handle.state === "allocated" || handle.state === "in-flight" ? undefined : handle.endedTime }
      : handle instanceof CompletionObject
        ? { started: handle.deliveredTime, ended: handle.completedTime }
        : { started: handle.allocatedTime, ended: handle.cleanedUpTime };
  if (times.ended === undefined) delete times.ended;
  const description: HandleDescription = { id: handle.id, family: handle.family, state: handle.state, times, stacks };
  if (handle instanceof PacketObject) {
    description.variant = handle.variant;
    if (handle.channel) description.channelId = handle.channel.id;
  }
  if (handle instanceof CompletionObject) description.channelId = handle.channel.id;
  else if (handle.pointer !== null) description.pointer = handle.pointer;
  return description;
}
