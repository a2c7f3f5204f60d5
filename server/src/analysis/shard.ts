// One share of the analysis: some lowered files, whose functions it analyzes on request. The
// orchestration (analyzeShards) sees only digests, summaries and findings, so a shard can live
// in a worker thread beside the IR it lowered: the IR itself never crosses threads.
import type { Config } from "../config/config";
import type { Expr, IrFile, IrFunction, IrGlobal, ParseProblem, Suppression } from "../ir/ir";
import { forEachExpr, variableWrittenBy } from "../ir/walk";
import type { ModelEntry } from "../model/model";
import { ModelRegistry, type ModelView } from "../model/registry";
import { functionClassOf, learnFromSal } from "../model/sal";
import { analyzeFunction, type EntryOwnership, type FunctionAnalysis, type RawFinding } from "./engine";
import type { Finding, Severity } from "./findings";
import { RecordingModelView, type FileDigests, type FunctionResultCache } from "./functionResultCache";
import { resolveLineMentions } from "./lineMentions";
import { ruleById } from "./rules";
import { summarize, withDeclaredEffects } from "./summaries";
import { CallerModel, SummaryTable, type SummaryUpdate } from "./summaryTable";

/** A function named as having a callback role (its parameters arrive owned). */
export interface RoleAssignment {
  functionName: string;
  role: string;
}

export interface FileDigest {
  file: string;
  problems: ParseProblem[];
  suppressions: Suppression[];
  /** Model entries its declarations' SAL annotations teach, in declaration order. */
  learned: ModelEntry[];
  /** Roles given by declarations such as `EVT_VMB_CHANNEL_PROCESS_PACKET MyProcessPacket;`. */
  declaredRoles: RoleAssignment[];
  /** Its file-scope variables visible to other files (not `static`) with a literal initial value. */
  sharedGlobals: IrGlobal[];
}

export interface FunctionDigest {
  name: string;
  file: string;
  line: number;
  column: number;
  /** The line of its closing brace (zero-based, as `line`). */
  endLine: number;
  /** The name reports give it (`Nic.open`), when it differs from `name`. */
  qualifiedName?: string;
  paramCount: number;
  /** Names it calls or takes as values (callbacks, function pointers), each once. */
  callees: string[];
  /** Roles it gives, in order: its own `_Function_class_`, then the callbacks it registers. */
  assignedRoles: RoleAssignment[];
  /** Variables other than its locals that it assigns or takes the address of. */
  writes: string[];
}

export interface ShardDigest {
  files: FileDigest[];
  /** In the shard's own order: `analyze` takes indexes into this list. */
  functions: FunctionDigest[];
}

/** What every shard must agree on before analyzing: the SAL-learned model and each function's role. */
export interface ShardModel {
  /** SAL-learned entries of all files, in the order every shard learns them. */
  learned: ModelEntry[];
  /** The role of each of this shard's functions (by index), if it has one. */
  roles: (string | undefined)[];
  /** Globals no function writes (or `const`), with the value they keep: name and value pairs. */
  globalConstants: [string, number | null][];
}

export class AnalysisShard {
  private readonly files: IrFile[] = [];
  private readonly functions: IrFunction[] = [];
  private readonly fileOf = new Map<IrFunction, IrFile>();
  private readonly fileDigests: FileDigest[] = [];
  private readonly functionDigests: FunctionDigest[] = [];
  private registry: ModelRegistry;
  /** The configured model alone: what digests need (role typedefs, registration APIs), before any SAL is learned. */
  private readonly configuredModel: ModelRegistry;
  private summaries = new SummaryTable();
  private readonly callerModels = new Map<string, CallerModel>();
  private ownership: (EntryOwnership | undefined)[] = [];
  private roles: (string | undefined)[] = [];
  private globalConstants = new Map<string, number | null>();
  private readonly findingsOf = new Map<number, RawFinding[]>();

  /**
   * `reuse`: the results of an earlier check of the same files (the language server's), reused for
   * the functions whose analysis would come out the same; a check made once (the CLI) has none.
   */
  constructor(
    private readonly config: Config,
    private readonly reuse?: FunctionResultCache,
  ) {
    this.registry = new ModelRegistry(config);
    this.configuredModel = new ModelRegistry(config);
    reuse?.useWith(config);
  }

  /** Takes a lowered file in; its digest is made now, while its IR is still in the cache. */
  add(file: IrFile): void {
    this.files.push(file);
    this.functions.push(...file.functions);
    for (const fn of file.functions) this.fileOf.set(fn, file);
    const reuse = this.reuse;
    const digestOf = (fn: IrFunction): FunctionDigest => (reuse === undefined ? this.functionDigest(fn) : reuse.functionDigestOf(fn, () => this.functionDigest(fn)));
    const make = (): FileDigests => ({ file: this.fileDigest(file), functions: file.functions.map(digestOf) });
    const digests = this.reuse === undefined ? make() : this.reuse.digestsOf(file, make);
    this.fileDigests.push(digests.file);
    this.functionDigests.push(...digests.functions);
  }

  digest(): ShardDigest {
    return { files: this.fileDigests, functions: this.functionDigests };
  }

  /** Starts an analysis (again, if a worker was lost): nothing learned or found before survives. */
  configure(model: ShardModel): void {
    this.registry = new ModelRegistry(this.config);
    this.summaries = new SummaryTable();
    this.findingsOf.clear();
    this.globalConstants = new Map(model.globalConstants);
    for (const entry of model.learned) this.registry.learn(entry);
    this.callerModels.clear();
    this.roles = model.roles;
    this.ownership = this.functions.map((fn, index) => {
      const role = this.registry.roles.get(model.roles[index] ?? "");
      if (!role) return undefined;
      const ownership: EntryOwnership = new Map();
      for (const param of role.params) if (param.index < fn.params.length) ownership.set(param.index, { family: param.family, variant: param.variant });
      return ownership;
    });
  }

  /** Analyzes the functions at `indexes`, after taking in `updates`; returns their summaries in the same order. */
  analyze(indexes: readonly number[], updates: readonly SummaryUpdate[]): (ModelEntry | undefined)[] {
    for (const update of updates) this.summaries.apply(update);
    return indexes.map((index) => this.analyzeOne(index));
  }

  /** Analyzes one function, or takes over its result from an earlier check when that is still its result. */
  private analyzeOne(index: number): ModelEntry | undefined {
    const fn = this.functions[index];
    const model = this.modelFor(fn);
    const role = this.roles[index];
    const reused = this.reuse?.reusable(fn, role, model);
    if (reused !== undefined) {
      this.findingsOf.set(index, reused.findings);
      return reused.summary;
    }
    // Only a check that keeps its results notes what the model answered: the CLI pays nothing for it.
    const recorder = this.reuse === undefined ? undefined : new RecordingModelView(model);
    const analysis = this.analyzeSafely(fn, recorder ?? model, this.ownership[index] ?? new Map());
    const summary = withDeclaredEffects(summarize(fn, analysis), this.declaredEffectsOf(fn));
    if (recorder !== undefined) this.reuse?.remember(fn, role, recorder, { findings: analysis.findings, summary }, analysis.incomplete);
    this.findingsOf.set(index, analysis.findings);
    return summary;
  }

  /** What the function's SAL says it does: its definition's own annotations, else those a declaration of it taught. */
  private declaredEffectsOf(fn: IrFunction): ModelEntry | undefined {
    const own = learnFromSal(fn, `${fn.file}:${fn.range.start.line + 1}`);
    if (own !== undefined) return own;
    const learned = this.registry.lookup(fn.name);
    return learned !== undefined && learned.origin.startsWith("SAL") ? learned : undefined;
  }

  /**
   * `fn`'s analysis made again under the model and role the check gave it, its exit states
   * included (for a question about its paths, such as a hover's); undefined if it is not the shard's.
   */
  analyzeAgain(fn: IrFunction): FunctionAnalysis | undefined {
    const index = this.functions.indexOf(fn);
    return index < 0 ? undefined : this.analyzeSafely(fn, this.modelFor(fn), this.ownership[index] ?? new Map());
  }

  /** The findings of every function analyzed so far, at their configured severity. */
  findings(): Finding[] {
    const findings: Finding[] = [];
    this.functions.forEach((fn, index) => {
      for (const raw of this.findingsOf.get(index) ?? []) {
        const severity = severityOf(raw.ruleId, this.config);
        if (severity) findings.push(toFinding(raw, fn, severity));
      }
    });
    return findings;
  }

  private fileDigest(file: IrFile): FileDigest {
    const learned: ModelEntry[] = [];
    for (const decl of [...file.declarations, ...file.functions]) {
      const entry = learnFromSal(decl, `${decl.file}:${decl.range.start.line + 1}`);
      if (entry) learned.push(entry);
    }
    const declaredRoles: RoleAssignment[] = [];
    for (const declared of file.roles) {
      const role = this.configuredModel.roleByTypedef.get(declared.role);
      if (role) declaredRoles.push({ functionName: declared.functionName, role: role.name });
    }
    const sharedGlobals = (file.globals ?? []).filter((global) => !global.isStatic && global.value !== undefined);
    return { file: file.file, problems: file.problems, suppressions: file.suppressions, learned, declaredRoles, sharedGlobals };
  }

  private functionDigest(fn: IrFunction): FunctionDigest {
    const callees = new Set<string>();
    const assignedRoles: RoleAssignment[] = [];
    const declaredClass = functionClassOf(fn.annotations);
    const ownRole = declaredClass !== undefined ? this.configuredModel.roleByTypedef.get(declaredClass) : undefined;
    if (ownRole) assignedRoles.push({ functionName: fn.name, role: ownRole.name });
    const locals = new Set(fn.params.map((param) => param.name));
    const written = new Set<string>();
    for (const block of fn.blocks) {
      for (const instr of block.instrs) {
        if (instr.kind === "declare") locals.add(instr.name);
        else if (instr.kind === "assign" && instr.target.kind === "var") (instr.declaration === true ? locals : written).add(instr.target.name);
      }
    }
    forEachExpr(fn, (expr) => {
      // One walk for callees and writes: this runs for every function as its file comes in.
      const writtenName = variableWrittenBy(expr);
      if (writtenName !== undefined) written.add(writtenName);
      if (expr.kind === "function-ref") {
        callees.add(expr.name);
        return;
      }
      if (expr.kind !== "call" || expr.callee.name === undefined) return;
      callees.add(expr.callee.name);
      // Registration APIs are explicit model entries (SAL teaches none), so the configured model suffices.
      const entry = this.configuredModel.lookup(expr.callee.name) ?? this.configuredModel.languageEntry(fn.language, expr.callee.name);
      for (const effect of entry?.effects ?? []) {
        if (effect.kind !== "register-callback" && effect.kind !== "runs-callback") continue;
        const name = this.callbackName(fn, expr.args[effect.target]);
        if (name === undefined) continue;
        if (effect.kind === "register-callback") assignedRoles.push({ functionName: name, role: effect.role });
        // A closure run by the call is summarized first: its summary applies at the call.
        else callees.add(name);
      }
    });
    const writes = [...written].filter((name) => !locals.has(name));
    return {
      name: fn.name,
      file: fn.file,
      line: fn.range.start.line,
      column: fn.range.start.column,
      endLine: fn.range.end.line,
      ...(fn.qualifiedName === undefined || fn.qualifiedName === fn.name ? {} : { qualifiedName: fn.qualifiedName }),
      paramCount: fn.params.length,
      callees: [...callees],
      assignedRoles,
      writes,
    };
  }

  /** The function a callback argument names: `Routine`, `this.onComplete`, or a closure written in place. */
  private callbackName(fn: IrFunction, arg: Expr | undefined): string | undefined {
    if (arg === undefined) return undefined;
    if (arg.kind === "function-ref" || arg.kind === "var") return arg.name;
    if (arg.kind === "field") return arg.field;
    if (arg.kind === "closure") return this.fileOf.get(fn)?.functions.find((candidate) => candidate.id === arg.functionId)?.name;
    return undefined;
  }

  private modelFor(fn: IrFunction): CallerModel {
    let model = this.callerModels.get(fn.file);
    if (!model) {
      const own = this.fileOf.get(fn)!;
      const names = new Set(own.functions.map((candidate) => candidate.name));
      // A static of the file is its own variable, whatever namesakes other files define.
      const statics = new Set((own.globals ?? []).filter((global) => global.isStatic).map((global) => global.name));
      const globals = statics.size === 0 ? this.globalConstants : new Map([...this.globalConstants].filter(([name]) => !statics.has(name)));
      model = new CallerModel(this.registry, this.summaries, fn.file, names, globals, fn.language);
      this.callerModels.set(fn.file, model);
    }
    return model;
  }

  /** One function's failure (a pathological expression nesting, say) never costs the others their findings. */
  private analyzeSafely(fn: IrFunction, model: ModelView, ownership: EntryOwnership): FunctionAnalysis {
    try {
      return analyzeFunction(fn, model, ownership, this.config.budget);
    } catch (error) {
      const reason = error instanceof RangeError ? "it nests too deeply" : error instanceof Error ? error.message : String(error);
      return {
        findings: [{ ruleId: "analysis-incomplete", message: `The analysis of '${fn.name}' stopped: ${reason}. Findings for it may be missing.`, range: fn.nameRange, path: [], fixes: [] }],
        exits: [],
      paramFieldOfSym: new Map(),
        paramsPassedOn: new Set(),
        paramsDereferenced: new Set(),
        paramsAttached: new Set(),
        globalsDereferenced: new Set(),
        globalsWritten: [],
        incomplete: true,
        statesExplored: 0,
      };
    }
  }
}

export function severityOf(ruleId: string, config: Config): Severity | undefined {
  const configured = config.rules[ruleId];
  if (configured === "off") return undefined;
  return configured ?? ruleById.get(ruleId)?.defaultSeverity ?? "warning";
}

function toFinding(raw: RawFinding, fn: IrFunction, severity: Severity): Finding {
  const startLine = fn.range.start.line;
  return {
    ruleId: raw.ruleId,
    severity,
    message: resolveLineMentions(raw.message, startLine),
    file: fn.file,
    range: raw.range,
    functionName: fn.qualifiedName ?? fn.name,
    family: raw.family,
    acquiredAt: raw.acquiredAt ? { file: fn.file, range: raw.acquiredAt } : undefined,
    path: raw.path.map((step) => ({ ...step, message: resolveLineMentions(step.message, startLine) })),
    fixes: raw.fixes,
    fingerprint: "",
  };
}
