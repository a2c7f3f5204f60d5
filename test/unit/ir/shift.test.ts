// Moved copies of a function's IR (ir/shift.ts): every line moved, columns kept, the blocks copied
// when first read, and a copy known alike to its original and to the other copies of it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadCFrontend } from "../../../server/src/frontends/c/index";
import type { IrFunction } from "../../../server/src/ir/ir";
import { originOf, sameShiftedFunction, shiftFunction } from "../../../server/src/ir/shift";

const source = `
VOID Send(VMBCHANNEL Channel)
{
    VMBPACKET packet = VmbPacketAllocate(Channel);
    if (packet == NULL) {
        return;
    }
    VmbPacketFree(packet);
}
`;

async function lowered(text: string): Promise<IrFunction> {
  const file = (await loadCFrontend()).lower(`/shift-${text.length}.c`, text);
  return { ...file.functions[0], file: "/shift.c" };
}

test("a copy moved by n lines is the IR of the same text n lines lower, key order included", async () => {
  const original = await lowered(source);
  const moved = shiftFunction(original, 3);
  const lowerDown = await lowered(`\n\n\n${source}`);
  assert.equal(JSON.stringify(moved), JSON.stringify(lowerDown));
  assert.deepStrictEqual(JSON.parse(JSON.stringify(original)), JSON.parse(JSON.stringify(shiftFunction(moved, -3))));
});

test("copies are made from the original, and one moved back to its place is the original", async () => {
  const original = await lowered(source);
  const once = shiftFunction(original, 2);
  const twice = shiftFunction(once, 5);
  assert.deepEqual([originOf(twice).ir === original, originOf(twice).lines], [true, 7]);
  assert.equal(shiftFunction(twice, -7), original);
  assert.equal(shiftFunction(original, 0), original);
});

test("copies of one IR are known alike by the lines between them; a lowering of the same text is not (it must be compared)", async () => {
  const original = await lowered(source);
  const a = shiftFunction(original, 2);
  const b = shiftFunction(original, 6);
  assert.equal(sameShiftedFunction(a, b, 4), true);
  assert.equal(sameShiftedFunction(b, a, -4), true);
  assert.equal(sameShiftedFunction(a, b, 3), false);
  assert.equal(sameShiftedFunction(original, a, 2), true);
  assert.equal(sameShiftedFunction(original, await lowered(source), 0), false);
});

test("a copy's blocks are copied when first read, once", async () => {
  const original = await lowered(source);
  const moved = shiftFunction(original, 10);
  const descriptor = Object.getOwnPropertyDescriptor(moved, "blocks");
  assert.equal(typeof descriptor?.get, "function", "read through a getter");
  const first = moved.blocks;
  assert.equal(moved.blocks, first, "the same copy on every read");
  assert.notEqual(first, original.blocks);
  const lines = (fn: IrFunction): number[] => JSON.stringify(fn.blocks).match(/"line":\d+/g)!.map((match) => Number(match.slice(7)));
  assert.deepEqual(lines(moved), lines(original).map((line) => line + 10));
});
