import { test } from "node:test";
import assert from "node:assert/strict";
import { preprocess } from "../../../../server/src/frontends/c/preprocess";
import { findCall, lowerC } from "./lowering";
import { generateWdkDialectFile } from "./wdk-dialect-source";

const SEEDS = Array.from({ length: 40 }, (_, index) => 1009 + index * 7919);
const FUNCTIONS_PER_FILE = 6;

test("generated WDK-dialect files parse without syntax problems and every function is lowered", async () => {
  let functions = 0;
  let statementMacros = 0;
  for (const seed of SEEDS) {
    const generated = generateWdkDialectFile(seed, FUNCTIONS_PER_FILE);
    const file = await lowerC(generated.text);
    assert.deepEqual(file.problems, [], `seed ${seed}:\n${generated.text}`);
    assert.deepEqual(
      file.functions.map((fn) => fn.name),
      generated.functions.map((fn) => fn.name),
      `seed ${seed}: every generated function is lowered`,
    );
    for (const expected of generated.functions) {
      const lowered = file.functions.find((fn) => fn.name === expected.name);
      assert.ok(lowered !== undefined);
      for (const macro of expected.statementMacros) {
        assert.ok(findCall(lowered, macro) !== undefined, `seed ${seed}: ${expected.name} calls statement macro ${macro}`);
        statementMacros++;
      }
      functions++;
    }
  }
  assert.equal(functions, SEEDS.length * FUNCTIONS_PER_FILE);
  assert.ok(statementMacros > SEEDS.length, `statement macros were generated (${statementMacros})`);
});

test("the preprocessor keeps every offset and line of the generated dialect", () => {
  for (const seed of SEEDS.slice(0, 10)) {
    const { text } = generateWdkDialectFile(seed, FUNCTIONS_PER_FILE);
    const result = preprocess(text);
    assert.equal(result.text.length, text.length);
    assert.deepEqual([...result.text.matchAll(/\n/g)].map((match) => match.index), [...text.matchAll(/\n/g)].map((match) => match.index));
  }
});
