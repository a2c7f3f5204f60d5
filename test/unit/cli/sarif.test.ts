import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import type { Finding } from "../../../server/src/analysis/findings";
import { rules } from "../../../server/src/analysis/rules";
import { buildSarif } from "../../../server/src/cli/sarif";
import type { Report } from "../../../server/src/cli/report";
import { defaultConfig } from "../../../server/src/config/config";

const root = path.resolve("/work/driver");
const outside = path.resolve("/opt/sdk/inc/kmcl.h");

function range(line: number, column: number, endColumn: number) {
  return { start: { line, column }, end: { line, column: endColumn } };
}

const incomplete: Finding = {
  ruleId: "analysis-incomplete",
  severity: "information",
  message: "Big exceeded the analysis budget",
  file: "src/big file.c",
  range: range(0, 0, 3),
  functionName: "Big",
  path: [],
  fixes: [],
  fingerprint: "fp-1",
};

const inHeader: Finding = {
  ruleId: "use-after-free",
  severity: "error",
  message: "The packet is used after it was freed.",
  file: outside,
  range: range(9, 4, 20),
  functionName: "InlineHelper",
  path: [
    { message: "freed here", file: outside, range: range(8, 4, 20), kind: "release" },
    { message: "used here", file: outside, range: range(9, 4, 20), kind: "use" },
  ],
  fixes: [],
  fingerprint: "fp-2",
};

interface Run {
  tool: { driver: { rules: { id: string; defaultConfiguration: { level: string }; shortDescription: { text: string } }[] } };
  invocations: { ruleConfigurationOverrides?: unknown[]; toolExecutionNotifications?: unknown[] }[];
  artifacts: { location: { uri: string; uriBaseId?: string }; sourceLanguage: string }[];
  results: { ruleIndex: number; level: string; message: { text: string }; locations: { physicalLocation: { artifactLocation: unknown } }[]; codeFlows?: { threadFlows: { locations: { importance: string; kinds?: string[] }[] }[] }[] }[];
}

function sarifRun(report: Partial<Report>, config = defaultConfig()): Run {
  const full: Report = {
    findings: [],
    problems: [],
    stats: { files: 2, lines: 10, functions: 2, millis: 1 },
    belowThreshold: 0,
    inBaseline: 0,
    files: ["src/big file.c", outside],
    root,
    ...report,
  };
  return (buildSarif(full, config, "1.2.3") as { runs: Run[] }).runs[0];
}

test("every rule is described, with SARIF levels and sentences", () => {
  const run = sarifRun({});
  assert.deepEqual(run.tool.driver.rules.map((rule) => rule.id), rules.map((rule) => rule.id));
  const levels = Object.fromEntries(run.tool.driver.rules.map((rule) => [rule.id, rule.defaultConfiguration.level]));
  assert.equal(levels["leak"], "error");
  assert.equal(levels["free-in-flight"], "warning");
  assert.equal(levels["analysis-incomplete"], "note");
  for (const rule of run.tool.driver.rules) assert.match(rule.shortDescription.text, /\.$/);
});

test("paths inside the root are relative to SRCROOT and encoded; outside it they are absolute file URIs", () => {
  const run = sarifRun({ findings: [incomplete, inHeader] });
  assert.deepEqual(run.artifacts, [
    { location: { uri: "src/big%20file.c", uriBaseId: "SRCROOT" }, sourceLanguage: "c", roles: ["analysisTarget"] },
    { location: { uri: pathToFileURL(outside).href }, sourceLanguage: "c", roles: ["analysisTarget"] },
  ]);
  assert.deepEqual(run.results[0].locations[0].physicalLocation.artifactLocation, { uri: "src/big%20file.c", uriBaseId: "SRCROOT", index: 0 });
  assert.deepEqual(run.results[1].locations[0].physicalLocation.artifactLocation, { uri: pathToFileURL(outside).href, index: 1 });
});

test("information is a note; messages end with a period; path steps become a thread flow", () => {
  const run = sarifRun({ findings: [incomplete, inHeader] });
  assert.equal(run.results[0].level, "note");
  assert.equal(run.results[0].message.text, "Big exceeded the analysis budget.");
  assert.equal(run.results[0].codeFlows, undefined, "no path, no code flow");
  assert.equal(run.results[1].ruleIndex, rules.findIndex((rule) => rule.id === "use-after-free"));
  assert.deepEqual(
    run.results[1].codeFlows?.[0].threadFlows[0].locations.map((step) => [step.importance, step.kinds]),
    [["essential", ["release", "resource"]], ["essential", ["resource"]]],
  );
});

test("the configuration's rule settings are recorded as overrides; file problems as notifications", () => {
  const config = defaultConfig();
  config.rules = { "unused-suppression": "off", "free-in-flight": "error" };
  const run = sarifRun({ problems: [{ file: "src/big file.c", message: "skipped: binary file", severity: "warning" }] }, config);
  assert.deepEqual(run.invocations[0].ruleConfigurationOverrides, [
    { descriptor: { id: "free-in-flight", index: rules.findIndex((rule) => rule.id === "free-in-flight") }, configuration: { level: "error" } },
    { descriptor: { id: "unused-suppression", index: rules.findIndex((rule) => rule.id === "unused-suppression") }, configuration: { enabled: false } },
  ]);
  assert.deepEqual(run.invocations[0].toolExecutionNotifications, [
    { level: "warning", message: { text: "skipped: binary file." }, locations: [{ physicalLocation: { artifactLocation: { uri: "src/big%20file.c", uriBaseId: "SRCROOT", index: 0 } } }] },
  ]);
});

test("a leak names its family in the result's properties; the leak rule lists its former id as deprecated", () => {
  const leak: Finding = { ...inHeader, ruleId: "leak", family: "pool", message: "The pool allocation 'buffer' is leaked.", fingerprint: "fp-3" };
  const run = sarifRun({ findings: [leak, incomplete] }) as unknown as {
    tool: { driver: { rules: { id: string; deprecatedIds?: string[] }[] } };
    results: { ruleId: string; properties?: { family?: string } }[];
  };
  assert.deepEqual(run.tool.driver.rules.find((rule) => rule.id === "leak")?.deprecatedIds, ["packet-leak"]);
  assert.deepEqual(run.results.map((result) => [result.ruleId, result.properties?.family]), [["leak", "pool"], ["analysis-incomplete", undefined]]);
});
