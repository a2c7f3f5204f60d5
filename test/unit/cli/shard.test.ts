import { test } from "node:test";
import assert from "node:assert/strict";
import { fnv1a32, inShard, parseShard, shardOf } from "../../../server/src/cli/shard";

test("FNV-1a matches its published test vectors", () => {
  assert.equal(fnv1a32(""), 0x811c9dc5);
  assert.equal(fnv1a32("a"), 0xe40c292c);
  assert.equal(fnv1a32("foobar"), 0xbf9cf968);
});

test("a file's shard depends only on its own path", () => {
  const paths = Array.from({ length: 200 }, (_, index) => `drivers/net/file${index}.c`);
  const before = new Map(paths.map((file) => [file, shardOf(file, 4)]));
  const grown = [...paths, "drivers/new.c", "other/x.h"];
  for (const file of grown) {
    if (before.has(file)) assert.equal(shardOf(file, 4), before.get(file));
  }
  // Pinned: a change here would move files between CI machines of an existing matrix.
  assert.deepEqual(
    ["a.c", "b.c", "src/x.h", "src/y.ts", "drivers/net/file0.c"].map((file) => shardOf(file, 4)),
    [4, 3, 1, 1, 3],
  );
});

test("the shards partition the file set and are roughly even", () => {
  const paths = Array.from({ length: 1000 }, (_, index) => `src/module${index % 37}/file${index}.c`);
  const count = 4;
  const sizes = new Array<number>(count).fill(0);
  for (const file of paths) {
    const owners = Array.from({ length: count }, (_, index) => index + 1).filter((index) => inShard(file, { index, count }));
    assert.equal(owners.length, 1, `${file} is in ${owners.length} shards`);
    sizes[owners[0] - 1]++;
  }
  for (const size of sizes) assert.ok(size > 180 && size < 320, `uneven shards: ${sizes.join(", ")}`);
});

test("shard syntax", () => {
  assert.deepEqual(parseShard("1/1"), { index: 1, count: 1 });
  assert.deepEqual(parseShard(" 3/8 "), { index: 3, count: 8 });
  assert.equal(parseShard("0/2"), '--shard: the shard index must be between 1 and 2, got "0/2"');
  assert.equal(parseShard("1/0"), '--shard: the shard count must be at least 1, got "1/0"');
  assert.equal(parseShard("x"), '--shard expects i/n (for example 2/4), got "x"');
});
