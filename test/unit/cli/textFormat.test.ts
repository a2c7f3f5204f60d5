import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import type { Finding } from "../../../server/src/analysis/findings";
import type { Report } from "../../../server/src/cli/report";
import { displayPath, formatText, summaryLine, wantsColor } from "../../../server/src/cli/textFormat";

const root = path.resolve("/work/project");

function range(line: number, column: number, endColumn: number) {
  return { start: { line, column }, end: { line, column: endColumn } };
}

const leak: Finding = {
  ruleId: "leak",
  severity: "error",
  message: "Packet 'packet' leaks when SendPing returns.",
  file: "src/ping.c",
  range: range(11, 8, 14),
  functionName: "SendPing",
  family: "packet",
  path: [
    { message: "packet allocated here", file: "src/ping.c", range: range(4, 4, 40), kind: "acquire" },
    { message: "taken: 'status' is a failure", file: "src/ping.c", range: range(9, 8, 30), kind: "branch" },
    { message: "leaked here", file: "src/ping.c", range: range(11, 8, 14), kind: "exit" },
  ],
  fixes: [],
  fingerprint: "f1",
};

const inFlight: Finding = {
  ...leak,
  ruleId: "free-in-flight",
  severity: "warning",
  message: "Packet 'packet' is freed after a successful send.",
  file: "src/send.c",
  range: range(2, 0, 5),
  path: [],
  fingerprint: "f2",
};

function report(overrides: Partial<Report> = {}): Report {
  return {
    findings: [leak, inFlight],
    problems: [],
    stats: { files: 3, lines: 120, functions: 7, millis: 12 },
    belowThreshold: 0,
    inBaseline: 0,
    files: ["src/ping.c", "src/send.c", "src/util.c"],
    root,
    ...overrides,
  };
}

test("findings print like compiler diagnostics, the path as notes, then a summary", () => {
  const ping = path.join("src", "ping.c");
  const send = path.join("src", "send.c");
  assert.equal(
    formatText(report(), false),
    [
      `${ping}:12:9: error: Packet 'packet' leaks when SendPing returns. [leak]`,
      `  ${ping}:5:5: note: packet allocated here`,
      `  ${ping}:10:9: note: taken: 'status' is a failure`,
      `  ${ping}:12:9: note: leaked here`,
      `${send}:3:1: warning: Packet 'packet' is freed after a successful send. [free-in-flight]`,
      "2 problems (1 error, 1 warning) in 3 files",
      "",
    ].join("\n"),
  );
});

test("file problems appear among their file's findings", () => {
  const text = formatText(
    report({
      problems: [
        { file: "src/send.c", message: "syntax error: unbalanced braces", range: range(0, 0, 1), severity: "warning" },
        { file: "src/blob.c", message: "skipped: binary file (NUL bytes in the first 8 KB)", severity: "warning" },
      ],
    }),
    false,
  );
  const lines = text.trimEnd().split("\n");
  assert.equal(lines[0], `${path.join("src", "blob.c")}: warning: skipped: binary file (NUL bytes in the first 8 KB)`);
  assert.equal(lines[5], `${path.join("src", "send.c")}:1:1: warning: syntax error: unbalanced braces`);
  assert.equal(lines[6], `${path.join("src", "send.c")}:3:1: warning: Packet 'packet' is freed after a successful send. [free-in-flight]`);
  assert.equal(lines[7], "2 problems (1 error, 1 warning) in 3 files; 2 file problems");
});

test("the summary counts and pluralizes, and says what was left out", () => {
  assert.equal(summaryLine(report({ findings: [], stats: { files: 1, lines: 1, functions: 0, millis: 0 } })), "0 problems (0 errors, 0 warnings) in 1 file");
  assert.equal(summaryLine(report({ findings: [leak] })), "1 problem (1 error, 0 warnings) in 3 files");
  assert.equal(
    summaryLine(report({ findings: [{ ...leak, severity: "information" }], belowThreshold: 2, inBaseline: 4 })),
    "1 problem (0 errors, 0 warnings, 1 info) in 3 files; 2 below the severity threshold not shown; 4 in the baseline not shown",
  );
});

test("colour only on a terminal, never with --no-color or NO_COLOR", () => {
  assert.equal(wantsColor({ isTTY: true }, false, {}), true);
  assert.equal(wantsColor({ isTTY: false }, false, {}), false);
  assert.equal(wantsColor({}, false, {}), false);
  assert.equal(wantsColor({ isTTY: true }, true, {}), false);
  assert.equal(wantsColor({ isTTY: true }, false, { NO_COLOR: "1" }), false);
  const colored = formatText(report(), true);
  assert.ok(colored.includes("\u001b[1;31merror:\u001b[0m"), "errors are bold red");
  const escapeSequence = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g");
  assert.equal(colored.replace(escapeSequence, ""), formatText(report(), false), "colour adds escapes only");
});

test("paths are shown relative to the working folder, absolute outside it", () => {
  assert.equal(displayPath("src/a.c", root), path.join("src", "a.c"));
  assert.equal(displayPath(path.join(root, "src", "a.c"), root), path.join("src", "a.c"));
  assert.equal(displayPath(path.resolve("/elsewhere/b.c"), root), path.resolve("/elsewhere/b.c"));
});
