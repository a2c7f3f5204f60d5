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

test("a function is modelled by at most one built-in pack", () => {
  const seen = new Map<string, string>();
  for (const pack of builtinPacks.values()) {
    for (const fn of pack.functions) {
      assert.equal(seen.get(fn.name), undefined, `${fn.name} in ${pack.name} and ${seen.get(fn.name)}`);
      seen.set(fn.name, pack.name);
    }
  }
});
