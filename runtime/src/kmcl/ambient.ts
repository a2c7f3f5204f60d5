// The ambient simulation, for driver programs that do not build their own: VmbChannelAllocate
// allocates in it. The debug adapter configures it from its launch options before the program runs.
import type { SimulationOptions } from "./options";
import { Simulation } from "./simulation";

let ambient: Simulation | undefined;
let pendingOptions: SimulationOptions | undefined;

/** The ambient simulation, created on first use with the options of configureSimulation (if any). */
export function getSimulation(): Simulation {
  if (ambient === undefined || ambient.finished) ambient = new Simulation(pendingOptions);
  return ambient;
}

/** The ambient simulation if one is running, without creating one. */
export function runningAmbientSimulation(): Simulation | undefined {
  return ambient !== undefined && !ambient.finished ? ambient : undefined;
}

/**
 * Sets the options of the ambient simulation. Call it before the program's first KMCL call; once
 * the ambient simulation holds handles it cannot change under them (finish it first).
 * Options are validated now, so a bad launch configuration fails here and not mid-run.
 */
export function configureSimulation(options: SimulationOptions): Simulation {
  if (ambient !== undefined && !ambient.finished && ambient.liveHandles().length > 0) {
    throw new Error(`configureSimulation: the ambient simulation #${ambient.id} is in use (it holds live handles); call finish() on it first`);
  }
  const replacement = new Simulation(options);
  pendingOptions = options;
  ambient = replacement;
  return replacement;
}

/** Forgets the ambient simulation and its options (for test isolation); the next use creates a fresh one. */
export function resetAmbientSimulation(): void {
  ambient = undefined;
  pendingOptions = undefined;
}

/**
 * @internal Makes `simulation` the ambient one until the returned function restores the previous
 * one: withSimulation uses it so driver code calling VmbChannelAllocate lands in the test's run.
 */
export function installAmbientSimulation(simulation: Simulation): () => void {
  const previous = ambient;
  ambient = simulation;
  return () => {
    if (ambient === simulation) ambient = previous;
  };
}
