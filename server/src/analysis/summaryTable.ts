// Summaries of user functions, and which one a call applies. A call resolves the way the call
// graph's edges do: a function defined in the caller's own file (a static helper) wins over a
// namesake elsewhere; among several candidates the last in file-and-position order counts, so
// the answer never depends on the order in which summaries arrived.
import type { SourceLanguage } from "../ir/ir";
import type { FamilyDef, ModelEntry } from "../model/model";
import { isLearned, type ModelRegistry, type ModelView } from "../model/registry";

export interface SummaryUpdate {
  /** The function's place among all functions, ordered by file and then position. */
  order: number;
  name: string;
  file: string;
  entry: ModelEntry;
}

export class SummaryTable {
  /** By function name, each list sorted by `order`. */
  private readonly byName = new Map<string, SummaryUpdate[]>();

  apply(update: SummaryUpdate): void {
    const list = this.byName.get(update.name);
    if (!list) {
      this.byName.set(update.name, [update]);
      return;
    }
    const at = list.findIndex((known) => known.order >= update.order);
    if (at === -1) list.push(update);
    else if (list[at].order === update.order) list[at] = update;
    else list.splice(at, 0, update);
  }

  /** The summary a call of `name` applies from `callerFile`; `definedInCaller`: that file defines a function of the name. */
  resolve(name: string, callerFile: string, definedInCaller: boolean): ModelEntry | undefined {
    const list = this.byName.get(name);
    if (!list) return undefined;
    for (let i = list.length - 1; i >= 0; i--) {
      if (!definedInCaller || list[i].file === callerFile) return list[i].entry;
    }
    return undefined;
  }
}

/**
 * The model as the functions of one file see it: explicit entries, then summaries, then what SAL
 * taught; and the globals of the program that keep their initial value.
 */
export class CallerModel implements ModelView {
  constructor(
    private readonly registry: ModelRegistry,
    private readonly summaries: SummaryTable,
    private readonly file: string,
    private readonly namesDefinedInFile: ReadonlySet<string>,
    private readonly globalConstants: ReadonlyMap<string, number | null> = new Map(),
    private readonly language: SourceLanguage = "c",
  ) {}

  globalConstant(name: string): number | null | undefined {
    return this.globalConstants.get(name);
  }

  lookup(name: string): ModelEntry | undefined {
    const base = this.registry.lookup(name);
    if (base && !isLearned(base)) return base;
    return this.summaries.resolve(name, this.file, this.namesDefinedInFile.has(name)) ?? base ?? this.registry.languageEntry(this.language, name);
  }

  family(name: string): FamilyDef {
    return this.registry.family(name);
  }

  releaserOf(family: string): string | undefined {
    return this.registry.releaserOf(family);
  }

  outParameterProperty(language: SourceLanguage): string | undefined {
    return this.registry.outParameterProperty(language);
  }

  statusConstant(name: string): boolean | undefined {
    return this.registry.statusConstant(name);
  }
}
