// `npm run package` builds a VSIX with the bundles and grammars, and without node_modules.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(__dirname, "../../../..");
const vsce = join(root, "node_modules", ".bin", "vsce");

test("the VSIX holds dist/ with both WASM files and no node_modules", () => {
  const listed = execFileSync(vsce, ["ls", "--no-dependencies"], { cwd: root, encoding: "utf8" }).split("\n").map((line) => line.trim()).filter(Boolean);
  for (const file of ["dist/cli.js", "dist/ts-frontend.js", "dist/extension.js", "dist/server.js", "dist/runtime.js", "dist/tree-sitter-c.wasm", "dist/web-tree-sitter.wasm", "dist/vmbguard.schema.json", "package.json", "README.md", "LICENSE"]) {
    assert.ok(listed.includes(file), `${file} is not packaged`);
  }
  assert.deepEqual(listed.filter((file) => file.startsWith("node_modules/") || file.startsWith("test/") || file.startsWith("server/")), []);

  const folder = mkdtempSync(join(tmpdir(), "vmbguard-vsix-"));
  try {
    const vsix = join(folder, "vmbguard.vsix");
    execFileSync(vsce, ["package", "--no-dependencies", "-o", vsix], { cwd: root, stdio: "pipe" });
    assert.ok(existsSync(vsix));
    assert.ok(statSync(vsix).size < 5 * 1024 * 1024, "the VSIX should stay small");
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});
