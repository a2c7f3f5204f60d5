// A test helper for driver authors: runs a test body against a fresh simulation and a ready channel,
// drains it, and fails with a readable report (ids, allocation sites) when anything leaked or broke.
import { installAmbientSimulation } from "./ambient";
import { ChannelObject, type VMBCHANNEL } from "./handles";
import type { SimulationOptions } from "./options";
import { type SimulationReport, formatReport } from "./report";
import { type ChannelOptions, Simulation } from "./simulation";
import { KmclViolation } from "./violations";

export interface WithSimulationOptions extends SimulationOptions {
  channel?: ChannelOptions;
}

/** Thrown by withSimulation when the run ended with violations; `report` has them all. */
export class SimulationFailure extends Error {
  constructor(readonly report: SimulationReport) {
    super(formatReport(report));
    this.name = "SimulationFailure";
  }
}

/**
 * Runs `body(sim, channel)` with `sim` as the ambient simulation (so VmbChannelAllocate in driver
 * code allocates there), then runs it until idle, cleans the channel up (unless the body did) and
 * finishes. Channels the body allocated itself are its own to clean up (channel-leak otherwise).
 * Resolves to the report when there is no violation; otherwise rejects with a SimulationFailure
 * listing each one. Strict mode by default, so a double free fails at the faulting call with its
 * stack. Bodies share the ambient slot, so run them one at a time (node:test's default).
 */
export async function withSimulation(
  body: (sim: Simulation, channel: VMBCHANNEL) => void | Promise<void>,
  options: WithSimulationOptions = {},
): Promise<SimulationReport> {
  const { channel: channelOptions, ...simulationOptions } = options;
  const sim = new Simulation(simulationOptions);
  const channel = sim.createChannel(channelOptions);
  const restoreAmbient = installAmbientSimulation(sim);
  try {
    await body(sim, channel);
    if (!sim.finished) {
      await sim.runUntilIdleAsync();
      if (channel instanceof ChannelObject && channel.state !== "cleaned-up") {
        try {
          sim.cleanupChannel(channel, withSimulation);
        } catch (error) {
          // Strict mode throws the first leak found by the cleanup; every leak is in the report below.
          if (!(error instanceof KmclViolation)) throw error;
        }
      }
    }
  } finally {
    restoreAmbient();
  }
  const report = sim.finish();
  if (!report.ok) throw new SimulationFailure(report);
  return report;
}
