// Loaded with `node -r dist/dap-preload.js` in the debuggee before the program. It
// - compiles TypeScript on require, with inline source maps (the transpiler bundle beside it);
// - makes `vmbguard/runtime` the runtime bundle beside it, so the program and this file share one
//   simulator: the ambient simulation configured here from the launch options is the program's;
// - watches every Simulation and streams its events to the adapter, and calls violationBreak (on
//   which the adapter holds a breakpoint) for the violation kinds the user stops on;
// - finishes the simulations left running at exit, so leaks are reported;
// - exits when the adapter's lifeline pipe closes, so a crashed adapter leaves no orphan.
import { readFileSync } from "node:fs";
import * as inspector from "node:inspector";
import { createRequire } from "node:module";
import * as path from "node:path";
import { inspect } from "node:util";
import { Worker } from "node:worker_threads";
import type * as RuntimeModule from "../kmcl/index";
import type { KmclEvent, Simulation, StackFrame } from "../kmcl/index";
import { formatKmclEvent } from "./eventText";
import { consoleMarker, type DebuggeeMessage, type DebuggeeOptions, type DebugHooks, debugHookGlobal, debuggeeOptionsVariable, type SimulationSnapshot, type VmbusSnapshot } from "./protocol";
import { loadTranspiler, type Transpiler } from "./transpilerBundle";

/** Events streamed to the debug console before the stream stops (violations always get through). */
const streamedEventLimit = 5000;

interface ModuleInternals {
  _extensions: Record<string, (module: { _compile(code: string, filename: string): void }, filename: string) => void>;
  _resolveFilename(request: string, parent: unknown, isMain: boolean, options?: unknown): string;
}

const loadBundle = createRequire(__filename);
const runtimeBundle = path.join(__dirname, "runtime.js");

/**
 * This file's own names in stacks: the bundle, and the source its map names (Node maps stacks
 * with --enable-source-maps). Its frames sit below the program's top level (the require hook) or
 * are the exit hook that finished a simulation: they explain nothing to a driver author.
 */
const ownFiles = new Set([__filename, ...parseOwnFrames()]);

function parseOwnFrames(): string[] {
  const match = /\((.+):\d+:\d+\)/.exec(new Error().stack?.split("\n")[1] ?? "");
  return match ? [match[1]!] : [];
}

function withoutOwnFrames<T extends object>(stacks: T): T {
  const kept: Record<string, StackFrame[]> = {};
  for (const [key, frames] of Object.entries(stacks) as [string, StackFrame[] | undefined][]) {
    const program = (frames ?? []).filter((frame) => !ownFiles.has(frame.file));
    if (program.length > 0) kept[key] = program;
  }
  return kept as T;
}

function send(message: DebuggeeMessage): void {
  inspector.console.debug(consoleMarker, JSON.stringify(message));
}

function installTypeScript(moduleInternals: ModuleInternals): void {
  let transpile: Transpiler | undefined;
  const compileTypeScript = (module: { _compile(code: string, filename: string): void }, filename: string) => {
    transpile ??= loadTranspiler();
    const result = transpile(readFileSync(filename, "utf8"), filename);
    if (result.errors.length > 0) throw new SyntaxError(`cannot compile ${filename}:\n${result.errors.join("\n")}`);
    module._compile(result.code, filename);
  };
  for (const extension of [".ts", ".cts", ".tsx"]) moduleInternals._extensions[extension] = compileTypeScript;
}

function installRuntimeResolution(moduleInternals: ModuleInternals): void {
  const resolve = moduleInternals._resolveFilename;
  moduleInternals._resolveFilename = function resolveForDebuggee(request, parent, isMain, options) {
    if (request === "vmbguard/runtime") return runtimeBundle;
    try {
      return resolve.call(this, request, parent, isMain, options);
    } catch (error) {
      // TypeScript written for Node16 resolution imports "./send.js" for send.ts.
      if (!/^\.\.?\//.test(request) || !request.endsWith(".js")) throw error;
      try {
        return resolve.call(this, `${request.slice(0, -3)}.ts`, parent, isMain, options);
      } catch {
        throw error;
      }
    }
  };
}

/** Forked node children must not wait for a debugger that will never come. */
function dropInspectorFlags(): void {
  process.execArgv = process.execArgv.filter((argument) => !/^--inspect(-brk|-wait|-port)?(=|$)/.test(argument));
}

/**
 * Watches the lifeline from a worker thread: a program spinning in a loop never turns its own
 * event loop, but the worker still sees the pipe close and kills the process group.
 */
function holdLifeline(fd: number): void {
  const watcher = `
    const lifeline = new (require("node:net").Socket)({ fd: ${fd}, readable: true, writable: false });
    lifeline.on("error", () => undefined);
    lifeline.on("close", () => {
      try { process.kill(-process.pid, "SIGKILL"); } catch { process.kill(process.pid, "SIGKILL"); }
    });
    lifeline.resume();`;
  // Its own empty execArgv: a worker inherits --inspect-brk otherwise, and would wait for a debugger forever.
  new Worker(watcher, { eval: true, execArgv: [], stdout: true, stderr: true }).unref();
}

function snapshotOf(simulation: Simulation): SimulationSnapshot {
  return {
    id: simulation.id,
    seed: simulation.seed,
    mode: simulation.mode,
    now: simulation.now,
    finished: simulation.finished,
    violations: simulation.violations.map((violation) => ({ kind: violation.kind, handleId: violation.handleId, message: violation.message })),
    handles: simulation.finished
      ? []
      : simulation.liveHandles().map((handle) => ({
          id: handle.id,
          family: handle.family,
          state: handle.state,
          ...(handle.variant !== undefined ? { variant: handle.variant } : {}),
          ...(handle.channelId !== undefined ? { channelId: handle.channelId } : {}),
          started: handle.times.started,
          ...withoutOwnFrames(handle.stacks),
        })),
  };
}

function formatLogpoint(parts: unknown[]): string {
  return parts.map((part, index) => (index % 2 === 0 ? String(part) : typeof part === "string" ? part : inspect(part, { depth: 2, breakLength: Infinity }))).join("");
}

function start(options: DebuggeeOptions): void {
  const runtime = loadBundle(runtimeBundle) as typeof RuntimeModule;
  const simulations = new Map<number, Simulation>();
  let breakOn = new Set<string>();
  let finishingAtExit = false;
  let streamed = 0;
  let suppressed = 0;

  const hooks: DebugHooks = {
    setBreakOnViolations(kinds) {
      breakOn = new Set(kinds);
    },
    // The adapter holds a breakpoint on this function: calling it is the pause.
    violationBreak(violation) {
      return violation;
    },
    hitCounts: {},
    logpoint(id, parts) {
      send({ type: "logpoint", id, text: formatLogpoint(parts) });
      return false;
    },
    snapshot() {
      const snapshot: VmbusSnapshot = { simulations: [...simulations.values()].map(snapshotOf) };
      return JSON.stringify(snapshot);
    },
    runtime: runtime as unknown as Record<string, unknown>,
  };
  Object.defineProperty(globalThis, debugHookGlobal, { value: hooks, enumerable: false });

  runtime.watchSimulations((simulation) => {
    for (const [id, known] of simulations) if (known.finished && known !== simulation) simulations.delete(id);
    simulations.set(simulation.id, simulation);
  });

  runtime.subscribeToAllSimulations((event: KmclEvent) => {
    if (streamed < streamedEventLimit || event.kind === "violation") {
      streamed++;
      send({ type: "event", text: formatKmclEvent(event) });
    } else if (suppressed++ === 0) {
      send({ type: "events-suppressed", count: streamedEventLimit });
    }
    if (event.kind !== "violation" || event.violation === undefined || finishingAtExit || !breakOn.has(event.violation)) return;
    const simulation = simulations.get(event.simulationId);
    const handle = event.handleId === undefined ? undefined : simulation?.describeHandle(event.handleId);
    hooks.violationBreak({
      kind: event.violation,
      handleId: event.handleId ?? 0,
      family: event.family ?? "packet",
      operation: "",
      message: event.message ?? "",
      simulationId: event.simulationId,
      time: event.time,
      seq: event.seq,
      stacks: withoutOwnFrames(handle?.stacks ?? {}),
    });
  });

  const finishAll = (drain: boolean) => {
    finishingAtExit = true;
    for (const simulation of simulations.values()) {
      if (simulation.finished) continue;
      try {
        const report = simulation.finish({ drain });
        if (report.stats.channelsAllocated > 0 || report.stats.violations > 0) {
          send({ type: "report", simulationId: report.simulationId, seed: report.seed, violations: report.violations.map((violation) => ({ ...violation, stacks: withoutOwnFrames(violation.stacks) })), violationCount: report.stats.violations });
        }
      } catch (error) {
        send({ type: "warning", text: `simulation #${simulation.id} could not finish: ${error instanceof Error ? error.message : String(error)}` });
      }
    }
  };
  // A natural end drains the simulations (completions still due run); process.exit and crashes do not wait.
  process.on("beforeExit", () => finishAll(true));
  process.on("exit", () => finishAll(false));

  runtime.configureSimulation(options.simulation);
  if (options.lifelineFd !== undefined) holdLifeline(options.lifelineFd);
}

function main(): void {
  const moduleInternals = loadBundle("node:module") as ModuleInternals;
  installTypeScript(moduleInternals);
  installRuntimeResolution(moduleInternals);
  const optionsText = process.env[debuggeeOptionsVariable];
  // Only the debuggee itself is configured; node processes it starts get TypeScript support alone.
  if (optionsText === undefined) return;
  delete process.env[debuggeeOptionsVariable];
  dropInspectorFlags();
  process.setSourceMapsEnabled(true);
  start(JSON.parse(optionsText) as DebuggeeOptions);
}

main();
