// Lowers C++ expressions: what C has, plus `this` and implicit members, method calls (the object
// becomes the callee's `this` argument), qualified names, casts, `new`/`delete` (calls of
// `operator new`/`operator delete`, with the constructor and destructor they run) and lambdas.
import type { Node, Tree } from "web-tree-sitter";
import type { Callee, Expr, IrFunction, SourceRange } from "../../ir/ir";
import { ExpressionLowerer, type MacroExpansion } from "../c/expressions";
import { fieldChild } from "../c/fields";
import { namedChildList, significantChildren } from "../c/syntax";
import type { LocalNames } from "../local-names";
import { LineIndex } from "../positions";
import { simpleName, type ClassIndex } from "./classes";

/** Conversions whose value is their operand, for the analysis. */
const TRANSPARENT_CALLS = new Set(["static_cast", "reinterpret_cast", "const_cast", "dynamic_cast", "safe_cast", "move", "forward", "addressof"]);

/** What one function's C++ lowering knows beyond C: its class, its locals' classes, the file's classes. */
export interface CppFunctionContext {
  classes: ClassIndex;
  /** The class whose method is being lowered. */
  owner?: string;
  /** Whether the method has a `this` (not static). */
  hasThis: boolean;
  /** IR local name to the class of the object it is or points to (`Guard g`, `Guard* g`, `auto g = new Guard`). */
  localClasses: Map<string, string>;
  /** The locals of `localClasses` that are objects or references to one, not pointers: operators on them may be overloaded. */
  objectLocals: Set<string>;
  /** Lowers a lambda found in the function; returns the id of the IrFunction made of it. */
  lambda(node: Node, captures: string[], outerNames: ReadonlyMap<string, string>, variable?: string): string;
  /** Set by a declaration whose initializer is a lambda: the variable names the lambda's function. */
  lambdaVariable?: string;
  /** Lambdas lowered so far, emitted after their creator. */
  readonly lambdas: IrFunction[];
  /** Numbers the temporaries `new` expressions need. */
  nextTemporary(): number;
  /** In a lambda body: captured source names to the creator's IR names. */
  outerNames?: ReadonlyMap<string, string>;
  /** Parses C++ text on its own (the trees are freed with the file's lowering). */
  parseSnippet(text: string): Tree | null;
}

/** Argument text is parsed as the arguments of a returned call: surely an expression. */
const ARGUMENTS_PREFIX = "void vmbguard_arguments() { return vmbguard_call(";
const ARGUMENTS_SUFFIX = "); }";

export class CppExpressionLowerer extends ExpressionLowerer {
  constructor(
    source: string,
    lines: LineIndex,
    functionNames: ReadonlySet<string>,
    typeNames: ConstructorParameters<typeof ExpressionLowerer>[3],
    problems: ConstructorParameters<typeof ExpressionLowerer>[4],
    macros: ConstructorParameters<typeof ExpressionLowerer>[5],
    expansion: MacroExpansion | undefined,
    locals: LocalNames,
    readonly cpp: CppFunctionContext,
    namesUsed?: Set<string>,
  ) {
    super(source, lines, functionNames, typeNames, problems, macros, expansion, locals, namesUsed);
  }

  protected override derive(source: string, lines: LineIndex, expansion: MacroExpansion): ExpressionLowerer {
    return new CppExpressionLowerer(source, lines, this.functionNames, this.typeNames, [], this.macros, expansion, this.locals, this.cpp, this.namesUsed);
  }

  protected override lowerNode(node: Node, type: string): Expr {
    switch (type) {
      case "this":
        return { kind: "var", name: "this", range: this.rangeFor(node) };
      case "nullptr":
        return { kind: "const", value: null, range: this.rangeFor(node) };
      case "qualified_identifier":
        return this.qualifiedName(node);
      case "new_expression":
        return this.newExpression(node);
      case "delete_expression":
        return this.deleteExpression(node);
      case "lambda_expression":
        return this.lambda(node);
      case "condition_clause": {
        const value = fieldChild(node, "value");
        return value === null ? this.unknownOf(node, this.rangeFor(node)) : this.lower(value);
      }
      case "subscript_expression": {
        // C++'s subscript takes an argument list (`a[i]`, C++23's `a[i, j]`).
        const base = fieldChild(node, "argument");
        const indices = fieldChild(node, "indices");
        const index = indices === null ? undefined : significantChildren(indices)[0];
        if (base === null || index === undefined) return this.unknownOf(node, this.rangeFor(node));
        return { kind: "index", base: this.lower(base), index: this.lower(index), range: this.rangeFor(node) };
      }
      case "template_function": {
        const name = fieldChild(node, "name");
        return name === null ? this.unknownOf(node, this.rangeFor(node)) : this.lower(name);
      }
      case "assignment_expression":
      case "binary_expression":
      case "unary_expression":
        return this.overloadedOperator(node) ?? super.lowerNode(node, type);
      default:
        return super.lowerNode(node, type);
    }
  }

  /** A bare name in a method that no local or parameter hides, and that is a member: `this->name`. */
  protected override identifier(node: Node): Expr {
    const name = this.textOf(node);
    if (this.expansion === undefined || !this.expansion.arguments.has(name)) {
      const outer = this.locals.has(name) ? undefined : this.cpp.outerNames?.get(name);
      if (outer !== undefined) return { kind: "var", name: outer, range: this.rangeFor(node) };
      const owner = this.cpp.owner;
      if (owner !== undefined && this.cpp.hasThis && !this.locals.has(name) && this.cpp.classes.hasField(owner, name)) {
        const range = this.rangeFor(node);
        return { kind: "field", base: { kind: "var", name: "this", range }, field: name, op: "->", range };
      }
    }
    return super.identifier(node);
  }

  /** `ns::Name`, `Class::s_member`, `::Name`: a function of the file by its own name, else the qualified variable. */
  private qualifiedName(node: Node): Expr {
    const spelling = this.textOf(node).replace(/\s+/g, "").replace(/^::/, "");
    const range = this.rangeFor(node);
    const last = simpleName(spelling);
    this.namesUsed.add(last);
    if (this.functionNames.has(last)) return { kind: "function-ref", name: last, range };
    if (last === "nullptr") return { kind: "const", value: null, range };
    return { kind: "var", name: spelling, range };
  }

  override callee(functionNode: Node, functionType: string = functionNode.type): Callee {
    if (functionType === "qualified_identifier" || functionType === "template_function") {
      const text = this.textOf(functionNode);
      const name = simpleName(text);
      this.namesUsed.add(name);
      return { name, text, range: this.rangeFor(functionNode) };
    }
    return super.callee(functionNode, functionType);
  }

  protected override call(node: Node, range: SourceRange): Expr {
    const functionNode = fieldChild(node, "function");
    const argumentList = fieldChild(node, "arguments");
    if (functionNode === null) return super.call(node, range);
    const functionType = functionNode.type;
    const argumentNodes = argumentList === null ? [] : significantChildren(argumentList);
    const calledName = functionType === "identifier" || functionType === "qualified_identifier" || functionType === "template_function" ? simpleName(this.textOf(functionNode)) : undefined;
    if (calledName !== undefined && TRANSPARENT_CALLS.has(calledName) && argumentNodes.length === 1) return this.lower(argumentNodes[0]);
    if (functionType === "lambda_expression") {
      // Called where it is made: it runs now, and what it captures stays this function's.
      const closure = this.lower(functionNode);
      const args = argumentNodes.map((argument) => this.lower(argument));
      if (closure.kind !== "closure") return { kind: "unknown", parts: [closure, ...args], range };
      return { kind: "call", callee: { name: closure.functionId, text: "lambda", range: closure.range }, args, range };
    }
    // Lowered once, and only when this is no call the C lowering makes (a lambda argument lowered twice would be two functions).
    let lowered: Expr[] | undefined;
    const loweredArguments = (): Expr[] => (lowered ??= argumentNodes.map((argument) => this.lower(argument)));
    const method = this.methodCall(functionNode, functionType, () => loweredArguments().map((argument) => this.classOfArgument(argument)));
    const owner = this.cpp.owner;
    if (method === undefined && functionType === "identifier" && owner !== undefined && this.cpp.hasThis && calledName !== undefined && !this.locals.has(calledName) && this.cpp.classes.hasField(owner, calledName)) {
      // `m_callback()` in a method: the function the member holds (a scope guard's lambda).
      const functionRange = this.rangeFor(functionNode);
      const self: Expr = { kind: "var", name: "this", range: functionRange };
      return { kind: "call", callee: { name: calledName, through: self, text: this.textOf(functionNode), range: functionRange }, args: loweredArguments(), range };
    }
    if (method === undefined) {
      // `Guard(p)` as a value: a temporary object built and destroyed in the statement; `Guard` is no function.
      if (calledName !== undefined && functionType !== "qualified_identifier" && this.cpp.classes.has(calledName) && !this.functionNames.has(calledName)) {
        return { kind: "unknown", parts: loweredArguments(), range };
      }
      const call = super.call(node, range);
      // Through an object of a class not known here: an interface table's API call, or an unknown method.
      if (call.kind === "call" && functionType === "field_expression" && call.callee.through !== undefined) return { ...call, callee: { ...call.callee, member: true } };
      return call;
    }
    const args = method.receiver === undefined ? loweredArguments() : [method.receiver, ...loweredArguments()];
    return { kind: "call", callee: { name: method.name, text: this.textOf(functionNode), range: this.rangeFor(functionNode) }, args, range };
  }

  /**
   * A call of a method of a known class: its name (`Class::Method`) and the object's address it
   * receives as `this` (none for a static method). Undefined for calls the C way (an interface table).
   */
  private methodCall(functionNode: Node, functionType: string, argumentClasses: () => (string | undefined)[]): { name: string; receiver?: Expr } | undefined {
    const classes = this.cpp.classes;
    if (functionType === "field_expression") {
      const objectNode = fieldChild(functionNode, "argument");
      const fieldNode = fieldChild(functionNode, "field");
      if (objectNode === null || fieldNode === null) return undefined;
      const method = simpleName(this.textOf(fieldNode));
      const object = this.lower(objectNode);
      const className = this.classOfObject(object) ?? classes.soleOwnerOf(method);
      const found = className === undefined ? undefined : classes.methodOwner(className, method);
      if (found === undefined) return undefined;
      const isPointer = this.operatorBefore(fieldNode.startIndex) === "->";
      const receiver: Expr = isPointer ? object : { kind: "addr", target: object, range: object.range };
      const name = classes.methodName(found.owner, method, argumentClasses());
      return found.method.isStatic ? { name } : { name, receiver };
    }
    if (functionType === "identifier" || functionType === "qualified_identifier" || functionType === "template_function") {
      const text = this.textOf(functionNode).replace(/\s+/g, "").replace(/^::/, "");
      const method = simpleName(text);
      if (functionType !== "qualified_identifier" && this.locals.has(method)) return undefined;
      const scope = text.includes("::") ? classes.canonical(simpleName(text.slice(0, text.lastIndexOf("::")))) : this.cpp.owner;
      if (scope === undefined || !classes.has(scope)) return undefined;
      const found = classes.methodOwner(scope, method);
      if (found === undefined) return undefined;
      const name = classes.methodName(found.owner, method, argumentClasses());
      if (found.method.isStatic || !this.cpp.hasThis) return { name };
      const range = this.rangeFor(functionNode);
      return { name, receiver: { kind: "var", name: "this", range } };
    }
    return undefined;
  }

  /**
   * Arguments written where the grammar saw parameters (`Guard g(Allocate(c))` parses as a
   * prototype): the text is parsed again as a call's arguments, each placed at `range`.
   */
  argumentsFromText(text: string, range: SourceRange): Expr[] | undefined {
    const tree = this.cpp.parseSnippet(`${ARGUMENTS_PREFIX}${text}${ARGUMENTS_SUFFIX}`);
    if (tree === null || tree.rootNode.hasError) return undefined;
    const call = tree.rootNode.descendantsOfType("call_expression")[0];
    const list = call === undefined ? null : fieldChild(call, "arguments");
    if (list === null) return undefined;
    const snippet = `${ARGUMENTS_PREFIX}${text}${ARGUMENTS_SUFFIX}`;
    const lowerer = this.derive(snippet, new LineIndex(snippet), { arguments: new Map(), range, depth: 1 });
    return significantChildren(list).map((argument) => lowerer.lower(argument));
  }

  /**
   * `a = b`, `a == b`, `!a` where `a` is an object of a class that defines that operator: a call of
   * the operator method with `a`'s address as `this`.
   */
  private overloadedOperator(node: Node): Expr | undefined {
    const operatorNode = fieldChild(node, "operator");
    const operands = node.type === "unary_expression" ? [fieldChild(node, "argument")] : [fieldChild(node, "left"), fieldChild(node, "right")];
    if (operatorNode === null || operands.some((operand) => operand === null)) return undefined;
    const object = this.lower(operands[0] as Node);
    const isObject = (object.kind === "var" && this.cpp.objectLocals.has(object.name)) || object.kind === "deref";
    const className = isObject ? this.classOfObject(object) : undefined;
    const operator = `operator${this.textOf(operatorNode)}`;
    const found = className === undefined ? undefined : this.cpp.classes.methodOwner(className, operator);
    if (found === undefined) return undefined;
    const range = this.rangeFor(node);
    const args = operands.slice(1).map((operand) => this.lower(operand as Node));
    const name = this.cpp.classes.methodName(found.owner, operator, args.map((argument) => this.classOfArgument(argument)));
    const receiver: Expr = { kind: "addr", target: object, range: object.range };
    return { kind: "call", callee: { name, text: operator, range: this.rangeFor(operatorNode) }, args: found.method.isStatic ? args : [receiver, ...args], range };
  }

  /** The class of an argument (an object, a pointer to one, its address), for overloads. */
  classOfArgument(argument: Expr): string | undefined {
    return argument.kind === "addr" ? this.classOfObject(argument.target) : this.classOfObject(argument);
  }

  /** The constructor of `className` these arguments call. */
  constructorName(className: string, args: readonly Expr[]): string {
    const owner = this.cpp.classes.canonical(className);
    return this.cpp.classes.methodName(owner, owner, args.map((argument) => this.classOfArgument(argument)));
  }

  /** The class of what `object` is (or points to), when the function knows it. */
  classOfObject(object: Expr): string | undefined {
    if (object.kind === "var") return object.name === "this" ? this.cpp.owner : this.cpp.localClasses.get(object.name);
    if (object.kind === "deref") return this.classOfObject(object.target);
    return undefined;
  }

  private operatorBefore(start: number): string {
    let index = start - 1;
    while (index > 0 && /\s/.test(this.source[index])) index--;
    return this.source[index] === "." ? "." : "->";
  }

  /**
   * `new (placement) T(args)`: a call of `operator new` (`operator new[]` for arrays) whose value
   * the constructor of a known class then receives as `this`. The one-pointer placement form
   * (`new (buffer) T`) allocates nothing: its value is the buffer.
   */
  private newExpression(node: Node): Expr {
    const range = this.rangeFor(node);
    const placement = fieldChild(node, "placement");
    const typeNode = fieldChild(node, "type");
    const declarator = fieldChild(node, "declarator");
    const argumentsNode = fieldChild(node, "arguments");
    const placementArguments = placement === null ? [] : significantChildren(placement).map((argument) => this.lower(argument));
    const constructorArguments = argumentsNode === null ? [] : significantChildren(argumentsNode).map((argument) => this.lower(argument));
    const isArray = declarator !== null && declarator.type === "new_declarator";
    const className = typeNode === null ? undefined : simpleName(this.textOf(typeNode));
    if (placementArguments.length === 1 && !isArray) {
      return constructorArguments.length === 0 ? placementArguments[0] : { kind: "sequence", parts: [{ kind: "unknown", parts: constructorArguments, range }, placementArguments[0]], range };
    }
    const operator = isArray ? "operator new[]" : "operator new";
    const allocation: Expr = { kind: "call", callee: { name: operator, text: this.textOf(node).split(/[\s(]/)[0] || "new", range }, args: placementArguments, range };
    if (isArray || className === undefined || !this.cpp.classes.hasConstructor(className)) {
      return constructorArguments.length === 0 ? allocation : { kind: "sequence", parts: [{ kind: "unknown", parts: constructorArguments, range }, allocation], range };
    }
    const temporary: Expr = { kind: "var", name: `#new${this.cpp.nextTemporary()}`, range };
    const construct: Expr = { kind: "call", callee: { name: this.constructorName(className, constructorArguments), text: className, range }, args: [temporary, ...constructorArguments], range };
    return { kind: "sequence", parts: [{ kind: "assign", target: temporary, value: allocation, range }, construct, temporary], range };
  }

  /** `delete p` runs the destructor of a known class, then `operator delete` (`operator delete[]`). */
  private deleteExpression(node: Node): Expr {
    const range = this.rangeFor(node);
    const operand = significantChildren(node)[0];
    if (operand === undefined) return { kind: "unknown", parts: [], range };
    const value = this.lower(operand);
    const isArray = /^\s*(?:::)?\s*delete\s*\[/.test(this.textOf(node));
    const release: Expr = { kind: "call", callee: { name: isArray ? "operator delete[]" : "operator delete", text: isArray ? "delete[]" : "delete", range }, args: [value], range };
    const className = isArray ? undefined : this.classOfObject(value);
    const destructor = className === undefined ? undefined : this.cpp.classes.destructorOwner(className);
    if (destructor === undefined) return release;
    const destroy: Expr = { kind: "call", callee: { name: `${destructor}::~${destructor}`, text: `~${destructor}`, range }, args: [value], range };
    return { kind: "sequence", parts: [destroy, release], range };
  }

  /** A lambda: a closure over the locals it names (by reference or by value, it reaches the same handles). */
  private lambda(node: Node): Expr {
    const range = this.rangeFor(node);
    const body = fieldChild(node, "body");
    const outerNames = new Map<string, string>();
    if (body !== null) this.collectCaptures(body, outerNames);
    const captures = [...new Set(outerNames.values())];
    const variable = this.cpp.lambdaVariable;
    this.cpp.lambdaVariable = undefined;
    return { kind: "closure", captures, functionId: this.cpp.lambda(node, captures, outerNames, variable), range };
  }

  private collectCaptures(node: Node, outerNames: Map<string, string>): void {
    const pending = [node];
    while (pending.length > 0) {
      const current = pending.pop() as Node;
      for (const child of namedChildList(current)) {
        if (child.type === "identifier") {
          const name = this.textOf(child);
          if (this.locals.has(name)) outerNames.set(name, this.locals.resolve(name));
        } else if (child.type === "this") {
          if (this.locals.has("this")) outerNames.set("this", "this");
        } else if (child.type !== "field_identifier") {
          pending.push(child);
        }
      }
    }
  }
}
