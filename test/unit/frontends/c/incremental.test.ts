// Lowering a file again after an edit re-parses it incrementally from its kept syntax tree; the IR
// must be exactly what a fresh parse gives, valid or broken code alike, whatever edits led there.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { loadCFrontend } from "../../../../server/src/frontends/c/index";
import type { IrFile } from "../../../../server/src/ir/ir";
import { cFixturesRoot } from "../../analysis/fixture-corpus";
import { randomEdit, seededRandom } from "../../analysis/seeded-random";

/** Edits that keep the code valid (a statement, a comment, a blank line) and ones that break it. */
const insertions = ["\n  Trace(1);\n", "/* edited */", "\n", "é😀", "{", "}", "if (", "#if 0\n"];

function irOf(file: IrFile, name: string): string {
  return JSON.stringify(file).replaceAll(JSON.stringify(name).slice(1, -1), "<file>");
}

test("an incremental re-parse lowers to the same IR as a fresh parse, after every edit", async () => {
  const frontend = await loadCFrontend();
  const random = seededRandom(20261203);
  let compared = 0;
  const sources = readdirSync(cFixturesRoot)
    .sort()
    .flatMap((pattern) => ["bad.c", "good.c"].map((twin) => join(cFixturesRoot, pattern, twin)))
    .filter((source) => existsSync(source));
  for (const [index, source] of sources.entries()) {
    let text = readFileSync(source, "utf8");
    frontend.lower("edited.c", text);
    for (let round = 0; round < 8; round++) {
      text = randomEdit(text, random, insertions);
      const incremental = irOf(frontend.lower("edited.c", text), "edited.c");
      const freshName = `fresh-${index}-${round}.c`;
      const fresh = irOf(frontend.lower(freshName, text), freshName);
      assert.equal(incremental, fresh, `${source}, edit ${round}`);
      compared++;
    }
  }
  assert.ok(compared > 1000, `only ${compared} edits compared`);
});
