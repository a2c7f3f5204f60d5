// The effective model for one analysis: built-in packs, then the user's configuration,
// then SAL-learned entries, then learned summaries (later sources never override earlier explicit ones
// except the configuration, which overrides packs).
import type { SourceLanguage } from "../ir/ir";
import type { Config } from "../config/config";
import type { FamilyDef, ModelEntry, RoleDef, StatusConvention } from "./model";
import { builtinPacks, languagePacks, statusConventionOf } from "./packs";

/** What the analysis of one function asks of the model. */
export interface ModelView {
  lookup(name: string): ModelEntry | undefined;
  family(name: string): FamilyDef;
  releaserOf(family: string): string | undefined;
  statusConstant(name: string): boolean | undefined;
  /** The value of a global variable no function changes, if known. */
  globalConstant(name: string): number | null | undefined;
  /** The property an out parameter object receives its value in, in `language` (none: a C pointer). */
  outParameterProperty(language: SourceLanguage): string | undefined;
}

export class ModelRegistry implements ModelView {
  readonly families = new Map<string, FamilyDef>();
  readonly roles = new Map<string, RoleDef>();
  /** Typedef name (`EVT_VMB_CHANNEL_PROCESS_PACKET`) to role. */
  readonly roleByTypedef = new Map<string, RoleDef>();
  private readonly entries = new Map<string, ModelEntry>();
  /** The language packs' entries, by language: consulted after everything else (`languageEntry`). */
  private readonly languageEntries = new Map<string, Map<string, ModelEntry>>();
  /** Answers of releaserOf: summaries learned later never change them (they are skipped there). */
  private readonly releasers = new Map<string, string | undefined>();
  readonly status: StatusConvention;
  private readonly failurePattern: RegExp;
  private readonly typescriptOutParameterProperty: string | undefined;

  constructor(config: Config) {
    let typescriptOutParameterProperty: string | undefined;
    for (const name of config.models) {
      const pack = builtinPacks.get(name);
      if (!pack) throw new Error(`unknown model pack '${name}' (known: ${[...builtinPacks.keys()].join(", ")})`);
      typescriptOutParameterProperty ??= pack.typescriptOutParameterProperty;
      for (const family of pack.families) this.families.set(family.name, family);
      for (const fn of pack.functions) this.entries.set(fn.name, fn);
      for (const role of pack.roles) this.addRole(role);
    }
    for (const [language, packs] of languagePacks) {
      for (const family of packs.flatMap((pack) => pack.families)) if (!this.families.has(family.name)) this.families.set(family.name, family);
      this.languageEntries.set(language, new Map(packs.flatMap((pack) => pack.functions.map((fn) => [fn.name, fn] as const))));
    }
    for (const [name, override] of Object.entries(config.families)) {
      const base = this.families.get(name);
      this.families.set(name, {
        name,
        noun: override.noun ?? base?.noun ?? name,
        unknownCalls: override.unknownCalls ?? base?.unknownCalls ?? "escape",
        leakRule: override.leakRule ?? base?.leakRule ?? "leak",
        doubleReleaseRule: override.doubleReleaseRule ?? base?.doubleReleaseRule ?? "double-free",
        unreleasableVariants: override.unreleasableVariants ?? base?.unreleasableVariants,
      });
    }
    for (const [name, spec] of Object.entries(config.functions)) {
      this.entries.set(name, { name, effects: spec.effects, returns: spec.returns, doc: spec.doc, origin: "vmbguard.json" });
      for (const effect of spec.effects) {
        if ("family" in effect && !this.families.has(effect.family)) this.families.set(effect.family, defaultFamily(effect.family));
      }
    }
    for (const role of config.roles) this.addRole(role);
    this.typescriptOutParameterProperty = typescriptOutParameterProperty;
    this.status = statusConventionOf(config.models);
    this.failurePattern = new RegExp(this.status.failureConstantPattern);
  }

  private addRole(role: RoleDef): void {
    this.roles.set(role.name, role);
    for (const typedef of role.typedefs) this.roleByTypedef.set(typedef, role);
  }

  /** The model entry for a called name: explicit entries first, then learned ones. */
  lookup(name: string): ModelEntry | undefined {
    return this.entries.get(name);
  }

  /** The entry of a language's own library (`push` on an array), for calls no other entry or summary models. */
  languageEntry(language: string, name: string): ModelEntry | undefined {
    return this.languageEntries.get(language)?.get(name);
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** Adds a learned entry (SAL or summary) unless the name is modelled explicitly. */
  learn(entry: ModelEntry): boolean {
    const existing = this.entries.get(entry.name);
    if (existing && !isLearned(existing)) return false;
    this.entries.set(entry.name, entry);
    if (!entry.effects.every((effect) => !("family" in effect) || this.families.has(effect.family))) {
      for (const effect of entry.effects) {
        if ("family" in effect && !this.families.has(effect.family)) this.families.set(effect.family, defaultFamily(effect.family));
      }
    }
    return true;
  }

  family(name: string): FamilyDef {
    return this.families.get(name) ?? defaultFamily(name);
  }

  /** A function of the model that releases `family`, for messages and fixes ("VmbPacketFree"). */
  releaserOf(family: string): string | undefined {
    if (!this.releasers.has(family)) this.releasers.set(family, this.findReleaser(family));
    return this.releasers.get(family);
  }

  private findReleaser(family: string): string | undefined {
    for (const entry of this.entries.values()) {
      // A summarized wrapper is not what the user would call: prefer the API itself.
      if (entry.origin.startsWith("summary")) continue;
      if (entry.effects.some((effect) => effect.kind === "release" && effect.family === family && (effect.when ?? "always") === "always")) return entry.name;
    }
    return undefined;
  }

  outParameterProperty(language: SourceLanguage): string | undefined {
    return language === "ts" ? this.typescriptOutParameterProperty : undefined;
  }

  /** The registry knows no program: its globals come with the functions analyzed (analysis/summaryTable.ts). */
  globalConstant(): undefined {
    return undefined;
  }

  /** Whether a named constant is a success status (true), a failure status (false), or neither. */
  statusConstant(name: string): boolean | undefined {
    if (this.status.successConstants.includes(name)) return true;
    if (this.failurePattern.test(name)) return false;
    return undefined;
  }
}

export const learnedOrigins = ["SAL", "declaration", "summary"];

export function isLearned(entry: ModelEntry): boolean {
  return learnedOrigins.some((origin) => entry.origin.startsWith(origin));
}

function defaultFamily(name: string): FamilyDef {
  // SAL families are named after the annotation's memory kind (`sal:Mem`): call them allocations.
  const noun = name.startsWith("sal:") ? "allocation" : name;
  return { name, noun, unknownCalls: "escape", leakRule: "leak", doubleReleaseRule: "double-free" };
}
