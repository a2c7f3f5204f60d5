import { test } from "node:test";
import assert from "node:assert/strict";
import { loadCFrontend } from "../../../../server/src/frontends/c/index";
import { branchConditions, pathsOf } from "../cfg-text";
import { defaultModelNames } from "./lowering";

const header = `
#ifndef DRIVER_H
#define DRIVER_H
#define NVL_FREE_PACKET(Packet) VmbPacketFree(Packet)
#define NVL_KEEP_STATS 0
#define NVL_LIMIT 8
#define STATUS_NVL_FAILURE 0xE0000001
extern "C" {
#define NVL_TRACE(x) Trace(x)
}
#endif
`;

test("a header's #defines are collected as plain data", async () => {
  const frontend = await loadCFrontend();
  const definitions = frontend.definitionsOf(header);
  assert.deepEqual(
    definitions.functionMacros.map((macro) => [macro.name, macro.parameters, macro.body.trim()]).sort(),
    [
      ["NVL_FREE_PACKET", ["Packet"], "VmbPacketFree(Packet)"],
      ["NVL_TRACE", ["x"], "Trace(x)"],
    ],
  );
  assert.deepEqual(
    definitions.constants.map((constant) => [constant.name, constant.value]).sort(),
    [
      ["NVL_KEEP_STATS", 0],
      ["NVL_LIMIT", 8],
      ["STATUS_NVL_FAILURE", 3758096385],
    ],
  );
  assert.deepEqual(JSON.parse(JSON.stringify(definitions)), definitions, "it survives a trip to a worker");
});

test("included definitions expand and decide branches; the file's own definitions win", async () => {
  const frontend = await loadCFrontend();
  const includedDefinitions = [frontend.definitionsOf(header)];
  const file = frontend.lower(
    "send.c",
    `#define NVL_LIMIT 2
void f(VMBPACKET p, int n) {
  if (NVL_KEEP_STATS) stats();
  if (n < NVL_LIMIT) NVL_FREE_PACKET(p);
  if (n == STATUS_NVL_FAILURE) fail();
}`,
    { includedDefinitions, modelNames: defaultModelNames },
  );
  assert.deepEqual(file.problems, []);
  const fn = file.functions[0];
  assert.deepEqual(branchConditions(fn), ["(n < 2)", "(n == STATUS_NVL_FAILURE)"]);
  assert.ok(pathsOf(fn).some((path) => path.includes("VmbPacketFree(p)")));
  const without = frontend.lower("send.c", "void f(VMBPACKET p) { NVL_FREE_PACKET(p); }");
  assert.ok(pathsOf(without.functions[0]).every((path) => path.includes("NVL_FREE_PACKET(p)")));
});
