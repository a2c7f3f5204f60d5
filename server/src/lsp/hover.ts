// Hover on a call: what the model says it does (built-in pack, vmbguard.json, SAL, or the summary
// of a user function's body), and for an allocation or a release what the check found on the
// paths through it. All API knowledge comes from the model: nothing here knows a function name.
import type { MarkupContent } from "vscode-languageserver/node";
import type { FunctionAnalysis } from "../analysis/engine";
import type { Finding, PathStep } from "../analysis/findings";
import { handleOutcomes } from "../analysis/handleOutcomes";
import type { Config } from "../config/config";
import type { Expr, IrFile, IrFunction, Position, SourceRange } from "../ir/ir";
import { forEachExpr } from "../ir/walk";
import { anyFamily, type Effect, type ModelEntry } from "../model/model";
import { ModelRegistry } from "../model/registry";
import { learnFromSal } from "../model/sal";
import { CallerModel, type SummaryTable } from "../analysis/summaryTable";

type CallExpr = Extract<Expr, { kind: "call" }>;

function contains(range: SourceRange, position: Position): boolean {
  const after = (a: Position, b: Position): boolean => a.line > b.line || (a.line === b.line && a.column >= b.column);
  return after(position, range.start) && after(range.end, position);
}

function samePosition(a: Position, b: Position): boolean {
  return a.line === b.line && a.column === b.column;
}

/** The innermost call whose callee's name is under `position`, with its function. */
function callAt(file: IrFile, position: Position): { call: CallExpr; fn: IrFunction } | undefined {
  let found: { call: CallExpr; fn: IrFunction } | undefined;
  for (const fn of file.functions) {
    if (!contains(fn.range, position)) continue;
    forEachExpr(fn, (expr) => {
      if (expr.kind === "call" && expr.callee.name !== undefined && contains(expr.callee.range, position)) found = { call: expr, fn };
    });
  }
  return found;
}

function paths(count: number): string {
  return count === 1 ? "1 path" : `${count} paths`;
}

/** The last branch decisions of a path, enough to tell it from the others. */
function viaText(via: readonly PathStep[]): string {
  const shown = via.slice(-3).map((step) => `${step.message} (line ${line(step.range)})`);
  return shown.length === 0 ? "" : `; ${via.length > shown.length ? "…, " : ""}${shown.join(", ")}`;
}

/** Where the handles acquired or released at `call` go on each path the analysis of `fn` explored. */
function outcomesAt(call: CallExpr, fn: IrFunction, analysis: FunctionAnalysis): string[] {
  const { acquired, releasedHere, incomplete } = handleOutcomes(analysis, call.range.start);
  const lines: string[] = [];
  if (acquired.length > 0) {
    lines.push("", `Where what it acquires ends up, on the paths VmbGuard explored through \`${fn.name}\`:`);
    for (const outcome of acquired) {
      const where = outcome.range === undefined ? "" : ` at line ${line(outcome.range)}`;
      const warning = outcome.kind === "owned" || outcome.kind === "lost" ? "**" : "";
      lines.push(`- ${warning}${outcome.message}${where}${warning} (${paths(outcome.paths)}${viaText(outcome.via)})`);
    }
  }
  if (releasedHere.length > 0) {
    lines.push("", `What it releases, on the paths VmbGuard explored through \`${fn.name}\`:`);
    for (const released of releasedHere) lines.push(`- ${released.description}${released.acquiredAt === undefined ? "" : ` (line ${line(released.acquiredAt)})`} (${paths(released.paths)})`);
  }
  if (incomplete) lines.push("", `The analysis of \`${fn.name}\` stopped at its budget: paths beyond it are not included.`);
  return lines;
}

/** The configured model with what the workspace's SAL annotations teach, as the check learns it. */
function modelOf(config: Config, files: Iterable<IrFile>): ModelRegistry {
  const registry = new ModelRegistry(config);
  for (const file of files) {
    for (const decl of [...file.declarations, ...file.functions]) {
      const entry = learnFromSal(decl, `${decl.file}:${decl.range.start.line + 1}`);
      if (entry !== undefined) registry.learn(entry);
    }
  }
  return registry;
}

function argument(target: number): string {
  return `argument ${target + 1}`;
}

function describeEffect(effect: Effect, registry: ModelRegistry): string {
  const noun = (family: string): string => (family === anyFamily ? "handle" : registry.family(family).noun);
  const when = "when" in effect && effect.when !== undefined && effect.when !== "always" ? ` when the call ${effect.when === "success" ? "succeeds" : effect.when === "pending" ? "is pending" : "fails"}` : "";
  switch (effect.kind) {
    case "acquire": {
      const where = effect.target === "return" ? "returned" : effect.inPlace === true ? `built in ${argument(effect.target)}` : `written through ${argument(effect.target)}`;
      const variant = effect.variant !== undefined ? ` (${effect.variant})` : "";
      return `acquires a ${noun(effect.family)}${variant}, ${where}${when}${effect.mayBeNull === true ? "; it may be NULL" : ""}`;
    }
    case "release":
      return `releases the ${noun(effect.family)} in ${argument(effect.target)}${when}`;
    case "transfer":
      return `hands the ${noun(effect.family)} in ${argument(effect.target)} over${when}; otherwise the caller still owns it`;
    case "use":
      return `uses the ${noun(effect.family)} in ${argument(effect.target)}: an error once it is released`;
    case "escape":
      return `may keep ${argument(effect.target)}: the caller is no longer responsible for it`;
    case "attach":
      return `keeps ${argument(effect.target)} reachable through the handle it returns`;
    case "opaque-call":
      return `passes ${argument(effect.target)} on to code without a model`;
    case "register-callback":
      return `registers ${argument(effect.target)} as a '${effect.role}' callback`;
    case "runs-callback":
      return `runs ${argument(effect.target)} before it returns, without keeping it`;
    case "status-predicate":
      return `says whether ${argument(effect.target)} is a success status`;
    case "abnormal-termination":
      return "says whether the enclosing __finally runs for an abnormal exit of its __try";
    case "no-return":
      return "never returns";
    case "throws":
      return "always throws: the caller leaves through its exception exit";
    case "assign": {
      const value = effect.value === "null" ? "NULL" : effect.value.field === undefined ? argument(effect.value.target) : `what ${argument(effect.value.target)}'s '${effect.value.field.name}' held`;
      return `leaves ${value} in ${argument(effect.into.target)}'s '${effect.into.field.name}'`;
    }
    case "returns-field":
      return `returns what ${argument(effect.target)}'s '${effect.field.name}' held`;
    case "calls-field":
      return `calls the function ${argument(effect.target)}'s '${effect.field.name}' holds`;
  }
}

function line(range: SourceRange): number {
  return range.start.line + 1;
}

/** What the findings say about the resource acquired or released by `call`. */
function pathsThrough(call: CallExpr, entry: ModelEntry, findings: readonly Finding[]): string[] {
  const acquires = entry.effects.some((effect) => effect.kind === "acquire");
  const releases = entry.effects.some((effect) => effect.kind === "release");
  const notes: string[] = [];
  if (acquires) {
    const fromHere = findings.filter((finding) => finding.acquiredAt !== undefined && samePosition(finding.acquiredAt.range.start, call.range.start));
    if (fromHere.length === 0) {
      notes.push("No finding: every path VmbGuard explored from here releases the handle or hands it over.");
    } else {
      for (const finding of fromHere) {
        const releasedOn = finding.path.filter((step) => step.kind === "release" || step.kind === "transfer").map((step) => `${step.message} (line ${line(step.range)})`);
        const before = releasedOn.length === 0 ? "" : ` after ${releasedOn.join(", ")}`;
        notes.push(`\`${finding.ruleId}\` at line ${line(finding.range)}${before}: ${finding.message}`);
      }
    }
  }
  if (releases) {
    for (const finding of findings) {
      if (samePosition(finding.range.start, call.range.start)) notes.push(`\`${finding.ruleId}\` here: ${finding.message}`);
      else if (finding.path.some((step) => step.kind === "release" && samePosition(step.range.start, call.range.start))) {
        notes.push(`The release here comes first on the path of \`${finding.ruleId}\` at line ${line(finding.range)}.`);
      }
    }
  }
  return notes;
}

export interface HoverInput {
  file: IrFile;
  /** Every lowered file of the check, for the SAL-learned model. */
  files: Iterable<IrFile>;
  config: Config;
  /** The user functions' summaries from the check. */
  summaries: SummaryTable;
  findings: readonly Finding[];
  position: Position;
  /** The function's analysis made again as the check made it, for where its handles go on each path. */
  analyzeAgain?: (fn: IrFunction) => FunctionAnalysis | undefined;
}

export function hoverAt(input: HoverInput): { contents: MarkupContent; range: SourceRange } | undefined {
  const found = callAt(input.file, input.position);
  if (found?.call.callee.name === undefined) return undefined;
  const { call, fn } = found;
  const registry = modelOf(input.config, input.files);
  // The model exactly as the check applied it at this call: a user function's summary included.
  const callerModel = new CallerModel(registry, input.summaries, input.file.file, new Set(input.file.functions.map((each) => each.name)), new Map(), input.file.language);
  const entry = callerModel.lookup(call.callee.name!);
  if (entry === undefined) return undefined;
  const lines = [`**${call.callee.text}** — VmbGuard model (${entry.origin})`];
  if (entry.doc !== undefined) lines.push("", entry.doc);
  lines.push("", ...entry.effects.map((effect) => `- ${describeEffect(effect, registry)}`));
  const analysis = input.analyzeAgain?.(fn);
  if (analysis !== undefined) lines.push(...outcomesAt(call, fn, analysis));
  const notes = pathsThrough(call, entry, input.findings);
  if (notes.length > 0) lines.push("", ...notes.map((note) => `- ${note}`));
  return { contents: { kind: "markdown", value: lines.join("\n") }, range: call.callee.range };
}
