// Lowers the body of a C++ function: C's statements, plus objects constructed and destroyed
// (RAII: a local's destructor runs at every exit of its scope, innermost and latest first),
// range-for, `try`/`catch`/`throw`, and `if (init; cond)` / `if (T x = e)` conditions.
import type { Node } from "web-tree-sitter";
import type { Expr, ParseProblem, SourceRange } from "../../ir/ir";
import { declaredName } from "../c/declarators";
import { fieldChild } from "../c/fields";
import { FunctionBodyLowerer } from "../c/function-body";
import { significantChildren } from "../c/syntax";
import type { LocalNames } from "../local-names";
import { simpleName } from "./classes";
import type { CppExpressionLowerer } from "./expressions";

/** A local object whose destructor runs when its scope ends. */
interface LiveObject {
  name: string;
  /** The class whose destructor runs (the object's own, or a base's). */
  destructorClass: string;
  depth: number;
}

/** Whether a declarator binds a reference (`T& x = y`): an alias, destroyed by no one here. */
function isReference(declarator: Node): boolean {
  for (let node: Node | null = declarator; node !== null; node = node.type === "init_declarator" ? fieldChild(node, "declarator") : null) {
    if (node.type === "reference_declarator") return true;
  }
  return false;
}

/** How many scopes of locals a statement of each kind opens around what it contains. */
const SCOPES_OPENED: ReadonlyMap<string, number> = new Map([
  ["compound_statement", 1],
  ["for_statement", 1],
  // The range's own scope and each element's.
  ["for_range_loop", 2],
  ["catch_clause", 1],
]);

const MAX_SCAN = 100_000;

/** Whether every later mention of `name` in the block declaring it (from `after`) is the callee of a call. */
function onlyCalled(name: string, after: Node): boolean {
  let block: Node | null = after.parent;
  while (block !== null && block.type !== "compound_statement") block = block.parent;
  if (block === null) return false;
  const pending: Node[] = [block];
  let visited = 0;
  while (pending.length > 0) {
    const node = pending.pop() as Node;
    if (++visited > MAX_SCAN) return false;
    if (node.type === "identifier" && node.startIndex >= after.endIndex && node.text === name) {
      const parent = node.parent;
      if (parent === null || parent.type !== "call_expression" || fieldChild(parent, "function")?.id !== node.id) return false;
      continue;
    }
    for (const child of significantChildren(node)) pending.push(child);
  }
  return true;
}

export class CppFunctionBodyLowerer extends FunctionBodyLowerer {
  private readonly objects: LiveObject[] = [];
  /** The local a lambda being lowered initializes. */
  private lambdaVariable: string | undefined;
  /** The scope depth each enclosing `try` with handlers was entered at (a `throw` leaves the scopes deeper). */
  private readonly catchDepths: number[] = [];
  private labeledStatements: Map<string, Node> | undefined;

  constructor(
    private readonly cppExpressions: CppExpressionLowerer,
    problems: ParseProblem[],
    locals: LocalNames,
  ) {
    super(cppExpressions, problems, locals);
  }

  /** A constructor's member initializers (`: m_packet(packet), Base(x)`) run before its body. */
  override lower(body: Node): ReturnType<FunctionBodyLowerer["lower"]> {
    const definition = body.parent;
    const initializers = definition === null ? undefined : significantChildren(definition).find((child) => child.type === "field_initializer_list");
    if (initializers !== undefined) for (const initializer of significantChildren(initializers)) this.memberInitializer(initializer);
    return super.lower(body);
  }

  private memberInitializer(initializer: Node): void {
    const children = significantChildren(initializer);
    const nameNode = children.find((child) => child.type === "field_identifier" || child.type === "qualified_identifier" || child.type === "template_method");
    const argumentsNode = children.find((child) => child.type === "argument_list" || child.type === "initializer_list");
    if (nameNode === undefined) return;
    const range = this.expressions.rangeFor(initializer);
    const args = argumentsNode === undefined ? [] : significantChildren(argumentsNode).map((argument) => this.expressions.lower(argument));
    const name = simpleName(this.expressions.textOf(nameNode));
    const cpp = this.cppExpressions.cpp;
    const self: Expr = { kind: "var", name: "this", range };
    if (cpp.owner !== undefined && !cpp.classes.hasField(cpp.owner, name) && cpp.classes.hasConstructor(name)) {
      this.emitInstr({ kind: "eval", expr: { kind: "call", callee: { name: this.cppExpressions.constructorName(name, args), text: name, range }, args: [self, ...args], range }, range });
      return;
    }
    const target: Expr = { kind: "field", base: self, field: name, op: "->", range };
    if (args.length === 1) this.emitInstr({ kind: "assign", target, value: args[0], range });
    else if (args.length > 0) this.emitInstr({ kind: "eval", expr: { kind: "unknown", parts: args, range }, range });
  }

  protected override statementAtDepth(node: Node, type: string): void {
    switch (type) {
      case "for_range_loop":
        return this.rangeFor(node);
      case "try_statement":
        return this.cppTry(node);
      case "throw_statement":
        return this.throwStatement(node);
      case "alias_declaration":
      case "using_declaration":
      case "namespace_alias_definition":
      case "static_assert_declaration":
      case "type_definition":
      case "class_specifier":
      case "struct_specifier":
      case "enum_specifier":
        return;
      default:
        return super.statementAtDepth(node, type);
    }
  }

  protected override exitCleanups(scopeDepth: number, range: SourceRange): void {
    for (let index = this.objects.length - 1; index >= 0 && this.builder.isReachable; index--) {
      const object = this.objects[index];
      if (object.depth <= scopeDepth) continue;
      const destructor = `${object.destructorClass}::~${object.destructorClass}`;
      const self: Expr = { kind: "addr", target: { kind: "var", name: object.name, range }, range };
      this.emitInstr({ kind: "eval", expr: { kind: "call", callee: { name: destructor, text: `~${object.destructorClass}`, range }, args: [self], range }, range });
    }
  }

  /** A goto out of blocks destroys the objects of the blocks it leaves (those not enclosing its label). */
  protected override gotoStatement(node: Node): void {
    const label = fieldChild(node, "label");
    const target = label === null ? undefined : this.labeledStatementNamed(this.expressions.textOf(label));
    if (target !== undefined && this.hasCleanups(0)) {
      let blocksLeft = 0;
      for (let ancestor = node.parent; ancestor !== null && ancestor.id !== this.body?.id; ancestor = ancestor.parent) {
        const enclosesLabel = ancestor.startIndex <= target.startIndex && target.endIndex <= ancestor.endIndex;
        if (!enclosesLabel) blocksLeft += SCOPES_OPENED.get(ancestor.type) ?? 0;
      }
      if (blocksLeft > 0) this.exitCleanups(this.locals.depth - blocksLeft, this.expressions.rangeFor(node));
    }
    super.gotoStatement(node);
  }

  private labeledStatementNamed(name: string): Node | undefined {
    if (this.labeledStatements === undefined) {
      this.labeledStatements = new Map();
      const pending: Node[] = this.body === undefined ? [] : [this.body];
      while (pending.length > 0) {
        const current = pending.pop() as Node;
        const label = current.type === "labeled_statement" ? fieldChild(current, "label") : null;
        if (label !== null) this.labeledStatements.set(this.expressions.textOf(label), current);
        for (const child of significantChildren(current)) if (child.type !== "lambda_expression") pending.push(child);
      }
    }
    return this.labeledStatements.get(name);
  }

  protected override hasCleanups(scopeDepth: number): boolean {
    return this.objects.some((object) => object.depth > scopeDepth);
  }

  protected override closeScope(): string[] {
    const names = super.closeScope();
    const depth = this.locals.depth;
    while (this.objects.length > 0 && this.objects[this.objects.length - 1].depth > depth) this.objects.pop();
    return names;
  }

  /**
   * Declares one local: an object of a known class is constructed (`Guard g(p)`, `Guard g{p}`,
   * `Guard g = Guard(p)`, the most vexing parse `Guard g(p)` read as a prototype) by a call of its
   * constructor with the object's address, and destroyed at its scope's exits.
   */
  protected override declarator(declarator: Node, declaration: Node): string | undefined {
    const cpp = this.cppExpressions.cpp;
    const typeNode = fieldChild(declaration, "type");
    const typeName = typeNode === null || typeNode.type === "placeholder_type_specifier" ? undefined : simpleName(this.expressions.textOf(typeNode));
    const className = typeName !== undefined && cpp.classes.has(typeName) ? cpp.classes.canonical(typeName) : undefined;
    const declared = declaredName(declarator);
    if (declarator.type === "function_declarator") {
      const parameters = fieldChild(declarator, "parameters");
      const args = parameters === null ? undefined : (this.vexingArguments(parameters) ?? this.cppExpressions.argumentsFromText(this.expressions.textOf(parameters).slice(1, -1), this.expressions.rangeFor(parameters)));
      if (args === undefined || declared.name === undefined || declared.nameNode === undefined) return undefined;
      if (className !== undefined && declared.indirections === 0) return this.constructObject(declared.name, declared.nameNode, className, args, declarator);
      // `VMBPACKET packet(VmbPacketAllocate(channel));`: a variable initialized with its one argument.
      if (args.length !== 1) return undefined;
      const name = this.declare(declared.name);
      const target: Expr = { kind: "var", name, range: this.expressions.rangeFor(declared.nameNode) };
      this.emitInstr({ kind: "assign", target, value: args[0], range: this.expressions.rangeFor(declarator), declaration: true });
      return name;
    }
    // `if (T x = e)`, `while (T x = e)`: the condition's declaration holds its value itself.
    const conditionValue = declarator.type === "identifier" && declaration.parent?.type === "condition_clause" ? fieldChild(declaration, "value") : null;
    if (conditionValue !== null && declared.name !== undefined && declared.nameNode !== undefined) {
      const initial = this.expressions.lower(conditionValue);
      const name = this.declare(declared.name);
      this.emitInstr({ kind: "assign", target: { kind: "var", name, range: this.expressions.rangeFor(declared.nameNode) }, value: initial, range: this.expressions.rangeFor(declaration), declaration: true });
      return name;
    }
    const value = declarator.type === "init_declarator" ? fieldChild(declarator, "value") : null;
    const isObject = className !== undefined && declared.indirections === 0 && !isReference(declarator);
    if (isObject && declared.name !== undefined && declared.nameNode !== undefined) {
      const args = value === null ? [] : this.constructorArguments(value, className as string);
      if (args !== undefined) return this.constructObject(declared.name, declared.nameNode, className as string, args, declarator);
    }
    this.lambdaVariable = value !== null && value.type === "lambda_expression" ? declared.name : undefined;
    const name = super.declarator(declarator, declaration);
    this.lambdaVariable = undefined;
    if (name === undefined) return undefined;
    const pointee = className ?? (value !== null && value.type === "new_expression" ? this.newClassOf(value) : undefined);
    if (pointee !== undefined) cpp.localClasses.set(name, pointee);
    if (className !== undefined && declared.indirections === 0) cpp.objectLocals.add(name);
    return name;
  }

  /**
   * A lambda kept in a local names its function after the local; when the local is only ever
   * called, the lambda does not outlive this function, and what it captures stays this function's.
   */
  protected override initialValue(value: Node): Expr {
    // `T x{e}` and `T x(e)` (one argument) hold `e`.
    if (value.type === "initializer_list" || value.type === "argument_list") {
      const elements = significantChildren(value);
      if (elements.length === 1) return this.expressions.lower(elements[0]);
    }
    const variable = this.lambdaVariable;
    if (variable === undefined || value.type !== "lambda_expression") return super.initialValue(value);
    this.cppExpressions.cpp.lambdaVariable = variable;
    const closure = this.expressions.lower(value);
    return closure.kind === "closure" && onlyCalled(variable, value) ? { ...closure, captures: [] } : closure;
  }

  /** `Guard g(packet)` parsed as a prototype: its "parameter types" name locals, the arguments. */
  private vexingArguments(parameters: Node): Expr[] | undefined {
    const args: Expr[] = [];
    for (const parameter of significantChildren(parameters)) {
      const children = significantChildren(parameter);
      if (parameter.type !== "parameter_declaration" || children.length !== 1 || children[0].type !== "type_identifier") return undefined;
      const name = this.expressions.textOf(children[0]);
      if (!this.locals.has(name)) return undefined;
      args.push({ kind: "var", name: this.locals.resolve(name), range: this.expressions.rangeFor(children[0]) });
    }
    return args;
  }

  /** The arguments an initializer passes to the constructor, or undefined when it is no construction (a copy of another object). */
  private constructorArguments(value: Node, className: string): Expr[] | undefined {
    const type = value.type;
    if (type === "argument_list" || type === "initializer_list") return significantChildren(value).map((argument) => this.expressions.lower(argument));
    if (type === "call_expression" || type === "compound_literal_expression") {
      const callee = fieldChild(value, type === "call_expression" ? "function" : "type");
      const argumentsNode = fieldChild(value, type === "call_expression" ? "arguments" : "value");
      if (callee !== null && simpleName(this.expressions.textOf(callee)) === className && argumentsNode !== null) {
        return significantChildren(argumentsNode).map((argument) => this.expressions.lower(argument));
      }
    }
    return undefined;
  }

  private newClassOf(value: Node): string | undefined {
    const typeNode = fieldChild(value, "type");
    const name = typeNode === null ? undefined : simpleName(this.expressions.textOf(typeNode));
    return name !== undefined && this.cppExpressions.cpp.classes.has(name) ? this.cppExpressions.cpp.classes.canonical(name) : undefined;
  }

  private constructObject(sourceName: string, nameNode: Node, className: string, constructorArguments: Expr[], declarator: Node): string {
    let args = constructorArguments;
    const cpp = this.cppExpressions.cpp;
    const name = this.declare(sourceName);
    const range = this.expressions.rangeFor(declarator);
    this.emitInstr({ kind: "declare", name, range: this.expressions.rangeFor(nameNode) });
    cpp.localClasses.set(name, className);
    cpp.objectLocals.add(name);
    const destructorClass = cpp.classes.destructorOwner(className);
    // A lambda given to an object that lives in this scope (a scope guard) does not outlive this
    // function: what it captures stays this function's, and the destructor's summary runs it.
    if (destructorClass !== undefined) args = args.map((argument) => (argument.kind === "closure" ? { ...argument, captures: [] } : argument));
    if (cpp.classes.hasConstructor(className)) {
      const self: Expr = { kind: "addr", target: { kind: "var", name, range }, range };
      this.emitInstr({ kind: "eval", expr: { kind: "call", callee: { name: this.cppExpressions.constructorName(className, args), text: className, range }, args: [self, ...args], range }, range });
    } else if (args.length > 0) {
      this.emitInstr({ kind: "eval", expr: { kind: "unknown", parts: args, range }, range });
    }
    if (destructorClass !== undefined) this.objects.push({ name, destructorClass, depth: this.locals.depth });
    return name;
  }

  /** `if (init; cond)`, `if (T x = e)`, `while (T x = e)`: the initializer runs, then the test. */
  protected override branchOn(condition: Node | null, owner: Node, whenTrue: number, whenFalse: number): void {
    if (condition === null || condition.type !== "condition_clause") return super.branchOn(condition, owner, whenTrue, whenFalse);
    const initializer = fieldChild(condition, "initializer");
    if (initializer !== null) {
      for (const statement of significantChildren(initializer)) this.statement(statement);
      if (initializer.type !== "init_statement") this.statement(initializer);
    }
    const value = fieldChild(condition, "value");
    if (value !== null && value.type === "declaration") {
      const declarators = value.childrenForFieldName("declarator");
      const name = declarators.length === 1 ? this.declarator(declarators[0], value) : undefined;
      const range = this.expressions.rangeFor(value);
      const test: Expr = name === undefined ? { kind: "unknown", parts: [], range } : { kind: "var", name, range };
      this.builder.terminate({ kind: "branch", cond: test, then: whenTrue, else: whenFalse, range });
      return;
    }
    super.branchOn(value, owner, whenTrue, whenFalse);
  }

  /** `for (T x : range) body`: the range is evaluated once; each round binds one element. */
  private rangeFor(node: Node): void {
    const builder = this.builder;
    this.openScope();
    const rangeNode = fieldChild(node, "right");
    if (rangeNode !== null) {
      const range = this.expressions.lower(rangeNode);
      this.emitInstr({ kind: "eval", expr: range, range: range.range });
    }
    const header = builder.newBlock();
    const body = builder.newBlock("assuming the range has another element");
    const exit = builder.newBlock("assuming the range has no more elements");
    builder.continueAt(header);
    builder.markLoopHeader(header);
    const nodeRange = this.expressions.rangeFor(node);
    builder.terminate({ kind: "branch", cond: { kind: "unknown", parts: [], range: nodeRange }, then: body, else: exit, range: nodeRange });
    builder.startAt(body);
    this.openScope();
    const declarator = fieldChild(node, "declarator");
    const declared = declaredName(declarator);
    if (declared.name !== undefined && declared.nameNode !== undefined) {
      const name = this.declare(declared.name);
      this.emitInstr({ kind: "declare", name, range: this.expressions.rangeFor(declared.nameNode) });
    }
    this.loopBody(fieldChild(node, "body"), exit, header);
    const names = this.closeScope();
    if (names.length > 0 && builder.isReachable) builder.emit({ kind: "scope-end", names, range: this.expressions.closingRangeFor(node) });
    builder.jumpIfReachable(header);
    builder.startAt(exit);
    const outer = this.closeScope();
    if (outer.length > 0 && builder.isReachable) builder.emit({ kind: "scope-end", names: outer, range: this.expressions.closingRangeFor(node) });
  }

  /**
   * `try { } catch (...) { }`: every call in the body may throw into one of the handlers (tried as
   * alternatives); a body that completes skips them.
   */
  private cppTry(node: Node): void {
    const builder = this.builder;
    const body = fieldChild(node, "body");
    const handlers = significantChildren(node).filter((child) => child.type === "catch_clause");
    if (handlers.length === 0) {
      if (body !== null) this.statement(body);
      return;
    }
    const handler = builder.newBlock("assuming an exception is thrown here");
    const after = builder.newBlock();
    this.raiseTargets.push({ handler, finallyDepth: this.finallys.length });
    this.catchDepths.push(this.locals.depth);
    if (body !== null) this.statement(body);
    this.catchDepths.pop();
    this.raiseTargets.pop();
    builder.jumpIfReachable(after);
    builder.startAt(handler);
    handlers.forEach((clause, index) => {
      const next = index < handlers.length - 1 ? builder.newBlock("assuming another handler catches it") : undefined;
      if (next !== undefined) {
        const range = this.expressions.rangeFor(clause);
        const taken = builder.newBlock();
        builder.terminate({ kind: "branch", cond: { kind: "unknown", parts: [], range }, then: taken, else: next, range });
        builder.startAt(taken);
      }
      this.openScope();
      const parameters = fieldChild(clause, "parameters");
      for (const parameter of parameters === null ? [] : significantChildren(parameters)) {
        const declared = declaredName(fieldChild(parameter, "declarator"));
        if (declared.name !== undefined && declared.nameNode !== undefined) this.emitInstr({ kind: "declare", name: this.declare(declared.name), range: this.expressions.rangeFor(declared.nameNode) });
      }
      const handlerBody = fieldChild(clause, "body");
      if (handlerBody !== null) this.statement(handlerBody);
      this.closeScope();
      builder.jumpIfReachable(after);
      if (next !== undefined) builder.startAt(next);
    });
    builder.startAt(after);
  }

  /** `throw e;`: into the innermost handler, or out of the function, destroying the objects left behind. */
  private throwStatement(node: Node): void {
    const range = this.expressions.rangeFor(node);
    const valueNode = significantChildren(node)[0];
    const value = valueNode === undefined ? undefined : this.expressions.lower(valueNode);
    if (value !== undefined) this.emitInstr({ kind: "eval", expr: value, range });
    if (!this.builder.isReachable) return;
    const target = this.raiseTargets[this.raiseTargets.length - 1];
    const catchDepth = this.catchDepths[this.catchDepths.length - 1];
    if (target !== undefined && catchDepth !== undefined) {
      this.exitCleanups(catchDepth, range);
      this.runFinallys(target.finallyDepth);
      this.builder.jumpIfReachable(target.handler);
      return;
    }
    this.exitCleanups(0, range);
    if (this.builder.isReachable) this.builder.terminate(value === undefined ? { kind: "throw", range } : { kind: "throw", value, range });
  }
}
