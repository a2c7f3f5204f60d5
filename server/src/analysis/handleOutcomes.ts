// Where the handles of one call end up on the paths the engine explored through its function:
// released (by which call, where), handed over, kept elsewhere (returned, stored), NULL because the
// acquisition failed, or still owned at an exit. Read off the exit states of the same analysis the
// check makes, so a hover says what the check saw, path by path.
import type { Position, SourceRange } from "../ir/ir";
import type { ExitRecord, FunctionAnalysis } from "./engine";
import type { PathStep } from "./findings";
import type { Resource, State, TrailNode } from "./state";

export type OutcomeKind = "released" | "transferred" | "escaped" | "null" | "owned" | "lost";

export interface HandleOutcome {
  kind: OutcomeKind;
  /** The step that decided it ("released here by 'VmbPacketFree'"), or a description. */
  message: string;
  /** Where it was decided; for a handle still owned, the exit. */
  range?: SourceRange;
  /** How many of the explored exits end so. */
  paths: number;
  /** The branches and call outcomes assumed on the first such path, after the handle was acquired. */
  via: PathStep[];
}

export interface HandleOutcomes {
  /** The handles acquired at the position, grouped by how they end; empty when no explored path acquires one there. */
  acquired: HandleOutcome[];
  /** The handles a release at the position releases, grouped by where they were acquired. */
  releasedHere: { acquiredAt?: SourceRange; description: string; paths: number }[];
  /** The analysis stopped at its budget: paths beyond it are not included. */
  incomplete: boolean;
}

function samePosition(a: Position, b: Position): boolean {
  return a.line === b.line && a.column === b.column;
}

/** The steps of `state`'s path about resource `res` or about no resource (branches), oldest first, since it was acquired. */
function stepsSince(state: State, res: Resource): { own: PathStep[]; decisions: PathStep[] } {
  const own: PathStep[] = [];
  const decisions: PathStep[] = [];
  for (let node: TrailNode | undefined = state.trail; node !== undefined && node.seq >= res.since; node = node.prev) {
    if (node.resource === res.id) own.push(node.step);
    else if (node.resource === undefined && (node.step.kind === "branch" || node.step.kind === "call")) decisions.push(node.step);
  }
  return { own: own.reverse(), decisions: decisions.reverse() };
}

/** A step's message where it is not the path's next step but a place named by its line: "released by 'X'". */
function placeless(step: PathStep): string {
  return step.message.replace(/ here\b/, "");
}

/** How one handle ends on one path. */
function outcomeOf(res: Resource, own: readonly PathStep[], exit: ExitRecord): Omit<HandleOutcome, "paths" | "via"> {
  const last = (kind: PathStep["kind"], prefix = ""): PathStep | undefined => [...own].reverse().find((step) => step.kind === kind && step.message.startsWith(prefix));
  if (res.nullness === "null") return { kind: "null", message: "the acquisition failed: NULL on this path, nothing to release" };
  switch (res.state) {
    case "released": {
      const step = last("release");
      return { kind: "released", message: step === undefined ? "released" : placeless(step), range: step?.range ?? res.releasedAt };
    }
    case "transferred": {
      const step = last("transfer", "handed over");
      return { kind: "transferred", message: step === undefined ? "handed over" : placeless(step), range: step?.range ?? res.transferredAt };
    }
    case "escaped": {
      const step = last("escape");
      if (step !== undefined) return { kind: "escaped", message: placeless(step), range: step.range };
      // Without an escape step the handle was lost (overwritten, out of scope) and reported as leaked there.
      const lost = last("exit");
      return { kind: "lost", message: lost === undefined ? "leaked: its last handle is gone" : placeless(lost), range: lost?.range };
    }
    default:
      return { kind: "owned", message: `still owned when the function ${exit.kind === "throw" ? "throws" : "returns"}`, range: exit.range };
  }
}

/** Where a handle the function did not acquire itself came from. */
function whereFrom(res: Resource): string {
  if (res.paramField !== undefined) return `the handle in '${res.paramField.field.op}${res.paramField.field.name}' of parameter ${res.paramField.index + 1}`;
  if (res.paramIndex !== undefined) return `the handle given in parameter ${res.paramIndex + 1}`;
  if (res.globalField !== undefined) return `the handle in '${res.globalField.name}${res.globalField.field.op}${res.globalField.field.name}'`;
  if (res.global !== undefined) return `the handle in '${res.global}'`;
  return "a handle of unknown origin";
}

/**
 * The outcomes for the call at `position` (the start of the call's range) in `analysis`, a
 * complete analysis of its function (its exit states).
 */
export function handleOutcomes(analysis: FunctionAnalysis, position: Position): HandleOutcomes {
  const acquired = new Map<string, HandleOutcome>();
  const releasedHere = new Map<string, { acquiredAt?: SourceRange; description: string; paths: number }>();
  for (const exit of analysis.exits) {
    for (const res of exit.state.resources.values()) {
      const { own, decisions } = stepsSince(exit.state, res);
      if (res.origin === "acquired" && res.acquiredAt !== undefined && samePosition(res.acquiredAt.start, position)) {
        const outcome = outcomeOf(res, own, exit);
        const key = `${outcome.kind}|${outcome.message}|${outcome.range ? `${outcome.range.start.line}:${outcome.range.start.column}` : ""}`;
        const known = acquired.get(key);
        if (known !== undefined) known.paths++;
        else acquired.set(key, { ...outcome, paths: 1, via: decisions });
      }
      if (own.some((step) => step.kind === "release" && samePosition(step.range.start, position))) {
        const acquisition = own.find((step) => step.kind === "acquire");
        const description = acquisition === undefined ? whereFrom(res) : placeless(acquisition);
        const key = `${description}|${acquisition ? `${acquisition.range.start.line}:${acquisition.range.start.column}` : ""}`;
        const known = releasedHere.get(key);
        if (known !== undefined) known.paths++;
        else releasedHere.set(key, { acquiredAt: acquisition?.range, description, paths: 1 });
      }
    }
  }
  const byPlace = (a: { range?: SourceRange }, b: { range?: SourceRange }): number => (a.range?.start.line ?? -1) - (b.range?.start.line ?? -1) || (a.range?.start.column ?? -1) - (b.range?.start.column ?? -1);
  return { acquired: [...acquired.values()].sort(byPlace), releasedHere: [...releasedHere.values()], incomplete: analysis.incomplete };
}
