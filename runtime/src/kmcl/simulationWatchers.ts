// Lets a debugger find every Simulation a program creates (the event bus carries ids; inspection
// needs the objects). Simulations are not retained here: a watcher keeps what it wants.
import type { Simulation } from "./simulation";

export type SimulationWatcher = (simulation: Simulation) => void;

const watchers = new Set<SimulationWatcher>();

/** Calls `watcher` with each Simulation created from now on; returns the function that stops it. */
export function watchSimulations(watcher: SimulationWatcher): () => void {
  watchers.add(watcher);
  return () => watchers.delete(watcher);
}

/** @internal Called by the Simulation constructor; a watcher that throws is dropped with a warning, never breaking the program. */
export function announceSimulation(simulation: Simulation): void {
  for (const watcher of watchers) {
    try {
      watcher(simulation);
    } catch (error) {
      watchers.delete(watcher);
      process.emitWarning(`a simulation watcher threw and was removed: ${String(error)}`, "VmbGuardRuntime");
    }
  }
}
