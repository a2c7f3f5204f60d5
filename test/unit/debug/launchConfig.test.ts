// Launch configurations: defaults, path resolution, the ambient simulation's options, and one
// clear message per mistake.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { resolveLaunchConfig } from "../../../runtime/src/debug/launchConfig";

const repoRoot = path.resolve(__dirname, "../../../..");
const fixtures = path.join(repoRoot, "test", "fixtures", "sim");
const program = path.join(fixtures, "locals.ts");

test("a program alone gets the defaults: its folder as cwd, stop on violations, no timeout", () => {
  assert.deepEqual(resolveLaunchConfig({ program }, "/"), {
    program,
    args: [],
    cwd: fixtures,
    simulation: {},
    stopOnEntry: false,
    stopOnViolation: true,
    ignoredViolations: [],
    timeoutMs: undefined,
  });
});

test("relative paths start at cwd; seed and faults go over the scenario's", () => {
  const settings = resolveLaunchConfig(
    { program: "test/fixtures/sim/locals.ts", cwd: repoRoot, scenario: "runtime/scenarios/flaky-host.json", seed: 9, faults: { failSend: { nth: 2 } }, args: ["--fast"], violations: ["packet-leak"], timeout: 5000, stopOnEntry: true },
    "/",
  );
  assert.equal(settings.program, program);
  assert.equal(settings.cwd, repoRoot);
  assert.deepEqual(settings.args, ["--fast"]);
  assert.equal(settings.simulation.seed, 9);
  assert.equal(settings.simulation.mode, "report", "from the scenario");
  assert.deepEqual(settings.simulation.faults, { failSend: { nth: 2 } });
  assert.deepEqual(settings.simulation.host?.defaultReply, { action: "echo", delayMs: 2 });
  assert.deepEqual(settings.ignoredViolations, ["packet-leak"]);
  assert.equal(settings.timeoutMs, 5000);
  assert.equal(settings.stopOnEntry, true);
});

test("each mistake is one message naming the option", () => {
  const cases: [Record<string, unknown>, string | RegExp][] = [
    [{}, `"program" is missing: name the .ts or .js file to run`],
    [{ program: 42 }, `"program" must be a file path, got 42`],
    [{ program: path.join(fixtures, "nope.ts") }, `program not found: ${path.join(fixtures, "nope.ts")}`],
    [{ program: fixtures }, `program is not a file: ${fixtures}`],
    [{ program: path.join(fixtures, "report-mode.json") }, `program must be a .ts, .cts, .tsx, .js, .cjs file: ${path.join(fixtures, "report-mode.json")}`],
    [{ program, cwd: path.join(fixtures, "nowhere") }, `"cwd" is not a folder: ${path.join(fixtures, "nowhere")}`],
    [{ program, args: "--fast" }, `"args" must be an array of strings, got "--fast"`],
    [{ program, stopOnViolation: "yes" }, `"stopOnViolation" must be true or false, got "yes"`],
    [{ program, violations: ["double-fre"] }, /^"violations": unknown violation kind "double-fre" \(known: double-free, use-after-free, /],
    [{ program, timeout: 0 }, `"timeout" must be a positive number of milliseconds, got 0`],
    [{ program, scenario: "missing.json" }, new RegExp(`^"scenario": cannot read scenario ${path.join(fixtures, "missing.json")}: ENOENT`)],
    [{ program, faults: { failSend: { nht: 1 } } }, 'launch configuration: faults.failSend: unknown option "nht" (known: nth, probability, status)'],
    [{ program, seed: 1.5 }, "launch configuration: seed: expected an integer, got 1.5"],
  ];
  for (const [args, message] of cases) {
    assert.throws(() => resolveLaunchConfig(args, fixtures), (error: Error) => {
      assert.equal(error.name, "LaunchConfigError", error.message);
      if (typeof message === "string") assert.equal(error.message, message);
      else assert.match(error.message, message);
      return true;
    });
  }
});
