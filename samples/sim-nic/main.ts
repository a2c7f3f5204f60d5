// The program F5 runs (see README.md): loads sim-nic the way NDIS would, pushes traffic through
// it, and unloads it. It builds no Simulation of its own: it runs in the ambient one, which the
// debugger configures from the launch configuration (scenario.json, seed, faults) before it starts.
import { NT_SUCCESS, formatReport, formatStatus, getSimulation } from "vmbguard/runtime";
import { SimNicHalt, SimNicInitialize } from "./driver";
import { SimNicProtocolStub, SimNicRunTraffic } from "./protocol";

function main(): void {
  const sim = getSimulation();
  const protocol = new SimNicProtocolStub();

  const { status, adapter } = SimNicInitialize(protocol);
  if (!NT_SUCCESS(status) || adapter === null) {
    // Without scenario.json the host only echoes, which is no answer to RNDIS initialization.
    console.error(`SimNicInitialize failed with ${formatStatus(status)}; is the launch configuration's scenario sim-nic/scenario.json?`);
    console.log(formatReport(sim.finish()));
    process.exitCode = 1;
    return;
  }

  SimNicRunTraffic(sim, adapter, protocol);
  SimNicHalt(adapter);

  const report = sim.finish();
  const sent = protocol.sendCompletions.filter((completion) => NT_SUCCESS(completion.status)).length;
  const { statistics } = adapter;
  console.log(
    `sim-nic: ${sent} of ${protocol.sendCompletions.length} frames sent, ${statistics.framesReceived} received, ` +
      `${statistics.receiveDropsNoBuffer} dropped (receive pool full), ${statistics.receiveErrors} malformed; link ${adapter.linkUp ? "up" : "down"}`,
  );
  console.log(formatReport(report));
  if (!report.ok) process.exitCode = 1;
}

main();
