// Lifecycle events: every transition a simulation makes, for its own log, for its subscribers and
// for the process-wide bus a debugger listens on. Events carry no stacks or wall-clock times, so the
// log of a run is a pure function of the program and the seed.
import type { HandleFamily } from "./handles";
import type { ViolationKind } from "./violations";

export type KmclEventKind =
  | "simulation-start"
  | "allocate"
  | "allocate-failed"
  | "initialize"
  | "enable"
  | "disable"
  | "cleanup"
  | "send"
  | "send-failed"
  | "complete"
  | "free"
  | "deliver"
  | "defer"
  | "fail"
  | "start"
  | "pause"
  | "gpadl-create"
  | "gpadl-delete"
  | "save"
  | "restore"
  | "violation"
  | "bugcheck"
  | "simulation-finish";

export interface KmclEvent {
  simulationId: number;
  /** Per simulation, from 1: the order of events. */
  seq: number;
  /** Virtual time in milliseconds. */
  time: number;
  kind: KmclEventKind;
  family?: HandleFamily;
  handleId?: number;
  /** The handle's state after the event. */
  state?: string;
  status?: number;
  /** `driver` or `library` for frees; the cause for failures (`fault`, `lookaside-exhausted`, ...). */
  by?: string;
  violation?: ViolationKind;
  message?: string;
}

export type KmclEventListener = (event: KmclEvent) => void;

/**
 * A set of listeners. A listener that throws is removed (with a process warning, never silently)
 * rather than breaking the simulated driver it observes.
 */
export class EventChannel {
  private readonly listeners = new Set<KmclEventListener>();

  get hasListeners(): boolean {
    return this.listeners.size > 0;
  }

  subscribe(listener: KmclEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: KmclEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.listeners.delete(listener);
        process.emitWarning(`a KMCL event listener threw and was unsubscribed: ${String(error)}`, "VmbGuardRuntime");
      }
    }
  }
}

/** The process-wide bus: every Simulation emits here too. */
export const kmclEventBus = new EventChannel();

/** Subscribes to the events of every simulation in this process; returns the unsubscribe function. */
export function subscribeToAllSimulations(listener: KmclEventListener): () => void {
  return kmclEventBus.subscribe(listener);
}
