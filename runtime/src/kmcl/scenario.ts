// Scenario files: simulation options as JSON (host replies, incoming packets, faults, seed), so a
// debugging session or a CI job can replay one run without code.
import { readFileSync } from "node:fs";
import { type SimulationOptions, resolveOptions } from "./options";

/** Validates a parsed scenario; errors name the scenario's source. */
export function parseScenario(value: unknown, source = "scenario"): SimulationOptions {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new TypeError(`${source}: a scenario is a JSON object of simulation options`);
  const options = value as SimulationOptions;
  try {
    resolveOptions(options);
  } catch (error) {
    throw new TypeError(`${source}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return options;
}

/** Reads and validates a scenario file. */
export function loadScenario(path: string): SimulationOptions {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new Error(`cannot read scenario ${path}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new TypeError(`${path}: not valid JSON: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return parseScenario(parsed, path);
}
