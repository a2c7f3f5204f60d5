// The analysis of each function, kept from one check of a project to the next (the language
// server checks the same folder after every edit). A function is analyzed again only when
// something its analysis read may have changed: its IR (compared with lines counted from the
// function's own start, so a function pushed down by lines inserted above it still matches), its
// role, the configuration, or any answer the model gave it (the summaries and model entries of
// what it calls, the global constants it read). The engine is deterministic and reads nothing
// else, so a reused result is the result a new analysis would give, its lines shifted. The digests
// of a lowered file (its calls, roles, SAL entries) are kept with it too, and each function's with the
// IR it was copied from: they depend on nothing else (a closure registered as a callback is named
// from its own file, which a copied function shares with its original).
import type { SourceLanguage } from "../ir/ir";
import type { Config } from "../config/config";
import type { IrFile, IrFunction } from "../ir/ir";
import { originOf, sameShiftedFunction, shiftRange } from "../ir/shift";
import type { ModelEntry } from "../model/model";
import type { ModelView } from "../model/registry";
import type { RawFinding } from "./engine";
import type { FixHint, PathStep } from "./findings";
import type { FileDigest, FunctionDigest } from "./shard";
import { summaryDoc } from "./summaries";

type Question = keyof ModelView;

/** One question the analysis asked the model, and the answer it got. */
interface ModelAnswer {
  question: Question;
  subject: string;
  answer: unknown;
}

export interface ReuseCounts {
  reused: number;
  analyzed: number;
}

/** A function's findings and summary, as a check with reuse hands them on. */
export interface FunctionResult {
  findings: RawFinding[];
  summary: ModelEntry | undefined;
}

/** What a shard learns of a file as it takes it in. */
export interface FileDigests {
  file: FileDigest;
  functions: FunctionDigest[];
}

interface CachedResult extends FunctionResult {
  ir: IrFunction;
  role: string | undefined;
  answers: readonly ModelAnswer[];
}

/** The model as one function's analysis sees it, noting every answer it gives. */
export class RecordingModelView implements ModelView {
  private readonly answered = new Map<string, ModelAnswer>();

  constructor(private readonly model: ModelView) {}

  get answers(): ModelAnswer[] {
    return [...this.answered.values()];
  }

  lookup(name: string): ModelEntry | undefined {
    return this.note("lookup", name) as ModelEntry | undefined;
  }

  family(name: string): ReturnType<ModelView["family"]> {
    return this.note("family", name) as ReturnType<ModelView["family"]>;
  }

  releaserOf(family: string): string | undefined {
    return this.note("releaserOf", family) as string | undefined;
  }

  statusConstant(name: string): boolean | undefined {
    return this.note("statusConstant", name) as boolean | undefined;
  }

  globalConstant(name: string): number | null | undefined {
    return this.note("globalConstant", name) as number | null | undefined;
  }

  outParameterProperty(language: SourceLanguage): string | undefined {
    return this.note("outParameterProperty", language) as string | undefined;
  }

  private note(question: Question, subject: string): unknown {
    const key = `${question}\u0000${subject}`;
    const known = this.answered.get(key);
    if (known !== undefined) return known.answer;
    const answer = ask(this.model, question, subject);
    this.answered.set(key, { question, subject, answer });
    return answer;
  }
}

export class FunctionResultCache {
  private readonly results = new Map<string, CachedResult>();
  /** Results looked up or stored since the last sweep: the others belong to functions that are gone. */
  private readonly touched = new Set<string>();
  /** Every result was computed under this configuration (its budget, rules, models, roles). */
  private config: Config | undefined;
  private digests = new WeakMap<IrFile, FileDigests>();
  /** By the IR a function was copied from (ir/shift.ts): a moved function's digest differs only in its line. */
  private functionDigests = new WeakMap<IrFunction, FunctionDigest>();
  private counting: ReuseCounts = { reused: 0, analyzed: 0 };
  /** How many analyses the last completed check reused and made (a recursive function's every round counts). */
  lastCheck: ReuseCounts = { reused: 0, analyzed: 0 };

  /** A check under `config` starts: results of another configuration are dropped. */
  useWith(config: Config): void {
    if (this.config === config) return;
    this.config = config;
    this.digests = new WeakMap();
    this.functionDigests = new WeakMap();
    this.results.clear();
    this.touched.clear();
  }

  /** The digests of `file`, made by `make` the first time this lowering of it is met. */
  digestsOf(file: IrFile, make: () => FileDigests): FileDigests {
    let digests = this.digests.get(file);
    if (digests === undefined) this.digests.set(file, (digests = make()));
    return digests;
  }

  /** The digest of `fn`, made by `make` the first time its IR, or the IR it was copied from, is met. */
  functionDigestOf(fn: IrFunction, make: () => FunctionDigest): FunctionDigest {
    const origin = originOf(fn).ir;
    const digest = this.functionDigests.get(origin);
    if (digest === undefined) {
      const made = make();
      this.functionDigests.set(origin, made);
      return made;
    }
    return digest.line === fn.range.start.line ? digest : { ...digest, line: fn.range.start.line, endLine: fn.range.end.line };
  }

  /** The result of `fn`'s previous analysis, if it is still its result: its IR, role and model answers are the same. */
  reusable(fn: IrFunction, role: string | undefined, model: ModelView): FunctionResult | undefined {
    const key = keyOf(fn);
    this.touched.add(key);
    const cached = this.results.get(key);
    if (cached === undefined || cached.role !== role) return undefined;
    const lines = fn.range.start.line - cached.ir.range.start.line;
    if (!sameShiftedFunction(cached.ir, fn, lines) && !sameIr(cached.ir, fn, lines)) return undefined;
    if (!cached.answers.every((known) => sameAnswer(known.question, known.answer, ask(model, known.question, known.subject)))) return undefined;
    this.counting.reused++;
    if (cached.ir === fn) return cached;
    // The same function lowered again (its file was edited): keep the new IR, the old one can go.
    const current: CachedResult =
      lines === 0
        ? { ...cached, ir: fn }
        : { ...cached, ir: fn, findings: cached.findings.map((finding) => shiftFinding(finding, lines)), summary: cached.summary && { ...cached.summary, doc: summaryDoc(fn) } };
    this.results.set(key, current);
    return current;
  }

  /** Keeps a new analysis of `fn`; an incomplete one (a budget reached, possibly in time) is not kept. */
  remember(fn: IrFunction, role: string | undefined, recorder: RecordingModelView, result: FunctionResult, incomplete: boolean): void {
    const key = keyOf(fn);
    this.touched.add(key);
    this.counting.analyzed++;
    if (incomplete) this.results.delete(key);
    else this.results.set(key, { ...result, ir: fn, role, answers: recorder.answers });
  }

  /** A check completed: the results of functions it did not meet are dropped. */
  sweep(): void {
    for (const key of this.results.keys()) if (!this.touched.has(key)) this.results.delete(key);
    this.touched.clear();
    this.lastCheck = this.counting;
    this.counting = { reused: 0, analyzed: 0 };
  }
}

function keyOf(fn: IrFunction): string {
  return `${fn.file}\u0000${fn.id}`;
}

function ask(model: ModelView, question: Question, subject: string): unknown {
  switch (question) {
    case "lookup":
      return model.lookup(subject);
    case "family":
      return model.family(subject);
    case "releaserOf":
      return model.releaserOf(subject);
    case "statusConstant":
      return model.statusConstant(subject);
    case "globalConstant":
      return model.globalConstant(subject);
    case "outParameterProperty":
      return model.outParameterProperty(subject === "ts" ? "ts" : "c");
  }
}

function sameAnswer(question: Question, a: unknown, b: unknown): boolean {
  if (a === b) return true;
  // A summary's `doc` names where its function is, for hovers; the engine never reads it.
  if (question === "lookup" && isObject(a) && isObject(b)) return sameData({ ...a, doc: undefined }, { ...b, doc: undefined }, 0);
  return sameData(a, b, 0);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

/** Whether `later` is `earlier` moved by `lines`; an IR nested too deeply to compare is analyzed again (the engine reports it). */
function sameIr(earlier: IrFunction, later: IrFunction, lines: number): boolean {
  try {
    return sameData(earlier, later, lines);
  } catch (error) {
    if (error instanceof RangeError) return false;
    throw error;
  }
}

/**
 * Structural equality of plain data (IR, model entries, families): the same keys, even those set to
 * undefined, and the same values, except that every `line` of `later` is `lines` more than in
 * `earlier` (in the IR only positions have a `line`: a function moved by `lines`).
 */
function sameData(earlier: unknown, later: unknown, lines: number): boolean {
  if (earlier === later) return true;
  if (!isObject(earlier) || !isObject(later)) return false;
  // Loops rather than array methods: this walks the whole IR of every function of an edited file.
  if (Array.isArray(earlier) || Array.isArray(later)) {
    if (!Array.isArray(earlier) || !Array.isArray(later) || earlier.length !== later.length) return false;
    for (let i = 0; i < earlier.length; i++) if (!sameData(earlier[i], later[i], lines)) return false;
    return true;
  }
  const keys = Object.keys(earlier);
  if (keys.length !== Object.keys(later).length) return false;
  for (const key of keys) {
    const a = earlier[key];
    const b = later[key];
    if (key === "line" && typeof a === "number") {
      if (a + lines !== b) return false;
    } else if (!sameData(a, b, lines) || (b === undefined && !Object.prototype.hasOwnProperty.call(later, key))) {
      return false;
    }
  }
  return true;
}

function shiftStep(step: PathStep, lines: number): PathStep {
  return { ...step, range: shiftRange(step.range, lines) };
}

function shiftFix(fix: FixHint, lines: number): FixHint {
  switch (fix.kind) {
    case "insert-release":
      return { ...fix, before: shiftRange(fix.before, lines) };
    case "remove-statement":
      return { ...fix, range: shiftRange(fix.range, lines) };
    case "null-after-release":
      return { ...fix, after: shiftRange(fix.after, lines) };
  }
}

function shiftFinding(finding: RawFinding, lines: number): RawFinding {
  return {
    ...finding,
    range: shiftRange(finding.range, lines),
    ...(finding.acquiredAt ? { acquiredAt: shiftRange(finding.acquiredAt, lines) } : {}),
    path: finding.path.map((step) => shiftStep(step, lines)),
    fixes: finding.fixes.map((fix) => shiftFix(fix, lines)),
  };
}
