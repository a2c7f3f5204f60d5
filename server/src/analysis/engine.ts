// The path-sensitive typestate engine for one function (ENGINE.md): a bounded exploded
// graph over the CFG, with states that track resources, bindings and facts. It reads only IR
// and model entries; it knows no API by name.
import type { BasicBlock, Callee, Expr, IrFunction, SourceRange } from "../ir/ir";
import { locationText } from "../ir/ir";
import { evaluateBinary, type BinaryOperator } from "../ir/arithmetic";
import { exprText } from "../ir/print";
import type { DeclaredParameters, Effect, FieldStep, GlobalVariable, ModelEntry, Outcome } from "../model/model";
import { isLearned, type ModelView } from "../model/registry";
import { anyFamily } from "../model/model";
import type { FixHint, PathStep } from "./findings";
import { lineMention } from "./lineMentions";
import { State, unknownValue, valueKey, type GlobalField, type Knowledge, type ParamField, type Resource, type Value } from "./state";

export interface EngineBudget {
  maxStates: number;
  maxMillis: number;
}

/** A finding before severities, suppressions and fingerprints are applied. */
export interface RawFinding {
  ruleId: string;
  message: string;
  range: SourceRange;
  family?: string;
  acquiredAt?: SourceRange;
  path: PathStep[];
  fixes: FixHint[];
}

export interface ExitRecord {
  state: State;
  returnValue: Value;
  kind: "return" | "throw";
  /** The statement that leaves the function (or the end of its body). */
  range: SourceRange;
}

export interface FunctionAnalysis {
  findings: RawFinding[];
  exits: ExitRecord[];
  /** The unknown values that are what a field of a parameter held at entry (`this->m_packet`). */
  paramFieldOfSym: ReadonlyMap<number, ParamField>;
  /** Parameters whose unknown value was passed to a call without a model (for summaries). */
  paramsPassedOn: Set<number>;
  /** Parameters the function dereferences (`p->f`, `*p`, `p[i]`) while they are still unknown values. */
  paramsDereferenced: Set<number>;
  /** Parameters a handle the function acquired keeps reachable (an MDL made for a caller's buffer). */
  paramsAttached: Set<number>;
  /** Variables not the function's own whose value, as the function found it, it dereferences. */
  globalsDereferenced: Set<string>;
  /** Variables not the function's own that it, or a function it calls, assigns. */
  globalsWritten: GlobalVariable[];
  incomplete: boolean;
  statesExplored: number;
}

/** Families owned by parameters at entry (callback roles). */
export type EntryOwnership = Map<number, { family: string; variant?: string }>;

interface Out {
  s: State;
  v: Value;
}

/** Each loop header is entered this many times per path before the path is widened, then dropped. */
const loopUnroll = 2;

export function analyzeFunction(fn: IrFunction, registry: ModelView, entryOwnership: EntryOwnership, budget: EngineBudget): FunctionAnalysis {
  return new FunctionAnalyzer(fn, registry, entryOwnership, budget).run();
}

/** The location a summary names by a variable not the caller's own, and maybe a field of it (`g_Adapter->Pending`, `this.pending`). */
function globalLocation(global: GlobalVariable, field: FieldStep | undefined, range: SourceRange): Expr {
  const variable: Expr = { kind: "var", name: global.name, range };
  return field === undefined ? variable : memberOf(variable, field, range);
}

/**
 * The caller's location for a step from what an argument points to: `Helper(&obj)` reaches
 * `obj.Field` for the callee's `Obj->Field`, and `obj` itself for its `*Obj`.
 */
function memberOf(arg: Expr, field: FieldStep, range: SourceRange): Expr {
  if (field.op === "*") return arg.kind === "addr" ? arg.target : { kind: "deref", target: arg, range };
  if (arg.kind === "addr" && field.op === "->") return { kind: "field", base: arg.target, field: field.name, op: ".", range };
  return { kind: "field", base: arg, field: field.name, op: field.op, range };
}

/** The expression a location is reached through (`p` of `p->f`, `*p`, `p[i]`), if any. */
function baseOf(location: Expr): Expr | undefined {
  return location.kind === "field" || location.kind === "index" ? location.base : location.kind === "deref" ? location.target : undefined;
}

class FunctionAnalyzer {
  private readonly findings: RawFinding[] = [];
  private readonly findingKeys = new Set<string>();
  private readonly exits: ExitRecord[] = [];
  private readonly blocks = new Map<number, BasicBlock>();
  private readonly predecessors = new Map<number, number>();
  private readonly loopHeaders = new Set<number>();
  private readonly paramsPassedOn = new Set<number>();
  private readonly paramsDereferenced = new Set<number>();
  private readonly paramsAttached = new Set<number>();
  private readonly globalsDereferenced = new Set<string>();
  private readonly globalsWritten = new Map<string, GlobalVariable>();
  /** Symbols that stand for a named constant, by name: two different names are taken as different values. */
  private readonly namedConstants = new Map<number, string>();
  private readonly locals = new Set<string>();
  private nextSym: number;
  private readonly symBySite = new Map<string, number>();
  /** Symbols read from a field of a parameter's target on entry (`Context->Packet`). */
  private readonly paramFieldOfSym = new Map<number, ParamField>();
  /** Values of the current call's `assign` and `returns-field` effects (readBeforeEffects). */
  private readonly preread = new Map<Effect, Value>();
  private readonly globalFieldOfSym = new Map<number, GlobalField>();
  /** Branch conditions tested more than once: only facts about them can decide a later branch. */
  private readonly retested = new Set<string>();
  /** What each branch block's condition tests (see subjectOf). */
  private readonly branchSubjects = new Map<number, string>();
  private readonly conditionTexts = new Map<number, string>();
  private nextResource = 1;
  /** Parameter symbols are 0..n-1. */
  private readonly paramCount: number;

  constructor(
    private readonly fn: IrFunction,
    private readonly registry: ModelView,
    private readonly entryOwnership: EntryOwnership,
    private readonly budget: EngineBudget,
  ) {
    for (const block of fn.blocks) {
      this.blocks.set(block.id, block);
      const t = block.terminator;
      const targets = t.kind === "goto" ? [t.target] : t.kind === "branch" ? [t.then, t.else] : [];
      for (const target of targets) this.predecessors.set(target, (this.predecessors.get(target) ?? 0) + 1);
    }
    for (const param of fn.params) this.locals.add(param.name);
    for (const block of fn.blocks) {
      for (const instr of block.instrs) {
        if (instr.kind === "declare") this.locals.add(instr.name);
        if (instr.kind === "assign" && instr.declaration && instr.target.kind === "var") this.locals.add(instr.target.name);
      }
    }
    this.paramCount = fn.params.length;
    this.findLoopHeaders();
    this.nextSym = this.paramCount;
    const tested = new Set<string>();
    for (const block of fn.blocks) {
      if (block.terminator.kind !== "branch") continue;
      const subject = this.subjectOf(block.terminator.cond);
      this.branchSubjects.set(block.id, subject);
      if (tested.has(subject)) this.retested.add(subject);
      tested.add(subject);
    }
  }

  run(): FunctionAnalysis {
    const start = Date.now();
    const initial = State.initial();
    this.fn.params.forEach((param, index) => {
      const owned = this.entryOwnership.get(index);
      if (owned) {
        const id = this.nextResource++;
        initial.resources.set(id, {
          id,
          family: owned.family,
          variant: owned.variant,
          state: "owned",
          nullness: "nonnull",
          mayBeNull: false,
          acquiredAt: param.range,
          paramIndex: index,
          origin: "role",
          since: 0,
        });
        initial.bindings.set(param.name, { k: "res", id });
        initial.addStep({ message: `'${param.name}' receives a ${this.registry.family(owned.family).noun} the callee must release`, file: this.fn.file, range: param.range, kind: "acquire" }, id);
      } else {
        initial.bindings.set(param.name, { k: "sym", id: index });
      }
    });

    const queue: { block: number; state: State }[] = [{ block: this.fn.entry, state: initial }];
    // What the paths that reached each merge point knew, by knowledge hash.
    const seen = new Map<number, Map<number, Knowledge[]>>();
    let explored = 0;
    let incomplete = false;
    for (let head = 0; head < queue.length; head++) {
      const { block: blockId, state } = queue[head];
      queue[head] = undefined as never; // let finished states be collected
      if (++explored > this.budget.maxStates || ((explored & 63) === 0 && Date.now() - start > this.budget.maxMillis)) {
        incomplete = true;
        break;
      }
      const block = this.blocks.get(blockId);
      if (!block) continue;
      if (this.loopHeaders.has(blockId)) {
        const visits = (state.loopVisits.get(blockId) ?? 0) + 1;
        if (visits > loopUnroll + 1) continue;
        state.loopVisits.set(blockId, visits);
        if (visits === loopUnroll + 1) this.widen(state);
      }
      // Only where paths meet can two of them arrive in the same state.
      if (this.loopHeaders.has(blockId) || (this.predecessors.get(blockId) ?? 0) > 1) {
        const hash = state.knowledgeHash();
        let known = seen.get(blockId);
        if (!known) seen.set(blockId, (known = new Map()));
        const candidates = known.get(hash);
        if (candidates?.some((other) => state.knowsAs(other))) continue;
        if (candidates) candidates.push(state.knowledge());
        else known.set(hash, [state.knowledge()]);
      }

      let states = [state];
      for (const instr of block.instrs) {
        const next: State[] = [];
        for (const s of states) next.push(...this.execInstr(s, instr));
        states = next;
      }
      for (const s of states) {
        for (const successor of this.terminate(s, block)) queue.push(successor);
      }
    }
    if (incomplete) {
      this.report(
        undefined,
        {
          ruleId: "analysis-incomplete",
          message: `The analysis of '${this.fn.name}' stopped at its budget (${this.budget.maxStates} states or ${this.budget.maxMillis} ms): findings for it may be missing.`,
          range: this.fn.nameRange,
          path: [],
          fixes: [],
        },
      );
    }
    return { findings: this.findings, exits: this.exits, paramFieldOfSym: this.paramFieldOfSym, paramsPassedOn: this.paramsPassedOn, paramsDereferenced: this.paramsDereferenced, paramsAttached: this.paramsAttached, globalsDereferenced: this.globalsDereferenced, globalsWritten: [...this.globalsWritten.values()], incomplete, statesExplored: explored };
  }

  /**
   * Loop headers are the targets of back edges (a `goto` upwards makes a loop too), found by a
   * depth-first walk; the frontend's own marks are kept.
   */
  private findLoopHeaders(): void {
    for (const block of this.fn.blocks) if (block.loopHeader) this.loopHeaders.add(block.id);
    const onPath = new Set<number>();
    const done = new Set<number>();
    const successors = (id: number): number[] => {
      const t = this.blocks.get(id)?.terminator;
      return t?.kind === "goto" ? [t.target] : t?.kind === "branch" ? [t.then, t.else] : [];
    };
    const stack: { id: number; next: number }[] = [{ id: this.fn.entry, next: 0 }];
    onPath.add(this.fn.entry);
    while (stack.length > 0) {
      const frame = stack[stack.length - 1];
      const targets = successors(frame.id);
      if (frame.next < targets.length) {
        const target = targets[frame.next++];
        if (onPath.has(target)) this.loopHeaders.add(target);
        else if (!done.has(target) && this.blocks.has(target)) {
          onPath.add(target);
          stack.push({ id: target, next: 0 });
        }
        continue;
      }
      stack.pop();
      onPath.delete(frame.id);
      done.add(frame.id);
    }
  }

  /** Past the unroll bound, forget constants (loop counters) so the loop exit becomes reachable. */
  private widen(state: State): void {
    for (const [location, value] of state.bindings) {
      if (value.k === "int") state.bindings.set(location, this.freshSym(`widen:${location}`));
    }
  }

  // ---------- instructions ----------

  private execInstr(s: State, instr: BasicBlock["instrs"][number]): State[] {
    switch (instr.kind) {
      case "assign":
        return each(this.eval(s, instr.value), ({ s: next, v }) =>
          this.evalBase(next, instr.target).map(({ s: stored }) => {
            this.write(stored, instr.target, v, instr.range, instr.declaration === true);
            return stored;
          }),
        );
      case "declare": {
        const old = s.bindings.get(instr.name);
        s.bindings.set(instr.name, this.freshSym(`declare:${instr.name}@${at(instr.range)}`));
        if (old?.k === "res") this.checkLost(s, old.id, instr.range, "overwrite");
        return [s];
      }
      case "eval":
        return this.eval(s, instr.expr).map(({ s: next, v }) => {
          if (v.k === "res") this.checkLost(next, v.id, instr.range, "dropped");
          return next;
        });
      case "scope-end": {
        const dropped: [number, string][] = [];
        for (const name of instr.names) {
          const value = s.bindings.get(name);
          s.bindings.delete(name);
          if (value?.k === "res") dropped.push([value.id, name]);
        }
        for (const [id, name] of dropped) this.checkLost(s, id, instr.range, "scope", name);
        return [s];
      }
    }
  }

  private terminate(s: State, block: BasicBlock): { block: number; state: State }[] {
    const t = block.terminator;
    switch (t.kind) {
      case "goto":
        return [{ block: t.target, state: s }];
      case "branch": {
        const successors: { block: number; state: State }[] = [];
        const retested = this.retested.has(this.branchSubjects.get(block.id) ?? this.subjectOf(t.cond));
        // A branch on nothing in the source (an exception may be raised here, one more element?)
        // is told by the label of the block it goes to, if any.
        const opaque = t.cond.kind === "unknown" && t.cond.parts.length === 0;
        for (const { s: evaluated, v } of this.eval(s, t.cond)) {
          for (const [next, truth] of this.split(evaluated, v, retested)) {
            const target = truth ? t.then : t.else;
            const message = opaque ? this.fn.blocks[target].label : `taken: '${t.text ?? this.conditionText(block.id, t.cond)}' is ${truth ? "true" : "false"}`;
            if (message !== undefined) next.addStep({ message, file: this.fn.file, range: t.range, kind: "branch" });
            successors.push({ block: target, state: next });
          }
        }
        return successors;
      }
      case "return":
      case "throw": {
        const outs = t.value ? this.eval(s, t.value) : [{ s, v: unknownValue }];
        for (const { s: next, v } of outs) this.exit(next, t.kind === "return" ? v : unknownValue, t.range, t.kind);
        return [];
      }
      case "unreachable":
        return [];
    }
  }

  private exit(s: State, returnValue: Value, range: SourceRange, kind: "return" | "throw"): void {
    if (kind === "return" && returnValue.k === "res") {
      const res = s.resources.get(returnValue.id)!;
      if (res.state === "owned") {
        s.update(res.id, { state: "escaped" });
        s.addStep({ message: `returned to the caller here`, file: this.fn.file, range, kind: "escape" }, res.id);
      }
    }
    for (const res of s.resources.values()) {
      if (this.isLive(s, res)) this.reportLeak(s, res, range, kind === "throw" ? "throw" : "exit");
    }
    this.exits.push({ state: s, returnValue, kind, range });
  }

  /** Whether the path still owes a release of `res` (a buffer its live MDL describes does not count). */
  private isLive(s: State, res: Resource): boolean {
    if (res.state !== "owned" || res.nullness === "null") return false;
    const family = this.registry.family(res.family);
    if (res.variant && family.unreleasableVariants?.includes(res.variant)) return false;
    const holder = res.heldBy !== undefined ? s.resources.get(res.heldBy) : undefined;
    return !holder || holder.nullness === "null" || holder.state === "released";
  }

  /** A resource whose last holder is gone while it is still owned is leaked at `range`. */
  private checkLost(s: State, id: number, range: SourceRange, why: "overwrite" | "dropped" | "scope", lastHolder?: string): void {
    const res = s.resources.get(id);
    if (!res || !this.isLive(s, res)) return;
    if (s.holders(id).length > 0) return;
    this.reportLeak(s, res, range, why, lastHolder);
    // Reported once: the resource is gone from this path (the step says where, for hovers).
    s.update(id, { state: "escaped" });
    s.addStep({ message: "leaked here: its last handle is gone", file: this.fn.file, range, kind: "exit" }, id);
  }

  private reportLeak(s: State, res: Resource, range: SourceRange, why: "exit" | "throw" | "overwrite" | "dropped" | "scope", lastHolder?: string): void {
    const family = this.registry.family(res.family);
    const holder = s.holders(res.id)[0] ?? lastHolder;
    const what = this.describe(res, holder);
    const releaser = this.registry.releaserOf(res.family);
    const how = {
      exit: "when the function returns",
      throw: "when the exception leaves the function",
      overwrite: "when its last handle is overwritten",
      dropped: "because its handle is not kept",
      scope: "when its last handle goes out of scope",
    }[why];
    const neither = releaser ? ` without ${releaser}` : "";
    const fixes: FixHint[] = [];
    if (holder && releaser && (why === "exit" || why === "throw")) {
      fixes.push({ kind: "insert-release", file: this.fn.file, before: range, callText: this.releaseSpelling(res, releaser), handleText: holder });
    }
    this.report(res, {
      ruleId: family.leakRule,
      message: `${capitalize(what)} is leaked ${how}${neither}: it is still owned on this path.`,
      range,
      family: res.family,
      acquiredAt: res.acquiredAt,
      path: this.pathFor(s, res, { message: `leaked here`, file: this.fn.file, range, kind: "exit" }),
      fixes,
    });
  }

  /** The release call in the acquisition's own spelling: `Kmcl->VmbPacketAllocate` gives `Kmcl->VmbPacketFree`. */
  private releaseSpelling(res: Resource, releaser: string): string {
    if (res.acquiredCallText && res.acquiredBy && res.acquiredCallText.endsWith(res.acquiredBy)) {
      return res.acquiredCallText.slice(0, res.acquiredCallText.length - res.acquiredBy.length) + releaser;
    }
    return releaser;
  }

  /** A line a message names: relative to the function until it is reported (lineMentions.ts). */
  private lineOf(range: SourceRange): string {
    return lineMention(range, this.fn.range.start.line);
  }

  private describe(res: Resource, holder?: string): string {
    const noun = res.family ? this.registry.family(res.family).noun : "handle";
    const origin = res.acquiredBy && res.acquiredAt ? ` from ${res.acquiredBy} (line ${this.lineOf(res.acquiredAt)})` : "";
    return holder ? `the ${noun} '${holder}'${origin}` : `the ${noun}${origin}`;
  }

  // ---------- storage ----------

  private locationKey(e: Expr): string | undefined {
    switch (e.kind) {
      case "var":
        return e.name;
      case "field": {
        const base = this.locationKey(e.base);
        return base === undefined ? undefined : `${base}${e.op}${e.field}`;
      }
      case "index": {
        const base = this.locationKey(e.base);
        if (base === undefined) return undefined;
        // A slot picked by a run-time index is a different slot each time: it is not one location.
        if (e.index.kind !== "const") return undefined;
        // `p[0]` is `*p`: one location, whichever way it is written.
        return e.index.value === 0 ? derefKey(base) : `${base}[${String(e.index.value)}]`;
      }
      case "deref": {
        const target = this.locationKey(e.target);
        return target === undefined ? undefined : derefKey(target);
      }
      default:
        return undefined;
    }
  }

  /** Whether storing into `e` keeps the value beyond this function (RULES.md: escaped). */
  private outlives(e: Expr): boolean {
    switch (e.kind) {
      case "var":
        return !this.locals.has(e.name);
      case "field":
        return this.fn.language === "ts" || e.op === "->" || this.outlives(e.base);
      case "index":
        return this.fn.language === "ts" || this.outlives(e.base);
      default:
        return true;
    }
  }

  /** `*p` where `p` holds `&x` is `x` itself (Juliet's `char **dataPtr = &data`). */
  private throughPointer(s: State, e: Expr): Expr {
    if (e.kind !== "deref") return e;
    const key = this.locationKey(e.target);
    const pointer = key !== undefined ? s.bindings.get(key) : undefined;
    return pointer?.k === "ptr" ? pointer.target : e;
  }

  /** @param inFlight a resource the expression being evaluated still carries (a call's result): overwriting its last handle loses nothing. */
  private write(s: State, written: Expr, v: Value, range: SourceRange, declaration: boolean, inFlight?: Value): void {
    const target = this.throughPointer(s, written);
    const key = this.locationKey(target);
    // A parameter kept where it outlives the call (an array slot of another parameter's object, a
    // global): the callee's summary says the caller's handle is kept.
    if (v.k === "sym" && v.id < this.paramCount && !declaration && (key === undefined || this.outlives(target))) {
      const values = [v];
      const res = this.resourceFor(s, values, 0, anyFamily);
      if (res) v = values[0];
    }
    if (key === undefined) {
      if (v.k === "res") this.escape(s, v.id, range, `stored through '${exprText(target)}'`);
      return;
    }
    if (target.kind === "var") this.noteWrite(target.name, this.fn.file);
    const old = s.bindings.get(key);
    s.bindings.set(key, v);
    forgetInside(s, key);
    if (v.k === "res" && !declaration && this.outlives(target)) this.escape(s, v.id, range, `stored in '${exprText(target)}'`);
    if (old?.k === "res" && !(v.k === "res" && v.id === old.id) && !(inFlight?.k === "res" && inFlight.id === old.id)) this.checkLost(s, old.id, range, "overwrite");
  }

  private escape(s: State, id: number, range: SourceRange, how: string): void {
    const res = s.resources.get(id)!;
    if (res.state !== "owned" && res.state !== "borrowed") return;
    s.update(id, { state: "escaped" });
    s.addStep({ message: `${how}: no longer this function's to release`, file: this.fn.file, range, kind: "escape" }, id);
  }

  /** The resource whose memory a field or slot expression lies in (`item` for `item->Link`). */
  private ownerOf(s: State, e: Expr): Resource | undefined {
    let base: Expr = e;
    while (base.kind === "field" || base.kind === "index") {
      if (base.kind === "field" && base.op === "." && base.base.kind === "var") return undefined;
      base = base.base;
      const key = this.locationKey(base);
      const value = key !== undefined ? s.bindings.get(key) : undefined;
      if (value?.k === "res") return s.resources.get(value.id);
    }
    return undefined;
  }

  /**
   * The value of the record a member or slot expression lies in (`entry` for `entry->Link`), a
   * handle or an unknown value; undefined for a member of one of the function's own structures.
   */
  private containerOf(s: State, e: Expr): Value | undefined {
    let base: Expr = e;
    while (base.kind === "field" || base.kind === "index") {
      if (base.kind === "field" && base.op === "." && base.base.kind === "var") return undefined;
      base = base.base;
      const key = this.locationKey(base);
      const value = key !== undefined ? s.bindings.get(key) : undefined;
      if (value?.k === "res" || value?.k === "sym") return value;
    }
    return undefined;
  }

  /**
   * Unknown values are named by where they come from (a call site, a location's initial value),
   * not by the order paths meet them, so states of different paths merge when they agree.
   */
  private freshSym(site: string): Value {
    let id = this.symBySite.get(site);
    if (id === undefined) this.symBySite.set(site, (id = this.nextSym++));
    return { k: "sym", id };
  }

  /**
   * The value at a location; a location not written on this path holds its initial value, a
   * symbol named after the value of its base (`p->Next` of one node is not `p->Next` of the next).
   */
  private read(s: State, read: Expr, base?: Value): Value {
    const e = this.throughPointer(s, read);
    const key = this.locationKey(e);
    // Not one location (a slot picked at run time): still a value of its own, so that two
    // releases of what one read returned are seen as one handle released twice.
    if (key === undefined) return this.freshSym(`read@${at(e.range)}:${base ? valueKey(base) : ""}`);
    const bound = s.bindings.get(key);
    if (bound) return bound;
    if (e.kind === "var") {
      const status = this.registry.statusConstant(e.name);
      if (status !== undefined) return { k: "status", ok: status, name: e.name };
      const global = this.locals.has(e.name) ? undefined : this.registry.globalConstant(e.name);
      if (global !== undefined) return constant(global);
    }
    const fresh = this.freshSym(base && e.kind !== "var" ? `initial:${valueKey(base)}:${key}` : `initial:${key}`);
    // What a parameter points to (`*Buffer`, `Buffer[0]`): a summary says what the callee does to the caller's pointer there.
    const pointee = e.kind === "deref" || (e.kind === "index" && e.index.kind === "const" && e.index.value === 0);
    if (pointee && fresh.k === "sym") {
      const owner = this.parameterOf(s, base);
      if (owner !== undefined) this.paramFieldOfSym.set(fresh.id, { index: owner, field: { name: "", op: "*" } });
    }
    if (e.kind === "field" && fresh.k === "sym") {
      const owner = this.parameterOf(s, base);
      const global = base?.k === "sym" ? this.namedConstants.get(base.id) : undefined;
      if (owner !== undefined) this.paramFieldOfSym.set(fresh.id, { index: owner, field: { name: e.field, op: e.op } });
      else if (global !== undefined && e.base.kind === "var") this.globalFieldOfSym.set(fresh.id, { name: global, field: { name: e.field, op: e.op } });
    }
    // A name that is neither a local nor a parameter is a constant (an enumerator, a macro) or a global.
    if (e.kind === "var" && !this.locals.has(e.name) && fresh.k === "sym") this.namedConstants.set(fresh.id, e.name);
    s.bindings.set(key, fresh);
    return fresh;
  }

  /** The parameter a value is, as the function received it (its symbol, or the handle made of it). */
  private parameterOf(s: State, value: Value | undefined): number | undefined {
    if (value?.k === "sym") return value.id < this.paramCount ? value.id : undefined;
    if (value?.k === "res") return s.resources.get(value.id)?.paramIndex;
    return undefined;
  }

  // ---------- expressions ----------

  private eval(s: State, e: Expr): Out[] {
    switch (e.kind) {
      case "const":
        return [{ s, v: typeof e.value === "string" ? this.stringValue(e.value) : constant(e.value) }];
      case "var":
        return [{ s, v: this.read(s, e) }];
      case "field":
      case "index":
      case "deref":
        return this.evalBase(s, e).map((out) => ({ s: out.s, v: this.read(out.s, e, out.v) }));
      case "addr": {
        const to = this.locationKey(e.target);
        const target = e.target;
        return this.eval(s, e.target).map((out) => ({ s: out.s, v: to === undefined ? unknownValue : { k: "ptr", to, target } }));
      }
      case "call":
        return this.evalCall(s, e);
      case "unary":
        return this.eval(s, e.operand).map((out) => ({ s: out.s, v: unary(e.op, out.v) }));
      case "binary":
        if (e.op === "&&" || e.op === "||") return this.evalLogical(s, e.op, e.left, e.right);
        return each(this.eval(s, e.left), (left) => this.eval(left.s, e.right).map((right) => ({ s: right.s, v: this.binary(e.op, left.v, right.v) })));
      case "conditional":
        return each(this.eval(s, e.test), (test) => each(this.split(test.s, test.v), ([next, truth]) => this.eval(next, truth ? e.then : e.else)));
      case "assign":
        return each(this.eval(s, e.value), (out) =>
          this.evalBase(out.s, e.target).map(({ s: stored }) => {
            this.write(stored, e.target, out.v, e.range, false);
            return { s: stored, v: out.v };
          }),
        );
      case "sequence": {
        let outs: Out[] = [{ s, v: unknownValue }];
        for (const part of e.parts) outs = each(outs, (out) => this.eval(out.s, part));
        return outs;
      }
      case "function-ref":
        return [{ s, v: { k: "fn", name: e.name } }];
      case "closure": {
        for (const name of e.captures) {
          const value = s.bindings.get(name);
          if (value?.k === "res") this.escape(s, value.id, e.range, `captured by a closure`);
        }
        // The closure itself, so that a call of what holds it (an object keeping it) is a call of it.
        return [{ s, v: { k: "fn", name: e.functionId } }];
      }
      case "unknown": {
        let outs: Out[] = [{ s, v: unknownValue }];
        for (const part of e.parts) outs = each(outs, (out) => this.eval(out.s, part).map((o) => ({ s: o.s, v: unknownValue })));
        return outs;
      }
      case "kept": {
        let outs: Out[] = [{ s, v: unknownValue }];
        for (const value of e.values) {
          outs = each(outs, (out) =>
            this.eval(out.s, value).map((o) => {
              if (o.v.k === "res") this.escape(o.s, o.v.id, value.range, `kept by ${e.holder}`);
              return { s: o.s, v: unknownValue };
            }),
          );
        }
        return outs;
      }
    }
  }

  /**
   * Evaluates what a location dereferences (`p->f` and `p[i]` use `p`), for a read or before a
   * store; each outcome's value is the dereferenced base. A variable dereferences nothing.
   */
  private evalBase(s: State, location: Expr): Out[] {
    if (location.kind !== "field" && location.kind !== "index" && location.kind !== "deref") return [{ s, v: unknownValue }];
    const base = location.kind === "deref" ? location.target : location.base;
    let outs = this.eval(s, base);
    if (location.kind === "index") outs = each(outs, (out) => this.eval(out.s, location.index).map((o) => ({ s: o.s, v: out.v })));
    for (const out of outs) this.dereference(out.s, out.v, location.range);
    return outs;
  }

  private evalLogical(s: State, op: "&&" | "||", left: Expr, right: Expr): Out[] {
    return each(this.eval(s, left), (l) =>
      each(this.split(l.s, l.v), ([next, truth]) => {
        if (op === "&&" ? !truth : truth) return [{ s: next, v: { k: "int", v: truth ? 1 : 0 } as Value }];
        return each(this.eval(next, right), (r) => this.split(r.s, r.v).map(([after, t]) => ({ s: after, v: { k: "int", v: t ? 1 : 0 } as Value })));
      }),
    );
  }

  /** Whether a status is the success constant (zero): an outcome's unnamed success is; a named other constant is not. */
  private isSuccessStatus(v: Extract<Value, { k: "status" }>): boolean {
    return v.name === undefined ? v.ok : this.registry.statusConstant(v.name) === true;
  }

  /** Whether two statuses are the same code, when the path knows. */
  private sameStatus(a: Extract<Value, { k: "status" }>, b: Extract<Value, { k: "status" }>): boolean | undefined {
    if (a.name !== undefined && b.name !== undefined) return a.name === b.name;
    const [named, other] = a.name !== undefined ? [a, b] : [b, a];
    if (named.name !== undefined) {
      if (other.not === named.name) return false;
      if (this.isSuccessStatus(named) || other.ok) return this.isSuccessStatus(named) === other.ok;
      return undefined;
    }
    if (a.ok && b.ok) return true;
    return a.ok !== b.ok ? false : undefined;
  }

  private binary(op: BinaryOperator, a: Value, b: Value): Value {
    if (a.k === "int" && b.k === "int") {
      const folded = evaluateBinary(op, a.v, b.v);
      return folded === undefined ? unknownValue : { k: "int", v: folded };
    }
    const isZero = (v: Value) => v.k === "null" || (v.k === "int" && v.v === 0);
    if (op === "==" || op === "!=") {
      const negate = op === "!=";
      if (a.k === "null" && b.k === "null") return { k: "int", v: negate ? 0 : 1 };
      const [x, y] = isZero(a) ? [b, a] : [a, b];
      if (isZero(y)) {
        if (x.k === "res") return { k: "test", key: "", negated: negate, nullOf: x.id };
        if (x.k === "sym" || x.k === "test") return negate ? x : not(x);
        if (x.k === "status") return { k: "int", v: (this.isSuccessStatus(x) === !negate) ? 1 : 0 };
        if (x.k === "str" || x.k === "fn" || x.k === "ptr") return { k: "int", v: negate ? 1 : 0 };
      }
      if (a.k === "status" && b.k === "status") {
        const same = this.sameStatus(a, b);
        return same === undefined ? unknownValue : { k: "int", v: same !== negate ? 1 : 0 };
      }
      const [sym, status] = a.k === "status" ? [b, a] : [a, b];
      if (status.k === "status" && this.isSuccessStatus(status) && sym.k === "sym") return { k: "test", key: `ok(s${sym.id})`, negated: negate };
    }
    if ((op === "<" || op === ">=") && isZero(b)) {
      if (a.k === "status") return { k: "int", v: (op === "<") === !a.ok ? 1 : 0 };
      if (a.k === "sym") return { k: "test", key: `ok(s${a.id})`, negated: op === "<" };
    }
    if (a.k === "unknown" || b.k === "unknown") return unknownValue;
    if ((op === "==" || op === "!=") && a.k === "sym" && b.k === "sym") {
      const equal = a.id === b.id ? true : this.namedConstants.has(a.id) && this.namedConstants.has(b.id) ? false : undefined;
      if (equal !== undefined) return { k: "int", v: equal === (op === "==") ? 1 : 0 };
    }
    return comparison(op, valueKey(a), valueKey(b));
  }

  /**
   * What a branch condition is about, so that `!NT_SUCCESS(status)` and `status < 0`, or `p` and
   * `p == NULL`, count as tests of the same thing.
   */
  /** A branch's condition as path steps show it, printed once per block (a block is entered on many paths). */
  private conditionText(blockId: number, cond: Expr): string {
    let text = this.conditionTexts.get(blockId);
    if (text === undefined) this.conditionTexts.set(blockId, (text = exprText(cond, this.fn.language)));
    return text;
  }

  private subjectOf(e: Expr): string {
    const zero = (x: Expr) => x.kind === "const" && (x.value === null || x.value === 0 || x.value === false);
    const success = (x: Expr) => x.kind === "var" && this.registry.statusConstant(x.name) === true;
    if (e.kind === "unary" && e.op === "!") return this.subjectOf(e.operand);
    if (e.kind === "binary" && (e.op === "==" || e.op === "!=")) {
      if (zero(e.right)) return this.subjectOf(e.left);
      if (zero(e.left)) return this.subjectOf(e.right);
      if (success(e.right)) return `ok(${exprText(e.left)})`;
      if (success(e.left)) return `ok(${exprText(e.right)})`;
    }
    if (e.kind === "binary" && (e.op === "<" || e.op === ">=") && zero(e.right)) return `ok(${exprText(e.left)})`;
    if (e.kind === "binary") {
      const test = comparison(e.op, exprText(e.left), exprText(e.right));
      if (test.k === "test") return test.key;
    }
    if (e.kind === "call" && e.callee.name !== undefined) {
      const predicate = this.registry.lookup(e.callee.name)?.effects.find((effect) => effect.kind === "status-predicate");
      const arg = predicate && e.args[predicate.target];
      if (arg) return `ok(${exprText(arg)})`;
    }
    return exprText(e);
  }

  /**
   * The ways a value can be tested: each a state refined by the outcome. Facts are recorded only
   * when `record` says a later branch may test the same thing (otherwise they would keep
   * equivalent paths apart for nothing).
   */
  private split(s: State, v: Value, record = true): [State, boolean][] {
    switch (v.k) {
      case "int":
        return [[s, v.v !== 0]];
      case "null":
        return [[s, false]];
      case "str":
      case "fn":
      case "ptr":
        return [[s, true]];
      case "status":
        // STATUS_SUCCESS is zero: a bare status is true when it is anything else.
        return [[s, !this.isSuccessStatus(v)]];
      case "res":
        return this.splitNull(s, v.id, false);
      case "sym":
        // Whether a parameter (or a field of one, or of a variable not the function's own) is NULL
        // always matters: summaries read it ("frees P unless it is NULL", "frees Context->Packet if it is set").
        return this.splitFact(s, `s${v.id}`, false, record || this.isParameterKey(`s${v.id}`));
      case "test":
        if (v.nullOf !== undefined) return this.splitNull(s, v.nullOf, !v.negated);
        return this.splitFact(s, v.key, v.negated, record || this.isParameterKey(v.key));
      case "unknown": {
        return [[s, true], [s.clone(), false]];
      }
    }
  }

  /** A fact about a parameter's own value (`s0`: whether it is NULL), or about a field of one or of a global. */
  private isParameterKey(key: string): boolean {
    const match = /^s(\d+)$/.exec(key);
    if (match === null) return false;
    const id = Number(match[1]);
    return id < this.paramCount || this.paramFieldOfSym.has(id) || this.globalFieldOfSym.has(id);
  }

  /** Splits on "resource is non-null" (or "is null" when `testIsNull`). */
  private splitNull(s: State, id: number, testIsNull: boolean): [State, boolean][] {
    const res = s.resources.get(id)!;
    if (res.nullness !== "unknown") return [[s, (res.nullness === "null") === testIsNull]];
    const nonNull = s;
    const isNull = s.clone();
    nonNull.update(id, { nullness: "nonnull" });
    isNull.update(id, { nullness: "null" });
    return [
      [nonNull, !testIsNull],
      [isNull, testIsNull],
    ];
  }

  private splitFact(s: State, key: string, negated: boolean, record: boolean): [State, boolean][] {
    const known = s.facts.get(key);
    if (known !== undefined) return [[s, known !== negated]];
    const yes = s;
    const no = s.clone();
    if (!record) return [[yes, true], [no, false]];
    yes.facts.set(key, true);
    no.facts.set(key, false);
    return [
      [yes, !negated],
      [no, negated],
    ];
  }

  // ---------- calls ----------

  private evalCall(s: State, e: Extract<Expr, { kind: "call" }>): Out[] {
    let outs: { s: State; values: Value[] }[] = [{ s, values: [] }];
    if (e.callee.through) {
      const through = e.callee.through;
      outs = each(outs, (out) => this.eval(out.s, through).map((o) => ({ s: o.s, values: out.values })));
    }
    const entry = this.calleeEntry(s, e.callee);
    const runNow: Extract<Expr, { kind: "closure" }>[] = [];
    e.args.forEach((arg, index) => {
      const use = arg.kind === "closure" ? this.callbackUse(entry, index, arg) : "kept";
      if (use === "runs" && arg.kind === "closure") runNow.push(arg);
      outs = each(outs, (out) => (use === "kept" ? this.eval(out.s, arg) : [{ s: out.s, v: unknownValue }]).map((o) => ({ s: o.s, values: [...out.values, o.v] })));
    });
    return each(outs, (out) => {
      for (const closure of runNow) this.applyCallbackSummary(out.s, closure);
      if (entry === undefined) return this.applyUnknown(out.s, e, out.values);
      if (entry.declared === undefined) return this.applyEntry(out.s, e, entry, out.values);
      // Known by its declaration alone: a routine lookup (`KernelGetProcAddress(base, "VmbPacketSend")`) as in applyUnknown.
      const named = this.nameGiven(out.s, out.values);
      this.passUndeclared(out.s, e, entry.declared, out.values, named);
      const results = this.applyEntry(out.s, e, entry, out.values);
      return named === undefined ? results : results.map((result) => ({ ...result, v: { k: "fn", name: named } }));
    });
  }

  /**
   * A function known by its declaration alone: its entry's effects say what it does with the
   * parameters the declaration decides (borrows them, frees or keeps them); every other argument
   * goes to unknown code, as in a call without a declaration. A variable whose address is passed
   * where the function may write is no longer known.
   */
  private passUndeclared(s: State, e: Extract<Expr, { kind: "call" }>, declared: DeclaredParameters, values: Value[], named: string | undefined): void {
    e.args.forEach((arg, index) => {
      const undecided = index < declared.count ? declared.undecided.includes(index) : declared.readsVariadic !== true;
      if (undecided) this.passToUnknown(s, e, arg, values[index], named);
      else if (arg.kind === "addr" && declared.writtenThrough.includes(index)) this.writtenThrough(s, e, arg, named !== undefined && values[index].k === "ptr" ? named : undefined);
    });
  }

  /**
   * What a call does with a closure it is given. A closure registered as a callback is called by
   * the library, and one the call runs at once is not kept: what it captures stays this function's
   * (the send, not the registration, hands a packet over), unless the closure itself ends it
   * (applyCallbackSummary, which needs the closure's summary). Any other closure may be kept.
   */
  private callbackUse(entry: ModelEntry | undefined, index: number, closure: Extract<Expr, { kind: "closure" }>): "registered" | "runs" | "kept" {
    const callback = entry?.effects.find((effect) => (effect.kind === "register-callback" || effect.kind === "runs-callback") && effect.target === index);
    if (callback?.kind === "register-callback") return "registered";
    return callback?.kind === "runs-callback" && this.registry.lookup(closure.functionId) !== undefined ? "runs" : "kept";
  }

  /**
   * A closure the call runs now, any number of times: what its summary says it ends of this
   * function's variables is no longer this function's to release (ended once, or more).
   */
  private applyCallbackSummary(s: State, closure: Extract<Expr, { kind: "closure" }>): void {
    for (const effect of this.registry.lookup(closure.functionId)?.effects ?? []) {
      if ((effect.kind !== "release" && effect.kind !== "transfer") || effect.global?.captured !== true || !this.sees(effect.global)) continue;
      const key = this.locationKey(globalLocation(effect.global, effect.field, closure.range));
      const held = key === undefined ? undefined : s.bindings.get(key);
      if (held?.k === "res") this.escape(s, held.id, closure.range, "ended by the closure run here");
    }
  }

  /**
   * Where a call writes through an out parameter: `*p` in C; in TypeScript the property of the
   * object the API fills (`channelOut.value`), which stays this function's when the object is one of its locals.
   */
  private outParameterSlot(arg: Expr): { location: Expr; local: boolean } {
    const property = this.registry.outParameterProperty(this.fn.language);
    if (property === undefined) return { location: { kind: "deref", target: arg, range: arg.range }, local: false };
    const local = arg.kind === "var" && this.locals.has(arg.name) && !this.fn.params.some((param) => param.name === arg.name);
    return { location: { kind: "field", base: arg, field: property, op: ".", range: arg.range }, local };
  }

  /** The model entry of a callee, also when it is called through a variable holding a function. */
  private calleeEntry(s: State, callee: Callee): ModelEntry | undefined {
    if (callee.name === undefined) return undefined;
    // An API reached through an interface table is that API; any other member may hold a function.
    // A namesake declared without a body says nothing of what a member holds.
    const api = this.registry.lookup(callee.name);
    const member = callee.through === undefined || (api !== undefined && api.declared === undefined) ? undefined : this.heldInMember(s, callee.through, callee.name);
    if (member?.k === "fn") return this.registry.lookup(member.name);
    const held = callee.through === undefined ? s.bindings.get(callee.name) : undefined;
    // A closure kept in a variable is known by its id; a named one also by its name.
    const entry = held?.k === "fn" ? (this.registry.lookup(held.name) ?? this.registry.lookup(callee.name)) : this.registry.lookup(callee.name);
    if (callee.through !== undefined && entry?.declared !== undefined) return undefined;
    return callee.member === true && entry !== undefined && isLearned(entry) ? undefined : entry;
  }

  /**
   * What the member called through holds (`this->m_fn()`, `guard.m_fn()`): a function kept by an
   * object. A member of a parameter's object, as the function received it, is noted as called
   * (`calledFact`), for the summary (a scope guard's destructor runs what its constructor kept).
   */
  private heldInMember(s: State, through: Expr, name: string): Value | undefined {
    const throughKey = this.locationKey(through);
    if (throughKey === undefined) return undefined;
    const base = s.bindings.get(throughKey);
    for (const op of ["->", "."] as const) {
      const location: Expr = { kind: "field", base: through, field: name, op, range: through.range };
      const key = `${throughKey}${op}${name}`;
      let held = s.bindings.get(key);
      if (held === undefined && op === "->" && base?.k === "sym" && base.id < this.paramCount) held = this.read(s, location, base);
      if (held === undefined) continue;
      const field = held.k === "sym" ? this.paramFieldOfSym.get(held.id) : undefined;
      if (field !== undefined) s.facts.set(calledFact(field.index, field.field), true);
      return held;
    }
    return undefined;
  }

  /** A string literal; one spelling a function of the model is known by that name (a routine lookup's argument). */
  private stringValue(text: string): Value {
    return /^[A-Za-z_]\w*$/.test(text) && this.registry.lookup(text) !== undefined ? { k: "str", names: text } : { k: "str" };
  }

  /**
   * The model function a call without a model entry is given the name of, directly (`GetProcAddress(h,
   * "VmbPacketAllocate")`) or through a location holding it (`MmGetSystemRoutineAddress(&Name)`).
   */
  private nameGiven(s: State, values: readonly Value[]): string | undefined {
    for (const value of values) {
      const held = value.k === "ptr" ? s.bindings.get(value.to) : value;
      if (held?.k === "str" && held.names !== undefined) return held.names;
    }
    return undefined;
  }

  private applyUnknown(s: State, e: Extract<Expr, { kind: "call" }>, values: Value[]): Out[] {
    // A routine lookup of an API's name returns that API; a call given a location and the name
    // (`RtlInitUnicodeString(&Name, L"VmbPacketAllocate")`) leaves the name in the location.
    const named = this.nameGiven(s, values);
    e.args.forEach((arg, index) => this.passToUnknown(s, e, arg, values[index], named));
    return [{ s, v: named !== undefined ? { k: "fn", name: named } : this.freshSym(`call@${at(e.range)}`) }];
  }

  /** One argument of a call to code without a model: the family's `unknownCalls` policy decides. */
  private passToUnknown(s: State, e: Extract<Expr, { kind: "call" }>, arg: Expr, value: Value, named?: string): void {
    if (value.k === "sym" && value.id < this.paramCount) this.paramsPassedOn.add(value.id);
    if (value.k === "res") {
      const res = s.resources.get(value.id)!;
      if (res.family && this.registry.family(res.family).unknownCalls === "escape") {
        this.escape(s, res.id, e.range, `passed to '${e.callee.text}', which may keep it`);
      }
    }
    if (arg.kind === "addr") {
      // `&item->Link` hands over the object `item` points to (a list insertion keeps it).
      const owner = this.ownerOf(s, arg.target);
      if (owner && owner.family && this.registry.family(owner.family).unknownCalls === "escape") {
        this.escape(s, owner.id, e.range, `'${exprText(arg)}' is passed to '${e.callee.text}', which may keep it`);
      }
      this.writtenThrough(s, e, arg, named !== undefined && value.k === "ptr" ? named : undefined);
    }
  }

  /** The callee may write through the pointer: what the location held is out of our hands. */
  private writtenThrough(s: State, e: Extract<Expr, { kind: "call" }>, arg: Extract<Expr, { kind: "addr" }>, describesName?: string): void {
    if (arg.target.kind === "var") this.noteWrite(arg.target.name, this.fn.file);
    const key = this.locationKey(arg.target);
    const held = key !== undefined ? s.bindings.get(key) : undefined;
    if (held?.k === "res") this.escape(s, held.id, e.range, `its address is passed to '${e.callee.text}'`);
    const describes = describesName !== undefined && held?.k !== "str";
    if (key !== undefined) s.bindings.set(key, describes ? { k: "str", names: describesName } : this.freshSym(`out:${key}@${at(e.range)}`));
  }

  private applyEntry(s: State, e: Extract<Expr, { kind: "call" }>, entry: ModelEntry, values: Value[]): Out[] {
    if (entry.effects.some((effect) => effect.kind === "no-return")) return [];
    if (entry.effects.some((effect) => effect.kind === "throws")) {
      // Where this function handles the exception, its handler edge already carries the path on.
      if (e.handled !== true) this.exit(s, unknownValue, e.range, "throw");
      return [];
    }
    const conditional = entry.effects.some((effect) => "when" in effect && effect.when !== undefined && effect.when !== "always");
    // A call that may pend (STATUS_PENDING) has a third outcome: accepted, to finish later.
    const pendingStatus = conditional && entry.effects.some((effect) => "when" in effect && effect.when === "pending") ? entry.pendingStatus : undefined;
    const outcomes: (boolean | "pending" | undefined)[] = !conditional ? [undefined] : pendingStatus !== undefined ? [true, false, "pending"] : [true, false];
    const results: Out[] = [];
    // Clone before any outcome touches the state.
    const failureState = conditional ? s.clone() : s;
    const pendingState = pendingStatus !== undefined ? s.clone() : s;
    for (const outcome of outcomes) {
      const next = outcome === false ? failureState : outcome === "pending" ? pendingState : s;
      if (outcome !== undefined) {
        const assumed = outcome === "pending" ? `returns ${pendingStatus}` : outcome ? "succeeds" : "fails";
        next.addStep({ message: `assuming '${e.callee.text}' ${assumed}`, file: this.fn.file, range: e.range, kind: "call" });
      }
      let result: Value | undefined = outcome === "pending" ? { k: "status", ok: true, name: pendingStatus } : undefined;
      this.readBeforeEffects(next, e, entry, values);
      for (const effect of entry.effects) {
        if ("when" in effect && effect.when !== undefined && effect.when !== "always" && effect.when !== outcomeName(outcome)) continue;
        const produced = this.applyEffect(next, e, entry, effect, values, outcome === "pending" ? undefined : outcome);
        if (produced) result = produced;
      }
      this.forgetWrittenGlobals(next, e, entry);
      for (const effect of entry.effects) {
        const attached = effect.kind === "attach" ? values[effect.target] : undefined;
        if (attached?.k === "res" && result?.k === "res") next.update(attached.id, { heldBy: result.id });
        if (attached?.k === "sym" && attached.id < this.paramCount && result?.k === "res") this.paramsAttached.add(attached.id);
      }
      if (!result && entry.constant !== undefined) result = { k: "int", v: entry.constant };
      if (!result) {
        if (outcome !== undefined && entry.returns === "pointer") result = outcome !== false ? this.freshSym(`call@${at(e.range)}`) : { k: "null" };
        else if (outcome !== undefined && (entry.returns === "ntstatus" || entry.returns === "boolean")) result = entry.returns === "ntstatus" ? statusOutcome(outcome === true, pendingStatus) : { k: "int", v: outcome ? 1 : 0 };
        else result = this.freshSym(`call@${at(e.range)}`);
      }
      results.push({ s: next, v: result });
    }
    return results;
  }

  /** Applies one effect; returns the call's value when the effect decides it. */
  private applyEffect(s: State, e: Extract<Expr, { kind: "call" }>, entry: ModelEntry, effect: Effect, values: Value[], outcome: boolean | undefined): Value | undefined {
    switch (effect.kind) {
      case "acquire": {
        if (effect.target === "return" && outcome === false && entry.returns === "pointer") return { k: "null" };
        const id = this.nextResource++;
        const nullness = effect.target !== "return" || outcome === true || !effect.mayBeNull ? "nonnull" : "unknown";
        s.resources.set(id, {
          id,
          family: effect.family,
          variant: effect.variant,
          state: effect.released ? "released" : "owned",
          releasedAt: effect.released ? e.range : undefined,
          releasedBy: effect.released ? e.callee.text : undefined,
          nullness,
          mayBeNull: effect.mayBeNull === true,
          acquiredAt: e.range,
          acquiredBy: entry.name,
          acquiredCallText: e.callee.text,
          origin: "acquired",
          since: s.seq + 1,
        });
        s.addStep({ message: `${this.registry.family(effect.family).noun} ${effect.variant ? `(${effect.variant}) ` : ""}acquired here by '${e.callee.text}'`, file: this.fn.file, range: e.range, kind: "acquire" }, id);
        const keeper = effect.keptBy === undefined ? undefined : e.args[effect.keptBy];
        if (keeper !== undefined && !isNullish(values[effect.keptBy!])) this.escape(s, id, e.range, `kept by '${exprText(keeper, this.fn.language)}'`);
        if (effect.target === "return") return { k: "res", id };
        const arg = e.args[effect.target];
        if (!arg) return undefined;
        const { location, local } = effect.inPlace ? { location: arg, local: false } : arg.kind === "addr" ? { location: arg.target, local: false } : this.outParameterSlot(arg);
        this.write(s, location, { k: "res", id }, e.range, local);
        if (this.locationKey(location) === undefined) s.update(id, { state: "escaped" });
        return undefined;
      }
      case "release":
      case "transfer":
      case "use": {
        // A variable's own handle, or one in a field of it (`global` with `field`), before a parameter's field.
        if (effect.global !== undefined) {
          this.applyGlobalEffect(s, e, effect, effect.global, outcome);
          return undefined;
        }
        if (effect.kind !== "use" && effect.field !== undefined) {
          this.applyFieldEffect(s, e, effect, effect.field, outcome);
          return undefined;
        }
        const res = this.resourceFor(s, values, effect.target, effect.family);
        if (res) this.applyResourceEffect(s, e, effect, res, outcome);
        return undefined;
      }
      case "escape": {
        const arg = e.args[effect.target];
        // `&entry->Link`: the record that contains the member is what the callee keeps.
        const kept = arg?.kind === "addr" ? this.containerOf(s, arg.target) : values[effect.target];
        const res = kept === undefined ? undefined : this.resourceFor(s, [kept], 0, anyFamily);
        if (res) this.escape(s, res.id, e.range, `handed to '${e.callee.text}'`);
        return undefined;
      }
      case "abnormal-termination":
        return e.finallyExit === undefined ? undefined : { k: "int", v: e.finallyExit === "abnormal" ? 1 : 0 };
      case "opaque-call": {
        const value = values[effect.target];
        const res = value?.k === "res" ? s.resources.get(value.id) : undefined;
        if (value?.k === "sym" && value.id < this.paramCount) this.paramsPassedOn.add(value.id);
        if (res?.family && this.registry.family(res.family).unknownCalls === "escape") {
          this.escape(s, res.id, e.range, `passed by '${e.callee.text}' to code that may keep it`);
        }
        return undefined;
      }
      case "status-predicate": {
        const value = values[effect.target];
        if (!value) return undefined;
        if (value.k === "status") return { k: "int", v: value.ok ? 1 : 0 };
        if (value.k === "sym") return { k: "test", key: `ok(s${value.id})`, negated: false };
        if (value.k === "int") return { k: "int", v: value.v >= 0 ? 1 : 0 };
        return unknownValue;
      }
      case "assign": {
        const location = this.argumentField(e, effect.into.target, effect.into.field);
        const value = this.preread.get(effect);
        // A `Detach()` clears the member it returns: the returned value still carries the handle.
        const returned = entry.effects.find((other) => other.kind === "returns-field");
        if (location !== undefined && value !== undefined) this.write(s, location, value, e.range, false, returned === undefined ? undefined : this.preread.get(returned));
        return undefined;
      }
      case "returns-field":
        return this.preread.get(effect);
      case "calls-field": {
        // Runs the function the object holds (once, now): its unconditional effects apply here.
        const held = this.preread.get(effect);
        const callee = held?.k === "fn" ? this.registry.lookup(held.name) : undefined;
        if (held?.k !== "fn" || callee === undefined) return undefined;
        const call: Extract<Expr, { kind: "call" }> = { kind: "call", callee: { name: held.name, text: e.callee.text, range: e.range }, args: [], range: e.range };
        for (const inner of callee.effects) {
          if ("when" in inner && inner.when !== undefined && inner.when !== "always") continue;
          if (inner.kind === "release" || inner.kind === "transfer" || inner.kind === "use") this.applyEffect(s, call, callee, inner, [], undefined);
        }
        return undefined;
      }
      case "register-callback":
      case "runs-callback":
      case "no-return":
      case "throws":
      case "attach":
        return undefined;
    }
  }

  /** The caller's location for a field of what an argument points to: `Helper(&obj)` reaches `obj.Field`. */
  private argumentField(e: Extract<Expr, { kind: "call" }>, target: number, field: FieldStep): Expr | undefined {
    const arg = e.args[target];
    if (!arg) return undefined;
    const location = memberOf(arg, field, e.range);
    return this.locationKey(location) === undefined ? undefined : location;
  }

  /** The value of what a location is reached through, when that is a location too (it names the location's initial value). */
  private baseValue(s: State, location: Expr): Value | undefined {
    const base = baseOf(location);
    return base !== undefined && this.locationKey(base) !== undefined ? this.read(s, base) : undefined;
  }

  /** What a field of what an argument points to holds at the call. */
  private readArgumentField(s: State, e: Extract<Expr, { kind: "call" }>, target: number, field: FieldStep): Value | undefined {
    const location = this.argumentField(e, target, field);
    if (location === undefined) return undefined;
    return this.read(s, location, this.baseValue(s, location));
  }

  /**
   * The values a summary's stores and returned fields take, read before any of its effects runs:
   * a move reads the other object's member before it clears it.
   */
  private readBeforeEffects(s: State, e: Extract<Expr, { kind: "call" }>, entry: ModelEntry, values: Value[]): void {
    this.preread.clear();
    for (const effect of entry.effects) {
      if (effect.kind === "returns-field" || effect.kind === "calls-field") {
        const value = this.readArgumentField(s, e, effect.target, effect.field);
        if (value !== undefined) this.preread.set(effect, value);
      } else if (effect.kind === "assign") {
        const source = effect.value;
        const value = source === "null" ? ({ k: "null" } as Value) : source.field === undefined ? values[source.target] : this.readArgumentField(s, e, source.target, source.field);
        if (value !== undefined) this.preread.set(effect, value);
      }
    }
  }

  /** A helper that frees `Context->Packet` for its caller: the caller's own `ctx->Packet` is what ends. */
  private applyFieldEffect(
    s: State,
    e: Extract<Expr, { kind: "call" }>,
    effect: Extract<Effect, { kind: "release" | "transfer" }>,
    field: FieldStep,
    outcome: boolean | undefined,
  ): void {
    // `Helper(&context)` on a local structure: the callee's `Context->Packet` is `context.Packet`; `Sink(&p)` frees `p` for its `*P`.
    const location = this.argumentField(e, effect.target, field);
    if (location === undefined) return;
    // The base's value says whether the field belongs to a parameter of this function too.
    this.applyEffectAt(s, e, effect, location, this.baseValue(s, location), outcome);
  }

  /** A summary's effect on the handle the caller holds at `location`; with `clears`, the location is then NULL. */
  private applyEffectAt(
    s: State,
    e: Extract<Expr, { kind: "call" }>,
    effect: Extract<Effect, { kind: "release" | "transfer" | "use" }>,
    location: Expr,
    base: Value | undefined,
    outcome: boolean | undefined,
  ): void {
    const res = this.resourceFor(s, [this.read(s, location, base)], 0, effect.family);
    if (!res) return;
    this.applyResourceEffect(s, e, effect, res, outcome);
    if (effect.kind !== "use" && effect.clears === true && (effect.when === undefined || effect.when === "always" || (effect.when === "success") === outcome)) {
      this.write(s, location, { k: "null" }, e.range, false);
    }
  }

  /** A variable not this function's own that it assigns, for its summary. */
  private noteWrite(name: string, file: string): void {
    if (this.locals.has(name)) return;
    const captured = file === this.fn.file && this.fn.captures?.includes(name) === true;
    this.globalsWritten.set(`${file}\u0000${name}`, captured ? { name, file, captured } : { name, file });
  }

  /**
   * A callee that may assign a file-scope variable leaves it holding a value the caller does not
   * know, unless its summary says what it leaves there (a release that clears it).
   */
  private forgetWrittenGlobals(s: State, e: Extract<Expr, { kind: "call" }>, entry: ModelEntry): void {
    for (const global of entry.writesGlobals ?? []) {
      // A captured variable written by a closure is one of this function's own locals.
      if (global.captured !== true) this.noteWrite(global.name, global.file);
      if (!this.sees(global)) continue;
      const described = entry.effects.some((effect) => (effect.kind === "release" || effect.kind === "transfer") && effect.global?.name === global.name && effect.clears === true);
      if (described) continue;
      s.bindings.set(global.name, this.freshSym(`written:${global.name}@${at(e.range)}`));
      forgetInside(s, global.name);
    }
  }

  /**
   * Whether a variable a callee's summary names is this function's view of it: a file-scope
   * variable is hidden by a local of the same name; a closure's captured variable is that local.
   */
  private sees(variable: GlobalVariable): boolean {
    return variable.captured === true ? this.locals.has(variable.name) && variable.file === this.fn.file : !this.locals.has(variable.name);
  }

  /**
   * A helper of this file that frees (or uses) what a file-scope variable holds: the caller's view
   * of that variable is what ends. A local of the same name hides it.
   */
  private applyGlobalEffect(
    s: State,
    e: Extract<Expr, { kind: "call" }>,
    effect: Extract<Effect, { kind: "release" | "transfer" | "use" }>,
    global: GlobalVariable,
    outcome: boolean | undefined,
  ): void {
    if (global.file !== this.fn.file || !this.sees(global)) return;
    const location = globalLocation(global, "field" in effect ? effect.field : undefined, e.range);
    const base = this.baseValue(s, location);
    this.applyEffectAt(s, e, effect, location, base, outcome);
  }

  /** The resource an argument denotes; an unknown value (a parameter, a field) becomes a borrowed handle. */
  private resourceFor(s: State, values: Value[], index: number, family: string): Resource | undefined {
    const value = values[index];
    if (!value) return undefined;
    if (value.k === "res") return s.resources.get(value.id);
    if (value.k !== "sym") return undefined;
    const id = this.nextResource++;
    const res: Resource = {
      id,
      family: family === anyFamily ? "" : family,
      state: "borrowed",
      nullness: "unknown",
      mayBeNull: false,
      paramIndex: value.id < this.paramCount ? value.id : undefined,
      paramField: this.paramFieldOfSym.get(value.id),
      global: this.namedConstants.get(value.id),
      globalField: this.globalFieldOfSym.get(value.id),
      origin: value.id < this.paramCount ? "parameter" : "unknown",
      since: s.seq,
    };
    s.resources.set(id, res);
    for (const [location, bound] of s.bindings) if (bound.k === "sym" && bound.id === value.id) s.bindings.set(location, { k: "res", id });
    values[index] = { k: "res", id };
    return res;
  }

  private applyResourceEffect(
    s: State,
    e: Extract<Expr, { kind: "call" }>,
    effect: Extract<Effect, { kind: "release" | "transfer" | "use" }>,
    res: Resource,
    outcome: boolean | undefined,
  ): void {
    if (res.nullness === "null") return;
    const arg = e.args[effect.target];
    const holder = (arg && (locationText(arg) ?? this.locationKey(arg))) || s.holders(res.id)[0];
    const what = this.describe(res, holder);
    const family = effect.family === anyFamily ? res.family : effect.family;
    if (family && res.family && family !== res.family) {
      if (effect.kind === "release") {
        this.report(res, this.finding(s, res, "free-unowned", `'${e.callee.text}' releases ${withArticle(this.registry.family(family).noun)}, but ${what} is ${withArticle(this.registry.family(res.family).noun)}.`, e.range, "release"));
      }
      return;
    }
    if (!res.family && family) res = s.update(res.id, { family });
    const familyDef = this.registry.family(res.family);

    if (res.state === "released") {
      if (effect.kind === "release") {
        this.report(res, {
          ...this.finding(s, res, familyDef.doubleReleaseRule, `${capitalize(what)} is released twice: it was already released by '${res.releasedBy}' at line ${this.lineOf(res.releasedAt!)}.`, e.range, "release"),
          fixes: [
            { kind: "remove-statement", file: this.fn.file, range: e.range },
            ...(res.releaseStatement && holder ? [{ kind: "null-after-release" as const, file: this.fn.file, after: res.releaseStatement, handleText: holder }] : []),
          ],
        });
      } else {
        this.report(res, this.finding(s, res, "use-after-free", `${capitalize(what)} is used by '${e.callee.text}' after it was released by '${res.releasedBy}' at line ${this.lineOf(res.releasedAt!)}.`, e.range, "use"));
      }
      return;
    }
    if (effect.kind !== "release" && !(effect.kind === "use" && effect.acceptsNull === true)) this.checkNull(s, res, e.range, holder);

    if (effect.kind === "release") {
      // A handle the function was given may be of any variant: the release says which it is.
      if (effect.variant !== undefined && res.variant !== effect.variant && res.origin === "acquired") {
        this.report(res, this.finding(s, res, "free-unowned", `'${e.callee.text}' releases ${withArticle(`${familyDef.noun} (${effect.variant})`)}, but ${what} ${res.variant ? `is ${res.variant}` : `came from '${res.acquiredBy ?? "elsewhere"}'`}.`, e.range, "release"));
        return;
      }
      if (res.variant && res.variant !== effect.variant && familyDef.unreleasableVariants?.includes(res.variant)) {
        this.report(res, this.finding(s, res, "free-unowned", `'${e.callee.text}' releases ${what}, which was not allocated by its family (${res.variant}: built by '${res.acquiredBy}').`, e.range, "release"));
        return;
      }
      if (res.state === "transferred") {
        this.report(res, this.finding(s, res, "free-in-flight", `${capitalize(what)} is released after '${res.transferredBy}' succeeded at line ${this.lineOf(res.transferredAt!)}: it now belongs to the library, which releases it when it completes.`, e.range, "release"));
      }
      if (effect.leaves !== undefined) {
        // Part of it ends here; the rest is still this function's, as a handle of another family.
        s.update(res.id, { family: effect.leaves, variant: undefined, partlyReleased: res.partlyReleased ?? { family: res.family, variant: effect.variant ?? res.variant } });
        s.addStep({ message: `partly released here by '${e.callee.text}': ${withArticle(this.registry.family(effect.leaves).noun)} is left to release`, file: this.fn.file, range: e.range, kind: "release" }, res.id);
        return;
      }
      s.update(res.id, { state: "released", releasedAt: e.range, releasedBy: e.callee.text, releaseStatement: e.range });
      s.addStep({ message: `released here by '${e.callee.text}'`, file: this.fn.file, range: e.range, kind: "release" }, res.id);
      return;
    }
    if (effect.kind === "transfer") {
      if (outcome === false) {
        s.addStep({ message: `'${e.callee.text}' failed: ${what} is still owned`, file: this.fn.file, range: e.range, kind: "transfer" }, res.id);
        return;
      }
      if (res.state === "owned" || res.state === "borrowed" || res.state === "escaped") {
        s.update(res.id, { state: "transferred", transferredAt: e.range, transferredBy: e.callee.text });
        s.addStep({ message: `handed over by '${e.callee.text}'${outcome === true ? " (assuming it succeeds)" : ""}`, file: this.fn.file, range: e.range, kind: "transfer" }, res.id);
      }
    }
  }

  /** A maybe-NULL allocation used before any check: report once, then assume it was not NULL. */
  private checkNull(s: State, res: Resource, range: SourceRange, holder: string | undefined): void {
    if (res.nullness !== "unknown" || !res.mayBeNull) return;
    if (!res.uncheckedReported) {
      this.report(res, this.finding(s, res, "unchecked-allocation", `${capitalize(this.describe(res, holder))} may be NULL here: '${res.acquiredBy}' can fail, and it is used before any check.`, range, "use"));
    }
    s.update(res.id, { nullness: "nonnull", uncheckedReported: true });
  }

  private dereference(s: State, v: Value, range: SourceRange): void {
    if (v.k === "sym" && v.id < this.paramCount) this.paramsDereferenced.add(v.id);
    const global = v.k === "sym" ? this.namedConstants.get(v.id) : undefined;
    if (global !== undefined) this.globalsDereferenced.add(global);
    if (v.k !== "res") return;
    const res = s.resources.get(v.id)!;
    const holder = s.holders(res.id)[0];
    if (res.state === "released") {
      this.report(res, this.finding(s, res, "use-after-free", `${capitalize(this.describe(res, holder))} is dereferenced after it was released by '${res.releasedBy}' at line ${this.lineOf(res.releasedAt!)}.`, range, "use"));
      return;
    }
    this.checkNull(s, res, range, holder);
  }

  // ---------- reporting ----------

  private finding(s: State, res: Resource, ruleId: string, message: string, range: SourceRange, kind: PathStep["kind"]): RawFinding {
    return {
      ruleId,
      message,
      range,
      family: res.family || undefined,
      acquiredAt: res.acquiredAt,
      path: this.pathFor(s, res, { message: finalStep[ruleId] ?? "here", file: this.fn.file, range, kind }),
      fixes: [],
    };
  }

  /** The explanation of a finding: the resource's own steps and the branches taken since it was acquired. */
  private pathFor(s: State, res: Resource, last: PathStep): PathStep[] {
    const steps: PathStep[] = [last];
    for (let node = s.trail; node && node.seq >= res.since; node = node.prev) {
      if (node.resource === res.id || (node.resource === undefined && node.step.kind !== "exit")) steps.push(node.step);
    }
    return steps.reverse();
  }

  private report(res: Resource | undefined, finding: RawFinding): void {
    const at = (range?: SourceRange) => (range ? `${range.start.line}:${range.start.column}` : "-");
    // One bug, one finding: handles the function did not allocate share one "site".
    const key = `${finding.ruleId}|${at(res?.origin === "acquired" ? res.acquiredAt : undefined)}|${at(finding.range)}`;
    if (this.findingKeys.has(key)) return;
    this.findingKeys.add(key);
    this.findings.push(finding);
  }
}

/** The last step of a finding's path: the statement that proves it. */
const finalStep: Record<string, string> = {
  "double-free": "released again here",
  "double-completion": "completed again here",
  "use-after-free": "used here after its release",
  "free-in-flight": "released here while the library owns it",
  "free-unowned": "released here, but this family did not allocate it",
  "unchecked-allocation": "used here before any NULL check",
};

/** A location now holds another value: what was known of its fields and slots (`key->f`, `key.f`, `key[0]`) is stale. */
function forgetInside(s: State, key: string): void {
  for (const location of [...s.bindings.keys()]) {
    if (location.length > key.length && location.startsWith(key) && ".-[".includes(location[key.length])) s.bindings.delete(location);
    else if (location.startsWith("*")) {
      // What the location pointed to (`*p`, `*p->f`, `*(p->f)`) is stale too.
      const inner = location.replace(/^[*(]+/, "");
      if (inner === key || (inner.length > key.length && inner.startsWith(key) && ".-[)".includes(inner[key.length]))) s.bindings.delete(location);
    }
  }
}

/**
 * The key of what a location points to: `*p` for a variable, `*(p->f)` for anything longer, so
 * that `*(p->f)` (what the field points to) is never `*p->f` (the field of what `p` points to).
 */
function derefKey(target: string): string {
  return /^[\w#]+$/.test(target) ? `*${target}` : `*(${target})`;
}

/**
 * `items.flatMap(step)` for the outcome lists of evaluation, which almost always hold one
 * outcome: that case returns the step's own list, without the builtin's generic flattening.
 */
function each<T, U>(items: readonly T[], step: (item: T) => U[]): U[] {
  if (items.length === 1) return step(items[0]);
  const all: U[] = [];
  for (const item of items) for (const result of step(item)) all.push(result);
  return all;
}

function at(range: SourceRange): string {
  return `${range.start.line}:${range.start.column}`;
}

function constant(value: number | boolean | string | null): Value {
  if (value === null) return { k: "null" };
  if (typeof value === "boolean") return { k: "int", v: value ? 1 : 0 };
  if (typeof value === "number") return { k: "int", v: value };
  return { k: "str" };
}

function not(v: Value): Value {
  switch (v.k) {
    case "int":
      return { k: "int", v: v.v === 0 ? 1 : 0 };
    case "null":
      return { k: "int", v: 1 };
    case "str":
    case "fn":
    case "ptr":
      return { k: "int", v: 0 };
    case "status":
      return { k: "int", v: v.ok ? 1 : 0 };
    case "res":
      return { k: "test", key: "", negated: false, nullOf: v.id };
    case "sym":
      return { k: "test", key: `s${v.id}`, negated: true };
    case "test":
      return { ...v, negated: !v.negated };
    case "unknown":
      return unknownValue;
  }
}

/**
 * A test on two operands in a canonical form, so that `a != b` is the negation of `b == a` and
 * `a >= b` the negation of `a < b`: a later branch on either spelling reuses the first one's fact.
 */
function comparison(op: string, left: string, right: string): Value {
  switch (op) {
    case "==":
    case "!=":
      return { k: "test", key: left < right ? `${left} == ${right}` : `${right} == ${left}`, negated: op === "!=" };
    case "<":
    case ">=":
      return { k: "test", key: `${left} < ${right}`, negated: op === ">=" };
    case ">":
    case "<=":
      return { k: "test", key: `${right} < ${left}`, negated: op === "<=" };
    default:
      return { k: "test", key: `${left} ${op} ${right}`, negated: false };
  }
}

function unary(op: "!" | "-" | "~" | "+", v: Value): Value {
  if (op === "!") return not(v);
  if (op === "+") return v;
  if (v.k === "int") return { k: "int", v: op === "-" ? -v.v : op === "~" ? ~v.v : v.v };
  return v.k === "unknown" ? v : { k: "test", key: `${op}${valueKey(v)}`, negated: false };
}


function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** "a packet", "an object from new". */
function withArticle(noun: string): string {
  return `${/^[aeiou]/i.test(noun) ? "an" : "a"} ${noun}`;
}

/** The fact a path records when it calls the function a parameter's member holds. */
export function calledFact(paramIndex: number, field: FieldStep): string {
  return `called:${paramIndex}${field.op}${field.name}`;
}

const CALLED_FACT = /^called:(\d+)(->|\.)(\w+)$/;

/** The parameter member a `calledFact` names, or undefined for any other fact. */
export function calledFieldOf(fact: string): { paramIndex: number; field: FieldStep } | undefined {
  const match = CALLED_FACT.exec(fact);
  return match === null ? undefined : { paramIndex: Number(match[1]), field: { name: match[3], op: match[2] as FieldStep["op"] } };
}

/** The `when` an outcome of a call satisfies. */
function outcomeName(outcome: boolean | "pending" | undefined): Outcome | undefined {
  return outcome === "pending" ? "pending" : outcome === undefined ? undefined : outcome ? "success" : "failure";
}

/** The status a call's success or failure returns; a failure of a call that may pend is not its pending status. */
function statusOutcome(ok: boolean, pendingStatus: string | undefined): Value {
  return ok || pendingStatus === undefined ? { k: "status", ok } : { k: "status", ok, not: pendingStatus };
}

function isNullish(value: Value | undefined): boolean {
  return value !== undefined && (value.k === "null" || (value.k === "int" && value.v === 0));
}
