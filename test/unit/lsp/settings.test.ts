// Editor settings and vmbguard.json: the file wins key by key, and a bad layer says why.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { resolveConfig } from "../../../server/src/lsp/settings";

function withFolder(files: Record<string, string>, run: (root: string) => void): void {
  const root = mkdtempSync(path.join(tmpdir(), "vmbguard-settings-"));
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(root, name), text);
    run(root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

test("settings alone configure the folder", () => {
  withFolder({}, (root) => {
    const resolved = resolveConfig(root, { models: ["kmcl", "libc"], rules: { "leak": "warning" }, exclude: ["gen/"] });
    assert.deepEqual([resolved.config.models, resolved.config.rules, resolved.config.exclude, resolved.file, resolved.patternBase, resolved.error], [["kmcl", "libc"], { "leak": "warning" }, ["gen/"], undefined, root, undefined]);
  });
});

test("vmbguard.json wins for the keys it has; the settings keep the others", () => {
  withFolder({ "vmbguard.json": JSON.stringify({ rules: { "double-free": "off" } }) }, (root) => {
    const resolved = resolveConfig(root, { models: ["kmcl", "libc"], rules: { "leak": "warning" } });
    assert.deepEqual([resolved.config.models, resolved.config.rules, resolved.file], [["kmcl", "libc"], { "double-free": "off" }, path.join(root, "vmbguard.json")]);
  });
});

test("configFile names another file, relative to the folder", () => {
  withFolder({ "ci.json": JSON.stringify({ exclude: ["vendor/"] }) }, (root) => {
    const resolved = resolveConfig(root, { configFile: "ci.json" });
    assert.deepEqual([resolved.config.exclude, resolved.file], [["vendor/"], path.join(root, "ci.json")]);
  });
});

test("a bad file falls back to the settings and says why; bad settings fall back to the defaults", () => {
  withFolder({ "vmbguard.json": "{ \"rules\": { \"packet-leek\": \"off\" } }" }, (root) => {
    const resolved = resolveConfig(root, { rules: { "double-free": "warning" } });
    assert.deepEqual(resolved.config.rules, { "double-free": "warning" });
    assert.equal(resolved.error, `${path.join(root, "vmbguard.json")}: rules.packet-leek: unknown rule id (did you mean "leak"?)`);
  });
  withFolder({}, (root) => {
    const resolved = resolveConfig(root, { models: ["kmcl", "wdk"] });
    assert.deepEqual(resolved.config.models, ["kmcl"]);
    assert.match(resolved.error ?? "", /^settings \(vmbguard\.\*\): models\[1\]: unknown model pack "wdk"/);
  });
});
