// A real third-party client: headless Neovim starts `vmbguard lsp --stdio` on a fixture and must
// receive its diagnostics. Skipped, saying why, where Neovim is not installed
// (scripts/install-test-deps.sh installs it with apt-get).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { cliPath, copyFixtures, repoRoot } from "./lspSession";

const neovimMissing = spawnSync("nvim", ["--version"], { encoding: "utf8" }).status !== 0;
const skip = neovimMissing ? "Neovim (nvim) is not installed: run scripts/install-test-deps.sh (.ci/run does)" : false;
const clientScript = path.join(repoRoot, "test", "integration", "lsp", "neovim-client.lua");

interface NeovimResult {
  received?: boolean;
  titles?: string[];
  fixed_line?: string;
  cleared?: boolean;
  after?: unknown[];
  version?: string;
  error?: string;
  diagnostics?: { code: string; line: number; source: string; message: string }[];
}

function diagnosticsInNeovim(root: string, file: string, fix = false): NeovimResult {
  const out = path.join(root, "neovim-result.json");
  const run = spawnSync("nvim", ["--headless", "-u", "NONE", "-i", "NONE", "-n", "-c", `luafile ${clientScript}`], {
    cwd: root,
    encoding: "utf8",
    timeout: 60_000,
    env: { ...process.env, VMBGUARD_CLI: cliPath, VMBGUARD_ROOT: root, VMBGUARD_FILE: file, VMBGUARD_OUT: out, ...(fix ? { VMBGUARD_FIX: "1" } : {}) },
  });
  assert.equal(run.status, 0, `nvim exited with ${run.status} (${run.signal ?? "no signal"}): ${run.stderr}${run.stdout}`);
  return JSON.parse(readFileSync(out, "utf8")) as NeovimResult;
}

test("Neovim (vim.lsp) receives leak on line 29 of packet-leak-error-path/bad.c", { skip }, () => {
  const tree = copyFixtures(["packet-leak-error-path"]);
  try {
    const result = diagnosticsInNeovim(tree.root, path.join(tree.root, "packet-leak-error-path", "bad.c"));
    assert.equal(result.error, undefined);
    assert.equal(result.received, true, `no diagnostics arrived in Neovim ${result.version}`);
    assert.deepEqual(result.diagnostics?.map((diagnostic) => [diagnostic.code, diagnostic.line, diagnostic.source]), [["leak", 29, "vmbguard"]]);
  } finally {
    tree.cleanup();
  }
});

test("Neovim (vim.lsp) receives double-free on line 42 of double-free/bad.c", { skip }, () => {
  const tree = copyFixtures(["double-free"]);
  try {
    const result = diagnosticsInNeovim(tree.root, path.join(tree.root, "double-free", "bad.c"));
    assert.equal(result.received, true, `no diagnostics arrived in Neovim ${result.version}`);
    assert.deepEqual(result.diagnostics?.map((diagnostic) => [diagnostic.code, diagnostic.line, diagnostic.source]), [["double-free", 42, "vmbguard"]]);
  } finally {
    tree.cleanup();
  }
});

test("Neovim applies the quick fix for packet-leak-error-path/bad.c and the re-check clears the finding", { skip }, () => {
  const tree = copyFixtures(["packet-leak-error-path"]);
  try {
    const result = diagnosticsInNeovim(tree.root, path.join(tree.root, "packet-leak-error-path", "bad.c"), true);
    assert.deepEqual(result.diagnostics?.map((diagnostic) => [diagnostic.code, diagnostic.line]), [["leak", 29]]);
    assert.deepEqual(result.titles, ["Release 'packet' before this exit: VmbPacketFree(packet);", "Suppress 'leak' on this line (// vmbguard-disable-next-line)"]);
    assert.equal(result.fixed_line, "        VmbPacketFree(packet);");
    assert.equal(result.cleared, true, `the finding stayed: ${JSON.stringify(result.after)}`);
    assert.deepEqual(result.after, []);
  } finally {
    tree.cleanup();
  }
});
