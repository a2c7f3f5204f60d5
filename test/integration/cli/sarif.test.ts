// The SARIF output on a real run: its content, and the SARIF multitool's verdict
// (no errors and no warnings).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { buggySource, cleanSource, makeTree, repoRoot, runCli } from "./cliRun";

interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level?: string;
  message: { text: string };
  locations: { physicalLocation: { artifactLocation: { uri: string; uriBaseId?: string; index?: number }; region: Record<string, number> }; logicalLocations: { name: string; kind: string }[] }[];
  codeFlows: { threadFlows: { locations: { location: { message: { text: string } }; importance: string }[] }[] }[];
  partialFingerprints: Record<string, string>;
}

interface SarifLog {
  $schema: string;
  version: string;
  runs: {
    tool: { driver: { name: string; version: string; semanticVersion: string; informationUri: string; rules: { id: string; helpUri: string; defaultConfiguration: { level: string } }[] } };
    invocations: { executionSuccessful: boolean; toolExecutionNotifications?: { level: string; message: { text: string } }[] }[];
    originalUriBaseIds: Record<string, { uri: string }>;
    artifacts: { location: { uri: string } }[];
    results: SarifResult[];
    columnKind: string;
  }[];
}

function sarifRun(files: Record<string, string>): { log: SarifLog; file: string; root: string; cleanup: () => void } {
  const tree = makeTree(files);
  const run = runCli(["check", "--format", "sarif", "--output", "out/report.sarif", "."], tree.root);
  assert.equal(run.status, 1, run.stderr);
  const file = path.join(tree.root, "out", "report.sarif");
  return { log: JSON.parse(readFileSync(file, "utf8")) as SarifLog, file, root: tree.root, cleanup: tree.cleanup };
}

test("SARIF results carry rule, location, function, code flow and fingerprint", () => {
  const { log, root, cleanup } = sarifRun({ "drv/bugs.c": buggySource, "drv/clean.c": cleanSource("FreeOnce"), "drv/broken.c": "VOID Broken(VOID)\n{\n    if (x) {\n" });
  try {
    assert.equal(log.version, "2.1.0");
    assert.match(log.$schema, /sarif-2\.1\.0/);
    const run = log.runs[0];
    assert.equal(run.tool.driver.name, "VmbGuard");
    assert.equal(run.columnKind, "utf16CodeUnits");
    assert.equal(run.originalUriBaseIds.SRCROOT.uri, `${pathToFileURL(root).href}/`);
    assert.deepEqual(run.artifacts.map((artifact) => artifact.location.uri), ["drv/broken.c", "drv/bugs.c", "drv/clean.c"]);
    assert.deepEqual(run.results.map((result) => [result.ruleId, run.tool.driver.rules[result.ruleIndex].id, result.level]), [
      ["leak", "leak", "error"],
      ["double-free", "double-free", "error"],
    ]);
    const leak = run.results[0];
    assert.deepEqual(leak.locations[0].physicalLocation.artifactLocation, { uri: "drv/bugs.c", uriBaseId: "SRCROOT", index: 1 });
    assert.equal(leak.locations[0].physicalLocation.region.startLine, 12);
    assert.equal(leak.locations[0].physicalLocation.region.startColumn, 9);
    assert.deepEqual(leak.locations[0].logicalLocations, [{ name: "SendLeaky", kind: "function" }]);
    const steps = leak.codeFlows[0].threadFlows[0].locations;
    assert.ok(steps.length >= 3);
    assert.equal(steps[0].importance, "essential");
    assert.match(steps[0].location.message.text, /acquired/);
    assert.match(leak.partialFingerprints["vmbguardFingerprint/v1"], /^[0-9a-f]+$/);
    assert.equal(run.invocations[0].executionSuccessful, true);
    const notifications = run.invocations[0].toolExecutionNotifications ?? [];
    assert.ok(notifications.length >= 1 && notifications.every((notification) => notification.level === "warning"), "broken.c is a notification");
  } finally {
    cleanup();
  }
});

test("the SARIF multitool validates the output with no errors and no warnings", () => {
  const { file, root, cleanup } = sarifRun({
    "drv/bugs.c": buggySource,
    "drv/sub dir/clean.c": cleanSource("FreeOnce"),
    "drv/broken.c": "VOID Broken(VOID)\n{\n    if (x) {\n",
    "vmbguard.json": JSON.stringify({ rules: { "free-in-flight": "error", "unused-suppression": "off" } }),
  });
  try {
    const multitool = path.join(repoRoot, "node_modules", ".bin", "sarif-multitool");
    const verdictFile = path.join(root, "validation.sarif");
    const validation = spawnSync(multitool, ["validate", file, "--output", verdictFile], { encoding: "utf8", timeout: 180_000 });
    assert.equal(validation.status, 0, `${validation.stdout}\n${validation.stderr}`);
    const verdict = JSON.parse(readFileSync(verdictFile, "utf8")) as { runs: { results?: { level?: string; ruleId: string; message: unknown }[] }[] };
    const results = verdict.runs.flatMap((run) => run.results ?? []);
    // A result without a level is a warning (SARIF 3.27.10).
    const errors = results.filter((result) => result.level === "error");
    const warnings = results.filter((result) => (result.level ?? "warning") === "warning");
    assert.equal(errors.length, 0, JSON.stringify(errors, null, 2));
    assert.equal(warnings.length, 0, JSON.stringify(warnings, null, 2));
  } finally {
    cleanup();
  }
});

test("a missing command-line path makes the SARIF run unsuccessful, with an error naming it, and the other files still reported", () => {
  const tree = makeTree({ "drv/bugs.c": buggySource });
  try {
    const run = runCli(["check", "--format", "sarif", "drv", "drv/gone.c"], tree.root);
    assert.equal(run.status, 2);
    const log = JSON.parse(run.stdout) as SarifLog;
    const invocation = log.runs[0].invocations[0];
    assert.equal(invocation.executionSuccessful, false);
    assert.deepEqual(
      (invocation.toolExecutionNotifications ?? []).filter((notification) => notification.level === "error").map((notification) => notification.message.text),
      ["no such file or directory."],
    );
    assert.ok(log.runs[0].results.some((result) => result.ruleId === "leak"), "drv/bugs.c is still checked");
  } finally {
    tree.cleanup();
  }
});
