// One line of the debug console per simulation event: which simulation, when (virtual time), what
// happened to which handle, and the state it is in now.
import type { KmclEvent } from "../kmcl/events";
import { formatStatus } from "../kmcl/status";

export function formatKmclEvent(event: KmclEvent): string {
  const prefix = `[sim #${event.simulationId} ${event.time} ms]`;
  if (event.kind === "violation") return `${prefix} VIOLATION ${event.violation ?? "?"}: ${event.message ?? ""}`;
  const parts = [prefix, event.kind];
  if (event.family !== undefined && event.handleId !== undefined) parts.push(`${event.family} #${event.handleId}`);
  if (event.by !== undefined) parts.push(`(${event.by})`);
  if (event.status !== undefined) parts.push(formatStatus(event.status));
  if (event.state !== undefined) parts.push(`-> ${event.state}`);
  const text = parts.join(" ");
  return event.message === undefined ? text : `${text}: ${event.message}`;
}
