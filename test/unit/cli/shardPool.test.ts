import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { checkSources, type SourceInput } from "../../../server/src/analysis/check";
import { defaultConfig } from "../../../server/src/config/config";
import { checkOnThreads, threadsFor } from "../../../server/src/cli/shardPool";

const realWorker = path.join(__dirname, "../../../server/src/cli/shardWorker.js");

/** Files whose functions call each other across files, so summaries must travel between threads. */
function sources(count: number): SourceInput[] {
  return Array.from({ length: count }, (_, index) => {
    const helper = `Release${index}`;
    const next = index + 1 < count ? `Release${index + 1}` : "VmbPacketFree";
    // Callers forget their helper (a leak), free again after it (a double free only the chain of
    // summaries through the other files reveals), or get it right.
    const callerBody = [``, `    ${helper}(packet);\n    VmbPacketFree(packet);\n`, `    ${helper}(packet);\n`][index % 3];
    return {
      path: `src/file${String(index).padStart(2, "0")}.c`,
      text:
        `VOID ${helper}(VMBPACKET Packet)\n{\n    ${next}(Packet);\n}\n\n` +
        `VOID Send${index}(VMBCHANNEL Channel)\n{\n    VMBPACKET packet;\n    packet = VmbPacketAllocate(Channel);\n    if (packet == NULL) return;\n${callerBody}}\n`,
    };
  });
}

function withWorkerScript(text: string, run: (script: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), "vmbguard-worker-"));
  const script = path.join(dir, "worker.js");
  writeFileSync(script, text);
  return run(script).finally(() => rmSync(dir, { recursive: true, force: true }));
}

test("findings are the same on one thread and on three, summaries crossing threads", async () => {
  const input = sources(14);
  const expected = await checkSources(input, defaultConfig());
  const found = expected.findings.map((finding) => `${finding.ruleId} ${finding.file}:${finding.range.start.line + 1}`);
  assert.deepEqual(found, [
    "leak src/file00.c:11",
    "double-free src/file01.c:12",
    "leak src/file03.c:11",
    "double-free src/file04.c:12",
    "leak src/file06.c:11",
    "double-free src/file07.c:12",
    "leak src/file09.c:11",
    "double-free src/file10.c:12",
    "leak src/file12.c:11",
    "double-free src/file13.c:12",
  ]);
  const threaded = await checkOnThreads(input, defaultConfig(), 3, { workerScript: realWorker });
  assert.deepEqual(threaded.failures, []);
  assert.deepEqual(threaded.result.findings, expected.findings);
  assert.equal(threaded.result.stats.functions, 28);
});

test("a worker that dies while analyzing loses nothing: its files are checked in this thread", async () => {
  const input = sources(12);
  const expected = await checkSources(input, defaultConfig());
  const dying = `require(${JSON.stringify(realWorker)});\nrequire("node:worker_threads").parentPort.on("message", (request) => { if (request.kind === "analyze") process.exit(3); });\n`;
  await withWorkerScript(dying, async (script) => {
    const threaded = await checkOnThreads(input, defaultConfig(), 3, { workerScript: script });
    assert.deepEqual(threaded.failures, []);
    assert.deepEqual(threaded.result.findings, expected.findings);
  });
});

test("a worker that dies while lowering loses nothing either", async () => {
  const input = sources(12);
  const expected = await checkSources(input, defaultConfig());
  const dying = `require(${JSON.stringify(realWorker)});\nlet lowered = 0;\nrequire("node:worker_threads").parentPort.on("message", (request) => { if (request.kind === "lower" && ++lowered === 2) process.exit(3); });\n`;
  await withWorkerScript(dying, async (script) => {
    const threaded = await checkOnThreads(input, defaultConfig(), 2, { workerScript: script });
    assert.deepEqual(threaded.result.findings, expected.findings);
  });
});

test("no sources, no work", async () => {
  const { result, failures } = await checkOnThreads([], defaultConfig(), 4);
  assert.deepEqual(result.findings, []);
  assert.deepEqual(failures, []);
});

test("without --jobs, a small input stays on one thread and a large one gets the CPUs it can use", () => {
  const file = (megabytes: number) => ({ path: "x.c", text: " ".repeat(megabytes * 1024 * 1024) });
  assert.equal(threadsFor([], 8), 1);
  assert.equal(threadsFor([file(0.5), file(0.25)], 8), 1);
  assert.equal(threadsFor([file(1), file(1), file(1)], 8), 3);
  assert.equal(threadsFor([file(1), file(1), file(1)], 2), 2);
});
