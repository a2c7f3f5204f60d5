// ARCHITECTURE.md: the runtime is a library first. Its core imports neither VS Code nor the
// checker (only the parity test may read the checker's model), and nothing outside Node's own modules.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

const coreDirectory = join(__dirname, "..", "..", "..", "..", "runtime", "src", "kmcl");

test("the runtime core imports only its own modules and Node's", () => {
  const files = readdirSync(coreDirectory).filter((name) => name.endsWith(".ts"));
  assert.ok(files.length > 10, `found the sources in ${coreDirectory}`);
  for (const file of files) {
    const source = readFileSync(join(coreDirectory, file), "utf8");
    for (const match of source.matchAll(/\bfrom\s+"([^"]+)"|\brequire\(\s*"([^"]+)"\s*\)|\bimport\(\s*"([^"]+)"\s*\)/g)) {
      const specifier = match[1] ?? match[2] ?? match[3]!;
      const allowed = specifier.startsWith("./") || specifier.startsWith("node:");
      assert.ok(allowed, `${file} imports ${specifier}`);
    }
  }
});
