import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import type { Finding } from "../../../server/src/analysis/findings";
import { formatJson, jsonFormatVersion } from "../../../server/src/cli/jsonFormat";

const root = path.resolve("/work/driver");

test("the JSON report: one-based ranges, portable paths, fixes, stats with what was left out", () => {
  const at = (line: number, column: number) => ({ start: { line, column }, end: { line, column: column + 4 } });
  const absolute = path.join(root, "src", "send.c");
  const finding: Finding = {
    ruleId: "leak",
    severity: "error",
    message: "leak",
    file: absolute,
    range: at(9, 8),
    functionName: "Send",
    family: "packet",
    acquiredAt: { file: absolute, range: at(4, 14) },
    path: [{ message: "acquired", file: absolute, range: at(4, 14), kind: "acquire" }],
    fixes: [
      { kind: "insert-release", file: absolute, before: at(9, 8), callText: "VmbPacketFree(packet);", handleText: "packet" },
      { kind: "remove-statement", file: absolute, range: at(12, 4) },
      { kind: "null-after-release", file: absolute, after: at(11, 4), handleText: "packet" },
    ],
    fingerprint: "abc",
  };
  const document = JSON.parse(
    formatJson(
      {
        findings: [finding],
        problems: [{ file: path.resolve("/elsewhere/x.c"), message: "skipped: binary file", severity: "warning" }],
        stats: { files: 3, lines: 40, functions: 5, millis: 7 },
        belowThreshold: 2,
        inBaseline: 1,
        files: [],
        root,
      },
      "9.9.9",
    ),
  ) as Record<string, unknown>;
  const oneBased = (line: number, column: number) => ({ start: { line, column }, end: { line, column: column + 4 } });
  assert.deepEqual(document, {
    version: jsonFormatVersion,
    tool: { name: "vmbguard", version: "9.9.9" },
    findings: [
      {
        ruleId: "leak",
        severity: "error",
        message: "leak",
        file: "src/send.c",
        range: oneBased(10, 9),
        functionName: "Send",
        family: "packet",
        acquiredAt: { file: "src/send.c", range: oneBased(5, 15) },
        path: [{ kind: "acquire", message: "acquired", file: "src/send.c", range: oneBased(5, 15) }],
        fixes: [
          { kind: "insert-release", file: "src/send.c", before: oneBased(10, 9), callText: "VmbPacketFree(packet);", handleText: "packet" },
          { kind: "remove-statement", file: "src/send.c", range: oneBased(13, 5) },
          { kind: "null-after-release", file: "src/send.c", after: oneBased(12, 5), handleText: "packet" },
        ],
        fingerprint: "abc",
      },
    ],
    problems: [{ file: path.resolve("/elsewhere/x.c").split(path.sep).join("/"), severity: "warning", message: "skipped: binary file" }],
    stats: { files: 3, lines: 40, functions: 5, millis: 7, findings: 1, belowThreshold: 2, inBaseline: 1 },
  });
});

test("--list-functions: every file read, in report order, with its functions' one-based first and last lines", () => {
  const report = {
    findings: [],
    problems: [],
    stats: { files: 3, lines: 60, functions: 3, millis: 1 },
    belowThreshold: 0,
    inBaseline: 0,
    files: ["src/nic.ts", path.join(root, "src", "send.c"), "include/defs.h"],
    root,
    functions: [
      { name: "open", qualifiedName: "Nic.open", file: "src/nic.ts", line: 3, endLine: 9 },
      { name: "SendOne", file: path.join(root, "src", "send.c"), line: 0, endLine: 12 },
      { name: "SendTwo", file: path.join(root, "src", "send.c"), line: 14, endLine: 14 },
    ],
  };
  const listed = JSON.parse(formatJson(report, "1.0.0", { listFunctions: true })) as { files: unknown };
  assert.deepEqual(listed.files, [
    { file: "src/nic.ts", functions: [{ name: "open", qualifiedName: "Nic.open", line: 4, endLine: 10 }] },
    {
      file: "src/send.c",
      functions: [
        { name: "SendOne", line: 1, endLine: 13 },
        { name: "SendTwo", line: 15, endLine: 15 },
      ],
    },
    { file: "include/defs.h", functions: [] },
  ]);
  const plain = JSON.parse(formatJson(report, "1.0.0")) as Record<string, unknown>;
  assert.equal("files" in plain, false);
});
