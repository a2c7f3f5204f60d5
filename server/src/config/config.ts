// The resolved configuration the core runs with (vmbguard.json, CLI flags, editor settings).
import type { Effect, FamilyDef, ModelEntry, RoleDef } from "../model/model";
import type { Severity } from "../analysis/findings";

export interface FunctionSpec {
  effects: Effect[];
  returns?: ModelEntry["returns"];
  doc?: string;
}

/**
 * The project's build settings as vmbguard.json gives or overrides them (`build`): where headers
 * are found and what is defined, as the driver's compiler sees it. Paths are relative to the
 * configuration file's folder.
 */
export interface BuildConfig {
  /** The compilation database to read; false: none. Left out: `compile_commands.json` at the root, when there is one. */
  compileCommands?: string | false;
  /** The .vcxproj files to read (paths or globs); false: none. Left out: the project nearest above each source. */
  vcxproj?: string[] | false;
  /** The configuration of the .vcxproj files to read, `Debug|x64` (left out: Debug|x64 when listed, else the project's first). */
  configuration?: string;
  /** Searched before the build's own include folders. */
  includeDirectories: string[];
  /** Added to the build's definitions, or replacing them (name to replacement text). */
  defines: Record<string, string>;
  /** Known not to be defined, whatever the build says. */
  undefines: string[];
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
  /** Overrides of the build settings read from compile_commands.json and .vcxproj files. */
  build?: BuildConfig;
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
