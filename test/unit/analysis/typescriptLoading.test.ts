// The TypeScript compiler is loaded only when a TypeScript or JavaScript file is checked: a C-only
// run must not pay for it (this file runs in its own process, as every test file does).
import { test } from "node:test";
import assert from "node:assert/strict";
import { checkSources } from "../../../server/src/analysis/check";
import { defaultConfig } from "../../../server/src/config/config";

const typescriptLoaded = (): boolean => Object.keys(require.cache).some((file) => /[\\/]node_modules[\\/]typescript[\\/]/.test(file));

test("checking C loads no TypeScript compiler; the first TypeScript file loads it", async () => {
  const c = `void F(VMBCHANNEL c) { VMBPACKET p = VmbPacketAllocate(c); if (p == NULL) return; VmbPacketFree(p); }`;
  const cResult = await checkSources([{ path: "f.c", text: c }], defaultConfig());
  assert.deepEqual(cResult.findings, []);
  assert.equal(typescriptLoaded(), false, "a C-only check loaded the TypeScript compiler");

  const ts = `import { VmbPacketAllocate } from "vmbguard/runtime";\nexport function f(c: unknown) {\n  const p = VmbPacketAllocate(c);\n}\n`;
  const tsResult = await checkSources([{ path: "f.ts", text: ts }], defaultConfig());
  assert.deepEqual(tsResult.findings.map((finding) => `${finding.range.start.line + 1}:${finding.ruleId}`), ["4:leak"]);
  assert.equal(typescriptLoaded(), true);
});
