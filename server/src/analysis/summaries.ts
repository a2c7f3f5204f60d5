// Summaries of user functions (ENGINE.md "Across functions"): what a function does to each
// handle it is given and whether it returns a new one, read off the exit states of its analysis.
// A summary is a ModelEntry, so a call applies it exactly like a built-in API.
import type { IrFunction } from "../ir/ir";
import { writtenVariables } from "../ir/walk";
import type { AssignedValue, Effect, FieldStep, GlobalVariable, ModelEntry, Outcome } from "../model/model";
import { anyFamily } from "../model/model";
import { calledFieldOf, type ExitRecord, type FunctionAnalysis } from "./engine";
import type { GlobalField, ParamField, Resource, Value } from "./state";

type ParamFate = "released" | "transferred" | "escaped" | "used" | "none" | "null";

/** Whether an exit returned success (true), failure (false) or something not a status (undefined). */
function exitOutcome(exit: ExitRecord, fn: IrFunction): boolean | undefined {
  const value: Value = exit.returnValue;
  if (exit.kind === "throw") return false;
  if (value.k === "status") return value.ok;
  if (value.k === "int" && returnsStatus(fn)) return value.v >= 0;
  if (value.k === "int" && returnsBoolean(fn)) return value.v !== 0;
  if (value.k === "res") return true;
  if (value.k === "null") return false;
  return undefined;
}

function returnsStatus(fn: IrFunction): boolean {
  return fn.returnType !== undefined && /\bNTSTATUS\b/.test(fn.returnType);
}

function returnsBoolean(fn: IrFunction): boolean {
  return fn.returnType !== undefined && /^(BOOLEAN|BOOL|bool|_Bool|boolean)$/.test(fn.returnType.trim());
}

function fateOf(exit: ExitRecord, paramIndex: number): { fate: ParamFate; family: string; variant?: string } {
  for (const res of exit.state.resources.values()) {
    if (res.paramIndex !== paramIndex || res.origin !== "parameter") continue;
    const fate: ParamFate = res.state === "released" ? "released" : res.state === "transferred" ? "transferred" : res.state === "escaped" ? "escaped" : "used";
    // Released in steps (the pages of an MDL, then the MDL): to the caller, one release of what it gave.
    if (fate === "released" && res.partlyReleased !== undefined) return { fate, ...res.partlyReleased };
    return { fate, family: res.family };
  }
  // The path learned the parameter is NULL: there was nothing to release on it.
  if (exit.state.facts.get(`s${paramIndex}`) === false) return { fate: "null", family: "" };
  return { fate: "none", family: "" };
}

export function summarize(fn: IrFunction, analysis: FunctionAnalysis): ModelEntry | undefined {
  const exits = analysis.exits;
  // No exit explored (a budget hit, a function that never returns): nothing sound to say.
  if (exits.length === 0 || analysis.incomplete) return undefined;
  const outcomes = exits.map((exit) => exitOutcome(exit, fn));
  const correlated = outcomes.every((outcome) => outcome !== undefined) && outcomes.includes(true) && outcomes.includes(false);
  const effects: Effect[] = [];
  const stores = assignEffects(fn, analysis);
  // A parameter kept in a field of another (a constructor's member): the caller's stores say where it went.
  const stored = new Set(stores.flatMap((effect) => (effect.kind === "assign" && effect.value !== "null" && effect.value.field === undefined ? [effect.value.target] : [])));

  fn.params.forEach((_param, index) => {
    // Exits where the parameter was NULL agree with whatever the others do to it.
    const all = exits.map((exit) => fateOf(exit, index));
    const fates = all.filter((fate) => fate.fate !== "null");
    if (fates.length === 0) return;
    // A parameter read through on every path, never tested for NULL: the callee uses what it
    // points to, unless it also passes it on to code without a model (which may keep it).
    const neverTested = exits.every((exit) => !exit.state.facts.has(`s${index}`));
    if (analysis.paramsDereferenced.has(index) && neverTested && fates.every((fate) => fate.fate === "none")) {
      effects.push(analysis.paramsPassedOn.has(index) ? { kind: "opaque-call", target: index } : { kind: "use", family: anyFamily, target: index });
      return;
    }
    const outcomesOf = outcomes.filter((_, i) => all[i].fate !== "null");
    const family = fates.find((fate) => fate.family)?.family || anyFamily;
    const kinds = new Set(fates.map((fate) => fate.fate));
    if (kinds.size === 1 && kinds.has("none")) {
      if (analysis.paramsPassedOn.has(index)) effects.push({ kind: "opaque-call", target: index });
      return;
    }
    // Per outcome, a parameter left alone and one only used are the same to the caller: still its own.
    const on = (outcome: boolean) => new Set(fates.filter((_, i) => outcomesOf[i] === outcome).map((fate) => (fate.fate === "none" ? "used" : fate.fate)));
    if (kinds.has("escaped")) {
      if (stored.has(index)) return;
      // Kept on one outcome only (a thread started with it), still the caller's on the other.
      const keptOn = correlated && single(on(true)) && single(on(false)) ? ([true, false] as const).find((outcome) => on(outcome).has("escaped") && on(!outcome).has("used")) : undefined;
      effects.push(keptOn === undefined ? { kind: "escape", target: index } : { kind: "escape", target: index, when: keptOn ? "success" : "failure" });
      return;
    }
    if (kinds.size === 1 && kinds.has("released")) {
      const variant = fates.find((fate) => fate.variant !== undefined)?.variant;
      effects.push(variant === undefined ? { kind: "release", family, target: index } : { kind: "release", family, target: index, variant });
    } else if (kinds.size === 1 && kinds.has("transferred")) {
      effects.push({ kind: "transfer", family, target: index });
    } else if (kinds.size === 1 && kinds.has("used")) {
      effects.push({ kind: "use", family, target: index });
    } else if (correlated && single(on(true)) && single(on(false))) {
      const success = [...on(true)][0];
      const failure = [...on(false)][0];
      for (const [fate, when] of [[success, "success"], [failure, "failure"]] as const) {
        if (fate === "released") effects.push({ kind: "release", family, target: index, when });
        if (fate === "transferred") effects.push({ kind: "transfer", family, target: index, when });
      }
      if (success === "used" && failure === "used") effects.push({ kind: "use", family, target: index });
    } else if (kinds.has("released") || kinds.has("transferred")) {
      // Released on some paths the caller cannot tell apart: the caller is no longer responsible.
      effects.push({ kind: "escape", target: index });
    } else {
      effects.push({ kind: "use", family, target: index });
    }
  });

  effects.push(...fieldEffects(fn, exits, outcomes, correlated));
  effects.push(...stores);
  const returnedField = returnedFieldOf(exits, analysis);
  if (returnedField !== undefined) effects.push(returnedField);
  effects.push(...calledFieldEffects(fn, exits));
  effects.push(...globalEffects(fn, exits, outcomes, correlated, analysis.globalsDereferenced));

  // A fresh handle returned to the caller.
  const returned = exits.map((exit) => (exit.returnValue.k === "res" ? exit.state.resources.get(exit.returnValue.id) : undefined));
  const fresh = returned.find((res) => res && res.origin === "acquired");
  if (fresh) {
    const mayBeNull = exits.some((exit, i) => exit.kind === "return" && (returned[i] === undefined ? isNullish(exit.returnValue) : returned[i]!.nullness !== "nonnull"));
    // Returned after its release on every path that returns it: the caller gets a dangling pointer.
    const released = returned.every((res) => !res || res.state === "released");
    effects.push({ kind: "acquire", family: fresh.family, target: "return", mayBeNull, variant: fresh.variant, ...(released ? { released } : {}) });
    // The returned handle keeps what it was made for (a wrapper around IoAllocateMdl).
    for (const index of [...analysis.paramsAttached].sort((a, b) => a - b)) effects.push({ kind: "attach", target: index });
  }

  // A fresh handle written through an out-parameter (`*Packet = VmbPacketAllocate(...)`).
  fn.params.forEach((param, index) => {
    const written = exits.map((exit) => {
      const value = exit.state.bindings.get(`*${param.name}`);
      const res = value?.k === "res" ? exit.state.resources.get(value.id) : undefined;
      return res && res.origin === "acquired" && res.nullness !== "null" ? res : undefined;
    });
    const first = written.find((res) => res !== undefined);
    if (!first) return;
    const always = written.every((res) => res !== undefined);
    const onSuccessOnly = correlated && written.every((res, i) => (res !== undefined) === outcomes[i]);
    if (always || onSuccessOnly) {
      effects.push({ kind: "acquire", family: first.family, target: index, when: always ? "always" : "success", variant: first.variant });
    }
  });

  // Every path ends in an exception: the caller's path does too.
  if (exits.length > 0 && exits.every((exit) => exit.kind === "throw")) effects.push({ kind: "throws" });

  // Even without effects the summary matters: a function whose body we know is not an unknown call.
  const constants = new Set(exits.map((exit) => (exit.kind === "return" && exit.returnValue.k === "int" ? exit.returnValue.v : undefined)));
  const constant = constants.size === 1 ? [...constants][0] : undefined;
  const statusReturned = outcomes.some((o) => o !== undefined) && (returnsStatus(fn) || exits.some((exit) => exit.returnValue.k === "status"));
  return {
    name: fn.name,
    effects,
    returns: statusReturned ? "ntstatus" : returnsBoolean(fn) ? "boolean" : fresh ? "pointer" : undefined,
    ...(constant !== undefined && effects.length === 0 ? { constant } : {}),
    ...(analysis.globalsWritten.length > 0 ? { writesGlobals: [...analysis.globalsWritten].sort((a, b) => (a.file + a.name < b.file + b.name ? -1 : 1)) } : {}),
    origin: `summary of ${fn.name}`,
    doc: summaryDoc(fn),
  };
}

/** The hover line of a summary: where the body it was read from is (so a function that moved has a new one). */
export function summaryDoc(fn: IrFunction): string {
  return `Summarized from its body (${fn.file}:${fn.range.start.line + 1}).`;
}

/**
 * Where a handle the caller can reach lies, other than in a parameter itself: a field of what a
 * parameter points to (`Context->Packet`), or a variable that is not the function's own.
 */
interface HandleHome {
  /** The binding that holds it in the function's states (`Context->Packet`, `g_Pending`). */
  location: string;
  holds(res: Resource): boolean;
  /** On this exit there was nothing there to begin with (the parameter was tested NULL). */
  absentOn(exit: ExitRecord): boolean;
  /** The handle was read and dereferenced while still an unknown value (a file-scope variable). */
  dereferenced: boolean;
  place: Pick<Extract<Effect, { kind: "release" }>, "target" | "field" | "global">;
}

/**
 * What the function does to handles in fields of what its parameters point to (a cleanup helper
 * freeing `Context->Packet`).
 */
function fieldEffects(fn: IrFunction, exits: readonly ExitRecord[], outcomes: readonly (boolean | undefined)[], correlated: boolean): Effect[] {
  const fields = new Map<string, ParamField>();
  for (const exit of exits) {
    for (const res of exit.state.resources.values()) {
      const owner = res.paramField;
      if (owner) fields.set(`${owner.index}${owner.field.op}${owner.field.name}`, owner);
    }
  }
  if (fields.size === 0) return [];
  // A parameter the function assigns no longer names what the caller passed.
  const reassigned = writtenVariables(fn);
  const homes: HandleHome[] = [];
  for (const key of [...fields.keys()].sort()) {
    const owner = fields.get(key)!;
    if (reassigned.has(fn.params[owner.index]?.name ?? "")) continue;
    homes.push({
      location: owner.field.op === "*" ? `*${fn.params[owner.index].name}` : `${fn.params[owner.index].name}${owner.field.op}${owner.field.name}`,
      holds: (res) => res.paramField !== undefined && `${res.paramField.index}${res.paramField.field.op}${res.paramField.field.name}` === key,
      // Where the parameter itself was NULL there was no field to release.
      absentOn: (exit) => exit.state.facts.get(`s${owner.index}`) === false,
      dereferenced: false,
      place: { target: owner.index, field: owner.field },
    });
  }
  return homeEffects(homes, exits, outcomes, correlated);
}

/**
 * What the function does to handles held in variables that are not its own (a helper freeing the
 * file's `g_PendingPacket`), as the caller will see it in the same file.
 */
function globalEffects(fn: IrFunction, exits: readonly ExitRecord[], outcomes: readonly (boolean | undefined)[], correlated: boolean, dereferenced: ReadonlySet<string>): Effect[] {
  const names = new Set(dereferenced);
  const fields = new Map<string, GlobalField>();
  for (const exit of exits) {
    for (const res of exit.state.resources.values()) {
      if (res.global !== undefined) names.add(res.global);
      if (res.globalField !== undefined) fields.set(globalFieldKey(res.globalField), res.globalField);
    }
  }
  const variable = (name: string): GlobalVariable => (fn.captures?.includes(name) === true ? { name, file: fn.file, captured: true } : { name, file: fn.file });
  const homes: HandleHome[] = [...names].sort().map((name) => ({ location: name, holds: (res) => res.global === name, absentOn: () => false, dereferenced: dereferenced.has(name), place: { target: -1, global: variable(name) } }));
  // A field of such a variable (`g_Adapter->Pending`, a method's `this.pending`): released there for the caller too.
  for (const key of [...fields.keys()].sort()) {
    const home = fields.get(key)!;
    homes.push({ location: key, holds: (res) => res.globalField !== undefined && globalFieldKey(res.globalField) === key, absentOn: () => false, dereferenced: false, place: { target: -1, global: variable(home.name), field: home.field } });
  }
  return homeEffects(homes, exits, outcomes, correlated);
}

/**
 * The effects on handles in `homes` the caller can rely on: released (or handed over) on every
 * path, or on every path of one outcome and untouched on the others, with the home left holding
 * the released handle on every path or set to NULL on every path; or, never ended and never tested
 * for NULL, used on every path. Anything else says nothing.
 */
function homeEffects(homes: readonly HandleHome[], exits: readonly ExitRecord[], outcomes: readonly (boolean | undefined)[], correlated: boolean): Effect[] {
  const effects: Effect[] = [];
  for (const home of homes) {
    const relevant = exits.map((exit, i) => ({ exit, outcome: outcomes[i] })).filter(({ exit }) => !home.absentOn(exit));
    let testedForNull = false;
    const paths = relevant.map(({ exit, outcome }) => {
      const res = [...exit.state.resources.values()].find((candidate) => home.holds(candidate));
      const held = exit.state.bindings.get(home.location);
      const cleared = held !== undefined && isNullish(held);
      if (held?.k === "sym" && exit.state.facts.has(`s${held.id}`)) testedForNull = true;
      if (res !== undefined && res.nullness !== "unknown") testedForNull = true;
      // The home was tested NULL on this path: there was nothing to release (`if (Context->Packet)`).
      const wasNull = res === undefined && held?.k === "sym" && exit.state.facts.get(`s${held.id}`) === false;
      return { fate: wasNull ? "null" : res?.state, outcome, family: res?.family ?? "", kept: cleared ? "null" : held?.k === "res" && held.id === res?.id ? "handle" : "other" };
    }).filter((path) => path.fate !== "null");
    const ended = (fate: string | undefined) => fate === "released" || fate === "transferred";
    const family = paths.find((path) => path.family)?.family || anyFamily;
    const kinds = new Set(paths.filter((path) => ended(path.fate)).map((path) => path.fate));
    if (kinds.size === 0) {
      // Read through but never ended: the helper uses what the caller left there.
      const used = paths.length > 0 && paths.every((path) => path.fate === "borrowed");
      const dereferenced = home.dereferenced && paths.length > 0 && paths.every((path) => path.fate === undefined);
      if ((used || dereferenced) && !testedForNull && home.place.global !== undefined) effects.push({ kind: "use", family, ...home.place });
      continue;
    }
    if (kinds.size !== 1) continue;
    const kind = kinds.has("released") ? "release" : "transfer";
    let when: Outcome | undefined;
    if (!paths.every((path) => ended(path.fate))) {
      // Ended on one outcome only, and untouched on the other.
      if (!correlated) continue;
      const endedOn = new Set(paths.flatMap((path) => (ended(path.fate) ? [path.outcome] : [])));
      const untouchedOn = new Set(paths.flatMap((path) => (path.fate === undefined ? [path.outcome] : [])));
      if (endedOn.size !== 1 || untouchedOn.size !== 1 || [...endedOn][0] === [...untouchedOn][0]) continue;
      if (paths.some((path) => !ended(path.fate) && path.fate !== undefined)) continue;
      when = [...endedOn][0] ? "success" : "failure";
    }
    const kept = new Set(paths.filter((path) => ended(path.fate)).map((path) => path.kept));
    if (kept.size !== 1 || kept.has("other")) continue;
    effects.push({ kind, family, ...home.place, ...(when ? { when } : {}), ...(kept.has("null") ? { clears: true } : {}) });
  }
  return effects;
}

const FIELD_OF = /^(.+?)(->|\.)(\w+)$/;
/** Members of parameters' objects whose function the function calls on every path (a scope guard's destructor). */
function calledFieldEffects(fn: IrFunction, exits: readonly ExitRecord[]): Effect[] {
  const keys = new Set<string>();
  for (const exit of exits) for (const key of exit.state.facts.keys()) if (calledFieldOf(key) !== undefined) keys.add(key);
  const effects: Effect[] = [];
  for (const key of [...keys].sort()) {
    if (!exits.every((exit) => exit.state.facts.get(key) === true)) continue;
    const called = calledFieldOf(key)!;
    if (called.paramIndex >= fn.params.length) continue;
    effects.push({ kind: "calls-field", target: called.paramIndex, field: called.field });
  }
  return effects;
}

/** What a location holds at an exit, as the caller can name it; undefined when it cannot. */
function assignedValue(value: Value | undefined, exit: ExitRecord, analysis: FunctionAnalysis, paramCount: number): AssignedValue | "unknown" {
  if (value === undefined) return "unknown";
  if (isNullish(value)) return "null";
  let field: ParamField | undefined;
  if (value.k === "sym") {
    if (value.id < paramCount) return { target: value.id };
    field = analysis.paramFieldOfSym.get(value.id);
  } else if (value.k === "res") {
    const res = exit.state.resources.get(value.id);
    if (res?.origin === "parameter" && res.paramIndex !== undefined && res.paramField === undefined) return { target: res.paramIndex };
    field = res?.paramField;
  }
  return field === undefined ? "unknown" : { target: field.index, field: field.field };
}

/**
 * Fields of what parameters point to that the function leaves holding a parameter, what another
 * such field held, or NULL, the same on every exit: a constructor's `m_packet(packet)`, a move's
 * `m_packet(other.m_packet)` with `other.m_packet = nullptr`, a `Detach()` clearing its member.
 */
function assignEffects(fn: IrFunction, analysis: FunctionAnalysis): Effect[] {
  const exits = analysis.exits;
  const reassigned = writtenVariables(fn);
  const parameterIndex = new Map(fn.params.map((param, index) => [param.name, index] as const));
  const locations = new Map<string, { target: number; field: FieldStep }>();
  for (const exit of exits) {
    for (const key of exit.state.bindings.keys()) {
      const match = FIELD_OF.exec(key);
      const target = match === null ? undefined : parameterIndex.get(match[1]);
      if (match === null || target === undefined || reassigned.has(match[1])) continue;
      locations.set(key, { target, field: { name: match[3], op: match[2] as FieldStep["op"] } });
    }
  }
  const effects: Effect[] = [];
  for (const key of [...locations.keys()].sort()) {
    const into = locations.get(key)!;
    const values = exits.map((exit) => assignedValue(exit.state.bindings.get(key), exit, analysis, fn.params.length));
    const first = values[0];
    if (first === "unknown" || values.some((value) => JSON.stringify(value) !== JSON.stringify(first))) continue;
    // Left as it was found: nothing to say.
    if (first !== "null" && first.target === into.target && first.field?.name === into.field.name && first.field.op === into.field.op) continue;
    effects.push({ kind: "assign", into, value: first });
  }
  return effects;
}

/** Every return gives back what one field of what a parameter points to held at entry (a getter). */
function returnedFieldOf(exits: readonly ExitRecord[], analysis: FunctionAnalysis): Effect | undefined {
  const returns = exits.filter((exit) => exit.kind === "return");
  if (returns.length === 0) return undefined;
  let found: ParamField | undefined;
  for (const exit of returns) {
    const value = exit.returnValue;
    const field = value.k === "sym" ? analysis.paramFieldOfSym.get(value.id) : value.k === "res" ? exit.state.resources.get(value.id)?.paramField : undefined;
    if (field === undefined) return undefined;
    if (found !== undefined && (found.index !== field.index || found.field.name !== field.field.name || found.field.op !== field.field.op)) return undefined;
    found = field;
  }
  return found === undefined ? undefined : { kind: "returns-field", target: found.index, field: found.field };
}

function globalFieldKey(home: GlobalField): string {
  return `${home.name}${home.field.op}${home.field.name}`;
}

function single<T>(set: Set<T>): boolean {
  return set.size === 1;
}

function isNullish(value: Value): boolean {
  return value.k === "null" || (value.k === "int" && value.v === 0);
}

export function sameEntry(a: ModelEntry | undefined, b: ModelEntry | undefined): boolean {
  return JSON.stringify(a?.effects) === JSON.stringify(b?.effects) && a?.returns === b?.returns && a?.constant === b?.constant;
}

/**
 * A summary with what the function's own SAL says (`__drv_freesMem`, `__drv_aliasesMem`,
 * `__drv_allocatesMem`, on the definition or on the declaration it takes its annotations from):
 * the declaration is the contract, so for each parameter it names, its effects replace what the
 * body suggested (a helper that frees through code the analysis does not see, or hands the
 * parameter to a thread only on success). A release keeps the family the body showed, if any.
 */
export function withDeclaredEffects(summary: ModelEntry | undefined, declared: ModelEntry | undefined): ModelEntry | undefined {
  if (summary === undefined || declared === undefined) return summary;
  const named = new Set(declared.effects.flatMap((effect) => ("target" in effect && typeof effect.target === "number" && (effect.kind === "release" || effect.kind === "transfer" || effect.kind === "acquire") ? [effect.target] : [])));
  const returnsNew = declared.effects.some((effect) => effect.kind === "acquire" && effect.target === "return");
  const ownReturn = summary.effects.some((effect) => effect.kind === "acquire" && effect.target === "return");
  if (named.size === 0 && (!returnsNew || ownReturn)) return summary;
  const familyOn = (target: number) => summary.effects.find((effect): effect is Extract<Effect, { kind: "release" | "transfer" }> => (effect.kind === "release" || effect.kind === "transfer") && effect.target === target && effect.field === undefined && effect.global === undefined)?.family;
  const aboutNamed = (effect: Effect) => "target" in effect && typeof effect.target === "number" && named.has(effect.target) && !("field" in effect && effect.field !== undefined) && !("global" in effect && effect.global !== undefined);
  const kept = summary.effects.filter((effect) => !aboutNamed(effect));
  const added: Effect[] = [];
  for (const effect of declared.effects) {
    if (effect.kind === "release") added.push({ ...effect, family: familyOn(effect.target) ?? anyFamily });
    // `__drv_aliasesMem`: the function keeps the pointer; the caller no longer owes its release,
    // and may still free it on a path it knows the function did not keep it.
    else if (effect.kind === "transfer") added.push({ kind: "escape", target: effect.target });
    else if (effect.kind === "acquire" && (effect.target !== "return" || !ownReturn)) added.push(effect);
  }
  const returns = summary.returns ?? declared.returns;
  return { ...summary, effects: [...kept, ...added], ...(returns === undefined ? {} : { returns }), doc: `${summary.doc ?? ""} Its SAL (${declared.origin}) decides what it does to the parameters it annotates.`.trim() };
}
