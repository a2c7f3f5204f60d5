// The launch configuration of a `vmbus-sim` session, checked before anything starts: every mistake
// is one clear message naming the option, so a typo never turns into a silently different run.
import { existsSync, statSync } from "node:fs";
import * as path from "node:path";
import { loadScenario, parseScenario } from "../kmcl/scenario";
import type { SimulationOptions } from "../kmcl/options";
import { type ViolationKind, violationKinds } from "../kmcl/violations";

/** What a launch.json entry may hold (VS Code adds its own keys: type, name, request, ...). */
export interface VmbusSimLaunchArguments {
  program?: unknown;
  args?: unknown;
  cwd?: unknown;
  scenario?: unknown;
  seed?: unknown;
  faults?: unknown;
  stopOnEntry?: unknown;
  stopOnViolation?: unknown;
  violations?: unknown;
  timeout?: unknown;
}

export interface LaunchSettings {
  /** Absolute path of the program. */
  program: string;
  args: string[];
  cwd: string;
  /** The ambient simulation's options: the scenario, with `seed` and `faults` from the launch configuration on top. */
  simulation: SimulationOptions;
  stopOnEntry: boolean;
  stopOnViolation: boolean;
  /** Violation kinds that never stop the program (they still show in the console and the report). */
  ignoredViolations: ViolationKind[];
  /** Milliseconds the program may run (time paused in the debugger does not count). */
  timeoutMs: number | undefined;
}

export class LaunchConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LaunchConfigError";
  }
}

/** Programs run as CommonJS: TypeScript is compiled on require, JavaScript runs as it is. */
export const programExtensions = [".ts", ".cts", ".tsx", ".js", ".cjs"];

export function isTypeScriptFile(file: string): boolean {
  return /\.(c?ts|tsx)$/i.test(file);
}

function optionalBoolean(value: unknown, name: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") throw new LaunchConfigError(`"${name}" must be true or false, got ${JSON.stringify(value)}`);
  return value;
}

function stringList(value: unknown, name: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((item) => typeof item === "string")) throw new LaunchConfigError(`"${name}" must be an array of strings, got ${JSON.stringify(value)}`);
  return value;
}

function resolveCwd(value: unknown, baseDirectory: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value === "") throw new LaunchConfigError(`"cwd" must be a folder path, got ${JSON.stringify(value)}`);
  const cwd = path.resolve(baseDirectory, value);
  if (!existsSync(cwd) || !statSync(cwd).isDirectory()) throw new LaunchConfigError(`"cwd" is not a folder: ${cwd}`);
  return cwd;
}

function resolveProgram(value: unknown, baseDirectory: string): string {
  if (value === undefined) throw new LaunchConfigError(`"program" is missing: name the .ts or .js file to run`);
  if (typeof value !== "string" || value === "") throw new LaunchConfigError(`"program" must be a file path, got ${JSON.stringify(value)}`);
  const program = path.resolve(baseDirectory, value);
  if (!existsSync(program)) throw new LaunchConfigError(`program not found: ${program}`);
  if (!statSync(program).isFile()) throw new LaunchConfigError(`program is not a file: ${program}`);
  if (!programExtensions.includes(path.extname(program).toLowerCase())) {
    throw new LaunchConfigError(`program must be a ${programExtensions.join(", ")} file: ${program}`);
  }
  return program;
}

function simulationOptions(args: VmbusSimLaunchArguments, cwd: string): SimulationOptions {
  let scenario: SimulationOptions = {};
  if (args.scenario !== undefined) {
    if (typeof args.scenario !== "string" || args.scenario === "") throw new LaunchConfigError(`"scenario" must be the path of a scenario JSON file, got ${JSON.stringify(args.scenario)}`);
    try {
      scenario = loadScenario(path.resolve(cwd, args.scenario));
    } catch (error) {
      throw new LaunchConfigError(`"scenario": ${(error as Error).message}`);
    }
  }
  const merged: Record<string, unknown> = { ...scenario };
  if (args.seed !== undefined) merged.seed = args.seed;
  if (args.faults !== undefined) merged.faults = args.faults;
  try {
    return parseScenario(merged, "launch configuration");
  } catch (error) {
    throw new LaunchConfigError((error as Error).message);
  }
}

function ignoredViolations(value: unknown): ViolationKind[] {
  const kinds = stringList(value, "violations");
  for (const kind of kinds) {
    if (!(violationKinds as readonly string[]).includes(kind)) throw new LaunchConfigError(`"violations": unknown violation kind "${kind}" (known: ${violationKinds.join(", ")})`);
  }
  return kinds as ViolationKind[];
}

function timeout(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) throw new LaunchConfigError(`"timeout" must be a positive number of milliseconds, got ${JSON.stringify(value)}`);
  return value;
}

/**
 * Checks and resolves a launch configuration. Relative `program` and `scenario` paths are taken
 * from `cwd`, which itself defaults to the program's folder (`baseDirectory` resolves a relative cwd
 * or program when no cwd is given).
 */
export function resolveLaunchConfig(args: VmbusSimLaunchArguments, baseDirectory: string): LaunchSettings {
  const givenCwd = resolveCwd(args.cwd, baseDirectory);
  const program = resolveProgram(args.program, givenCwd ?? baseDirectory);
  const cwd = givenCwd ?? path.dirname(program);
  return {
    program,
    args: stringList(args.args, "args"),
    cwd,
    simulation: simulationOptions(args, cwd),
    stopOnEntry: optionalBoolean(args.stopOnEntry, "stopOnEntry", false),
    stopOnViolation: optionalBoolean(args.stopOnViolation, "stopOnViolation", true),
    ignoredViolations: ignoredViolations(args.violations),
    timeoutMs: timeout(args.timeout),
  };
}
