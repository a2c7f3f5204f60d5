// Helpers for running the bundled CLI (dist/cli.js) on small temporary trees.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

export const repoRoot = path.resolve(__dirname, "../../../..");
export const cliPath = path.join(repoRoot, "dist", "cli.js");

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): CliRun {
  assert.ok(existsSync(cliPath), `${cliPath} is missing: run "npm run build" (npm test does) first`);
  const result = spawnSync(process.execPath, [cliPath, ...args], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", ...env },
    timeout: 120_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A temporary folder holding `files` (path to text or bytes); removed by the returned cleanup. */
export function makeTree(files: Record<string, string | Uint8Array>): { root: string; cleanup: () => void } {
  const root = mkdtempSync(path.join(tmpdir(), "vmbguard-cli-"));
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(root, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** A leak on an early return (line 12) and a double free (line 27), in the style of a KMCL driver. */
export const buggySource = `#include <vmbuskernelmodeclientlibapi.h>

NTSTATUS SendLeaky(VMBCHANNEL Channel, ULONG Size)
{
    VMBPACKET packet;

    packet = VmbPacketAllocate(Channel);
    if (packet == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    if (Size > 64) {
        return STATUS_INVALID_PARAMETER;
    }
    VmbPacketFree(packet);
    return STATUS_SUCCESS;
}

VOID FreeTwice(VMBCHANNEL Channel)
{
    VMBPACKET packet;

    packet = VmbPacketAllocate(Channel);
    if (packet == NULL) {
        return;
    }
    VmbPacketFree(packet);
    VmbPacketFree(packet);
}
`;

/** The correct twin: every path frees exactly once. */
export function cleanSource(functionName: string): string {
  return `VOID ${functionName}(VMBCHANNEL Channel)
{
    VMBPACKET packet;

    packet = VmbPacketAllocate(Channel);
    if (packet == NULL) {
        return;
    }
    VmbPacketFree(packet);
}
`;
}

/** A leak in a function of its own, so that many files each carry one finding. */
export function leakySource(functionName: string): string {
  return `NTSTATUS ${functionName}(VMBCHANNEL Channel, ULONG Flags)
{
    VMBPACKET packet;

    packet = VmbPacketAllocate(Channel);
    if (packet == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    if (Flags & 1) {
        return STATUS_NOT_SUPPORTED;
    }
    VmbPacketFree(packet);
    return STATUS_SUCCESS;
}
`;
}

export interface JsonReport {
  version: number;
  tool: { name: string; version: string };
  findings: { ruleId: string; severity: string; file: string; range: { start: { line: number; column: number } }; functionName: string; fingerprint: string; path: unknown[] }[];
  problems: { file: string; severity: string; message: string }[];
  stats: { files: number; lines: number; functions: number; millis: number; findings: number; belowThreshold: number; inBaseline: number };
}

export function parseJsonReport(text: string): JsonReport {
  return JSON.parse(text) as JsonReport;
}
