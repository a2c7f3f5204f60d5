import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { decodeSourceBytes, looksBinary, readSourceFile } from "../../../server/src/cli/readSource";

test("valid UTF-8 decodes silently; invalid bytes are replaced with a warning that says where", () => {
  assert.deepEqual(decodeSourceBytes(Buffer.from("int café;\n")), { text: "int café;\n" });
  assert.deepEqual(decodeSourceBytes(Buffer.from([0x69, 0x6e, 0x74, 0xff, 0x3b])), {
    text: "int\ufffd;",
    warning: "invalid UTF-8 at byte offset 3; decoded with replacement characters",
  });
  assert.equal(decodeSourceBytes(Buffer.from([0x61, 0xed, 0xa0, 0x80])).warning, "invalid UTF-8 at byte offset 1; decoded with replacement characters");
  assert.equal(decodeSourceBytes(Buffer.from([0x61, 0xe2, 0x82])).warning, "invalid UTF-8 at byte offset 1; decoded with replacement characters");
});

test("a NUL byte in the first 8 KB means binary", () => {
  assert.equal(looksBinary(Buffer.from("int x;\n")), false);
  assert.equal(looksBinary(Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x00])), true);
  const lateNul = Buffer.alloc(9000, 0x61);
  lateNul[8500] = 0;
  assert.equal(looksBinary(lateNul), false);
});

test("reading refuses binary, oversized and unreadable files with a reason", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "vmbguard-read-"));
  try {
    writeFileSync(path.join(dir, "ok.c"), "int x;\n");
    writeFileSync(path.join(dir, "bin.c"), Buffer.from([0x4d, 0x5a, 0x00, 0x01]));
    writeFileSync(path.join(dir, "big.c"), Buffer.alloc(3 * 1024 * 1024, 0x20));
    symlinkSync(path.join(dir, "gone.c"), path.join(dir, "dangling.c"));
    assert.deepEqual(readSourceFile(path.join(dir, "ok.c"), 1024), { kind: "text", text: "int x;\n" });
    assert.deepEqual(readSourceFile(path.join(dir, "bin.c"), 1024), { kind: "skipped", reason: "skipped: binary file (NUL bytes in the first 8 KB)" });
    assert.deepEqual(readSourceFile(path.join(dir, "big.c"), 2 * 1024 * 1024), {
      kind: "skipped",
      reason: "skipped: 3 MB is over the 2 MB limit (maxFileBytes)",
    });
    assert.deepEqual(readSourceFile(path.join(dir, "dangling.c"), 1024), { kind: "skipped", reason: "cannot read: no such file (a dangling link?)" });
    assert.deepEqual(readSourceFile(dir, 1024), { kind: "skipped", reason: "cannot read: not a regular file" });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
