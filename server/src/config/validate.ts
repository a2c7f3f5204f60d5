// Turns the parsed JSON of a vmbguard.json into a Config, or fails with an error that names
// the file and the key path, so a typo never silently disables a model entry or a rule.
import type { Effect, FamilyDef, ModelEntry, Outcome, RoleDef, Target } from "../model/model";
import type { Severity } from "../analysis/findings";
import { builtinPacks } from "../model/packs";
import { ruleNamed, rules } from "../analysis/rules";
import { defaultConfig, type BuildConfig, type Config, type FunctionSpec } from "./config";
import { closestName, closestRuleId } from "./closestName";

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly keyPath: string,
    readonly detail: string,
  ) {
    super(keyPath === "" ? `${file}: ${detail}` : `${file}: ${keyPath}: ${detail}`);
    this.name = "ConfigError";
  }
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const severities: readonly (Severity | "off")[] = ["error", "warning", "information", "off"];
const outcomes: readonly Outcome[] = ["always", "success", "failure"];
const returnConventions: readonly NonNullable<ModelEntry["returns"]>[] = ["ntstatus", "pointer", "boolean", "none"];
const unknownCallPolicies: readonly FamilyDef["unknownCalls"][] = ["borrow", "escape"];
/** What only summaries say (a configured entry has no body whose stores it could describe). */
type ConfigurableEffectKind = Exclude<Effect["kind"], "assign" | "returns-field" | "calls-field" | "abnormal-termination">;

export const effectKinds: readonly ConfigurableEffectKind[] = [
  "acquire",
  "release",
  "transfer",
  "use",
  "escape",
  "register-callback",
  "runs-callback",
  "status-predicate",
  "no-return",
  "throws",
];
export const topLevelKeys = ["$schema", "models", "functions", "families", "roles", "macros", "include", "exclude", "rules", "budget", "maxFileBytes", "build"];
export const buildKeys = ["compileCommands", "vcxproj", "configuration", "includeDirectories", "defines", "undefines"];
const identifierPattern = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `functions.MyFree.effects[0]`: dots for plain keys, brackets for indexes and odd keys. */
export function childPath(parent: string, key: string | number): string {
  if (typeof key === "number") return `${parent}[${key}]`;
  if (/^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(key)) return parent === "" ? key : `${parent}.${key}`;
  return `${parent}[${JSON.stringify(key)}]`;
}

function describe(value: Json): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  switch (typeof value) {
    case "object":
      return "an object";
    case "string":
      return `the string ${JSON.stringify(value)}`;
    default:
      return `${typeof value} ${JSON.stringify(value)}`;
  }
}

function listOf(names: readonly string[]): string {
  return names.map((name) => JSON.stringify(name)).join(", ");
}

class Reader {
  constructor(private readonly file: string) {}

  fail(keyPath: string, detail: string): never {
    throw new ConfigError(this.file, keyPath, detail);
  }

  object(value: Json, keyPath: string): JsonObject {
    if (value === null || typeof value !== "object" || Array.isArray(value)) this.fail(keyPath, `expected an object, got ${describe(value)}`);
    return value;
  }

  /** Rejects keys outside `allowed`, suggesting the closest one. */
  onlyKeys(value: JsonObject, keyPath: string, allowed: readonly string[]): void {
    for (const key of Object.keys(value)) {
      if (allowed.includes(key)) continue;
      const suggestion = closestName(key, allowed);
      const hint = suggestion === undefined ? `expected one of ${listOf(allowed)}` : `did you mean ${JSON.stringify(suggestion)}?`;
      this.fail(childPath(keyPath, key), `unknown key (${hint})`);
    }
  }

  array(value: Json, keyPath: string): Json[] {
    if (!Array.isArray(value)) this.fail(keyPath, `expected an array, got ${describe(value)}`);
    return value;
  }

  string(value: Json, keyPath: string): string {
    if (typeof value !== "string") this.fail(keyPath, `expected a string, got ${describe(value)}`);
    return value;
  }

  nonEmptyString(value: Json, keyPath: string): string {
    const text = this.string(value, keyPath);
    if (text.trim() === "") this.fail(keyPath, "expected a non-empty string");
    return text;
  }

  boolean(value: Json, keyPath: string): boolean {
    if (typeof value !== "boolean") this.fail(keyPath, `expected true or false, got ${describe(value)}`);
    return value;
  }

  integer(value: Json, keyPath: string, minimum: number): number {
    if (typeof value !== "number" || !Number.isInteger(value)) this.fail(keyPath, `expected an integer, got ${describe(value)}`);
    if (value < minimum) this.fail(keyPath, `expected an integer >= ${minimum}, got ${value}`);
    return value;
  }

  oneOf<T extends string>(value: Json, keyPath: string, allowed: readonly T[], what = "value"): T {
    const text = this.string(value, keyPath);
    if ((allowed as readonly string[]).includes(text)) return text as T;
    const suggestion = closestName(text, allowed);
    const hint = suggestion === undefined ? "" : ` (did you mean ${JSON.stringify(suggestion)}?)`;
    this.fail(keyPath, `unknown ${what} ${JSON.stringify(text)}${hint}; expected one of ${listOf(allowed)}`);
  }

  stringArray(value: Json, keyPath: string): string[] {
    return this.array(value, keyPath).map((item, index) => this.nonEmptyString(item, childPath(keyPath, index)));
  }

  required(value: JsonObject, keyPath: string, key: string): Json {
    if (!(key in value)) this.fail(childPath(keyPath, key), "missing required key");
    return value[key];
  }
}

const ruleIds = rules.map((rule) => rule.id);

/** A rule id, current or former (`packet-leak`), as its current id. */
function readRuleId(reader: Reader, value: Json, keyPath: string): string {
  const known = typeof value === "string" ? ruleNamed(value) : undefined;
  return known?.id ?? reader.oneOf(value, keyPath, ruleIds, "rule id");
}

function readModels(reader: Reader, value: Json): string[] {
  const names = reader.array(value, "models").map((item, index) =>
    reader.oneOf(item, childPath("models", index), [...builtinPacks.keys()], "model pack"),
  );
  return [...new Set(names)];
}

function readTarget(reader: Reader, value: Json, keyPath: string, allowReturn: boolean): Target {
  if (allowReturn && value === "return") return "return";
  if (typeof value !== "number") {
    reader.fail(keyPath, `expected an argument index${allowReturn ? ' or "return"' : ""}, got ${describe(value)}`);
  }
  return reader.integer(value, keyPath, 0);
}

function readEffect(reader: Reader, value: Json, keyPath: string): Effect {
  const effect = reader.object(value, keyPath);
  const kind = reader.oneOf(reader.required(effect, keyPath, "kind"), childPath(keyPath, "kind"), effectKinds, "effect kind");
  const at = (key: string): string => childPath(keyPath, key);
  const optionalOutcome = (): Outcome | undefined =>
    effect.when === undefined ? undefined : reader.oneOf(effect.when, at("when"), outcomes, "outcome");
  switch (kind) {
    case "acquire": {
      reader.onlyKeys(effect, keyPath, ["kind", "family", "target", "mayBeNull", "when", "variant", "inPlace"]);
      const acquire: Effect = {
        kind,
        family: reader.nonEmptyString(reader.required(effect, keyPath, "family"), at("family")),
        target: readTarget(reader, reader.required(effect, keyPath, "target"), at("target"), true),
      };
      if (effect.mayBeNull !== undefined) acquire.mayBeNull = reader.boolean(effect.mayBeNull, at("mayBeNull"));
      const when = optionalOutcome();
      if (when !== undefined) acquire.when = when;
      if (effect.variant !== undefined) acquire.variant = reader.nonEmptyString(effect.variant, at("variant"));
      if (effect.inPlace !== undefined) {
        acquire.inPlace = reader.boolean(effect.inPlace, at("inPlace"));
        if (acquire.inPlace && acquire.target === "return") reader.fail(at("inPlace"), 'an in-place acquisition needs an argument index as "target"');
      }
      return acquire;
    }
    case "release":
    case "transfer": {
      reader.onlyKeys(effect, keyPath, ["kind", "family", "target", "when"]);
      const family = reader.nonEmptyString(reader.required(effect, keyPath, "family"), at("family"));
      const target = readTarget(reader, reader.required(effect, keyPath, "target"), at("target"), false) as number;
      const when = optionalOutcome();
      return when === undefined ? { kind, family, target } : { kind, family, target, when };
    }
    case "use": {
      reader.onlyKeys(effect, keyPath, ["kind", "family", "target"]);
      return {
        kind,
        family: reader.nonEmptyString(reader.required(effect, keyPath, "family"), at("family")),
        target: readTarget(reader, reader.required(effect, keyPath, "target"), at("target"), false) as number,
      };
    }
    case "escape":
    case "runs-callback":
    case "attach":
    case "opaque-call":
    case "status-predicate": {
      reader.onlyKeys(effect, keyPath, ["kind", "target"]);
      return { kind, target: readTarget(reader, reader.required(effect, keyPath, "target"), at("target"), false) as number };
    }
    case "register-callback": {
      reader.onlyKeys(effect, keyPath, ["kind", "target", "role"]);
      return {
        kind,
        target: readTarget(reader, reader.required(effect, keyPath, "target"), at("target"), false) as number,
        role: reader.nonEmptyString(reader.required(effect, keyPath, "role"), at("role")),
      };
    }
    case "no-return":
    case "throws":
      reader.onlyKeys(effect, keyPath, ["kind"]);
      return { kind };
  }
}

function readFunctions(reader: Reader, value: Json): Record<string, FunctionSpec> {
  const functions: Record<string, FunctionSpec> = {};
  for (const [name, specValue] of Object.entries(reader.object(value, "functions"))) {
    const keyPath = childPath("functions", name);
    if (!identifierPattern.test(name)) reader.fail(keyPath, "a function name must be an identifier");
    const spec = reader.object(specValue, keyPath);
    reader.onlyKeys(spec, keyPath, ["effects", "returns", "doc"]);
    const effectsPath = childPath(keyPath, "effects");
    const effects = reader.array(reader.required(spec, keyPath, "effects"), effectsPath).map((effect, index) =>
      readEffect(reader, effect, childPath(effectsPath, index)),
    );
    const result: FunctionSpec = { effects };
    if (spec.returns !== undefined) result.returns = reader.oneOf(spec.returns, childPath(keyPath, "returns"), returnConventions, "return convention");
    if (spec.doc !== undefined) result.doc = reader.string(spec.doc, childPath(keyPath, "doc"));
    functions[name] = result;
  }
  return functions;
}

function readFamilies(reader: Reader, value: Json): Record<string, Partial<FamilyDef>> {
  const families: Record<string, Partial<FamilyDef>> = {};
  for (const [name, familyValue] of Object.entries(reader.object(value, "families"))) {
    const keyPath = childPath("families", name);
    const at = (key: string): string => childPath(keyPath, key);
    const family = reader.object(familyValue, keyPath);
    reader.onlyKeys(family, keyPath, ["name", "noun", "unknownCalls", "leakRule", "doubleReleaseRule", "unreleasableVariants"]);
    const result: Partial<FamilyDef> = { name };
    if (family.name !== undefined && reader.string(family.name, at("name")) !== name) {
      reader.fail(at("name"), `must equal the key ${JSON.stringify(name)} (or be left out)`);
    }
    if (family.noun !== undefined) result.noun = reader.nonEmptyString(family.noun, at("noun"));
    if (family.unknownCalls !== undefined) result.unknownCalls = reader.oneOf(family.unknownCalls, at("unknownCalls"), unknownCallPolicies, "policy");
    if (family.leakRule !== undefined) result.leakRule = readRuleId(reader, family.leakRule, at("leakRule"));
    if (family.doubleReleaseRule !== undefined) {
      result.doubleReleaseRule = readRuleId(reader, family.doubleReleaseRule, at("doubleReleaseRule"));
    }
    if (family.unreleasableVariants !== undefined) result.unreleasableVariants = reader.stringArray(family.unreleasableVariants, at("unreleasableVariants"));
    families[name] = result;
  }
  return families;
}

function readRoles(reader: Reader, value: Json): RoleDef[] {
  return reader.array(value, "roles").map((roleValue, roleIndex) => {
    const keyPath = childPath("roles", roleIndex);
    const role = reader.object(roleValue, keyPath);
    reader.onlyKeys(role, keyPath, ["name", "params", "typedefs"]);
    const paramsPath = childPath(keyPath, "params");
    const params = reader.array(reader.required(role, keyPath, "params"), paramsPath).map((paramValue, paramIndex) => {
      const paramPath = childPath(paramsPath, paramIndex);
      const param = reader.object(paramValue, paramPath);
      reader.onlyKeys(param, paramPath, ["index", "family", "variant"]);
      const result: RoleDef["params"][number] = {
        index: reader.integer(reader.required(param, paramPath, "index"), childPath(paramPath, "index"), 0),
        family: reader.nonEmptyString(reader.required(param, paramPath, "family"), childPath(paramPath, "family")),
      };
      if (param.variant !== undefined) result.variant = reader.nonEmptyString(param.variant, childPath(paramPath, "variant"));
      return result;
    });
    const typedefs = role.typedefs === undefined ? [] : reader.stringArray(role.typedefs, childPath(keyPath, "typedefs"));
    for (const [index, typedef] of typedefs.entries()) {
      if (!identifierPattern.test(typedef)) reader.fail(childPath(childPath(keyPath, "typedefs"), index), "a typedef name must be an identifier");
    }
    return { name: reader.nonEmptyString(reader.required(role, keyPath, "name"), childPath(keyPath, "name")), params, typedefs };
  });
}

function readMacros(reader: Reader, value: Json): Record<string, string> {
  const macros: Record<string, string> = {};
  for (const [name, replacement] of Object.entries(reader.object(value, "macros"))) {
    const keyPath = childPath("macros", name);
    if (!identifierPattern.test(name)) reader.fail(keyPath, "a macro name must be an identifier");
    macros[name] = reader.string(replacement, keyPath);
  }
  return macros;
}

function readRules(reader: Reader, value: Json): Record<string, Severity | "off"> {
  const result: Record<string, Severity | "off"> = {};
  for (const [id, severity] of Object.entries(reader.object(value, "rules"))) {
    const keyPath = childPath("rules", id);
    const rule = ruleNamed(id);
    if (rule === undefined) {
      const suggestion = closestRuleId(id);
      reader.fail(keyPath, `unknown rule id${suggestion === undefined ? "" : ` (did you mean ${JSON.stringify(suggestion)}?)`}`);
    }
    // A former id (`packet-leak`) sets its rule under the current id.
    result[rule?.id ?? id] = reader.oneOf(severity, keyPath, severities, "severity");
  }
  return result;
}

function readBudget(reader: Reader, value: Json, defaults: Config["budget"]): Config["budget"] {
  const budget = reader.object(value, "budget");
  reader.onlyKeys(budget, "budget", ["maxStates", "maxMillis"]);
  return {
    maxStates: budget.maxStates === undefined ? defaults.maxStates : reader.integer(budget.maxStates, "budget.maxStates", 1),
    maxMillis: budget.maxMillis === undefined ? defaults.maxMillis : reader.integer(budget.maxMillis, "budget.maxMillis", 1),
  };
}

function readBuild(reader: Reader, value: Json): BuildConfig {
  const build = reader.object(value, "build");
  reader.onlyKeys(build, "build", buildKeys);
  const result: BuildConfig = { includeDirectories: [], defines: {}, undefines: [] };
  if (build.compileCommands !== undefined) {
    result.compileCommands = build.compileCommands === false ? false : reader.nonEmptyString(build.compileCommands, "build.compileCommands");
  }
  if (build.vcxproj !== undefined) {
    if (build.vcxproj === false) result.vcxproj = false;
    else if (typeof build.vcxproj === "string") result.vcxproj = [reader.nonEmptyString(build.vcxproj, "build.vcxproj")];
    else if (Array.isArray(build.vcxproj)) result.vcxproj = reader.stringArray(build.vcxproj, "build.vcxproj");
    else reader.fail("build.vcxproj", `expected a path or glob, an array of them, or false, got ${describe(build.vcxproj)}`);
  }
  if (build.configuration !== undefined) {
    const configuration = reader.nonEmptyString(build.configuration, "build.configuration");
    if (!/^[^|]+\|[^|]+$/.test(configuration)) reader.fail("build.configuration", `expected "Configuration|Platform" (e.g. "Debug|x64"), got ${describe(configuration)}`);
    result.configuration = configuration;
  }
  if (build.includeDirectories !== undefined) result.includeDirectories = reader.stringArray(build.includeDirectories, "build.includeDirectories");
  if (build.defines !== undefined) {
    for (const [name, replacement] of Object.entries(reader.object(build.defines, "build.defines"))) {
      const keyPath = childPath("build.defines", name);
      if (!identifierPattern.test(name) || name.includes("$")) reader.fail(keyPath, "a macro name must be an identifier");
      if (typeof replacement === "number" && Number.isInteger(replacement)) result.defines[name] = String(replacement);
      else if (typeof replacement === "string") result.defines[name] = replacement;
      else reader.fail(keyPath, `expected the replacement text (a string, or an integer), got ${describe(replacement)}`);
    }
  }
  if (build.undefines !== undefined) {
    result.undefines = reader.stringArray(build.undefines, "build.undefines");
    for (const [index, name] of result.undefines.entries()) {
      if (!identifierPattern.test(name) || name.includes("$")) reader.fail(childPath("build.undefines", index), "a macro name must be an identifier");
    }
  }
  return result;
}

/** Validates the parsed contents of `file`; keys left out keep their defaults. */
export function validateConfig(value: unknown, file: string): Config {
  const reader = new Reader(file);
  const root = reader.object(value as Json, "");
  reader.onlyKeys(root, "", topLevelKeys);
  const config = defaultConfig();
  if (root.$schema !== undefined) reader.string(root.$schema, "$schema");
  if (root.models !== undefined) config.models = readModels(reader, root.models);
  if (root.functions !== undefined) config.functions = readFunctions(reader, root.functions);
  if (root.families !== undefined) config.families = readFamilies(reader, root.families);
  if (root.roles !== undefined) config.roles = readRoles(reader, root.roles);
  if (root.macros !== undefined) config.macros = readMacros(reader, root.macros);
  if (root.include !== undefined) config.include = reader.stringArray(root.include, "include");
  if (root.exclude !== undefined) config.exclude = reader.stringArray(root.exclude, "exclude");
  if (root.rules !== undefined) config.rules = readRules(reader, root.rules);
  if (root.budget !== undefined) config.budget = readBudget(reader, root.budget, config.budget);
  if (root.maxFileBytes !== undefined) config.maxFileBytes = reader.integer(root.maxFileBytes, "maxFileBytes", 1);
  if (root.build !== undefined) config.build = readBuild(reader, root.build);
  return config;
}

/**
 * Checks that every family and role a config names exists once its packs are chosen
 * (packs may also come from the command line, so this runs after they are merged).
 */
export function checkModelReferences(config: Config, file: string): void {
  const reader = new Reader(file);
  const families = new Set(Object.keys(config.families));
  const roles = new Set(config.roles.map((role) => role.name));
  for (const packName of config.models) {
    const pack = builtinPacks.get(packName);
    for (const family of pack?.families ?? []) families.add(family.name);
    for (const role of pack?.roles ?? []) roles.add(role.name);
  }
  const knownFamily = (name: string, keyPath: string): void => {
    if (families.has(name)) return;
    const suggestion = closestName(name, [...families]);
    const hint = suggestion === undefined ? "" : ` (did you mean ${JSON.stringify(suggestion)}?)`;
    reader.fail(keyPath, `unknown family ${JSON.stringify(name)}${hint}: define it under "families" or enable the model pack that defines it`);
  };
  for (const [name, spec] of Object.entries(config.functions)) {
    for (const [index, effect] of spec.effects.entries()) {
      const keyPath = childPath(childPath(childPath("functions", name), "effects"), index);
      if ("family" in effect) knownFamily(effect.family, childPath(keyPath, "family"));
      if (effect.kind === "register-callback" && !roles.has(effect.role)) {
        reader.fail(childPath(keyPath, "role"), `unknown role ${JSON.stringify(effect.role)}; known roles: ${listOf([...roles].sort())}`);
      }
    }
  }
  for (const [roleIndex, role] of config.roles.entries()) {
    for (const [paramIndex, param] of role.params.entries()) {
      knownFamily(param.family, childPath(childPath(childPath(childPath("roles", roleIndex), "params"), paramIndex), "family"));
    }
  }
}
