// The resolved configuration the core runs with (vmbguard.json, CLI flags, editor settings).
import type { Effect, FamilyDef, ModelEntry, RoleDef } from "../model/model";
import type { Severity } from "../analysis/findings";

export interface FunctionSpec {
  effects: Effect[];
  returns?: ModelEntry["returns"];
  doc?: string;
}

export interface Config {
  /** Built-in model packs by name (`kmcl`, `wdk-pool`, `wdk-mdl`, `libc`). */
  models: string[];
  /** Extra or overriding model entries: function name to effects. */
  functions: Record<string, FunctionSpec>;
  /** Extra families or overrides of built-in ones (e.g. `{ "pool": { "unknownCalls": "borrow" } }`). */
  families: Record<string, Partial<FamilyDef>>;
  roles: RoleDef[];
  /**
   * Macros neutralized before parsing C: name to replacement text (empty: blanked out; its
   * arguments are dropped too). The replacement must not be longer than the invocation.
   */
  macros: Record<string, string>;
  include: string[];
  exclude: string[];
  /** Severity per rule id, or "off". */
  rules: Record<string, Severity | "off">;
  budget: { maxStates: number; maxMillis: number };
  /** Files larger than this many bytes are skipped with a warning (CLI and language server). */
  maxFileBytes?: number;
}

export function defaultConfig(): Config {
  return {
    models: ["kmcl"],
    functions: {},
    families: {},
    roles: [],
    macros: {},
    include: [],
    exclude: [],
    rules: {},
    budget: { maxStates: 20000, maxMillis: 2000 },
  };
}
