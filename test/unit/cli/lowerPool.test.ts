import { test } from "node:test";
import assert from "node:assert/strict";
import { defaultConfig } from "../../../server/src/config/config";
import { lowerAll } from "../../../server/src/cli/lowerPool";

function source(index: number): { path: string; text: string } {
  const body = index % 3 === 0 ? "    VmbPacketFree(packet);\n" : "";
  return {
    path: `src/file${index}.c`,
    text: `VOID Fn${index}(VMBCHANNEL Channel)\n{\n    VMBPACKET packet;\n    packet = VmbPacketAllocate(Channel);\n${body}}\n`,
  };
}

test("worker threads lower to the same IR, in input order, as the main thread", async () => {
  const sources = Array.from({ length: 14 }, (_, index) => source(index));
  const inProcess = await lowerAll(sources, defaultConfig(), { headerDefinitions: {} }, 1);
  const threaded = await lowerAll(sources, defaultConfig(), { headerDefinitions: {} }, 3);
  assert.equal(inProcess.length, sources.length);
  assert.deepEqual(threaded, inProcess);
  for (const [index, outcome] of inProcess.entries()) {
    assert.ok(outcome.ok, `file ${index} lowered`);
    assert.equal(outcome.file.file, sources[index].path);
    assert.deepEqual(outcome.file.functions.map((fn) => fn.name), [`Fn${index}`]);
  }
});

test("no sources, no work", async () => {
  assert.deepEqual(await lowerAll([], defaultConfig(), { headerDefinitions: {} }, 4), []);
});
