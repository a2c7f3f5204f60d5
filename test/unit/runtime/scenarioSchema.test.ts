// The scenario schema (for editors and launch configurations) must describe exactly what the
// runtime accepts: the same option keys, the same reply actions, the same enums.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fallibleFunctions, faultOptionKeys, simulationOptionKeys } from "../../../runtime/src/kmcl/options";
import { hostOptionKeys, resolveReply } from "../../../runtime/src/kmcl/host";
import { Simulation } from "../../../runtime/src/kmcl/index";

interface SchemaNode {
  properties?: Record<string, SchemaNode>;
  enum?: string[];
  definitions?: Record<string, SchemaNode>;
}

const scenarios = join(__dirname, "..", "..", "..", "..", "runtime", "scenarios");
const schema = JSON.parse(readFileSync(join(scenarios, "scenario.schema.json"), "utf8")) as SchemaNode;
const keys = (node: SchemaNode | undefined) => Object.keys(node?.properties ?? {}).sort();

test("the schema lists every simulation, fault and (serialisable) host option, and no other", () => {
  assert.deepEqual(keys(schema), [...simulationOptionKeys].sort());
  assert.deepEqual(keys(schema.properties!.faults), [...faultOptionKeys].sort());
  assert.deepEqual(keys(schema.properties!.host), hostOptionKeys.filter((key) => key !== "respond").sort());
});

test("the schema's enums are the values the runtime accepts", () => {
  for (const action of schema.definitions!.reply!.properties!.action!.enum!) {
    assert.doesNotThrow(() => resolveReply({ action, status: "STATUS_CANCELLED" } as never, "schema"), action);
  }
  assert.throws(() => resolveReply({ action: "bounce" } as never, "schema"));
  for (const mode of schema.properties!.mode!.enum!) assert.equal(new Simulation({ mode: mode as never }).mode, mode);
  for (const stacks of schema.properties!.stacks!.enum!) assert.doesNotThrow(() => new Simulation({ stacks: stacks as never }));
});

test("the schema names every function failCalls can fail, and no other", () => {
  const failCalls = (schema.properties!.faults!.properties!.failCalls as SchemaNode | undefined);
  assert.deepEqual(keys(failCalls), [...fallibleFunctions].sort());
});
