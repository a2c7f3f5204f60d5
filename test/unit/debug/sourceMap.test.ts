// Source maps both ways, on the output of the transpiler the debuggee uses.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { decodeVlq, inlineSourceMapUrl, loadSourceMap, SourceMap } from "../../../runtime/src/debug/sourceMap";
import { transpileForDebugging } from "../../../runtime/src/debug/transpiler";

const file = path.resolve("/work/driver/send.ts");
const source = [
  'import { VmbPacketFree } from "vmbguard/runtime";', // 0
  "", // 1
  "export function release(packet: unknown): number {", // 2
  "  // a comment line", // 3
  "  const size: number = 4;", // 4
  "  VmbPacketFree(packet as never);", // 5
  "  return size;", // 6
  "}", // 7
].join("\n");

function transpiled(): { code: string[]; map: SourceMap } {
  const result = transpileForDebugging(source, file);
  assert.deepEqual(result.errors, []);
  const map = loadSourceMap(inlineSourceMapUrl(result.code), file);
  assert.ok(map);
  return { code: result.code.split("\n"), map };
}

test("base64 VLQ segments decode to signed numbers", () => {
  assert.deepEqual(decodeVlq("AAAA"), [0, 0, 0, 0]);
  assert.deepEqual(decodeVlq("gB"), [16]);
  assert.deepEqual(decodeVlq("D"), [-1]);
  assert.deepEqual(decodeVlq("2HwCF"), [123, 40, -2]);
  assert.throws(() => decodeVlq("g"), /truncated base64 VLQ/);
  assert.throws(() => decodeVlq("A!"), /invalid base64 VLQ digit "!"/);
});

test("a TypeScript line maps to the generated line holding its code, and back", () => {
  const { code, map } = transpiled();
  assert.deepEqual(map.sources, [file]);
  const generated = map.generatedPositionFor(file, 4)!;
  assert.match(code[generated.line]!, /^\s*const size = 4;$/);
  assert.equal(generated.column, code[generated.line]!.indexOf("const"));
  assert.equal(generated.originalLine, 4);
  assert.deepEqual(map.originalPositionFor(generated.line, generated.column), { source: file, line: 4, column: 2 });
  const call = map.generatedPositionFor(file, 5)!;
  assert.match(code[call.line]!, /VmbPacketFree\)\(packet\);$/);
});

test("a breakpoint on a blank line moves to the next line with code", () => {
  const { map } = transpiled();
  assert.equal(map.generatedPositionFor(file, 1)?.originalLine, 2);
  assert.equal(map.generatedPositionFor(file, 8), undefined, "nothing after the last line");
  assert.equal(map.generatedPositionFor(path.resolve("/work/driver/other.ts"), 4), undefined, "another file");
});

test("code the compiler added has no mapping of its own and stands for the next mapped code", () => {
  const { code, map } = transpiled();
  const prologue = code.findIndex((line) => line.startsWith("Object.defineProperty(exports"));
  assert.ok(prologue >= 0, code.join("\n"));
  assert.equal(map.hasMappingAt(prologue, 0), false);
  const firstCode = map.generatedPositionFor(file, 0)!;
  assert.equal(map.hasMappingAt(firstCode.line, firstCode.column), true);
  assert.equal(map.originalPositionFor(prologue, 0)?.line, 2, "the next mapped code after the prologue is the function");
});

test("a map beside a compiled .js file is read and its sources resolved from the map's folder", () => {
  const folder = mkdtempSync(path.join(tmpdir(), "vmbguard-map-"));
  try {
    writeFileSync(path.join(folder, "send.js.map"), JSON.stringify({ version: 3, sources: ["../src/send.ts"], mappings: "AAAA;AACA" }));
    const map = loadSourceMap("send.js.map", path.join(folder, "send.js"))!;
    assert.deepEqual(map.sources, [path.resolve(folder, "../src/send.ts")]);
    assert.deepEqual(map.originalPositionFor(1, 5), { source: path.resolve(folder, "../src/send.ts"), line: 1, column: 0 });
    assert.equal(loadSourceMap("missing.js.map", path.join(folder, "send.js")), undefined);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});
