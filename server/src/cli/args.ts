// The command line, parsed with node:util parseArgs into a typed command.
import { parseArgs } from "node:util";
import type { Severity } from "../analysis/findings";
import { ruleNamed, rules } from "../analysis/rules";
import { builtinPacks } from "../model/packs";
import { closestName, closestRuleId } from "../config/closestName";
import type { LspTransport } from "../lsp/main";
import { parseShard, type Shard } from "./shard";

export type OutputFormat = "text" | "json" | "sarif";
export const outputFormats: readonly OutputFormat[] = ["text", "json", "sarif"];
export const severityLevels: readonly Severity[] = ["error", "warning", "information"];

export interface CheckOptions {
  paths: string[];
  format: OutputFormat;
  output?: string;
  config?: string;
  /** Threads at most: `--jobs`, or else the CPUs. */
  jobs: number;
  /** `--jobs` was not given: a small input gets fewer threads, since a worker's start-up would cost more than it saves. */
  fitJobsToInput: boolean;
  baseline?: string;
  severity: Severity;
  /** Rule ids to report; empty means all. */
  rules: string[];
  /** Packs added to the configuration's. */
  models: string[];
  shard?: Shard;
  exitZero: boolean;
  noColor: boolean;
  /** `--list-functions`: the JSON report lists every file checked with the functions analyzed in it. */
  listFunctions: boolean;
}

export type Command =
  | { kind: "help"; topic: "general" | "check" | "lsp" }
  | { kind: "version" }
  | { kind: "check"; options: CheckOptions }
  | { kind: "dap" }
  | { kind: "lsp"; transport: LspTransport };
const lspTransports: readonly LspTransport[] = ["stdio", "node-ipc"];

/** A mistake on the command line: exit code 2 with this message and a pointer to --help. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

function choice<T extends string>(option: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  const suggestion = closestName(value, allowed);
  const hint = suggestion === undefined ? "" : ` (did you mean "${suggestion}"?)`;
  throw new UsageError(`${option}: unknown value "${value}"${hint}; expected one of ${allowed.join(", ")}`);
}

function unknownRule(id: string, ruleIds: readonly string[]): never {
  const suggestion = closestRuleId(id);
  const hint = suggestion === undefined ? "" : ` (did you mean "${suggestion}"?)`;
  throw new UsageError(`--rule: unknown value "${id}"${hint}; expected one of ${ruleIds.join(", ")}`);
}

function parseJobs(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new UsageError(`--jobs expects a positive integer, got "${value}"`);
  return Number(value);
}

function parseCheck(args: string[], defaultJobs: number): Command {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        format: { type: "string", short: "f" },
        output: { type: "string", short: "o" },
        config: { type: "string", short: "c" },
        jobs: { type: "string", short: "j" },
        baseline: { type: "string" },
        severity: { type: "string" },
        rule: { type: "string", multiple: true },
        model: { type: "string", multiple: true },
        shard: { type: "string" },
        "exit-zero": { type: "boolean" },
        "no-color": { type: "boolean" },
        "list-functions": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/\. To specify a positional argument.*$/s, ""));
  }
  const { values, positionals } = parsed;
  if (values.help === true) return { kind: "help", topic: "check" };
  const ruleIds = rules.map((rule) => rule.id);
  const selectedRules = (values.rule ?? []).map((id) => ruleNamed(id)?.id ?? unknownRule(id, ruleIds));
  const models = (values.model ?? []).map((name) => choice("--model", name, [...builtinPacks.keys()]));
  let shard: Shard | undefined;
  if (values.shard !== undefined) {
    const parsedShard = parseShard(values.shard);
    if (typeof parsedShard === "string") throw new UsageError(parsedShard);
    shard = parsedShard;
  }
  const options: CheckOptions = {
    paths: positionals.length === 0 ? ["."] : positionals,
    format: values.format === undefined ? "text" : choice("--format", values.format, outputFormats),
    jobs: values.jobs === undefined ? defaultJobs : parseJobs(values.jobs),
    fitJobsToInput: values.jobs === undefined,
    severity: values.severity === undefined ? "warning" : choice("--severity", values.severity, severityLevels),
    rules: [...new Set(selectedRules)],
    models: [...new Set(models)],
    exitZero: values["exit-zero"] === true,
    noColor: values["no-color"] === true,
    listFunctions: values["list-functions"] === true,
  };
  if (options.listFunctions && options.format !== "json") throw new UsageError(`--list-functions needs --format json (the listing is a field of the JSON report)`);
  if (values.output !== undefined) options.output = values.output;
  if (values.config !== undefined) options.config = values.config;
  if (values.baseline !== undefined) options.baseline = values.baseline;
  if (shard !== undefined) options.shard = shard;
  return { kind: "check", options };
}

function parseLsp(args: readonly string[]): Command {
  if (args.length === 1 && (args[0] === "-h" || args[0] === "--help")) return { kind: "help", topic: "lsp" };
  const transports = args.map((arg) => {
    if (!arg.startsWith("--")) throw new UsageError(`lsp takes a transport option, not "${arg}"`);
    return choice("lsp", arg.slice(2), lspTransports);
  });
  if (transports.length !== 1) throw new UsageError("lsp needs exactly one transport: --stdio or --node-ipc");
  return { kind: "lsp", transport: transports[0] };
}

/** `argv` without the node executable and script; `defaultJobs` is the machine's parallelism. */
export function parseCommandLine(argv: readonly string[], defaultJobs: number): Command {
  const [first, ...rest] = argv;
  switch (first) {
    case undefined:
      throw new UsageError("missing command");
    case "-h":
    case "--help":
    case "help":
      return rest[0] === "check" || rest[0] === "lsp" ? { kind: "help", topic: rest[0] } : { kind: "help", topic: "general" };
    case "-v":
    case "--version":
      return { kind: "version" };
    case "check":
      return parseCheck(rest, defaultJobs);
    case "dap":
      if (rest.length > 0) throw new UsageError(`dap takes no arguments (it speaks the Debug Adapter Protocol on stdin and stdout), got "${rest[0]}"`);
      return { kind: "dap" };
    case "lsp":
      return parseLsp(rest);
    default:
      if (first.startsWith("-")) throw new UsageError(`unknown option "${first}" (a command comes first: vmbguard check ${first} ...)`);
      throw new UsageError(`unknown command "${first}"`);
  }
}
