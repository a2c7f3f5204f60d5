// The abstract state of one path through a function (ENGINE.md): resources with their
// typestate, bindings of storage locations to values, and facts the path has learned.
import type { Expr, SourceRange } from "../ir/ir";
import type { FieldStep } from "../model/model";
import type { PathStep } from "./findings";

export type Value =
  | { k: "int"; v: number }
  | { k: "null" }
  | { k: "str" }
  /** A tracked handle. */
  | { k: "res"; id: number }
  /** The result of a call whose outcome the path has assumed (success or failure). */
  | { k: "status"; ok: boolean }
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
  /** Another resource that keeps this one reachable (the MDL describing this buffer). */
  readonly heldBy?: number;
  /** Trail sequence number when it was acquired: path steps after it explain its findings. */
  readonly since: number;
}

/** `Context->Packet` where `Context` is parameter `index`. */
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
    return new State(new Map(this.bindings), new Map(this.resources), new Map(this.facts), new Map(this.loopVisits), this.trail);
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
   * Identity of the state for merging: what the path knows, not how it got there. Entries are
   * visited in key order (insertion order differs between paths); building one string as it goes
   * measured cheaper than sorting joined entry strings.
   */
  key(): string {
    let key = "";
    for (const location of [...this.bindings.keys()].sort()) key += `${location}=${valueKey(this.bindings.get(location)!)},`;
    key += "|";
    for (const id of [...this.resources.keys()].sort(byNumber)) {
      const res = this.resources.get(id)!;
      key += `${id}:${res.family}:${res.state}:${res.nullness},`;
    }
    key += "|";
    for (const fact of [...this.facts.keys()].sort()) key += `${fact}=${this.facts.get(fact) ? 1 : 0},`;
    return key;
  }
}

function byNumber(a: number, b: number): number {
  return a - b;
}

/** A canonical name for a value, used in fact keys and state keys. */
export function valueKey(value: Value): string {
  switch (value.k) {
    case "int":
      return `#${value.v}`;
    case "null":
      return "null";
    case "str":
      return "str";
    case "res":
      return `r${value.id}`;
    case "status":
      return value.ok ? "ok" : "fail";
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
