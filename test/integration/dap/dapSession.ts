// Helpers for driving the bundled debug adapter (dist/dap.js) with a real DAP client over stdio.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import * as path from "node:path";
import { DebugClient } from "@vscode/debugadapter-testsupport";
import type { DebugProtocol } from "@vscode/debugprotocol";

export const repoRoot = path.resolve(__dirname, "../../../..");
export const adapterPath = path.join(repoRoot, "dist", "dap.js");

export function fixture(name: string): string {
  return path.join(repoRoot, "test", "fixtures", "sim", name);
}

export interface Session {
  client: DebugClient;
  /** Everything the adapter printed so far, in order. */
  output(): string;
  outputEvents: DebugProtocol.OutputEvent[];
  /** The program's process id, from the `process` event. */
  pid(): number | undefined;
}

export async function startSession(): Promise<Session> {
  assert.ok(existsSync(adapterPath), `${adapterPath} is missing: run "npm run build" (npm test does) first`);
  const client = new DebugClient(process.execPath, adapterPath, "vmbus-sim");
  client.defaultTimeout = 8000;
  const outputEvents: DebugProtocol.OutputEvent[] = [];
  let pid: number | undefined;
  client.on("output", (event: DebugProtocol.OutputEvent) => outputEvents.push(event));
  client.on("process", (event: DebugProtocol.ProcessEvent) => {
    pid = event.body.systemProcessId;
  });
  await client.start();
  return { client, outputEvents, output: () => outputEvents.map((event) => event.body.output).join(""), pid: () => pid };
}

export interface LaunchPlan {
  launch: Record<string, unknown>;
  breakpoints?: { path: string; breakpoints: DebugProtocol.SourceBreakpoint[] }[];
  functionBreakpoints?: string[];
}

/** Launches, sets the breakpoints once the adapter is initialized, and finishes the configuration. */
export async function launch(session: Session, plan: LaunchPlan): Promise<void> {
  const { client } = session;
  const configured = client.waitForEvent("initialized").then(async () => {
    for (const file of plan.breakpoints ?? []) await client.setBreakpointsRequest({ source: { path: file.path }, breakpoints: file.breakpoints });
    if (plan.functionBreakpoints) await client.setFunctionBreakpointsRequest({ breakpoints: plan.functionBreakpoints.map((name) => ({ name })) });
    await client.configurationDoneRequest();
  });
  await Promise.all([configured, client.launch(plan.launch)]);
}

export interface StopPlace {
  reason: string;
  frame: DebugProtocol.StackFrame;
  frames: DebugProtocol.StackFrame[];
  event: DebugProtocol.StoppedEvent;
}

/** Waits for the next stop and reads the stack. */
export async function nextStop(session: Session): Promise<StopPlace> {
  const event = (await session.client.waitForEvent("stopped")) as DebugProtocol.StoppedEvent;
  const stack = await session.client.stackTraceRequest({ threadId: event.body.threadId ?? 1 });
  const frames = stack.body.stackFrames;
  return { reason: event.body.reason, frame: frames[0]!, frames, event };
}

/** The variables of the frame's first scope (the locals), by name. */
export async function locals(session: Session, frameId: number): Promise<Map<string, DebugProtocol.Variable>> {
  const scopes = await session.client.scopesRequest({ frameId });
  return variables(session, scopes.body.scopes[0]!.variablesReference);
}

export async function variables(session: Session, reference: number): Promise<Map<string, DebugProtocol.Variable>> {
  const answer = await session.client.variablesRequest({ variablesReference: reference });
  return new Map(answer.body.variables.map((variable) => [variable.name, variable]));
}

export async function scope(session: Session, frameId: number, name: string): Promise<Map<string, DebugProtocol.Variable>> {
  const scopes = await session.client.scopesRequest({ frameId });
  const found = scopes.body.scopes.find((candidate) => candidate.name === name);
  assert.ok(found, `no scope ${name} in ${scopes.body.scopes.map((candidate) => candidate.name).join(", ")}`);
  return variables(session, found.variablesReference);
}

export async function terminated(session: Session): Promise<void> {
  await session.client.waitForEvent("terminated");
}

/** Whether a process with this id exists (signal 0 checks without signalling). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
