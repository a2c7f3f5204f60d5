// The abstract state of one path through a function (ENGINE.md): resources with their
// typestate, bindings of storage locations to values, and facts the path has learned.
import type { Expr, SourceRange } from "../ir/ir";
import type { FieldStep } from "../model/model";
import type { PathStep } from "./findings";

export type Value =
  | { k: "int"; v: number }
  | { k: "null" }
  /** A string; `names`: its text, when it is the name of a function of the model (`"VmbPacketAllocate"`). */
  | { k: "str"; names?: string }
  /** A tracked handle. */
  | { k: "res"; id: number }
  /**
   * The result of a call whose outcome the path has assumed (success or failure), or a named status
   * constant. `name`: exactly that constant (a success without one is the success constant);
   * `not`: a failure known not to be that constant (the failure outcome of a call that may pend).
   */
  | { k: "status"; ok: boolean; name?: string; not?: string }
  /** An unknown value with a stable identity, so tests on it correlate. */
  | { k: "sym"; id: number }
  /**
   * A boolean test on unknowns: true iff the fact `key` holds (xor `negated`). With `nullOf`,
   * the test is "resource nullOf is NULL", which refines the resource instead of a fact.
   */
  | { k: "test"; key: string; negated: boolean; nullOf?: number }
  | { k: "fn"; name: string }
  /** The address of a location (`&data`): writing through it writes that location. */
  | { k: "ptr"; to: string; target: Expr }
  | { k: "unknown" };

export const unknownValue: Value = { k: "unknown" };

export type Typestate = "owned" | "released" | "transferred" | "escaped" | "borrowed";

export interface Resource {
  readonly id: number;
  /** Empty until an API call tells the family of a handle the function was given. */
  readonly family: string;
  readonly variant?: string;
  readonly state: Typestate;
  readonly nullness: "unknown" | "nonnull" | "null";
  readonly mayBeNull: boolean;
  readonly acquiredAt?: SourceRange;
  /** The API (or summarized function) that produced it, and its spelling at the call (`Kmcl->VmbPacketAllocate`). */
  readonly acquiredBy?: string;
  readonly acquiredCallText?: string;
  /** Set for a handle received as parameter `paramIndex`. */
  readonly paramIndex?: number;
  /** Set for a handle read from a field of what a parameter points to, as the function was called. */
  readonly paramField?: ParamField;
  /** Set for a handle read from a variable that is not the function's own (a file-scope variable), as the function was called. */
  readonly global?: string;
  /** Set for a handle read from a field of such a variable (`g_Adapter->Pending`, a method's `this.pending`), as the function was called. */
  readonly globalField?: GlobalField;
  /** The handle behind the first unknown value it was made from (a parameter, a field read...). */
  readonly origin: "acquired" | "parameter" | "role" | "unknown";
  readonly releasedAt?: SourceRange;
  readonly releasedBy?: string;
  /** The statement that released it (for the "null after release" fix). */
  readonly releaseStatement?: SourceRange;
  readonly transferredAt?: SourceRange;
  readonly transferredBy?: string;
  /** Its unchecked-allocation finding was already reported on this path. */
  readonly uncheckedReported?: boolean;
  /** What it was before a release left part of it (an MDL whose pages were freed is pool memory now). */
  readonly partlyReleased?: { family: string; variant?: string };
  /** Another resource that keeps this one reachable (the MDL describing this buffer). */
  readonly heldBy?: number;
  /** Trail sequence number when it was acquired: path steps after it explain its findings. */
  readonly since: number;
}

/** `Context->Packet` where `Context` is parameter `index`. */
/** A field of a variable that is not the function's own. */
export interface GlobalField {
  name: string;
  field: FieldStep;
}

export interface ParamField {
  index: number;
  field: FieldStep;
}

export interface TrailNode {
  readonly step: PathStep;
  /** The resource the step is about (undefined for branch decisions). */
  readonly resource?: number;
  readonly seq: number;
  readonly prev?: TrailNode;
}

export class State {
  constructor(
    readonly bindings: Map<string, Value>,
    readonly resources: Map<number, Resource>,
    readonly facts: Map<string, boolean>,
    readonly loopVisits: Map<number, number>,
    public trail: TrailNode | undefined,
  ) {}

  static initial(): State {
    return new State(new Map(), new Map(), new Map(), new Map(), undefined);
  }

  clone(): State {
    return new State(copyMap(this.bindings), copyMap(this.resources), copyMap(this.facts), copyMap(this.loopVisits), this.trail);
  }

  addStep(step: PathStep, resource?: number): void {
    this.trail = { step, resource, seq: (this.trail?.seq ?? 0) + 1, prev: this.trail };
  }

  get seq(): number {
    return this.trail?.seq ?? 0;
  }

  update(id: number, change: Partial<Resource>): Resource {
    const next = { ...this.resources.get(id)!, ...change };
    this.resources.set(id, next);
    return next;
  }

  /** The locations that hold resource `id`. */
  holders(id: number): string[] {
    const names: string[] = [];
    for (const [location, value] of this.bindings) if (value.k === "res" && value.id === id) names.push(location);
    return names;
  }

  /**
   * A hash of what the path knows (bindings, resources' typestates, facts), equal for states
   * that `knowsAs` finds equal. Entries are summed, so the order a path made them in does not
   * matter; it is only a filter before the exact comparison.
   */
  knowledgeHash(): number {
    let hash = Math.imul(this.bindings.size, 0x9e3779b1) ^ Math.imul(this.resources.size, 0x85ebca6b) ^ Math.imul(this.facts.size, 0xc2b2ae35);
    this.bindings.forEach((value, location) => {
      hash = (hash + Math.imul(textHash(location) ^ valueHash(value), 0x27d4eb2d)) | 0;
    });
    this.resources.forEach((res) => {
      hash = (hash + Math.imul(res.id, 0x165667b1) + textHash(res.state) + textHash(res.nullness)) | 0;
    });
    this.facts.forEach((truth, fact) => {
      hash = (hash + Math.imul(textHash(fact), truth ? 3 : 5)) | 0;
    });
    return hash;
  }

  /** Records what the path knows now, to compare later states with (the state itself goes on changing). */
  knowledge(): Knowledge {
    return { bindings: copyMap(this.bindings), resources: [...this.resources.values()], facts: copyMap(this.facts) };
  }

  /** Whether this state knows exactly what `known` recorded: paths that meet in it need not be explored twice. */
  knowsAs(known: Knowledge): boolean {
    if (this.bindings.size !== known.bindings.size || this.resources.size !== known.resources.length || this.facts.size !== known.facts.size) return false;
    for (const [location, value] of known.bindings) {
      const mine = this.bindings.get(location);
      if (mine === undefined || !sameValue(mine, value)) return false;
    }
    for (const res of known.resources) {
      const mine = this.resources.get(res.id);
      if (mine === undefined || mine.family !== res.family || mine.state !== res.state || mine.nullness !== res.nullness) return false;
    }
    for (const [fact, truth] of known.facts) if (this.facts.get(fact) !== truth) return false;
    return true;
  }
}

/**
 * `new Map(map)` goes through the iteration protocol (an entry array and a result object per
 * entry); states are copied at every branch, and this copy allocates only the new map.
 */
function copyMap<K, V>(map: ReadonlyMap<K, V>): Map<K, V> {
  const copy = new Map<K, V>();
  map.forEach((value, key) => copy.set(key, value));
  return copy;
}

/** What a state knew at a merge point (see State.knowledge). */
export interface Knowledge {
  readonly bindings: ReadonlyMap<string, Value>;
  readonly resources: readonly Resource[];
  readonly facts: ReadonlyMap<string, boolean>;
}

/** Cheap and collision-prone on purpose: it only picks candidates for the exact comparison. */
function textHash(text: string): number {
  const length = text.length;
  return length === 0 ? 0 : Math.imul(length, 31) + Math.imul(text.charCodeAt(0), 131) + Math.imul(text.charCodeAt(length - 1), 7) + text.charCodeAt(length >> 1);
}

function valueHash(value: Value): number {
  switch (value.k) {
    case "int":
      return (value.v | 0) + 11;
    case "res":
      return Math.imul(value.id, 0x01000193) + 1;
    case "sym":
      return Math.imul(value.id, 0x5bd1e995) + 2;
    case "status":
      return (value.ok ? 3 : 4) + (value.name === undefined ? 0 : textHash(value.name)) + (value.not === undefined ? 0 : 7 * textHash(value.not));
    case "test":
      return textHash(value.key) + (value.negated ? 5 : 6);
    case "fn":
      return textHash(value.name) + 7;
    case "str":
      return value.names === undefined ? textHash("str") : textHash(value.names) + 9;
    case "ptr":
      return textHash(value.to) + 8;
    default:
      return textHash(value.k);
  }
}

/** Equal under `valueKey`, compared without building the names. */
function sameValue(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (a.k !== b.k) return false;
  switch (a.k) {
    case "res":
    case "sym":
      return a.id === (b as typeof a).id;
    case "null":
    case "unknown":
      return true;
    case "str":
      return a.names === (b as typeof a).names;
    case "status":
      return a.ok === (b as typeof a).ok && a.name === (b as typeof a).name && a.not === (b as typeof a).not;
    default:
      return valueKey(a) === valueKey(b);
  }
}

/** A canonical name for a value, used in fact keys and state keys. */
export function valueKey(value: Value): string {
  switch (value.k) {
    case "int":
      return `#${value.v}`;
    case "null":
      return "null";
    case "str":
      return value.names === undefined ? "str" : `str:${value.names}`;
    case "res":
      return `r${value.id}`;
    case "status":
      return `${value.ok ? "ok" : "fail"}${value.name === undefined ? "" : `=${value.name}`}${value.not === undefined ? "" : `!=${value.not}`}`;
    case "sym":
      return `s${value.id}`;
    case "test":
      return `${value.negated ? "!" : ""}(${value.nullOf !== undefined ? `null r${value.nullOf}` : value.key})`;
    case "fn":
      return `fn:${value.name}`;
    case "ptr":
      return `&${value.to}`;
    case "unknown":
      return "?";
  }
}
