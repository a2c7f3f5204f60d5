import { test } from "node:test";
import assert from "node:assert/strict";
import { parseCommandLine, UsageError, type Command } from "../../../server/src/cli/args";

function checkOptions(argv: string[]) {
  const command: Command = parseCommandLine(argv, 8);
  assert.equal(command.kind, "check");
  if (command.kind !== "check") throw new Error("unreachable");
  return command.options;
}

function usageError(argv: string[]): string {
  try {
    parseCommandLine(argv, 8);
  } catch (error) {
    assert.ok(error instanceof UsageError, `expected a UsageError, got ${String(error)}`);
    return error.message;
  }
  assert.fail(`expected ${argv.join(" ")} to be rejected`);
}

test("check with no options checks the current folder with the defaults", () => {
  assert.deepEqual(checkOptions(["check"]), {
    paths: ["."],
    format: "text",
    jobs: 8,
    fitJobsToInput: true,
    severity: "warning",
    rules: [],
    models: [],
    exitZero: false,
    noColor: false,
    listFunctions: false,
  });
});

test("every check option is parsed, repeatable ones collected without duplicates", () => {
  const options = checkOptions([
    "check", "src", "include/x.h",
    "--format", "sarif", "--output", "out.sarif", "--config", "cfg.json", "--jobs", "3",
    "--baseline", "base.sarif", "--severity", "information",
    "--rule", "leak", "--rule", "double-free", "--rule", "leak",
    "--model", "wdk-pool", "--model", "libc", "--shard", "2/4", "--exit-zero", "--no-color",
  ]);
  assert.deepEqual(options, {
    paths: ["src", "include/x.h"],
    format: "sarif",
    output: "out.sarif",
    config: "cfg.json",
    jobs: 3,
    fitJobsToInput: false,
    baseline: "base.sarif",
    severity: "information",
    rules: ["leak", "double-free"],
    models: ["wdk-pool", "libc"],
    shard: { index: 2, count: 4 },
    exitZero: true,
    noColor: true,
    listFunctions: false,
  });
});

test("--list-functions goes with the JSON format only", () => {
  assert.equal(checkOptions(["check", "--format", "json", "--list-functions"]).listFunctions, true);
  assert.equal(usageError(["check", "--list-functions"]), "--list-functions needs --format json (the listing is a field of the JSON report)");
  assert.equal(usageError(["check", "-f", "sarif", "--list-functions"]), "--list-functions needs --format json (the listing is a field of the JSON report)");
});

test("short options and --opt=value spellings work", () => {
  const options = checkOptions(["check", "-f", "json", "-o", "r.json", "-j", "1", "--severity=error", "a.c"]);
  assert.equal(options.format, "json");
  assert.equal(options.output, "r.json");
  assert.equal(options.jobs, 1);
  assert.equal(options.severity, "error");
  assert.deepEqual(options.paths, ["a.c"]);
});

test("help and version", () => {
  assert.deepEqual(parseCommandLine(["--help"], 1), { kind: "help", topic: "general" });
  assert.deepEqual(parseCommandLine(["help", "check"], 1), { kind: "help", topic: "check" });
  assert.deepEqual(parseCommandLine(["check", "--help"], 1), { kind: "help", topic: "check" });
  assert.deepEqual(parseCommandLine(["--version"], 1), { kind: "version" });
  assert.deepEqual(parseCommandLine(["-v"], 1), { kind: "version" });
});

test("usage errors say what is wrong", () => {
  assert.equal(usageError([]), "missing command");
  assert.equal(usageError(["lint"]), 'unknown command "lint"');
  assert.equal(usageError(["--format", "json"]), 'unknown option "--format" (a command comes first: vmbguard check --format ...)');
  assert.equal(usageError(["check", "--format", "xml"]), '--format: unknown value "xml"; expected one of text, json, sarif');
  assert.equal(usageError(["check", "--format", "jsno"]), '--format: unknown value "jsno" (did you mean "json"?); expected one of text, json, sarif');
  assert.equal(usageError(["check", "--jobs", "0"]), '--jobs expects a positive integer, got "0"');
  assert.equal(usageError(["check", "--jobs", "two"]), '--jobs expects a positive integer, got "two"');
  assert.equal(usageError(["check", "--shard", "5/4"]), '--shard: the shard index must be between 1 and 4, got "5/4"');
  assert.equal(usageError(["check", "--shard", "1-4"]), '--shard expects i/n (for example 2/4), got "1-4"');
  assert.match(usageError(["check", "--rule", "packet-leek"]), /^--rule: unknown value "packet-leek" \(did you mean "leak"\?\)/);
  assert.match(usageError(["check", "--model", "wdk"]), /^--model: unknown value "wdk"/);
  assert.match(usageError(["check", "--severity", "fatal"]), /^--severity: unknown value "fatal"/);
  assert.match(usageError(["check", "--frobnicate"]), /Unknown option '--frobnicate'/);
  assert.match(usageError(["check", "--output"]), /--output/);
});

test("lsp takes exactly one transport", () => {
  assert.deepEqual(parseCommandLine(["lsp", "--stdio"], 1), { kind: "lsp", transport: "stdio" });
  assert.deepEqual(parseCommandLine(["lsp", "--node-ipc"], 1), { kind: "lsp", transport: "node-ipc" });
  assert.deepEqual(parseCommandLine(["lsp", "--help"], 1), { kind: "help", topic: "lsp" });
  assert.deepEqual(parseCommandLine(["help", "lsp"], 1), { kind: "help", topic: "lsp" });
  assert.equal(usageError(["lsp"]), "lsp needs exactly one transport: --stdio or --node-ipc");
  assert.equal(usageError(["lsp", "--stdio", "--node-ipc"]), "lsp needs exactly one transport: --stdio or --node-ipc");
  assert.equal(usageError(["lsp", "--stdoi"]), 'lsp: unknown value "stdoi" (did you mean "stdio"?); expected one of stdio, node-ipc');
  assert.equal(usageError(["lsp", "stdio"]), 'lsp takes a transport option, not "stdio"');
});

test("--rule takes a rule's former id (packet-leak) as its current one", () => {
  assert.deepEqual(checkOptions(["check", "--rule", "packet-leak", "--rule", "leak"]).rules, ["leak"]);
});
