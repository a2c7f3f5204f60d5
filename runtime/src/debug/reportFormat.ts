// Violations as the debug console shows them: every site as an absolute `file:line:column`, which
// VS Code turns into a link, and the first site of each as the output event's location.
import { fileURLToPath } from "node:url";
import type { StackFrame } from "../kmcl/stacks";
import type { ViolationRecord, ViolationStacks } from "../kmcl/violations";

export interface SourceLocation {
  path: string;
  /** One-based. */
  line: number;
  column: number;
}

/** The stacks of a violation, most telling first, with their labels. */
const stackLabels: [keyof ViolationStacks, string][] = [
  ["at", "at"],
  ["allocated", "allocated at"],
  ["sent", "sent at"],
  ["freed", "freed at"],
  ["completed", "completed at"],
];

export function framePath(file: string): string {
  return file.startsWith("file:") ? fileURLToPath(file) : file;
}

/** Frames of the program: Node's own (`node:internal/...`) explain nothing to a driver author. */
export function programFrames(frames: readonly StackFrame[] | undefined): StackFrame[] {
  return (frames ?? []).filter((frame) => !frame.file.startsWith("node:"));
}

export function frameText(frame: StackFrame): string {
  const where = `${framePath(frame.file)}:${frame.line}:${frame.column}`;
  // Node names a module's top level `Object.<anonymous>`; the inspector leaves it unnamed.
  return frame.functionName === "<anonymous>" || frame.functionName === "Object.<anonymous>" ? where : `${frame.functionName} (${where})`;
}

export function frameLocation(frame: StackFrame): SourceLocation {
  return { path: framePath(frame.file), line: frame.line, column: frame.column };
}

/** Where to point the editor for a violation: where the handle was allocated for a leak, else where it happened. */
export function violationLocation(violation: ViolationRecord): SourceLocation | undefined {
  const leak = violation.kind.endsWith("-leak");
  const frames = programFrames(leak ? (violation.stacks.allocated ?? violation.stacks.at) : (violation.stacks.at ?? violation.stacks.allocated));
  return frames[0] && frameLocation(frames[0]);
}

/** A violation of the end-of-run report: its line, then the innermost program frame of each stack. */
export function formatReportedViolation(violation: ViolationRecord): string {
  const lines = [`  ${violation.kind} ${violation.family} #${violation.handleId}: ${violation.message}`];
  for (const [key, label] of stackLabels) {
    const top = programFrames(violation.stacks[key])[0];
    if (top) lines.push(`      ${label} ${frameText(top)}`);
  }
  return lines.join("\n");
}

export function reportHeadline(simulationId: number, seed: number, violationCount: number): string {
  if (violationCount === 0) return `simulation #${simulationId} (seed ${seed}) finished: no violations`;
  return `simulation #${simulationId} (seed ${seed}) finished: ${violationCount} violation${violationCount === 1 ? "" : "s"}`;
}

/** The exception details of a violation stop: the stack where it happened and every stack of the handle, in full. */
export function violationStackTrace(violation: ViolationRecord, atFrames: readonly string[]): string {
  const sections: string[] = [];
  if (atFrames.length > 0) sections.push(["at:", ...atFrames.map((frame) => `    at ${frame}`)].join("\n"));
  for (const [key, label] of stackLabels) {
    if (key === "at") continue;
    const frames = programFrames(violation.stacks[key]);
    if (frames.length > 0) sections.push([`${label}:`, ...frames.map((frame) => `    at ${frameText(frame)}`)].join("\n"));
  }
  return sections.join("\n");
}
