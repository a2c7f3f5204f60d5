// `npm run package` builds a VSIX with the bundles and grammars, and without node_modules.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(__dirname, "../../../..");
const vsce = join(root, "node_modules", ".bin", "vsce");

test("the VSIX holds dist/ with both WASM files and no node_modules", () => {
  const listed = execFileSync(vsce, ["ls", "--no-dependencies"], { cwd: root, encoding: "utf8" }).split("\n").map((line) => line.trim()).filter(Boolean);
  for (const file of ["dist/cli.js", "dist/ts-frontend.js", "dist/typescript.js", "dist/dap-transpiler.js", "dist/extension.js", "dist/server.js", "dist/runtime.js", "dist/tree-sitter-c.wasm", "dist/web-tree-sitter.wasm", "dist/vmbguard.schema.json", "package.json", "README.md", "LICENSE"]) {
    assert.ok(listed.includes(file), `${file} is not packaged`);
  }
  assert.deepEqual(listed.filter((file) => file.startsWith("node_modules/") || file.startsWith("test/") || file.startsWith("server/")), []);
  // One copy of the TypeScript compiler: the frontend and the debugger's transpiler load it from beside them.
  for (const bundle of ["dist/ts-frontend.js", "dist/dap-transpiler.js"]) {
    const text = readFileSync(join(root, bundle), "utf8");
    assert.ok(text.includes('require("./typescript.js")') && statSync(join(root, bundle)).size < 500_000, `${bundle} loads dist/typescript.js rather than carrying its own compiler`);
  }

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
