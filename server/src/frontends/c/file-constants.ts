// Values a file fixes at file scope: object-like `#define NAME 0`, `const` globals with a literal
// initializer, `static` globals with a literal initializer that no function of the file writes,
// and calls to a parameterless function of the file that does nothing but return one constant.
// The engine sees no globals, so the frontend puts their values in place of their names; branches
// whose condition becomes constant are decided here (`if (!KeepStagingBuffer)`). A name declared
// with the type of an API function (`PFN_VMB_PACKET_ALLOCATE pVmbPacketAllocate;`) is called as that function.
import { evaluateBinary } from "../../ir/arithmetic";
import type { Expr, Instr, IrFunction, Terminator } from "../../ir/ir";
import { writtenVariables } from "../../ir/walk";

export type ConstantValue = number | null;

const NUMBER = /^(?:0[xX][0-9a-fA-F]+|\d+)[uUlL]*$/;

/** The value of a literal spelling (`FALSE`, `NULL`, `0x10`, `(2)`), or undefined for anything else. */
export function literalValue(spelling: string): ConstantValue | undefined {
  let text = spelling.replace(/\/\*[\s\S]*?\*\//g, " ").replace(/\/\/.*$/, "").trim();
  while (text.startsWith("(") && text.endsWith(")")) text = text.slice(1, -1).trim();
  switch (text) {
    case "TRUE":
    case "true":
      return 1;
    case "FALSE":
    case "false":
      return 0;
    case "NULL":
    case "nullptr":
      return null;
    default:
      if (!NUMBER.test(text)) return undefined;
      return text.startsWith("0x") || text.startsWith("0X") ? Number.parseInt(text, 16) : Number.parseInt(text, 10);
  }
}

export class FileConstants {
  private readonly fixed = new Map<string, ConstantValue>();
  /** Names defined twice with different values (two #if branches): not constant. */
  private readonly conflicting = new Set<string>();
  private readonly staticCandidates = new Map<string, ConstantValue>();
  /** From included headers: used unless the file defines the name itself. */
  private readonly included = new Map<string, ConstantValue>();
  private readonly includedConflicting = new Set<string>();
  /** Names declared with an API function's type, in the file or its headers: the function they call. */
  private readonly callees = new Map<string, string>();

  /** @param modelNames names the model recognizes (status codes): they stay names, never values. */
  constructor(private readonly modelNames: RegExp | undefined) {}

  defineIncluded(name: string, value: ConstantValue): void {
    if (this.modelNames?.test(name)) return;
    if (this.included.has(name) && this.included.get(name) !== value) this.includedConflicting.add(name);
    this.included.set(name, value);
  }

  /** A macro or a `const` global: constant whatever the functions do. */
  define(name: string, value: ConstantValue): void {
    // Status codes keep their names: the model's status convention recognizes them by name.
    if (this.modelNames?.test(name)) return;
    if (this.fixed.has(name) && this.fixed.get(name) !== value) this.conflicting.add(name);
    this.fixed.set(name, value);
  }

  /** `name` is declared with the type of API function `api`: calling it calls `api`. */
  defineCallee(name: string, api: string): void {
    this.callees.set(name, api);
  }

  /** A `static` global: constant only if no function of the file writes it. */
  defineStatic(name: string, value: ConstantValue): void {
    if (this.staticCandidates.has(name) && this.staticCandidates.get(name) !== value) this.conflicting.add(name);
    this.staticCandidates.set(name, value);
  }

  /** The values the functions of the file (as lowered, before any substitution) see. */
  tablesFor(functions: readonly IrFunction[]): ConstantTables {
    const calls = constantReturningFunctions(functions);
    const variables = new Map(this.fixed);
    for (const [name, value] of this.included) if (!variables.has(name) && !this.includedConflicting.has(name)) variables.set(name, value);
    if (this.staticCandidates.size > 0) {
      const written = new Set<string>();
      for (const fn of functions) for (const name of writtenBy(fn)) written.add(name);
      for (const [name, value] of this.staticCandidates) if (!written.has(name) && !variables.has(name)) variables.set(name, value);
    }
    for (const name of this.conflicting) variables.delete(name);
    return { variables, calls, callees: this.callees };
  }
}

/** File-scope names with a value, and the functions whose call is a constant. */
export interface ConstantTables {
  variables: ReadonlyMap<string, ConstantValue>;
  calls: ReadonlyMap<string, ConstantValue>;
  /** Names called as an API function (declared with its type). */
  callees: ReadonlyMap<string, string>;
}

const writtenByFunction = new WeakMap<IrFunction, ReadonlySet<string>>();

/** writtenVariables, once per lowered function: a function taken over by the next lowering keeps it. */
function writtenBy(fn: IrFunction): ReadonlySet<string> {
  let written = writtenByFunction.get(fn);
  if (written === undefined) writtenByFunction.set(fn, (written = writtenVariables(fn)));
  return written;
}

/**
 * The constants of `tables` that a function mentioning `used` takes in, as text: one function's
 * IR given the same text here is the same IR once substituted.
 */
export function constantsUsed(used: ReadonlySet<string>, tables: ConstantTables): string {
  let text = "";
  for (const name of used) {
    const variable = tables.variables.get(name);
    const call = tables.calls.get(name);
    const callee = tables.callees.get(name);
    if (variable !== undefined || call !== undefined || callee !== undefined) text += `${name}=${String(variable)}/${String(call)}/${callee ?? ""};`;
  }
  return text;
}

/**
 * `fn`, a function mentioning `used`, with the values of `tables` in place of their names, as new
 * IR: `fn` itself is left as it is (and returned when nothing changes). Substitution rewrites only
 * what changes, so a function that uses none of the constants costs no new IR.
 */
export function withConstants(fn: IrFunction, tables: ConstantTables, used: ReadonlySet<string>): IrFunction {
  if (constantsUsed(used, tables) === "") return fn;
  const values: Substitutions = { ...tables, hidden: localNames(fn) };
  const substitute = (expr: Expr): Expr => substituteExpr(expr, values);
  let changed = false;
  const blocks = fn.blocks.map((block) => {
    const instrs = changedList(block.instrs, (instr) => substituteInstr(instr, values));
    const terminator = substituteTerminator(block.terminator, substitute);
    if (instrs === block.instrs && terminator === block.terminator) return block;
    changed = true;
    return { ...block, instrs, terminator };
  });
  return changed ? { ...fn, blocks } : fn;
}

/** `static BOOLEAN StagingEnabled(VOID) { return TRUE; }`: no parameter, no effect, one constant returned. */
function constantReturningFunctions(functions: readonly IrFunction[]): Map<string, ConstantValue> {
  const definitions = new Map<string, number>();
  for (const fn of functions) definitions.set(fn.name, (definitions.get(fn.name) ?? 0) + 1);
  const found = new Map<string, ConstantValue>();
  for (const fn of functions) {
    if (fn.params.length > 0 || definitions.get(fn.name) !== 1) continue;
    let value: ConstantValue | undefined;
    let constant = true;
    for (const block of fn.blocks) {
      const terminator = block.terminator;
      if (block.instrs.length > 0 || terminator.kind === "branch" || terminator.kind === "throw") constant = false;
      else if (terminator.kind === "return") {
        const returned = terminator.value;
        if (returned === undefined || returned.kind !== "const" || (returned.value !== null && typeof returned.value !== "number")) constant = false;
        else if (value !== undefined && value !== returned.value) constant = false;
        else value = returned.value;
      }
      if (!constant) break;
    }
    if (constant && value !== undefined) found.set(fn.name, value);
  }
  return found;
}

/** Locals and parameters hide file-scope names of the same spelling. */
function localNames(fn: IrFunction): Set<string> {
  const names = new Set(fn.params.map((param) => param.name));
  for (const block of fn.blocks) {
    for (const instr of block.instrs) {
      if (instr.kind === "declare") names.add(instr.name);
      else if (instr.kind === "assign" && instr.declaration === true && instr.target.kind === "var") names.add(instr.target.name);
    }
  }
  return names;
}

interface Substitutions {
  variables: ReadonlyMap<string, ConstantValue>;
  /** Functions whose call is a constant. */
  calls: ReadonlyMap<string, ConstantValue>;
  callees: ReadonlyMap<string, string>;
  /** Locals and parameters of the function: they hide file-scope names. */
  hidden: ReadonlySet<string>;
}

function substituteInstr(instr: Instr, values: Substitutions): Instr {
  switch (instr.kind) {
    case "assign": {
      const target = substituteTarget(instr.target, values);
      const value = substituteExpr(instr.value, values);
      return target === instr.target && value === instr.value ? instr : { ...instr, target, value };
    }
    case "eval": {
      const expr = substituteExpr(instr.expr, values);
      return expr === instr.expr ? instr : { ...instr, expr };
    }
    default:
      return instr;
  }
}

function substituteTerminator(terminator: Terminator, substitute: (expr: Expr) => Expr): Terminator {
  switch (terminator.kind) {
    case "branch": {
      const cond = substitute(terminator.cond);
      const decided = foldConstant(cond);
      if (decided !== undefined) return { kind: "goto", target: decided !== 0 ? terminator.then : terminator.else };
      return cond === terminator.cond ? terminator : { ...terminator, cond };
    }
    case "return":
    case "throw": {
      if (terminator.value === undefined) return terminator;
      const value = substitute(terminator.value);
      return value === terminator.value ? terminator : { ...terminator, value };
    }
    default:
      return terminator;
  }
}

/** A written location keeps its name; only the expressions inside it (`a[N]`) are substituted. */
function substituteTarget(target: Expr, values: Substitutions): Expr {
  return target.kind === "var" ? target : substituteExpr(target, values);
}

function substituteExpr(expr: Expr, values: Substitutions): Expr {
  const again = (child: Expr): Expr => substituteExpr(child, values);
  switch (expr.kind) {
    case "var": {
      const value = values.hidden.has(expr.name) ? undefined : values.variables.get(expr.name);
      return value === undefined ? expr : { kind: "const", value, range: expr.range };
    }
    case "field": {
      const base = again(expr.base);
      return base === expr.base ? expr : { ...expr, base };
    }
    case "index": {
      const base = again(expr.base);
      const index = again(expr.index);
      return base === expr.base && index === expr.index ? expr : { ...expr, base, index };
    }
    case "deref": {
      const target = again(expr.target);
      return target === expr.target ? expr : { ...expr, target };
    }
    case "addr": {
      // `&Name` needs the storage, not the value.
      if (expr.target.kind === "var") return expr;
      const target = again(expr.target);
      return target === expr.target ? expr : { ...expr, target };
    }
    case "call": {
      const returned = expr.callee.name === undefined || expr.callee.through !== undefined || expr.args.length > 0 ? undefined : values.calls.get(expr.callee.name);
      if (returned !== undefined) return { kind: "const", value: returned, range: expr.range };
      const through = expr.callee.through === undefined ? undefined : again(expr.callee.through);
      const args = changedList(expr.args, again);
      // The function a name declared with its type stands for (a local of that type is in the table too).
      const api = expr.callee.name === undefined ? undefined : values.callees.get(expr.callee.name);
      if (through === expr.callee.through && args === expr.args && api === undefined) return expr;
      let callee = expr.callee;
      if (through !== expr.callee.through) callee = { ...callee, through };
      if (api !== undefined) callee = { ...callee, name: api };
      return { ...expr, callee, args };
    }
    case "unary": {
      const operand = again(expr.operand);
      return operand === expr.operand ? expr : { ...expr, operand };
    }
    case "binary": {
      const left = again(expr.left);
      const right = again(expr.right);
      return left === expr.left && right === expr.right ? expr : { ...expr, left, right };
    }
    case "conditional": {
      const test = again(expr.test);
      const then = again(expr.then);
      const otherwise = again(expr.else);
      return test === expr.test && then === expr.then && otherwise === expr.else ? expr : { ...expr, test, then, else: otherwise };
    }
    case "assign": {
      const target = substituteTarget(expr.target, values);
      const value = again(expr.value);
      return target === expr.target && value === expr.value ? expr : { ...expr, target, value };
    }
    case "sequence":
    case "unknown": {
      const parts = changedList(expr.parts, again);
      return parts === expr.parts ? expr : { ...expr, parts };
    }
    default:
      return expr;
  }
}

/** The list with `map` applied, or the list itself when no element changed. */
function changedList<T>(list: T[], map: (element: T) => T): T[] {
  let result: T[] | undefined;
  for (let index = 0; index < list.length; index++) {
    const next = map(list[index]);
    if (next !== list[index]) (result ??= list.slice(0, index)).push(next);
    else if (result) result.push(next);
  }
  return result ?? list;
}

/** The numeric value of an expression made of constants only (NULL is 0), or undefined. */
export function foldConstant(expr: Expr): number | undefined {
  switch (expr.kind) {
    case "const":
      if (expr.value === null) return 0;
      if (typeof expr.value === "number") return expr.value;
      if (typeof expr.value === "boolean") return expr.value ? 1 : 0;
      return undefined;
    case "unary": {
      const operand = foldConstant(expr.operand);
      if (operand === undefined) return undefined;
      if (expr.op === "!") return operand === 0 ? 1 : 0;
      if (expr.op === "-") return -operand;
      if (expr.op === "~") return ~operand;
      return operand;
    }
    case "binary": {
      const left = foldConstant(expr.left);
      const right = foldConstant(expr.right);
      if (left === undefined || right === undefined) return undefined;
      return evaluateBinary(expr.op, left, right);
    }
    default:
      return undefined;
  }
}
