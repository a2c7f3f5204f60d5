// `vmbguard check` on TypeScript and JavaScript: the bundled CLI loads the TypeScript frontend from
// its own bundle, and C, TS and JS files are checked in one run with the same output.
import { test } from "node:test";
import assert from "node:assert/strict";
import { buggySource, makeTree, parseJsonReport, runCli } from "./cliRun";

/** A leak on the oversize path (line 8) and, in `drop`, a double free through a renamed import (line 17). */
const driverTs = `import { VmbPacketAllocate, VmbPacketFree as release, VmbPacketSend, NT_SUCCESS, STATUS_INSUFFICIENT_RESOURCES, type VMBCHANNEL } from "vmbguard/runtime";

export function sendFrame(channel: VMBCHANNEL, frame: Uint8Array, limit: number): number {
  const packet = VmbPacketAllocate(channel);
  if (packet === null) return STATUS_INSUFFICIENT_RESOURCES;
  if (frame.length > limit) {
    // the packet is still ours here
    return STATUS_INSUFFICIENT_RESOURCES;
  }
  const status = VmbPacketSend(packet, frame, frame.length, null, 0);
  if (!NT_SUCCESS(status)) release(packet);
  return status;
}

export function drop(packet: ReturnType<typeof VmbPacketAllocate>): void {
  release(packet);
  release(packet);
}
`;

/** A CommonJS helper that frees the packet it is given: its summary reaches the caller in another file. */
const helperJs = `const { VmbPacketFree } = require("vmbguard/runtime");
function retirePacket(packet, statistics) {
  statistics.retired += 1;
  VmbPacketFree(packet);
}
module.exports = { retirePacket };
`;

const callerTs = `import { VmbPacketAllocate, VmbPacketSend, VmbPacketFree } from "vmbguard/runtime";
import { retirePacket } from "./helper.js";

export function post(channel: unknown, statistics: { retired: number }): void {
  const packet = VmbPacketAllocate(channel);
  if (!packet) return;
  const status = VmbPacketSend(packet, null, 0, null, 0);
  if (status >= 0) return;
  retirePacket(packet, statistics);
  VmbPacketFree(packet);
}
`;

test("TypeScript, JavaScript and C files are checked in one run, with findings on their lines", () => {
  const tree = makeTree({ "src/driver.ts": driverTs, "src/bugs.c": buggySource, "src/helper.js": helperJs, "src/caller.ts": callerTs });
  try {
    const run = runCli(["check", "--format", "json", "src"], tree.root);
    assert.equal(run.status, 1, run.stderr);
    const report = parseJsonReport(run.stdout);
    const found = report.findings.map((finding) => `${finding.file}:${finding.range.start.line}:${finding.ruleId}`).sort();
    assert.deepEqual(found, ["src/bugs.c:12:leak", "src/bugs.c:27:double-free", "src/caller.ts:10:double-free", "src/driver.ts:17:double-free", "src/driver.ts:8:leak"].sort());
    assert.deepEqual(report.problems ?? [], []);
  } finally {
    tree.cleanup();
  }
});

test("a TypeScript file with a syntax error still reports the functions that parse, and names the error", () => {
  const broken = `import { VmbPacketAllocate } from "vmbguard/runtime";
function broken(p: unknown) {
  if (p {
    log(p);
  }
}
export function leaky(channel: unknown) {
  const packet = VmbPacketAllocate(channel);
  if (!packet) return;
}
`;
  const tree = makeTree({ "broken.ts": broken });
  try {
    const run = runCli(["check", "--format", "json", "."], tree.root);
    const report = parseJsonReport(run.stdout);
    assert.deepEqual(report.findings.map((finding) => `${finding.range.start.line}:${finding.ruleId}`), ["10:leak"]);
    assert.ok(report.problems.some((problem) => problem.file === "broken.ts" && /Syntax error/.test(problem.message)), run.stdout);
  } finally {
    tree.cleanup();
  }
});
