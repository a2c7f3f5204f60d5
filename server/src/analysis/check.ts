// The one entry point of the core: sources in, findings out. The CLI and the language
// server are thin adapters over these calls, so the editor and CI always agree.
import { createHash } from "node:crypto";
import * as path from "node:path";
import type { Config } from "../config/config";
import type { Expr, IrFile, IrFunction, SourceRange } from "../ir/ir";
import { forEachExpr } from "../ir/walk";
import { ModelRegistry } from "../model/registry";
import { functionClassOf, learnFromSal } from "../model/sal";
import { analyzeFunction, type EntryOwnership, type FunctionAnalysis, type RawFinding } from "./engine";
import type { Finding, Severity } from "./findings";
import { ruleById } from "./rules";
import { sameEntry, summarize } from "./summaries";
import { collectHeaderDefinitions, lowerFile, type LoweringContext } from "../frontends";

export interface SourceInput {
  path: string;
  text: string;
}

export interface FileProblem {
  file: string;
  message: string;
  range?: SourceRange;
  severity: "error" | "warning";
}

export interface CheckStats {
  files: number;
  lines: number;
  functions: number;
  millis: number;
}

export interface CheckResult {
  findings: Finding[];
  problems: FileProblem[];
  stats: CheckStats;
}

export interface CheckOptions {
  signal?: AbortSignal;
}

/** Summaries inside a recursive cycle are recomputed until stable, at most this many rounds. */
const maxCycleRounds = 4;

export type { LoweringContext } from "../frontends";

/** What every file's lowering needs to know of the others (the headers' definitions). */
export async function prepareLowering(sources: readonly SourceInput[], config: Config): Promise<LoweringContext> {
  return collectHeaderDefinitions(sources, config);
}

export async function lowerSource(source: SourceInput, config: Config, context?: LoweringContext): Promise<IrFile> {
  return lowerFile(source.path, source.text, config, context);
}

export async function checkSources(sources: SourceInput[], config: Config, options: CheckOptions = {}): Promise<CheckResult> {
  const started = Date.now();
  const context = await prepareLowering(sources, config);
  const files: IrFile[] = [];
  for (const source of sources) {
    options.signal?.throwIfAborted();
    files.push(await lowerSource(source, config, context));
  }
  const result = analyzeLowered(files, sources, config, options);
  result.stats.millis = Date.now() - started;
  return result;
}

export function analyzeLowered(files: IrFile[], sources: SourceInput[], config: Config, options: CheckOptions = {}): CheckResult {
  const started = Date.now();
  const registry = new ModelRegistry(config);
  const problems: FileProblem[] = files.flatMap((file) =>
    file.problems.map((problem) => ({ file: file.file, message: problem.message, range: problem.range, severity: "warning" as const })),
  );

  const functions = files.flatMap((file) => file.functions).sort(byPosition);
  for (const file of files) {
    for (const decl of [...file.declarations, ...file.functions]) {
      const learned = learnFromSal(decl, `${decl.file}:${decl.range.start.line + 1}`);
      if (learned) registry.learn(learned);
    }
  }
  const references = new Map(functions.map((fn) => [fn, referencesIn(fn)]));
  const entryOwnership = callbackRoles(files, functions, references, registry);

  // Only the findings are kept: exit states are read once, for the summary, then dropped.
  const findingsOf = new Map<IrFunction, RawFinding[]>();
  for (const component of bottomUp(functions, references)) {
    for (let round = 0; round < maxCycleRounds; round++) {
      let changed = false;
      for (const fn of component.members) {
        options.signal?.throwIfAborted();
        const analysis = analyzeSafely(fn, registry, entryOwnership.get(fn) ?? new Map(), config);
        findingsOf.set(fn, analysis.findings);
        const summary = summarize(fn, analysis);
        if (summary && !sameEntry(registry.lookup(fn.name), summary) && registry.learn(summary)) changed = true;
      }
      if (!changed || !component.recursive) break;
    }
  }

  const findings: Finding[] = [];
  for (const fn of functions) {
    for (const raw of findingsOf.get(fn) ?? []) {
      const severity = severityOf(raw.ruleId, config);
      if (severity) findings.push(toFinding(raw, fn, severity));
    }
  }
  const kept = applySuppressions(findings, files, config);
  assignFingerprints(kept, sources);
  kept.sort(compareFindings);
  const lines = sources.reduce((sum, source) => sum + countLines(source.text), 0);
  return { findings: kept, problems, stats: { files: files.length, lines, functions: functions.length, millis: Date.now() - started } };
}

/** One function's failure (a pathological expression nesting, say) never costs the others their findings. */
function analyzeSafely(fn: IrFunction, registry: ModelRegistry, ownership: EntryOwnership, config: Config): FunctionAnalysis {
  try {
    return analyzeFunction(fn, registry, ownership, config.budget);
  } catch (error) {
    const reason = error instanceof RangeError ? "it nests too deeply" : error instanceof Error ? error.message : String(error);
    return {
      findings: [{ ruleId: "analysis-incomplete", message: `The analysis of '${fn.name}' stopped: ${reason}. Findings for it may be missing.`, range: fn.nameRange, path: [], fixes: [] }],
      exits: [],
      paramsPassedOn: new Set(),
      paramsDereferenced: new Set(),
      paramsAttached: new Set(),
      incomplete: true,
      statesExplored: 0,
    };
  }
}

function byPosition(a: IrFunction, b: IrFunction): number {
  return a.file < b.file ? -1 : a.file > b.file ? 1 : a.range.start.line - b.range.start.line || a.range.start.column - b.range.start.column;
}

function countLines(text: string): number {
  let count = 1;
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) count++;
  return count;
}

/** Which parameters a callback receives owned: from role typedef declarations, SAL function classes, and registrations. */
function callbackRoles(files: IrFile[], functions: IrFunction[], references: Map<IrFunction, References>, registry: ModelRegistry): Map<IrFunction, EntryOwnership> {
  const roleOf = new Map<string, string>();
  for (const file of files) {
    for (const declared of file.roles) {
      const role = registry.roleByTypedef.get(declared.role);
      if (role) roleOf.set(declared.functionName, role.name);
    }
  }
  for (const fn of functions) {
    const declaredClass = functionClassOf(fn.annotations);
    const role = declaredClass !== undefined ? registry.roleByTypedef.get(declaredClass) : undefined;
    if (role) roleOf.set(fn.name, role.name);
    for (const call of references.get(fn)?.calls ?? []) {
      if (call.callee.name === undefined) continue;
      const entry = registry.lookup(call.callee.name);
      for (const effect of entry?.effects ?? []) {
        if (effect.kind !== "register-callback") continue;
        const arg = call.args[effect.target];
        const name = arg?.kind === "function-ref" || arg?.kind === "var" ? arg.name : undefined;
        if (name) roleOf.set(name, effect.role);
      }
    }
  }
  const result = new Map<IrFunction, EntryOwnership>();
  for (const fn of functions) {
    const role = registry.roles.get(roleOf.get(fn.name) ?? "");
    if (!role) continue;
    const ownership: EntryOwnership = new Map();
    for (const param of role.params) if (param.index < fn.params.length) ownership.set(param.index, { family: param.family, variant: param.variant });
    result.set(fn, ownership);
  }
  return result;
}

type CallExpr = Extract<Expr, { kind: "call" }>;

interface References {
  calls: CallExpr[];
  /** Functions named as values (callbacks, function pointers): called later, so summarized first. */
  functions: string[];
}

function referencesIn(fn: IrFunction): References {
  const found: References = { calls: [], functions: [] };
  forEachExpr(fn, (expr) => {
    if (expr.kind === "call") found.calls.push(expr);
    else if (expr.kind === "function-ref") found.functions.push(expr.name);
  });
  return found;
}

interface Component {
  members: IrFunction[];
  /** A cycle (or a function calling itself): its summaries are iterated to a fixed point. */
  recursive: boolean;
}

/** Strongly connected components of the call graph, callees before callers (Tarjan, iterative). */
function bottomUp(functions: IrFunction[], references: Map<IrFunction, References>): Component[] {
  const byName = new Map<string, IrFunction[]>();
  for (const fn of functions) {
    const namesakes = byName.get(fn.name);
    if (namesakes) namesakes.push(fn);
    else byName.set(fn.name, [fn]);
  }
  const edges = new Map<IrFunction, IrFunction[]>();
  for (const fn of functions) {
    const targets: IrFunction[] = [];
    const callees = new Set<string>(references.get(fn)?.functions);
    for (const call of references.get(fn)?.calls ?? []) if (call.callee.name !== undefined) callees.add(call.callee.name);
    for (const name of callees) {
      const candidates = byName.get(name) ?? [];
      // A static helper in the same file wins over a namesake elsewhere.
      const local = candidates.filter((candidate) => candidate.file === fn.file);
      targets.push(...(local.length > 0 ? local : candidates));
    }
    edges.set(fn, targets);
  }
  const index = new Map<IrFunction, number>();
  const low = new Map<IrFunction, number>();
  const onStack = new Set<IrFunction>();
  const stack: IrFunction[] = [];
  const components: Component[] = [];
  let counter = 0;
  for (const root of functions) {
    if (index.has(root)) continue;
    const work: { fn: IrFunction; next: number }[] = [{ fn: root, next: 0 }];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      const targets = edges.get(frame.fn)!;
      if (frame.next < targets.length) {
        const target = targets[frame.next++];
        if (!index.has(target)) {
          index.set(target, counter);
          low.set(target, counter++);
          stack.push(target);
          onStack.add(target);
          work.push({ fn: target, next: 0 });
        } else if (onStack.has(target)) {
          low.set(frame.fn, Math.min(low.get(frame.fn)!, index.get(target)!));
        }
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1].fn;
        low.set(parent, Math.min(low.get(parent)!, low.get(frame.fn)!));
      }
      if (low.get(frame.fn) === index.get(frame.fn)) {
        const component: IrFunction[] = [];
        let member: IrFunction;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.fn);
        components.push({ members: component.sort(byPosition), recursive: component.length > 1 || edges.get(frame.fn)!.includes(frame.fn) });
      }
    }
  }
  return components;
}

function severityOf(ruleId: string, config: Config): Severity | undefined {
  const configured = config.rules[ruleId];
  if (configured === "off") return undefined;
  return configured ?? ruleById.get(ruleId)?.defaultSeverity ?? "warning";
}

function toFinding(raw: RawFinding, fn: IrFunction, severity: Severity): Finding {
  return {
    ruleId: raw.ruleId,
    severity,
    message: raw.message,
    file: fn.file,
    range: raw.range,
    functionName: fn.name,
    family: raw.family,
    acquiredAt: raw.acquiredAt ? { file: fn.file, range: raw.acquiredAt } : undefined,
    path: raw.path,
    fixes: raw.fixes,
    fingerprint: "",
  };
}

/** Drops suppressed findings; reports suppressions that silenced nothing. */
function applySuppressions(findings: Finding[], files: IrFile[], config: Config): Finding[] {
  const used = new Set<string>();
  const suppressionKey = (file: string, line: number, rule: string) => `${file}\u0000${line}\u0000${rule}`;
  const suppressed = new Set<string>();
  for (const file of files) for (const s of file.suppressions) for (const rule of s.rules) suppressed.add(suppressionKey(file.file, s.line, rule));
  const kept = findings.filter((finding) => {
    const key = suppressionKey(finding.file, finding.range.start.line, finding.ruleId);
    if (!suppressed.has(key)) return true;
    used.add(key);
    return false;
  });
  const severity = severityOf("unused-suppression", config);
  if (!severity) return kept;
  for (const file of files) {
    for (const s of file.suppressions) {
      for (const rule of s.rules) {
        if (used.has(suppressionKey(file.file, s.line, rule))) continue;
        kept.push({
          ruleId: "unused-suppression",
          severity,
          message: ruleById.has(rule) ? `This suppression of '${rule}' silences nothing on line ${s.line + 1}.` : `This suppression names an unknown rule '${rule}'.`,
          file: file.file,
          range: s.range,
          functionName: "",
          path: [],
          fixes: [],
          fingerprint: "",
        });
      }
    }
  }
  return kept;
}

/**
 * Fingerprints survive unrelated edits: they hash the rule, the file, the function and the
 * code text of the finding's and the acquisition's lines (not their numbers), plus an ordinal
 * among otherwise identical findings.
 */
function assignFingerprints(findings: Finding[], sources: SourceInput[]): void {
  const byPath = new Map(sources.map((source) => [source.path, source.text]));
  // Only files with findings are split into lines.
  const lines = new Map<string, string[]>();
  const lineOf = (file: string, line: number) => {
    let split = lines.get(file);
    if (!split) lines.set(file, (split = (byPath.get(file) ?? "").split(/\r?\n/)));
    return split[line] ?? "";
  };
  const normalize = (file: string, range?: SourceRange) => (range ? lineOf(file, range.start.line).replace(/\s+/g, " ").trim() : "");
  const seen = new Map<string, number>();
  for (const finding of [...findings].sort(compareFindings)) {
    const file = path.isAbsolute(finding.file) ? path.relative(process.cwd(), finding.file) : finding.file;
    const base = [finding.ruleId, file.split(path.sep).join("/"), finding.functionName, normalize(finding.file, finding.range), normalize(finding.file, finding.acquiredAt?.range)].join("\u0000");
    const ordinal = seen.get(base) ?? 0;
    seen.set(base, ordinal + 1);
    finding.fingerprint = createHash("sha256").update(`${base}\u0000${ordinal}`).digest("hex").slice(0, 32);
  }
}

export function compareFindings(a: Finding, b: Finding): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  return a.range.start.line - b.range.start.line || a.range.start.column - b.range.start.column || (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0) || (a.message < b.message ? -1 : a.message > b.message ? 1 : 0);
}
