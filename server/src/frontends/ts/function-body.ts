// Lowers the body of one TypeScript or JavaScript function to basic blocks: structured statements,
// labeled break/continue, switch fall-through, `throw`, and `try/catch/finally`. A finally body is
// lowered again on every edge that leaves its `try` (normal end, return, break, continue, throw);
// inside a `try` with a `catch`, every call may throw into the handler. An uncaught `throw` ends the
// function with a `throw` exit.
import ts from "typescript";
import type { BasicBlock, Expr, Instr, ParseProblem, SourceRange } from "../../ir/ir";
import { anySubexpression } from "../../ir/walk";
import { CfgBuilder, type CaseTest } from "../cfg-builder";
import { NestingLimit } from "../nesting-limit";
import type { LocalNames } from "../local-names";
import { containsCall, stripTransparent, type ExpressionLowerer } from "./expressions";
import type { SourceText } from "./source";

const MAX_STATEMENT_DEPTH = 250;

interface JumpScope {
  kind: "loop" | "switch" | "block";
  labels: string[];
  breakTarget: number;
  continueTarget?: number;
  finallyDepth: number;
  scopeDepth: number;
}

interface RaiseTarget {
  handler: number;
  finallyDepth: number;
}

/** Declarations of a function body, as the file lowerer sees them. */
export interface NestedDeclarations {
  /** A function or class declared inside the body: lowered on its own. */
  declaration(node: ts.FunctionDeclaration | ts.ClassDeclaration): void;
}

export interface LoweredBody {
  blocks: BasicBlock[];
  entry: number;
}

/** At the top level of a module, declared names are the module's variables, not locals that end. */
export type DeclarationScope = "function" | "module";

export class FunctionBodyLowerer {
  readonly builder = new CfgBuilder();
  private readonly jumpScopes: JumpScope[] = [];
  private readonly finallys: ts.Block[] = [];
  private readonly raiseTargets: RaiseTarget[] = [];
  /** Labels written before the statement being lowered: a loop takes them as its own. */
  private pendingLabels: string[] = [];
  private readonly nesting: NestingLimit;
  private temporaries = 0;
  /** Enclosing `try` statements with a `catch` or `finally`, around the code being lowered. */
  private handlers = 0;

  constructor(
    private readonly source: SourceText,
    private readonly expressions: ExpressionLowerer,
    private readonly locals: LocalNames,
    private readonly problems: ParseProblem[],
    private readonly nested: NestedDeclarations,
    private readonly declarationScope: DeclarationScope,
    /** Calls that never throw (the model's predicates, `NT_SUCCESS`). */
    private readonly predicates: ReadonlySet<string>,
  ) {
    this.nesting = new NestingLimit(MAX_STATEMENT_DEPTH, "Statements nested too deeply; the inner ones are not analyzed", problems);
  }

  /** Opens the function's outermost scope; parameters are declared in it. */
  begin(): void {
    this.openScope();
  }

  declareParameter(name: string): string {
    return this.declare(name);
  }

  /** Binds the names of a destructured parameter (`{ channel, packet }: Request`) from its value. */
  destructure(pattern: ts.BindingName, value: Expr, range: SourceRange): void {
    this.bindPattern(pattern, value, range);
  }

  /** A body of statements; falling off its end returns at `end` (the closing brace, the end of the module). */
  lowerStatements(statements: readonly ts.Statement[], end: SourceRange): LoweredBody {
    this.statements(statements);
    this.closeScope();
    if (this.builder.isReachable) this.builder.terminate({ kind: "return", range: end });
    return { blocks: this.builder.blocks, entry: 0 };
  }

  /** An arrow function's expression body: its value is returned. */
  lowerExpressionBody(body: ts.Expression): LoweredBody {
    const value = this.expressions.lower(body);
    this.emitRaisesOf(value, value.range);
    this.closeScope();
    if (this.builder.isReachable) this.builder.terminate({ kind: "return", value, range: this.source.rangeOf(body) });
    return { blocks: this.builder.blocks, entry: 0 };
  }

  get handlesExceptions(): boolean {
    return this.handlers > 0;
  }

  /** A fresh local for a value read twice; it ends with the innermost scope. */
  temporary(range: SourceRange): string {
    const name = `#tmp${this.temporaries++}`;
    this.locals.adopt(name);
    this.builder.emit({ kind: "declare", name, range });
    return name;
  }

  /** A value read more than once (a switch's cases, a loop's rounds): one with calls is computed once, first. */
  private evaluatedOnce(value: Expr): Expr {
    return containsCall(value) ? this.intoTemporary(value) : value;
  }

  private intoTemporary(value: Expr): Expr {
    const temporary: Expr = { kind: "var", name: this.temporary(value.range), range: value.range };
    this.emitInstr({ kind: "assign", target: temporary, value, range: value.range, declaration: true });
    return temporary;
  }

  private statements(list: readonly ts.Statement[]): void {
    for (const statement of list) this.statement(statement);
  }

  private statement(node: ts.Statement): void {
    const labels = this.pendingLabels;
    this.pendingLabels = [];
    this.nesting.run(
      () => this.source.rangeOf(node),
      () => this.statementAtDepth(node, labels),
      () => undefined,
    );
  }

  private statementAtDepth(node: ts.Statement, labels: string[]): void {
    if (ts.isBlock(node)) return this.block(node);
    if (ts.isVariableStatement(node)) return this.declarations(node.declarationList);
    if (ts.isExpressionStatement(node)) return this.effect(node.expression);
    if (ts.isIfStatement(node)) return this.ifStatement(node);
    if (ts.isWhileStatement(node)) return this.whileStatement(node, labels);
    if (ts.isDoStatement(node)) return this.doStatement(node, labels);
    if (ts.isForStatement(node)) return this.forStatement(node, labels);
    if (ts.isForOfStatement(node) || ts.isForInStatement(node)) return this.forEachStatement(node, labels);
    if (ts.isSwitchStatement(node)) return this.switchStatement(node, labels);
    if (ts.isLabeledStatement(node)) return this.labeledStatement(node, labels);
    if (ts.isBreakStatement(node)) return this.breakStatement(node);
    if (ts.isContinueStatement(node)) return this.continueStatement(node);
    if (ts.isReturnStatement(node)) return this.returnStatement(node);
    if (ts.isThrowStatement(node)) return this.throwStatement(node);
    if (ts.isTryStatement(node)) return this.tryStatement(node);
    if (ts.isFunctionDeclaration(node) || ts.isClassDeclaration(node)) return this.nested.declaration(node);
    // Types, imports, `debugger`, empty statements: nothing runs.
  }

  private block(node: ts.Block): void {
    this.openScope();
    this.statements(node.statements);
    this.endScope(this.source.closingRangeOf(node));
  }

  private openScope(): void {
    this.locals.open();
  }

  private closeScope(): string[] {
    return this.locals.close();
  }

  /** Closes the innermost scope; its variables go out of scope at `range`. */
  private endScope(range: SourceRange): void {
    const names = this.closeScope();
    if (names.length > 0 && this.builder.isReachable) this.builder.emit({ kind: "scope-end", names, range });
  }

  private declare(name: string): string {
    return this.locals.declare(name);
  }

  /** A module's top-level names are its variables: stores into them outlive the module's code. */
  private declaresLocals(): boolean {
    return this.declarationScope === "function" || this.locals.depth > 1;
  }

  private declarations(list: ts.VariableDeclarationList): void {
    for (const declaration of list.declarations) {
      // The initializer first: in `const p = p.next`, the inner `p` is not yet declared.
      let value = declaration.initializer === undefined ? undefined : this.expressions.lower(declaration.initializer);
      // A helper closure that is only ever called here does not outlive its creator: what it
      // captures stays the creator's, and its calls apply its summary to them.
      if (value?.kind === "closure" && this.declaresLocals() && onlyCalled(declaration)) value = { ...value, captures: [] };
      const range = this.source.rangeOf(declaration);
      if (ts.isIdentifier(declaration.name)) {
        const nameRange = this.source.rangeOf(declaration.name);
        if (!this.declaresLocals()) {
          if (value !== undefined) this.emitInstr({ kind: "assign", target: { kind: "var", name: declaration.name.text, range: nameRange }, value, range });
          continue;
        }
        const name = this.declare(declaration.name.text);
        if (value === undefined) this.emitInstr({ kind: "declare", name, range: nameRange });
        else this.emitInstr({ kind: "assign", target: { kind: "var", name, range: nameRange }, value, range, declaration: true });
        continue;
      }
      this.bindPattern(declaration.name, value, range);
    }
  }

  /**
   * `const { channel, packet: p } = request`: each name reads its property of a value that is a
   * plain location; from anything else (a call's result, an array pattern) the names get unknown values.
   */
  private bindPattern(pattern: ts.BindingName, value: Expr | undefined, range: SourceRange): void {
    const isLocation = value !== undefined && (value.kind === "var" || value.kind === "field" || value.kind === "index") && !containsCall(value);
    if (value !== undefined && !isLocation) this.emitInstr({ kind: "eval", expr: value, range });
    const bind = (name: ts.Identifier, initial: Expr | undefined) => {
      const nameRange = this.source.rangeOf(name);
      const local = this.declaresLocals();
      const target: Expr = { kind: "var", name: local ? this.declare(name.text) : name.text, range: nameRange };
      if (initial !== undefined) this.emitInstr({ kind: "assign", target, value: initial, range: nameRange, declaration: local });
      else if (local) this.emitInstr({ kind: "declare", name: target.name, range: nameRange });
    };
    const visit = (name: ts.BindingName, initial: Expr | undefined) => {
      if (ts.isIdentifier(name)) return bind(name, initial);
      for (const element of name.elements) {
        if (ts.isOmittedExpression(element)) continue;
        let property: Expr | undefined;
        if (initial !== undefined && ts.isObjectBindingPattern(name) && element.dotDotDotToken === undefined) {
          const key = element.propertyName ?? (ts.isIdentifier(element.name) ? element.name : undefined);
          if (key !== undefined && (ts.isIdentifier(key) || ts.isStringLiteral(key))) property = { kind: "field", base: initial, field: key.text, op: ".", range: this.source.rangeOf(element) };
        }
        visit(element.name, property);
      }
    };
    visit(pattern, isLocation ? value : undefined);
  }

  /** An expression statement: assignments become `assign`, comma lists their parts in order. */
  private effect(node: ts.Expression): void {
    const expr = this.expressions.lower(node);
    const parts = expr.kind === "sequence" ? expr.parts : [expr];
    for (const part of parts) {
      if (part.kind === "assign") this.emitInstr({ kind: "assign", target: part.target, value: part.value, range: part.range });
      else this.emitInstr({ kind: "eval", expr: part, range: part.range });
    }
  }

  // ---- conditions: `&&`, `||`, `!`, `?:` and commas become branches ----

  private condition(node: ts.Expression, whenTrue: number, whenFalse: number): void {
    const stripped = stripTransparent(node);
    if (ts.isBinaryExpression(stripped)) {
      const operator = stripped.operatorToken.kind;
      if (operator === ts.SyntaxKind.AmpersandAmpersandToken || operator === ts.SyntaxKind.BarBarToken) {
        const evaluateRight = this.builder.newBlock();
        if (operator === ts.SyntaxKind.AmpersandAmpersandToken) this.condition(stripped.left, evaluateRight, whenFalse);
        else this.condition(stripped.left, whenTrue, evaluateRight);
        this.builder.startAt(evaluateRight);
        this.condition(stripped.right, whenTrue, whenFalse);
        return;
      }
      if (operator === ts.SyntaxKind.CommaToken) {
        this.effect(stripped.left);
        this.condition(stripped.right, whenTrue, whenFalse);
        return;
      }
    }
    if (ts.isPrefixUnaryExpression(stripped) && stripped.operator === ts.SyntaxKind.ExclamationToken && isLogical(stripTransparent(stripped.operand))) {
      this.condition(stripped.operand, whenFalse, whenTrue);
      return;
    }
    if (ts.isConditionalExpression(stripped)) {
      const thenTest = this.builder.newBlock();
      const elseTest = this.builder.newBlock();
      this.condition(stripped.condition, thenTest, elseTest);
      this.builder.startAt(thenTest);
      this.condition(stripped.whenTrue, whenTrue, whenFalse);
      this.builder.startAt(elseTest);
      this.condition(stripped.whenFalse, whenTrue, whenFalse);
      return;
    }
    const cond = this.expressions.lower(stripped);
    this.emitRaisesOf(cond, cond.range);
    if (!this.builder.isReachable) return;
    if (cond.kind === "const" && (typeof cond.value === "number" || typeof cond.value === "boolean")) {
      // `while (true)`, `for (;;)`: the edge is fixed.
      this.builder.terminate({ kind: "goto", target: cond.value ? whenTrue : whenFalse });
      return;
    }
    this.builder.terminate({ kind: "branch", cond, then: whenTrue, else: whenFalse, range: this.source.rangeOf(stripped) });
  }

  private unknownBranch(owner: ts.Node, whenTrue: number, whenFalse: number): void {
    const range = this.source.rangeOf(owner);
    this.builder.terminate({ kind: "branch", cond: { kind: "unknown", parts: [], range }, then: whenTrue, else: whenFalse, range });
  }

  // ---- structured statements ----

  private ifStatement(first: ts.IfStatement): void {
    const builder = this.builder;
    const join = builder.newBlock();
    let node = first;
    for (;;) {
      const thenBlock = builder.newBlock();
      const elseBlock = node.elseStatement === undefined ? join : builder.newBlock();
      this.condition(node.expression, thenBlock, elseBlock);
      builder.startAt(thenBlock);
      this.statement(node.thenStatement);
      builder.jumpIfReachable(join);
      if (node.elseStatement === undefined) break;
      builder.startAt(elseBlock);
      if (ts.isIfStatement(node.elseStatement)) {
        node = node.elseStatement;
        continue;
      }
      this.statement(node.elseStatement);
      builder.jumpIfReachable(join);
      break;
    }
    builder.startAt(join);
  }

  /** @param scopeDepth the scopes a jump out of the body keeps (default: all open ones). */
  private loopBody(body: ts.Statement, labels: string[], breakTarget: number, continueTarget: number, scopeDepth = this.locals.depth): void {
    this.jumpScopes.push({ kind: "loop", labels, breakTarget, continueTarget, finallyDepth: this.finallys.length, scopeDepth });
    this.statement(body);
    this.jumpScopes.pop();
  }

  private whileStatement(node: ts.WhileStatement, labels: string[]): void {
    const builder = this.builder;
    const header = builder.newBlock();
    const body = builder.newBlock();
    const exit = builder.newBlock();
    builder.continueAt(header);
    builder.markLoopHeader(header);
    this.condition(node.expression, body, exit);
    builder.startAt(body);
    this.loopBody(node.statement, labels, exit, header);
    builder.jumpIfReachable(header);
    builder.startAt(exit);
  }

  private doStatement(node: ts.DoStatement, labels: string[]): void {
    const builder = this.builder;
    const body = builder.newBlock();
    const exit = builder.newBlock();
    const condition = builder.newBlock();
    builder.continueAt(body);
    this.loopBody(node.statement, labels, exit, condition);
    builder.continueAt(condition);
    const firstConditionBlock = builder.blocks.length;
    this.condition(node.expression, body, exit);
    builder.markDoWhileLoop(body, condition, firstConditionBlock);
    builder.startAt(exit);
  }

  private forStatement(node: ts.ForStatement, labels: string[]): void {
    const builder = this.builder;
    this.openScope();
    if (node.initializer !== undefined) {
      if (ts.isVariableDeclarationList(node.initializer)) this.declarations(node.initializer);
      else this.effect(node.initializer);
    }
    const header = builder.newBlock();
    const body = builder.newBlock();
    const update = builder.newBlock();
    const exit = builder.newBlock();
    builder.continueAt(header);
    builder.markLoopHeader(header);
    if (node.condition === undefined) builder.terminate({ kind: "goto", target: body });
    else this.condition(node.condition, body, exit);
    builder.startAt(body);
    this.loopBody(node.statement, labels, exit, update);
    builder.continueAt(update);
    if (node.incrementor !== undefined) this.effect(node.incrementor);
    builder.jumpIfReachable(header);
    builder.startAt(exit);
    this.endScope(this.source.closingRangeOf(node));
  }

  /** `for (const x of xs)` and `for (const k in o)`: each round takes one more element, or leaves. */
  private forEachStatement(node: ts.ForOfStatement | ts.ForInStatement, labels: string[]): void {
    const builder = this.builder;
    this.openScope();
    const collection = this.evaluatedOnce(this.expressions.lower(node.expression));
    const header = builder.newBlock();
    const body = builder.newBlock(ts.isForOfStatement(node) ? "taking the next element" : "taking the next key");
    const exit = builder.newBlock(ts.isForOfStatement(node) ? "no element left" : "no key left");
    builder.continueAt(header);
    builder.markLoopHeader(header);
    this.unknownBranch(node.expression, body, exit);
    builder.startAt(body);
    this.openScope();
    const range = this.source.rangeOf(node.initializer);
    const element: Expr = ts.isForOfStatement(node) ? { kind: "index", base: collection, index: { kind: "unknown", parts: [], range }, range } : { kind: "unknown", parts: [], range };
    if (ts.isVariableDeclarationList(node.initializer)) {
      for (const declaration of node.initializer.declarations) this.bindPattern(declaration.name, element, range);
    } else {
      this.emitInstr({ kind: "assign", target: this.expressions.lower(node.initializer), value: element, range });
    }
    // Each round binds the element anew: a jump out of the body ends that binding.
    this.loopBody(node.statement, labels, exit, header, this.locals.depth - 1);
    this.endScope(this.source.closingRangeOf(node));
    builder.jumpIfReachable(header);
    builder.startAt(exit);
    this.endScope(this.source.closingRangeOf(node));
  }

  private switchStatement(node: ts.SwitchStatement, labels: string[]): void {
    const builder = this.builder;
    const value = this.evaluatedOnce(this.expressions.lower(node.expression));
    const dispatch = builder.currentId();
    builder.terminate({ kind: "unreachable" });
    const exit = builder.newBlock();
    const cases: CaseTest[] = [];
    let defaultBlock: number | undefined;
    this.jumpScopes.push({ kind: "switch", labels, breakTarget: exit, finallyDepth: this.finallys.length, scopeDepth: this.locals.depth });
    this.openScope();
    for (const clause of node.caseBlock.clauses) {
      const label = ts.isDefaultClause(clause) ? "default" : `case ${this.source.textOf(clause.expression)}`;
      const block = builder.newBlock(label);
      // Falling out of the previous clause continues here.
      builder.continueAt(block);
      if (ts.isDefaultClause(clause)) defaultBlock = block;
      else cases.push({ value: this.expressions.lower(clause.expression), range: this.source.rangeOf(clause.expression), block });
      this.statements(clause.statements);
    }
    this.endScope(this.source.closingRangeOf(node));
    this.jumpScopes.pop();
    builder.jumpIfReachable(exit);

    builder.chainCaseTests(dispatch, value, cases, defaultBlock ?? exit);
    builder.startAt(exit);
  }

  private labeledStatement(node: ts.LabeledStatement, labels: string[]): void {
    const all = [...labels, node.label.text];
    const inner = node.statement;
    if (ts.isIterationStatement(inner, false) || ts.isSwitchStatement(inner) || ts.isLabeledStatement(inner)) {
      this.pendingLabels = all;
      this.statement(inner);
      return;
    }
    // A labeled block: `break label` leaves it.
    const after = this.builder.newBlock();
    this.jumpScopes.push({ kind: "block", labels: all, breakTarget: after, finallyDepth: this.finallys.length, scopeDepth: this.locals.depth });
    this.statement(inner);
    this.jumpScopes.pop();
    this.builder.continueAt(after);
  }

  private breakStatement(node: ts.BreakStatement): void {
    const label = node.label?.text;
    const scope = [...this.jumpScopes].reverse().find((candidate) => (label === undefined ? candidate.kind !== "block" : candidate.labels.includes(label)));
    if (scope === undefined) return;
    this.leave(scope.finallyDepth, scope.scopeDepth, this.source.rangeOf(node));
    this.builder.jumpIfReachable(scope.breakTarget);
  }

  private continueStatement(node: ts.ContinueStatement): void {
    const label = node.label?.text;
    const scope = [...this.jumpScopes].reverse().find((candidate) => candidate.kind === "loop" && (label === undefined || candidate.labels.includes(label)));
    if (scope?.continueTarget === undefined) return;
    this.leave(scope.finallyDepth, scope.scopeDepth, this.source.rangeOf(node));
    this.builder.jumpIfReachable(scope.continueTarget);
  }

  /** What a jump out of nested statements does first: the finally bodies it leaves, then the scopes. */
  private leave(finallyDepth: number, scopeDepth: number, range: SourceRange): void {
    this.runFinallys(finallyDepth);
    if (!this.builder.isReachable) return;
    const names = this.locals.declaredSince(scopeDepth);
    if (names.length > 0) this.builder.emit({ kind: "scope-end", names, range });
  }

  private returnStatement(node: ts.ReturnStatement): void {
    const range = this.source.rangeOf(node);
    let value = node.expression === undefined ? undefined : this.expressions.lower(node.expression);
    // The value is computed before the finally bodies run.
    if (value !== undefined && this.finallys.length > 0 && value.kind !== "const" && this.builder.isReachable) value = this.intoTemporary(value);
    else if (value !== undefined) this.emitRaisesOf(value, range);
    this.runFinallys(0);
    if (this.builder.isReachable) this.builder.terminate(value === undefined ? { kind: "return", range } : { kind: "return", value, range });
  }

  /** Into the innermost `catch` (through the finally bodies in between), or out of the function. */
  private throwStatement(node: ts.ThrowStatement): void {
    const range = this.source.rangeOf(node);
    const value = this.expressions.lower(node.expression);
    this.emitRaisesOf(value, range);
    if (this.builder.isReachable && value.kind !== "const" && value.kind !== "var") this.builder.emit({ kind: "eval", expr: value, range });
    const target = this.raiseTargets[this.raiseTargets.length - 1];
    if (target !== undefined) {
      this.raiseInto(target);
      return;
    }
    this.runFinallys(0);
    if (this.builder.isReachable) this.builder.terminate({ kind: "throw", value: value.kind === "var" ? value : undefined, range });
  }

  private tryStatement(node: ts.TryStatement): void {
    const builder = this.builder;
    const finallyBlock = node.finallyBlock;
    const catchClause = node.catchClause;
    if (finallyBlock !== undefined) this.finallys.push(finallyBlock);
    const handler = catchClause === undefined ? undefined : builder.newBlock("assuming an exception is thrown here");
    if (handler !== undefined) this.raiseTargets.push({ handler, finallyDepth: this.finallys.length });
    this.handlers++;
    this.block(node.tryBlock);
    this.handlers--;
    if (handler !== undefined) this.raiseTargets.pop();
    const normalExit = builder.newBlock();
    builder.jumpIfReachable(normalExit);
    if (catchClause !== undefined && handler !== undefined) {
      builder.startAt(handler);
      this.openScope();
      const binding = catchClause.variableDeclaration?.name;
      if (binding !== undefined) this.bindPattern(binding, undefined, this.source.rangeOf(binding));
      // The finally body still runs after a throw from the handler.
      if (finallyBlock !== undefined) this.handlers++;
      this.statements(catchClause.block.statements);
      if (finallyBlock !== undefined) this.handlers--;
      this.endScope(this.source.closingRangeOf(catchClause.block));
      builder.jumpIfReachable(normalExit);
    }
    builder.startAt(normalExit);
    if (finallyBlock !== undefined) {
      this.finallys.pop();
      this.block(finallyBlock);
    }
  }

  /** Lowers the finally bodies being left, innermost first, down to `depth` active ones. */
  private runFinallys(depth: number): void {
    const active = this.finallys.slice();
    const raiseTargets = this.raiseTargets.splice(0);
    for (let index = active.length - 1; index >= depth && this.builder.isReachable; index--) {
      // Inside a finally body only the outer finallys are still pending, and its own throws go outward.
      this.finallys.length = index;
      this.raiseTargets.push(...raiseTargets.filter((target) => target.finallyDepth <= index));
      this.block(active[index]);
      this.raiseTargets.length = 0;
    }
    this.finallys.length = 0;
    this.finallys.push(...active);
    this.raiseTargets.push(...raiseTargets);
  }

  private raiseInto(target: RaiseTarget): void {
    const raiseTargets = this.raiseTargets.splice(0);
    this.runFinallys(target.finallyDepth);
    this.raiseTargets.push(...raiseTargets);
    this.builder.jumpIfReachable(target.handler);
  }

  /** Inside a `try` with a `catch`, an instruction with a call may throw before it completes. */
  private emitRaisesOf(expr: Expr, range: SourceRange): void {
    const target = this.raiseTargets[this.raiseTargets.length - 1];
    if (target === undefined || !this.builder.isReachable || !this.mayThrow(expr)) return;
    const builder = this.builder;
    const continued = builder.newBlock();
    const raised = builder.newBlock("assuming an exception is thrown here");
    builder.terminate({ kind: "branch", cond: { kind: "unknown", parts: [], range }, then: raised, else: continued, range });
    builder.startAt(raised);
    this.raiseInto(target);
    builder.startAt(continued);
  }

  private mayThrow(expr: Expr): boolean {
    return anySubexpression(expr, (part) => part.kind === "call" && !(part.callee.name !== undefined && this.predicates.has(part.callee.name)));
  }

  private emitInstr(instr: Instr): void {
    if (instr.kind === "assign") this.emitRaisesOf({ kind: "sequence", parts: [instr.target, instr.value], range: instr.range }, instr.range);
    else if (instr.kind === "eval") this.emitRaisesOf(instr.expr, instr.range);
    this.builder.emit(instr);
  }
}

/** Whether every other mention of the declared name in its function is a direct call of it. */
function onlyCalled(declaration: ts.VariableDeclaration): boolean {
  const name = declaration.name;
  if (!ts.isIdentifier(name)) return false;
  let scope: ts.Node = declaration.parent;
  while (!ts.isSourceFile(scope) && !ts.isFunctionLike(scope)) scope = scope.parent;
  let calledOnly = true;
  const visit = (node: ts.Node): void => {
    if (!calledOnly) return;
    if (ts.isIdentifier(node)) {
      if (node.text !== name.text || node === name) return;
      const parent = node.parent;
      const isPropertyName = (ts.isPropertyAccessExpression(parent) && parent.name === node) || (ts.isPropertyAssignment(parent) && parent.name === node);
      if (!isPropertyName && !(ts.isCallExpression(parent) && parent.expression === node)) calledOnly = false;
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(scope);
  return calledOnly;
}

function isLogical(node: ts.Expression): boolean {
  if (ts.isBinaryExpression(node)) {
    const operator = node.operatorToken.kind;
    return operator === ts.SyntaxKind.AmpersandAmpersandToken || operator === ts.SyntaxKind.BarBarToken || operator === ts.SyntaxKind.CommaToken;
  }
  if (ts.isPrefixUnaryExpression(node)) return node.operator === ts.SyntaxKind.ExclamationToken;
  return ts.isConditionalExpression(node);
}
