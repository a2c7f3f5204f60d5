// The debugger's transpiler loads the TypeScript compiler shared in dist/ (typescript.js) with a V8
// code cache in the user's private temporary folder: the cache must be the compiler's, not only the
// small bundle that requires it, or every session pays the compiler's full load again.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

const repoRoot = path.resolve(__dirname, "../../../..");
const dist = path.join(repoRoot, "dist");
const loader = path.join(repoRoot, "out", "runtime", "src", "debug", "transpilerBundle.js");

test("the first transpilation writes a code cache of the whole compiler, and the next process loads with it", { skip: existsSync(path.join(dist, "dap-transpiler.js")) ? false : "dist/ is missing: run npm run build" }, () => {
  const temporary = mkdtempSync(path.join(tmpdir(), "vmbguard-cache-test-"));
  try {
    const run = (): string => {
      const script = `const t = require(${JSON.stringify(loader)}).loadTranspiler(${JSON.stringify(dist)}); process.stdout.write(t("const x: number = 1;", "/a.ts").code);`;
      const result = spawnSync(process.execPath, ["-e", script], { encoding: "utf8", env: { ...process.env, TMPDIR: temporary } });
      assert.equal(result.status, 0, result.stderr);
      return result.stdout;
    };
    assert.match(run(), /const x = 1;/);
    const folder = readdirSync(temporary).find((entry) => entry.startsWith("vmbguard-"));
    assert.ok(folder, "a private cache folder is made");
    const caches = readdirSync(path.join(temporary, folder));
    const compilerCache = caches.find((entry) => entry.startsWith("typescript-") && entry.endsWith(".v8cache"));
    assert.ok(compilerCache, `the compiler's cache is written: ${caches.join(", ")}`);
    assert.ok(statSync(path.join(temporary, folder, compilerCache)).size > 1_000_000, "it holds the compiler's code");
    assert.match(run(), /const x = 1;/, "a process loading with the cache transpiles the same");
  } finally {
    rmSync(temporary, { recursive: true, force: true });
  }
});
