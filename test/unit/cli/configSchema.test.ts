// The JSON schema and the documented example must agree with the validator.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { acceptedRuleIds } from "../../../server/src/analysis/rules";
import { builtinPacks } from "../../../server/src/model/packs";
import { checkModelReferences, effectKinds, topLevelKeys, validateConfig } from "../../../server/src/config/validate";

const repoRoot = path.resolve(__dirname, "../../../..");

interface SchemaNode {
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode & { oneOf?: SchemaNode[] };
  additionalProperties?: SchemaNode | boolean;
  propertyNames?: { enum?: string[] };
  enum?: string[];
  const?: string;
}

const schema = JSON.parse(readFileSync(path.join(repoRoot, "server/src/config/vmbguard.schema.json"), "utf8")) as SchemaNode;

test("the schema has exactly the validator's top-level keys", () => {
  assert.deepEqual(Object.keys(schema.properties ?? {}).sort(), [...topLevelKeys].sort());
});

test("the schema's enumerations follow the packs, the rules and the effect kinds", () => {
  const properties = schema.properties ?? {};
  assert.deepEqual(properties.models.items?.enum, [...builtinPacks.keys()]);
  // Former ids (`packet-leak`) stay valid after the current ones.
  assert.deepEqual(properties.rules.propertyNames?.enum, acceptedRuleIds);
  const functionEntry = properties.functions.additionalProperties as SchemaNode;
  const kinds = functionEntry.properties?.effects.items?.oneOf?.map((effect) => effect.properties?.kind.const);
  assert.deepEqual(kinds, [...effectKinds]);
});

test("every JSON example in docs/configuration.md is a valid configuration or fragment", () => {
  const markdown = readFileSync(path.join(repoRoot, "docs/configuration.md"), "utf8");
  const blocks = [...markdown.matchAll(/```json\n([\s\S]*?)```/g)].map((match) => match[1]);
  assert.ok(blocks.length >= 5, "the page has its examples");
  for (const block of blocks) {
    // Fragments (`"key": value` lines) are wrapped into an object, with the packs their families need.
    const text = block.trim().startsWith("{") ? block : `{ "models": ["kmcl", "wdk-pool", "wdk-mdl", "libc"], ${block} }`;
    const config = validateConfig(JSON.parse(text), "docs/configuration.md");
    checkModelReferences(config, "docs/configuration.md");
  }
});
