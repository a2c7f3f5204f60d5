// Lowers the body of one C function to basic blocks: structured statements, goto/labels,
// switch dispatch chains, SEH (__try/__finally duplicated on every exit edge, __except as an
// alternative path), and alternative #if branches. Nesting is bounded (MAX_STATEMENT_DEPTH).
import type { Node } from "web-tree-sitter";
import type { BasicBlock, Expr, Instr, ParseProblem, SourceRange } from "../../ir/ir";
import { anySubexpression } from "../../ir/walk";
import { CfgBuilder } from "../cfg-builder";
import { NestingLimit } from "../nesting-limit";
import { ConditionLowerer } from "./conditions";
import { declaredName } from "./declarators";
import { ExpressionLowerer, isExpressionNode, isExpressionType } from "./expressions";
import { fieldChild } from "./fields";
import { preprocessorCondition } from "./preprocessor-conditions";
import type { LocalNames } from "../local-names";
import { firstSignificantChild, namedChildList, significantChildren } from "./syntax";

const MAX_STATEMENT_DEPTH = 250;

/** Where `break` / `continue` go from inside a loop or switch, and what they leave behind. */
interface JumpScope {
  breakTarget: number;
  /** Undefined for a switch: `continue` belongs to the enclosing loop. */
  continueTarget?: number;
  finallyDepth: number;
  scopeDepth: number;
}

/** A `__try` body with a `__finally`: leaving it runs the finally body. */
interface ActiveFinally {
  tryNodeId: number;
  body: Node;
}

interface LeaveTarget {
  target: number;
  finallyDepth: number;
  scopeDepth: number;
}

/** The `__except` handler of the innermost `__try` that has one. */
interface RaiseTarget {
  handler: number;
  finallyDepth: number;
}

interface SwitchCase {
  value?: Expr;
  valueRange?: SourceRange;
  block: number;
}

interface ActiveSwitch {
  value: Expr;
  cases: SwitchCase[];
  defaultBlock?: number;
}

/** Whether evaluating `expr` does more than read: the switch value is then evaluated once, into a temporary. */
function containsEffects(expr: Expr): boolean {
  return anySubexpression(expr, (part) => part.kind === "call" || part.kind === "assign" || part.kind === "unknown" || part.kind === "sequence" || part.kind === "conditional");
}

/** Calls and dereferences are where an exception (an access violation, a raised status) comes from. */
function mayRaise(expr: Expr): boolean {
  return anySubexpression(expr, (part) => part.kind === "call" || part.kind === "deref" || (part.kind === "field" && part.op === "->"));
}

function instrMayRaise(instr: Instr): boolean {
  if (instr.kind === "assign") return mayRaise(instr.target) || mayRaise(instr.value);
  if (instr.kind === "eval") return mayRaise(instr.expr);
  return false;
}

export class FunctionBodyLowerer {
  protected readonly builder = new CfgBuilder();
  protected readonly conditions: ConditionLowerer;
  protected readonly jumpScopes: JumpScope[] = [];
  protected readonly finallys: ActiveFinally[] = [];
  protected readonly leaveTargets: LeaveTarget[] = [];
  protected readonly raiseTargets: RaiseTarget[] = [];
  protected readonly switches: ActiveSwitch[] = [];
  protected readonly labels = new Map<string, number>();
  /** Labels already passed: a goto to one of them jumps backward and makes a loop. */
  protected readonly placedLabels = new Set<string>();
  /** Label name to the ids of the `__try` statements (with `__finally`) around it; computed on first need. */
  protected labelTryPaths: Map<string, number[]> | undefined;
  protected body: Node | undefined;
  protected readonly nesting: NestingLimit;
  protected temporaries = 0;
  /**
   * Function definitions found inside the body: after a missing `}` tree-sitter nests the
   * following functions in the unclosed one. They are lowered on their own.
   */
  protected readonly nestedDefinitions: Node[] = [];

  constructor(
    protected expressions: ExpressionLowerer,
    private readonly problems: ParseProblem[],
    protected readonly locals: LocalNames,
  ) {
    this.conditions = new ConditionLowerer(this.builder, expressions, problems);
    this.nesting = new NestingLimit(MAX_STATEMENT_DEPTH, "Statements nested too deeply; the inner ones are not analyzed", problems);
  }

  lower(body: Node): { blocks: BasicBlock[]; entry: number; nestedDefinitions: Node[] } {
    this.body = body;
    const entry = this.builder.currentId();
    this.openScope();
    this.statementsIn(body);
    if (this.builder.isReachable) this.exitCleanups(0, this.expressions.closingRangeFor(body));
    this.closeScope();
    if (this.builder.isReachable) this.builder.terminate({ kind: "return", range: this.expressions.closingRangeFor(body) });
    return { blocks: this.builder.blocks, entry, nestedDefinitions: this.nestedDefinitions };
  }

  /** @param type the node's type when the caller already has it (each `node.type` is a WASM call). */
  protected statement(node: Node, type: string = node.type): void {
    this.nesting.run(
      () => this.expressions.rangeFor(node),
      () => this.statementAtDepth(node, type),
      () => undefined,
    );
  }

  protected statementAtDepth(node: Node, type: string): void {
    switch (type) {
      case "compound_statement":
        return this.block(node);
      case "declaration":
        return this.declaration(node);
      case "expression_statement": {
        const expression = node.firstNamedChild;
        if (expression === null) return;
        const expressionType = expression.type;
        if (expressionType !== "comment") this.effect(expression, expressionType);
        else this.statementsIn(node);
        return;
      }
      case "if_statement":
        return this.ifStatement(node);
      case "while_statement":
        return this.whileStatement(node);
      case "do_statement":
        return this.doStatement(node);
      case "for_statement":
        return this.forStatement(node);
      case "switch_statement":
        return this.switchStatement(node);
      case "case_statement":
        return this.caseStatement(node);
      case "labeled_statement":
        return this.labeledStatement(node);
      case "goto_statement":
        return this.gotoStatement(node);
      case "return_statement":
        return this.returnStatement(node);
      case "break_statement":
        return this.breakStatement(node);
      case "continue_statement":
        return this.continueStatement(node);
      case "seh_try_statement":
        return this.tryStatement(node);
      case "seh_leave_statement":
        return this.leaveStatement(node);
      case "preproc_if":
      case "preproc_ifdef":
        return this.preprocessorBranches(node);
      case "attributed_statement": {
        const inner = significantChildren(node).filter((child) => child.type !== "attribute_declaration");
        for (const child of inner) this.statement(child);
        return;
      }
      case "function_definition":
        this.nestedDefinitions.push(node);
        return;
      case "ERROR":
        // Keep what can be recognized inside an unparsable region.
        this.statementsIn(node);
        return;
      default:
        if (isExpressionType(type)) this.effect(node, type);
        return;
    }
  }

  /** Lowers the statements among `node`'s named children, except the ones in `skipped`. */
  protected statementsIn(node: Node, skipped: (Node | null)[] = []): void {
    for (const child of namedChildList(node)) {
      const type = child.type;
      if (type === "comment" || skipped.some((skip) => skip !== null && skip.id === child.id)) continue;
      this.statement(child, type);
    }
  }

  /** A nested `{ ... }`: its variables go out of scope at its closing brace. */
  protected block(node: Node): void {
    this.openScope();
    this.statementsIn(node);
    if (this.builder.isReachable) this.exitCleanups(this.locals.depth - 1, this.expressions.closingRangeFor(node));
    const names = this.closeScope();
    if (names.length > 0 && this.builder.isReachable) this.builder.emit({ kind: "scope-end", names, range: this.expressions.closingRangeFor(node) });
  }

  protected openScope(): void {
    this.locals.open();
  }

  /** Ends the innermost block scope; returns the IR names it declared. */
  protected closeScope(): string[] {
    return this.locals.close();
  }

  /** Declares a local in the innermost scope; returns its IR name (renamed when it shadows another). */
  protected declare(name: string): string {
    return this.locals.declare(name);
  }

  protected declaration(node: Node): void {
    for (const declarator of node.childrenForFieldName("declarator")) this.declarator(declarator, node);
  }

  /** One declarator of a declaration; returns the IR name of the local it declares. */
  protected declarator(declarator: Node, _declaration: Node): string | undefined {
    if (declarator.type === "function_declarator") return undefined;
    const declared = declaredName(declarator);
    if (declared.name === undefined || declared.nameNode === undefined) return undefined;
    // The initializer is lowered first: in `char *data = *data_ptr;` a shadowed `data` still means the outer one.
    const value = declarator.type === "init_declarator" ? fieldChild(declarator, "value") : null;
    const initial = value === null ? undefined : this.initialValue(value);
    const name = this.declare(declared.name);
    if (initial === undefined) {
      this.emitInstr({ kind: "declare", name, range: this.expressions.rangeFor(declared.nameNode) });
    } else {
      const target: Expr = { kind: "var", name, range: this.expressions.rangeFor(declared.nameNode) };
      this.emitInstr({ kind: "assign", target, value: initial, range: this.expressions.rangeFor(declarator), declaration: true });
    }
    return name;
  }

  /** The value a declarator's initializer gives. */
  protected initialValue(value: Node): Expr {
    return this.expressions.lower(value);
  }

  /** An expression statement: a plain assignment is an `assign`, a comma list is its parts in order. */
  protected effect(node: Node, type: string = node.type): void {
    if (type === "call_expression") {
      const macro = this.expressions.statementMacro(node);
      if (macro !== undefined) return this.expandedStatement(macro.statement, macro.expressions);
    }
    const parts = type === "comma_expression" ? this.expressions.commaParts(node) : [this.expressions.lower(node, type)];
    for (const part of parts) {
      if (part.kind === "assign") this.emitInstr({ kind: "assign", target: part.target, value: part.value, range: part.range });
      else this.emitInstr({ kind: "eval", expr: part, range: part.range });
    }
  }

  /** Lowers a statement macro's body with the expression lowerer of its expansion. */
  protected expandedStatement(statement: Node, expressions: ExpressionLowerer): void {
    const outer = this.expressions;
    this.expressions = expressions;
    const outerForConditions = this.conditions.useExpressions(expressions);
    try {
      this.statement(statement);
    } finally {
      this.expressions = outer;
      this.conditions.useExpressions(outerForConditions);
    }
  }

  /** Branches on a statement's condition (or on an unknown value when the condition did not parse). */
  protected branchOn(condition: Node | null, owner: Node, whenTrue: number, whenFalse: number): void {
    if (condition !== null) {
      this.conditions.lower(condition, whenTrue, whenFalse);
      return;
    }
    const range = this.expressions.rangeFor(owner);
    this.builder.terminate({ kind: "branch", cond: { kind: "unknown", parts: [], range }, then: whenTrue, else: whenFalse, range });
  }

  /** `if / else if / else` chains are walked iteratively, so long chains cost no stack. */
  protected ifStatement(first: Node): void {
    const builder = this.builder;
    const join = builder.newBlock();
    let node: Node = first;
    for (;;) {
      const consequence = fieldChild(node, "consequence");
      const elseClause = fieldChild(node, "alternative");
      const alternative = elseClause === null ? null : firstSignificantChild(elseClause);
      const thenBlock = builder.newBlock();
      const elseBlock = alternative === null ? join : builder.newBlock();
      this.branchOn(fieldChild(node, "condition"), node, thenBlock, elseBlock);
      builder.startAt(thenBlock);
      if (consequence !== null) this.statement(consequence);
      builder.jumpIfReachable(join);
      if (alternative === null) break;
      builder.startAt(elseBlock);
      if (alternative.type === "if_statement") {
        node = alternative;
        continue;
      }
      this.statement(alternative);
      builder.jumpIfReachable(join);
      break;
    }
    builder.startAt(join);
  }

  protected loopBody(body: Node | null, breakTarget: number, continueTarget: number): void {
    this.jumpScopes.push({ breakTarget, continueTarget, finallyDepth: this.finallys.length, scopeDepth: this.locals.depth });
    if (body !== null) this.statement(body);
    this.jumpScopes.pop();
  }

  protected whileStatement(node: Node): void {
    const builder = this.builder;
    const header = builder.newBlock();
    const body = builder.newBlock();
    const exit = builder.newBlock();
    builder.continueAt(header);
    builder.markLoopHeader(header);
    this.branchOn(fieldChild(node, "condition"), node, body, exit);
    builder.startAt(body);
    this.loopBody(fieldChild(node, "body"), exit, header);
    builder.jumpIfReachable(header);
    builder.startAt(exit);
  }

  protected doStatement(node: Node): void {
    const builder = this.builder;
    const body = builder.newBlock();
    const exit = builder.newBlock();
    const condition = builder.newBlock();
    builder.continueAt(body);
    this.loopBody(fieldChild(node, "body"), exit, condition);
    builder.continueAt(condition);
    const firstConditionBlock = builder.blocks.length;
    this.branchOn(fieldChild(node, "condition"), node, body, exit);
    builder.markDoWhileLoop(body, condition, firstConditionBlock);
    builder.startAt(exit);
  }

  protected forStatement(node: Node): void {
    const builder = this.builder;
    this.openScope();
    const initializer = fieldChild(node, "initializer");
    if (initializer !== null) {
      if (initializer.type === "declaration") this.declaration(initializer);
      else this.effect(initializer);
    }
    const header = builder.newBlock();
    const body = builder.newBlock();
    const update = builder.newBlock();
    const exit = builder.newBlock();
    builder.continueAt(header);
    builder.markLoopHeader(header);
    const condition = fieldChild(node, "condition");
    if (condition === null) builder.terminate({ kind: "goto", target: body });
    else this.conditions.lower(condition, body, exit);
    builder.startAt(body);
    this.loopBody(fieldChild(node, "body"), exit, update);
    builder.continueAt(update);
    const step = fieldChild(node, "update");
    if (step !== null) this.effect(step);
    builder.jumpIfReachable(header);
    builder.startAt(exit);
    if (builder.isReachable) this.exitCleanups(this.locals.depth - 1, this.expressions.closingRangeFor(node));
    const names = this.closeScope();
    if (names.length > 0 && builder.isReachable) builder.emit({ kind: "scope-end", names, range: this.expressions.closingRangeFor(node) });
  }

  protected switchStatement(node: Node): void {
    const builder = this.builder;
    const condition = fieldChild(node, "condition");
    let value: Expr = condition === null ? { kind: "unknown", parts: [], range: this.expressions.rangeFor(node) } : this.expressions.lower(condition);
    if (containsEffects(value)) {
      // Evaluated once; every case test reads the temporary.
      const temporary: Expr = { kind: "var", name: `#switch${this.temporaries++}`, range: value.range };
      builder.emit({ kind: "assign", target: temporary, value, range: value.range, declaration: true });
      value = temporary;
    }
    const dispatch = builder.currentId();
    builder.terminate({ kind: "unreachable" });
    const exit = builder.newBlock();
    const active: ActiveSwitch = { value, cases: [] };
    this.switches.push(active);
    this.jumpScopes.push({ breakTarget: exit, finallyDepth: this.finallys.length, scopeDepth: this.locals.depth });
    const body = fieldChild(node, "body");
    if (body !== null) this.statement(body);
    this.jumpScopes.pop();
    this.switches.pop();
    builder.jumpIfReachable(exit);

    const tests = active.cases.flatMap((entry) => (entry.value === undefined || entry.valueRange === undefined ? [] : [{ value: entry.value, range: entry.valueRange, block: entry.block }]));
    builder.chainCaseTests(dispatch, value, tests, active.defaultBlock ?? exit);
    builder.startAt(exit);
  }

  protected caseStatement(node: Node): void {
    const builder = this.builder;
    const active = this.switches[this.switches.length - 1];
    const valueNode = fieldChild(node, "value");
    if (active !== undefined) {
      const label = valueNode === null ? "default" : `case ${this.expressions.textOf(valueNode)}`;
      const block = builder.newBlock(label);
      // Falling out of the previous case continues here.
      builder.continueAt(block);
      if (valueNode === null) active.defaultBlock = block;
      else active.cases.push({ value: this.expressions.lower(valueNode), valueRange: this.expressions.rangeFor(valueNode), block });
    }
    this.statementsIn(node, [valueNode]);
  }

  protected labelBlock(name: string): number {
    let block = this.labels.get(name);
    if (block === undefined) {
      block = this.builder.newBlock();
      this.labels.set(name, block);
    }
    return block;
  }

  protected labeledStatement(node: Node): void {
    const label = fieldChild(node, "label");
    if (label !== null) {
      const name = this.expressions.textOf(label);
      this.placedLabels.add(name);
      this.builder.continueAt(this.labelBlock(name));
    }
    this.statementsIn(node, [label]);
  }

  protected gotoStatement(node: Node): void {
    const label = fieldChild(node, "label");
    if (label === null) return;
    const name = this.expressions.textOf(label);
    const target = this.labelBlock(name);
    if (this.placedLabels.has(name)) this.builder.markLoopHeader(target);
    if (this.finallys.length > 0) this.runFinallys(this.sharedFinallyDepth(name));
    this.builder.jumpIfReachable(target);
  }

  /** How many of the active `__finally` scopes also enclose the label (those are not left by the goto). */
  protected sharedFinallyDepth(label: string): number {
    const path = this.tryPathsOfLabels().get(label) ?? [];
    let depth = 0;
    while (depth < this.finallys.length && depth < path.length && this.finallys[depth].tryNodeId === path[depth]) depth++;
    return depth;
  }

  protected tryPathsOfLabels(): Map<string, number[]> {
    if (this.labelTryPaths !== undefined) return this.labelTryPaths;
    const paths = new Map<string, number[]>();
    const pending: { node: Node; path: number[] }[] = this.body === undefined ? [] : [{ node: this.body, path: [] }];
    while (pending.length > 0) {
      const { node, path } = pending.pop() as { node: Node; path: number[] };
      if (node.type === "labeled_statement") {
        const label = fieldChild(node, "label");
        if (label !== null) paths.set(this.expressions.textOf(label), path);
      }
      const hasFinally = node.type === "seh_try_statement" && significantChildren(node).some((child) => child.type === "seh_finally_clause");
      const tryBody = hasFinally ? fieldChild(node, "body") : null;
      for (const child of significantChildren(node)) {
        if (isExpressionNode(child)) continue;
        pending.push({ node: child, path: tryBody !== null && child.id === tryBody.id ? [...path, node.id] : path });
      }
    }
    this.labelTryPaths = paths;
    return paths;
  }

  /**
   * Inlines the finally bodies being left, innermost first, down to `depth` active ones.
   * `abnormal`: the `__try` bodies are left by a jump out of them or an exception, not by their
   * end or `__leave` (what `AbnormalTermination()` tells the finally body).
   */
  protected runFinallys(depth: number, abnormal = true): void {
    const active = this.finallys.slice();
    for (let index = active.length - 1; index >= depth && this.builder.isReachable; index--) {
      // Inside a finally body only the outer finallys are still pending.
      this.finallys.length = index;
      this.finallyBody(active[index].body, abnormal);
    }
    this.finallys.length = 0;
    this.finallys.push(...active);
  }

  /** One copy of a finally body: its calls are told how its `__try` was left. */
  protected finallyBody(body: Node, abnormal: boolean): void {
    const outer = this.expressions.finallyExit;
    this.expressions.finallyExit = abnormal ? "abnormal" : "normal";
    try {
      this.statement(body);
    } finally {
      this.expressions.finallyExit = outer;
    }
  }

  /**
   * What leaving the scopes deeper than `scopeDepth` runs before control moves on (C++ destructors
   * of the objects declared there, innermost first); nothing in C.
   */
  protected exitCleanups(_scopeDepth: number, _range: SourceRange): void {}

  /** Whether leaving down to `scopeDepth` runs anything (a returned value is then computed first). */
  protected hasCleanups(_scopeDepth: number): boolean {
    return false;
  }

  /** `scope-end` for the blocks a jump leaves, deeper than `scopeDepth`. */
  protected leaveScopes(scopeDepth: number, range: SourceRange): void {
    if (!this.builder.isReachable) return;
    this.exitCleanups(scopeDepth, range);
    const names = this.locals.declaredSince(scopeDepth);
    if (names.length > 0) this.builder.emit({ kind: "scope-end", names, range });
  }

  protected returnStatement(node: Node): void {
    const range = this.expressions.rangeFor(node);
    const valueNode = firstSignificantChild(node);
    let value = valueNode === null ? undefined : this.expressions.lower(valueNode);
    const raiseTarget = this.raiseTargets[this.raiseTargets.length - 1];
    if (raiseTarget !== undefined && value !== undefined && this.builder.isReachable && mayRaise(value)) this.raiseEdge(raiseTarget, range);
    if (this.finallys.length > 0 || this.hasCleanups(0)) {
      if (value !== undefined && value.kind !== "const" && this.builder.isReachable) {
        // The value is computed before the finally bodies (and destructors) run.
        const temporary: Expr = { kind: "var", name: "#return", range: value.range };
        this.builder.emit({ kind: "assign", target: temporary, value, range: value.range, declaration: true });
        value = temporary;
      }
      if (this.builder.isReachable) this.exitCleanups(0, range);
      this.runFinallys(0);
    }
    if (this.builder.isReachable) this.builder.terminate(value === undefined ? { kind: "return", range } : { kind: "return", value, range });
  }

  protected breakStatement(node: Node): void {
    const scope = this.jumpScopes[this.jumpScopes.length - 1];
    if (scope === undefined) return;
    this.runFinallys(scope.finallyDepth);
    this.leaveScopes(scope.scopeDepth, this.expressions.rangeFor(node));
    this.builder.jumpIfReachable(scope.breakTarget);
  }

  protected continueStatement(node: Node): void {
    for (let index = this.jumpScopes.length - 1; index >= 0; index--) {
      const scope = this.jumpScopes[index];
      if (scope.continueTarget === undefined) continue;
      this.runFinallys(scope.finallyDepth);
      this.leaveScopes(scope.scopeDepth, this.expressions.rangeFor(node));
      this.builder.jumpIfReachable(scope.continueTarget);
      return;
    }
  }

  protected tryStatement(node: Node): void {
    const builder = this.builder;
    const body = fieldChild(node, "body");
    const clause = significantChildren(node).find((child) => child.type === "seh_finally_clause" || child.type === "seh_except_clause");
    const handlerBody = clause === undefined ? null : fieldChild(clause, "body");
    if (clause === undefined || handlerBody === null) {
      if (body !== null) this.statement(body);
      return;
    }
    if (clause.type === "seh_finally_clause") {
      const normalExit = builder.newBlock();
      const after = builder.newBlock();
      this.finallys.push({ tryNodeId: node.id, body: handlerBody });
      this.leaveTargets.push({ target: normalExit, finallyDepth: this.finallys.length, scopeDepth: this.locals.depth });
      if (body !== null) this.statement(body);
      this.leaveTargets.pop();
      this.finallys.pop();
      builder.continueAt(normalExit);
      this.finallyBody(handlerBody, false);
      builder.continueAt(after);
      return;
    }
    // `__except`: the handler is entered from every point of the body that may raise (see
    // `emitInstr`), with the state of that point; a body that completes skips it.
    const handler = builder.newBlock("assuming an exception is raised here");
    const after = builder.newBlock();
    this.leaveTargets.push({ target: after, finallyDepth: this.finallys.length, scopeDepth: this.locals.depth });
    this.raiseTargets.push({ handler, finallyDepth: this.finallys.length });
    if (body !== null) this.statement(body);
    this.raiseTargets.pop();
    this.leaveTargets.pop();
    builder.jumpIfReachable(after);
    builder.startAt(handler);
    const filter = fieldChild(clause, "filter");
    if (filter !== null) {
      const filterValue = this.expressions.lower(filter);
      builder.emit({ kind: "eval", expr: filterValue, range: filterValue.range });
    }
    this.statement(handlerBody);
    builder.continueAt(after);
  }

  /**
   * Emits an instruction; inside a `__try` with an `__except`, one that calls or dereferences
   * may raise first: a branch goes to the handler (through the finally bodies in between).
   */
  protected emitInstr(instr: Instr): void {
    const target = this.raiseTargets[this.raiseTargets.length - 1];
    if (target !== undefined && this.builder.isReachable && instrMayRaise(instr)) this.raiseEdge(target, instr.range);
    this.builder.emit(instr);
  }

  protected raiseEdge(target: RaiseTarget, range: SourceRange): void {
    const builder = this.builder;
    const continued = builder.newBlock();
    const raised = this.finallys.length > target.finallyDepth ? builder.newBlock("assuming an exception is raised here") : target.handler;
    builder.terminate({ kind: "branch", cond: { kind: "unknown", parts: [], range }, then: raised, else: continued, range });
    if (raised !== target.handler) {
      builder.startAt(raised);
      const raiseTargets = this.raiseTargets.splice(0);
      this.runFinallys(target.finallyDepth);
      this.raiseTargets.push(...raiseTargets);
      builder.jumpIfReachable(target.handler);
    }
    builder.startAt(continued);
  }

  protected leaveStatement(node: Node): void {
    const target = this.leaveTargets[this.leaveTargets.length - 1];
    if (target === undefined) return;
    // `__leave` ends the `__try` body normally.
    this.runFinallys(target.finallyDepth, false);
    this.leaveScopes(target.scopeDepth, this.expressions.rangeFor(node));
    this.builder.jumpIfReachable(target.target);
  }

  /** `#if A ... #elif B ... #else ... #endif` in a body: alternative paths, one taken at a time. */
  protected preprocessorBranches(first: Node): void {
    const builder = this.builder;
    const join = builder.newBlock();
    let node: Node = first;
    for (;;) {
      const alternative = fieldChild(node, "alternative");
      const { cond, conditionNode } = preprocessorCondition(node, this.expressions);
      const thenBlock = builder.newBlock();
      const elseBlock = alternative === null ? join : builder.newBlock();
      builder.terminate({ kind: "branch", cond, then: thenBlock, else: elseBlock, range: cond.range });
      builder.startAt(thenBlock);
      this.branchStatements(node, conditionNode, alternative);
      builder.jumpIfReachable(join);
      if (alternative === null) break;
      builder.startAt(elseBlock);
      if (alternative.type === "preproc_elif" || alternative.type === "preproc_elifdef") {
        node = alternative;
        continue;
      }
      this.branchStatements(alternative, null, null);
      builder.jumpIfReachable(join);
      break;
    }
    builder.startAt(join);
  }

  protected branchStatements(node: Node, conditionNode: Node | null, alternative: Node | null): void {
    this.statementsIn(node, [conditionNode, alternative]);
  }
}
