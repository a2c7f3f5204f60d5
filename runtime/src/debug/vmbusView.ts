// The "VMBus" scope: each simulation, its channels, and the live packets and incoming packets on
// each channel with their state, age (virtual milliseconds) and the sites of their transitions.
import type { StackFrame } from "../kmcl/stacks";
import type { HandleSnapshot, SimulationSnapshot, VmbusSnapshot } from "./protocol";
import { frameText, programFrames } from "./reportFormat";

/** A row of the variables view; rows with children expand. */
export interface ViewNode {
  name: string;
  value: string;
  children?: ViewNode[];
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

function stackNode(label: string, frames: StackFrame[] | undefined): ViewNode | undefined {
  const program = programFrames(frames);
  if (program.length === 0) return undefined;
  return {
    name: label,
    value: frameText(program[0]!),
    children: program.map((frame, index) => ({ name: `#${index}`, value: frameText(frame) })),
  };
}

function handleNode(handle: HandleSnapshot, now: number): ViewNode {
  const age = now - handle.started;
  const allocatedAt = programFrames(handle.allocated)[0];
  const summary = [handle.state, `age ${age} ms`, ...(allocatedAt ? [`allocated at ${frameText(allocatedAt)}`] : [])].join(", ");
  const children: ViewNode[] = [
    { name: "id", value: String(handle.id) },
    { name: "state", value: handle.state },
    ...(handle.variant !== undefined ? [{ name: "variant", value: handle.variant }] : []),
    { name: "age", value: `${age} ms` },
  ];
  for (const [label, frames] of [
    ["allocated at", handle.allocated],
    ["sent at", handle.sent],
    ["freed at", handle.freed],
    ["completed at", handle.completed],
  ] as const) {
    const node = stackNode(label, frames);
    if (node) children.push(node);
  }
  return { name: `${handle.family} #${handle.id}`, value: summary, children };
}

function channelNode(channel: HandleSnapshot, members: HandleSnapshot[], now: number): ViewNode {
  const packets = members.filter((handle) => handle.family === "packet").length;
  const incoming = members.length - packets;
  const value = `${channel.state}, ${plural(packets, "live packet")}${incoming > 0 ? `, ${plural(incoming, "pending incoming packet")}` : ""}`;
  const children: ViewNode[] = [{ name: "state", value: channel.state }, ...members.map((handle) => handleNode(handle, now))];
  const allocated = stackNode("allocated at", channel.allocated);
  if (allocated) children.push(allocated);
  return { name: `channel #${channel.id}`, value, children };
}

function simulationNode(simulation: SimulationSnapshot): ViewNode {
  const channels = simulation.handles.filter((handle) => handle.family === "channel");
  const children: ViewNode[] = channels.map((channel) =>
    channelNode(
      channel,
      simulation.handles.filter((handle) => handle.family !== "channel" && handle.channelId === channel.id),
      simulation.now,
    ),
  );
  if (simulation.violations.length > 0) {
    children.push({
      name: "violations",
      value: String(simulation.violations.length),
      children: simulation.violations.map((violation, index) => ({ name: `#${index + 1} ${violation.kind}`, value: violation.message })),
    });
  }
  const state = simulation.finished ? "finished" : `t=${simulation.now} ms`;
  const value = `seed ${simulation.seed}, ${simulation.mode}, ${state}, ${plural(channels.length, "channel")}, ${plural(simulation.violations.length, "violation")}`;
  return { name: `simulation #${simulation.id}`, value, children };
}

export function vmbusView(snapshot: VmbusSnapshot): ViewNode[] {
  return snapshot.simulations.map(simulationNode);
}
