import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { defaultConfig } from "../../../server/src/config/config";
import { findConfigFile, loadConfigFile, parseConfigText } from "../../../server/src/config/load";
import { checkModelReferences, ConfigError, validateConfig } from "../../../server/src/config/validate";

const file = "proj/vmbguard.json";

function rejection(config: unknown): string {
  try {
    const parsed = validateConfig(config, file);
    checkModelReferences(parsed, file);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error.message;
  }
  assert.fail(`expected ${JSON.stringify(config)} to be rejected`);
}

test("an empty object gives the defaults", () => {
  assert.deepEqual(validateConfig({}, file), defaultConfig());
});

test("a full configuration is read into Config", () => {
  const config = validateConfig(
    {
      $schema: "./node_modules/vmbguard/vmbguard.schema.json",
      models: ["kmcl", "wdk-pool", "wdk-mdl", "kmcl"],
      functions: {
        MyFreePacket: { effects: [{ kind: "release", family: "packet", target: 0 }], doc: "Frees a packet and its context." },
        MyAllocatePacket: { effects: [{ kind: "acquire", family: "packet", target: "return", mayBeNull: true }], returns: "pointer" },
        MySendOrFree: { effects: [{ kind: "transfer", family: "packet", target: 1, when: "success" }], returns: "ntstatus" },
        MyInit: { effects: [{ kind: "acquire", family: "packet", target: 1, inPlace: true, variant: "caller-memory", when: "success" }] },
        MyPanic: { effects: [{ kind: "no-return" }] },
      },
      families: { pool: { unknownCalls: "borrow" } },
      roles: [{ name: "my-callback", params: [{ index: 0, family: "packet" }], typedefs: ["MY_CALLBACK"] }],
      macros: { MY_PAGED_CODE: "", MY_ASSERT: "" },
      include: ["src/**"],
      exclude: ["src/generated/**", "**/*.test.ts"],
      rules: { "free-in-flight": "error", "unchecked-allocation": "off" },
      budget: { maxStates: 50000 },
      maxFileBytes: 1048576,
    },
    file,
  );
  assert.deepEqual(config.models, ["kmcl", "wdk-pool", "wdk-mdl"]);
  assert.deepEqual(config.functions.MyFreePacket, { effects: [{ kind: "release", family: "packet", target: 0 }], doc: "Frees a packet and its context." });
  assert.deepEqual(config.functions.MyAllocatePacket.returns, "pointer");
  assert.deepEqual(config.functions.MyInit.effects[0], { kind: "acquire", family: "packet", target: 1, inPlace: true, variant: "caller-memory", when: "success" });
  assert.deepEqual(config.families, { pool: { name: "pool", unknownCalls: "borrow" } });
  assert.deepEqual(config.roles, [{ name: "my-callback", params: [{ index: 0, family: "packet" }], typedefs: ["MY_CALLBACK"] }]);
  assert.deepEqual(config.macros, { MY_PAGED_CODE: "", MY_ASSERT: "" });
  assert.deepEqual(config.exclude, ["src/generated/**", "**/*.test.ts"]);
  assert.deepEqual(config.rules, { "free-in-flight": "error", "unchecked-allocation": "off" });
  assert.deepEqual(config.budget, { maxStates: 50000, maxMillis: 2000 });
  assert.equal(config.maxFileBytes, 1048576);
  checkModelReferences(config, file);
});

test("bad configurations are rejected with the file, the key path and the reason", () => {
  const cases: [unknown, string][] = [
    [[], "proj/vmbguard.json: expected an object, got an array"],
    [{ modles: [] }, 'proj/vmbguard.json: modles: unknown key (did you mean "models"?)'],
    [{ zzz: 1 }, 'proj/vmbguard.json: zzz: unknown key (expected one of "$schema", "models", "functions", "families", "roles", "macros", "include", "exclude", "rules", "budget", "maxFileBytes", "build")'],
    [{ models: "kmcl" }, 'proj/vmbguard.json: models: expected an array, got the string "kmcl"'],
    [{ models: ["wdk-pol"] }, 'proj/vmbguard.json: models[0]: unknown model pack "wdk-pol" (did you mean "wdk-pool"?); expected one of "kmcl", "wdk-pool", "wdk-mdl", "libc"'],
    [{ rules: { "packet-leek": "error" } }, 'proj/vmbguard.json: rules.packet-leek: unknown rule id (did you mean "leak"?)'],
    [{ rules: { "double-free": "fatal" } }, 'proj/vmbguard.json: rules.double-free: unknown severity "fatal"; expected one of "error", "warning", "information", "off"'],
    [{ budget: { maxStates: 0 } }, "proj/vmbguard.json: budget.maxStates: expected an integer >= 1, got 0"],
    [{ budget: { maxMillis: 1.5 } }, "proj/vmbguard.json: budget.maxMillis: expected an integer, got number 1.5"],
    [{ budget: { states: 10 } }, 'proj/vmbguard.json: budget.states: unknown key (expected one of "maxStates", "maxMillis")'],
    [{ maxFileBytes: "8MB" }, 'proj/vmbguard.json: maxFileBytes: expected an integer, got the string "8MB"'],
    [{ include: ["src", 3] }, "proj/vmbguard.json: include[1]: expected a string, got number 3"],
    [{ macros: { "NOT A NAME": "" } }, 'proj/vmbguard.json: macros["NOT A NAME"]: a macro name must be an identifier'],
    [{ macros: { PAGED_CODE: null } }, "proj/vmbguard.json: macros.PAGED_CODE: expected a string, got null"],
    [{ functions: { MyFree: {} } }, "proj/vmbguard.json: functions.MyFree.effects: missing required key"],
    [{ functions: { MyFree: { effects: [{ kind: "relese", family: "packet", target: 0 }] } } },
      'proj/vmbguard.json: functions.MyFree.effects[0].kind: unknown effect kind "relese" (did you mean "release"?); expected one of "acquire", "release", "transfer", "use", "escape", "register-callback", "runs-callback", "status-predicate", "no-return", "throws"'],
    [{ functions: { MyFree: { effects: [{ kind: "release", family: "packet", target: -1 }] } } },
      "proj/vmbguard.json: functions.MyFree.effects[0].target: expected an integer >= 0, got -1"],
    [{ functions: { MyFree: { effects: [{ kind: "release", family: "packet", target: "return" }] } } },
      'proj/vmbguard.json: functions.MyFree.effects[0].target: expected an argument index, got the string "return"'],
    [{ functions: { MyFree: { effects: [{ kind: "release", family: "packet", target: 0, mayBeNull: true }] } } },
      'proj/vmbguard.json: functions.MyFree.effects[0].mayBeNull: unknown key (expected one of "kind", "family", "target", "when")'],
    [{ functions: { MyFree: { effects: [{ kind: "release", family: "packet", target: 0, when: "sometimes" }] } } },
      'proj/vmbguard.json: functions.MyFree.effects[0].when: unknown outcome "sometimes"; expected one of "always", "success", "failure"'],
    [{ functions: { MyAlloc: { effects: [{ kind: "acquire", family: "packet", target: "return", inPlace: true }] } } },
      'proj/vmbguard.json: functions.MyAlloc.effects[0].inPlace: an in-place acquisition needs an argument index as "target"'],
    [{ functions: { MyFree: { effects: [], returns: "status" } } },
      'proj/vmbguard.json: functions.MyFree.returns: unknown return convention "status" (did you mean "ntstatus"?); expected one of "ntstatus", "pointer", "boolean", "none"'],
    [{ functions: { MyFree: { effects: [{ kind: "release", family: "pool", target: 0 }] } } },
      'proj/vmbguard.json: functions.MyFree.effects[0].family: unknown family "pool": define it under "families" or enable the model pack that defines it'],
    [{ functions: { Reg: { effects: [{ kind: "register-callback", target: 1, role: "nope" }] } } },
      'proj/vmbguard.json: functions.Reg.effects[0].role: unknown role "nope"; known roles: "packet-completion", "process-packet"'],
    [{ families: { pool: { name: "heap" } } }, 'proj/vmbguard.json: families.pool.name: must equal the key "pool" (or be left out)'],
    [{ families: { pool: { unknownCalls: "keep" } } }, 'proj/vmbguard.json: families.pool.unknownCalls: unknown policy "keep"; expected one of "borrow", "escape"'],
    [{ families: { pool: { leakRule: "memory-leak" } } }, 'proj/vmbguard.json: families.pool.leakRule: unknown rule id "memory-leak"; expected one of "leak", "double-free", "use-after-free", "free-in-flight", "completion-leak", "double-completion", "free-unowned", "unchecked-allocation", "analysis-incomplete", "unused-suppression"'],
    [{ roles: [{ name: "cb", params: [{ index: 0, family: "mdl" }] }] },
      'proj/vmbguard.json: roles[0].params[0].family: unknown family "mdl": define it under "families" or enable the model pack that defines it'],
    [{ roles: [{ name: "cb", params: [], typedefs: ["not a type"] }] }, "proj/vmbguard.json: roles[0].typedefs[0]: a typedef name must be an identifier"],
  ];
  for (const [config, message] of cases) assert.equal(rejection(config), message);
});

test("a family from a pack enabled in the same file is known", () => {
  const config = validateConfig({ models: ["kmcl", "wdk-pool"], functions: { MyPoolFree: { effects: [{ kind: "release", family: "pool", target: 0 }] } } }, file);
  checkModelReferences(config, file);
  const ownFamily = validateConfig(
    { families: { buffer: { noun: "buffer", unknownCalls: "escape", leakRule: "leak", doubleReleaseRule: "double-free" } }, functions: { BufFree: { effects: [{ kind: "release", family: "buffer", target: 0 }] } } },
    file,
  );
  checkModelReferences(ownFamily, file);
});

test("JSON syntax errors say where", () => {
  assert.throws(() => parseConfigText('{\n  "models": ["kmcl"]\n  "rules": {}\n}', file), {
    message: /^proj\/vmbguard\.json: invalid JSON at line 3, column 3: /,
  });
  assert.throws(() => parseConfigText("", file), { message: /^proj\/vmbguard\.json: invalid JSON/ });
});

test("the nearest vmbguard.json above a folder is found and loaded; a missing file is named", () => {
  const root = mkdtempSync(path.join(tmpdir(), "vmbguard-config-"));
  try {
    mkdirSync(path.join(root, "a", "b"), { recursive: true });
    writeFileSync(path.join(root, "vmbguard.json"), '{ "models": ["kmcl", "libc"] }');
    assert.equal(findConfigFile(path.join(root, "a", "b")), path.join(root, "vmbguard.json"));
    writeFileSync(path.join(root, "a", "vmbguard.json"), '\ufeff{ "rules": { "leak": "warning" } }');
    assert.equal(findConfigFile(path.join(root, "a", "b")), path.join(root, "a", "vmbguard.json"));
    assert.deepEqual(loadConfigFile(path.join(root, "a", "vmbguard.json")).rules, { "leak": "warning" });
    const missing = path.join(root, "nope.json");
    assert.throws(() => loadConfigFile(missing), { message: `${missing}: cannot read the configuration: no such file` });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("build: the project's build settings, overridden", () => {
  const config = validateConfig(
    { build: { compileCommands: "out/compile_commands.json", vcxproj: "drivers/**/*.vcxproj", configuration: "Release|ARM64", includeDirectories: ["inc"], defines: { DBG: 1, NAME: "" }, undefines: ["_ARM64_"] } },
    file,
  );
  assert.deepEqual(config.build, { compileCommands: "out/compile_commands.json", vcxproj: ["drivers/**/*.vcxproj"], configuration: "Release|ARM64", includeDirectories: ["inc"], defines: { DBG: "1", NAME: "" }, undefines: ["_ARM64_"] });
  assert.deepEqual(validateConfig({ build: { compileCommands: false, vcxproj: false } }, file).build, { compileCommands: false, vcxproj: false, includeDirectories: [], defines: {}, undefines: [] });
  assert.equal(defaultConfig().build, undefined);
  const cases: [unknown, string][] = [
    [{ build: [] }, "proj/vmbguard.json: build: expected an object, got an array"],
    [{ build: { includeDirectory: [] } }, 'proj/vmbguard.json: build.includeDirectory: unknown key (did you mean "includeDirectories"?)'],
    [{ build: { zzz: 1 } }, 'proj/vmbguard.json: build.zzz: unknown key (expected one of "compileCommands", "vcxproj", "configuration", "includeDirectories", "defines", "undefines")'],
    [{ build: { compileCommands: true } }, "proj/vmbguard.json: build.compileCommands: expected a string, got boolean true"],
    [{ build: { vcxproj: 3 } }, "proj/vmbguard.json: build.vcxproj: expected a path or glob, an array of them, or false, got number 3"],
    [{ build: { vcxproj: ["a.vcxproj", ""] } }, "proj/vmbguard.json: build.vcxproj[1]: expected a non-empty string"],
    [{ build: { configuration: "Debug" } }, 'proj/vmbguard.json: build.configuration: expected "Configuration|Platform" (e.g. "Debug|x64"), got the string "Debug"'],
    [{ build: { includeDirectories: "inc" } }, 'proj/vmbguard.json: build.includeDirectories: expected an array, got the string "inc"'],
    [{ build: { defines: { "NOT A NAME": "1" } } }, 'proj/vmbguard.json: build.defines["NOT A NAME"]: a macro name must be an identifier'],
    [{ build: { defines: { DBG: true } } }, "proj/vmbguard.json: build.defines.DBG: expected the replacement text (a string, or an integer), got boolean true"],
    [{ build: { undefines: ["OK", "1BAD"] } }, "proj/vmbguard.json: build.undefines[1]: a macro name must be an identifier"],
  ];
  for (const [bad, message] of cases) assert.equal(rejection(bad), message);
});

test("a rule's former id (packet-leak, now leak) configures the rule under its current id, for severities and for a family's leak rule", () => {
  const config = validateConfig({ rules: { "packet-leak": "warning" }, families: { pool: { leakRule: "packet-leak" } } }, "proj/vmbguard.json");
  assert.deepEqual(config.rules, { leak: "warning" });
  assert.equal(config.families?.pool.leakRule, "leak");
});
