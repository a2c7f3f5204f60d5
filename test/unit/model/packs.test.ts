import { test } from "node:test";
import assert from "node:assert/strict";
import { anyFamily } from "../../../server/src/model/model";
import { builtinPacks } from "../../../server/src/model/packs";

test("every effect of a built-in pack names a family the pack defines (or any family)", () => {
  for (const pack of builtinPacks.values()) {
    const families = new Set([anyFamily, ...pack.families.map((family) => family.name)]);
    for (const fn of pack.functions) {
      for (const effect of fn.effects) {
        if ("family" in effect) assert.ok(families.has(effect.family), `${pack.name}: ${fn.name} uses unknown family ${effect.family}`);
      }
    }
    for (const role of pack.roles) {
      for (const param of role.params) assert.ok(families.has(param.family), `${pack.name}: role ${role.name} uses unknown family ${param.family}`);
    }
  }
});

test("a function modelled by several built-in packs does the same in each", () => {
  const seen = new Map<string, { pack: string; effects: unknown }>();
  for (const pack of builtinPacks.values()) {
    for (const fn of pack.functions) {
      const earlier = seen.get(fn.name);
      if (earlier !== undefined) assert.deepEqual(fn.effects, earlier.effects, `${fn.name} in ${pack.name} and ${earlier.pack}`);
      seen.set(fn.name, { pack: pack.name, effects: fn.effects });
    }
  }
});

test("the bug checks never return in every kernel-mode pack, and exit and abort in the C library's", () => {
  const neverReturns = (pack: string, name: string) => builtinPacks.get(pack)?.functions.find((fn) => fn.name === name)?.effects.some((effect) => effect.kind === "no-return") === true;
  for (const pack of ["kmcl", "wdk-pool", "wdk-mdl"]) for (const name of ["KeBugCheckEx", "KeBugCheck"]) assert.ok(neverReturns(pack, name), `${name} in ${pack}`);
  for (const name of ["exit", "abort", "_exit", "_Exit"]) assert.ok(neverReturns("libc", name), name);
});
