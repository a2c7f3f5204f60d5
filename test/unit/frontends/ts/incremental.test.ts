// Lowering a TypeScript file again after an edit re-parses it incrementally from its kept syntax tree
// (frontends/ts/parse.ts); the IR must be exactly what a fresh parse gives, valid or broken code
// alike, whatever edits led there.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { lowerTypeScript } from "../../../../server/src/frontends/ts/index";
import type { IrFile } from "../../../../server/src/ir/ir";
import { tsFixturesRoot } from "../../analysis/fixture-corpus";
import { randomEdit, seededRandom } from "../../analysis/seeded-random";

/** Edits that keep the code valid (a statement, a comment, a blank line, a closure) and ones that break it. */
const insertions = ["\n  trace(1);\n", "/* edited */", "\n", "é😀", "{", "}", "if (", "=> {", "`", "() => VmbPacketFree(packet);\n"];

function irOf(file: IrFile, name: string): string {
  return JSON.stringify(file).replaceAll(JSON.stringify(name).slice(1, -1), "<file>");
}

test("an incremental re-parse of a TypeScript file lowers to the same IR as a fresh parse, after every edit", () => {
  const random = seededRandom(20261203);
  let compared = 0;
  const sources = readdirSync(tsFixturesRoot)
    .sort()
    .flatMap((pattern) => ["bad.ts", "good.ts"].map((twin) => join(tsFixturesRoot, pattern, twin)))
    .filter((source) => existsSync(source));
  for (const [index, source] of sources.entries()) {
    let text = readFileSync(source, "utf8");
    lowerTypeScript("/edited.ts", text);
    for (let round = 0; round < 8; round++) {
      text = randomEdit(text, random, insertions);
      const incremental = irOf(lowerTypeScript("/edited.ts", text), "/edited.ts");
      const freshName = `/fresh-${index}-${round}.ts`;
      const fresh = irOf(lowerTypeScript(freshName, text), freshName);
      assert.equal(incremental, fresh, `${source}, edit ${round}`);
      compared++;
    }
  }
  assert.ok(compared > 1000, `only ${compared} edits compared`);
});
