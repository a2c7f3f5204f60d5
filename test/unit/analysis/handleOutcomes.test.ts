// Where the handles of one call end up on each explored path (analysis/handleOutcomes.ts, for
// hovers): read off the exit states of the analysis the check makes, with the line of each outcome.
import { test } from "node:test";
import assert from "node:assert/strict";
import { analyzeShards, localShard, lowerSource } from "../../../server/src/analysis/check";
import { handleOutcomes, type HandleOutcomes } from "../../../server/src/analysis/handleOutcomes";
import { AnalysisShard } from "../../../server/src/analysis/shard";
import { defaultConfig } from "../../../server/src/config/config";

const source = `VMBPACKET g_Saved;

VMBPACKET Outcomes(VMBCHANNEL Channel, int mode)
{
    VMBPACKET packet = VmbPacketAllocate(Channel);
    if (packet == NULL) {
        return NULL;
    }
    if (mode == 1) {
        g_Saved = packet;
        return NULL;
    }
    if (mode == 2) {
        return packet;
    }
    if (mode == 3) {
        packet = NULL;
        return NULL;
    }
    if (mode == 4) {
        return NULL;
    }
    VmbPacketFree(packet);
    return NULL;
}

VOID Release(VMBPACKET Given)
{
    VmbPacketFree(Given);
}
`;

/** The outcomes at the call starting on `line` (one-based) and `column` of function `name`. */
async function outcomesAt(name: string, line: number, column: number): Promise<HandleOutcomes> {
  const config = defaultConfig();
  const input = { path: "/outcomes.c", text: source };
  const file = await lowerSource(input, config);
  const shard = new AnalysisShard(config);
  shard.add(file);
  await analyzeShards([localShard(shard)], [input], config, {});
  const fn = file.functions.find((candidate) => candidate.name === name);
  assert.ok(fn);
  const analysis = shard.analyzeAgain(fn);
  assert.ok(analysis, "the function is the shard's");
  return handleOutcomes(analysis, { line: line - 1, column });
}

test("an allocation: each way its packet ends, with the line where it does and the branches that lead there", async () => {
  const outcomes = await outcomesAt("Outcomes", 5, 23);
  assert.deepEqual(
    outcomes.acquired.map((outcome) => [outcome.kind, outcome.message, outcome.range === undefined ? undefined : outcome.range.start.line + 1, outcome.paths]),
    [
      ["null", "the acquisition failed: NULL on this path, nothing to release", undefined, 1],
      ["escaped", "stored in 'g_Saved': no longer this function's to release", 10, 1],
      ["escaped", "returned to the caller", 14, 1],
      ["lost", "leaked: its last handle is gone", 17, 1],
      ["owned", "still owned when the function returns", 21, 1],
      ["released", "released by 'VmbPacketFree'", 23, 1],
    ],
  );
  const released = outcomes.acquired.find((outcome) => outcome.kind === "released");
  assert.deepEqual(
    released?.via.map((step) => step.message),
    ["taken: 'packet == NULL' is false", "taken: 'mode == 1' is false", "taken: 'mode == 2' is false", "taken: 'mode == 3' is false", "taken: 'mode == 4' is false"],
  );
  assert.deepEqual(outcomes.releasedHere, []);
  assert.equal(outcomes.incomplete, false);
});

test("a release: what it releases on the paths through it, the allocation or the parameter", async () => {
  const free = await outcomesAt("Outcomes", 23, 4);
  assert.deepEqual(free.acquired, []);
  assert.deepEqual(free.releasedHere.map((released) => [released.description, released.acquiredAt === undefined ? undefined : released.acquiredAt.start.line + 1, released.paths]), [["packet acquired by 'VmbPacketAllocate'", 5, 1]]);
  const given = await outcomesAt("Release", 29, 4);
  assert.deepEqual(given.releasedHere.map((released) => [released.description, released.acquiredAt, released.paths]), [["the handle given in parameter 1", undefined, 1]]);
});

test("a call that acquires nothing and releases nothing has no outcomes", async () => {
  const none = await outcomesAt("Outcomes", 6, 4);
  assert.deepEqual([none.acquired, none.releasedHere], [[], []]);
});
