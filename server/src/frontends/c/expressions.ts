// Lowers C expressions to IR expressions. Recursion is bounded: past MAX_EXPRESSION_DEPTH the
// rest of a (pathologically) deep expression becomes `unknown` and one problem is reported.
import type { Node } from "web-tree-sitter";
import type { Callee, Expr, FinallyExit, ParseProblem, SourceRange } from "../../ir/ir";
import { fieldChild } from "./fields";
import { closingRangeOf, collapseWhitespace, firstSignificantChild, namedChildList, rangeIn, rangeOf, significantChildren, stripTransparent } from "./syntax";
import type { FunctionMacros, MacroBody } from "./function-macros";
import { LocalNames } from "../local-names";
import type { LineIndex } from "../positions";
import type { TypeNames } from "./type-names";

/** Macro expansion nests at most this deep (a macro calling a macro...). */
const MAX_MACRO_DEPTH = 8;

/** How an expression lowered from a macro body is placed: its parameters and where it was invoked. */
export interface MacroExpansion {
  /** Parameter name to the lowered argument. */
  arguments: ReadonlyMap<string, Expr>;
  /** Every expression from the body gets the invocation's range. */
  range: SourceRange;
  depth: number;
}

const MAX_EXPRESSION_DEPTH = 400;

type BinaryOp = Extract<Expr, { kind: "binary" }>["op"];
type UnaryOp = Extract<Expr, { kind: "unary" }>["op"];

const BINARY_OPS: ReadonlySet<string> = new Set<BinaryOp>([
  "==", "!=", "<", "<=", ">", ">=", "&", "|", "^", "+", "-", "*", "/", "%", "<<", ">>", "&&", "||",
]);
const UNARY_OPS: ReadonlySet<string> = new Set<UnaryOp>(["!", "-", "~", "+"]);

/** Operands that C never evaluates: their uses are not uses of a handle. */
const UNEVALUATED = new Set(["sizeof_expression", "alignof_expression", "offsetof_expression"]);

function parseNumber(spelling: string): number | undefined {
  const text = spelling.replace(/'/g, "");
  if (/^0[xX][0-9a-fA-F]+[uUlL]*$/.test(text)) return Number.parseInt(text.replace(/[uUlL]+$/, ""), 16);
  if (/^0[bB][01]+[uUlL]*$/.test(text)) return Number.parseInt(text.slice(2).replace(/[uUlL]+$/, ""), 2);
  if (/^0[0-7]+[uUlL]*$/.test(text)) return Number.parseInt(text.replace(/[uUlL]+$/, ""), 8);
  if (/^\d+(?:[uUlL]|i64|ui64|i32|ui32)*$/.test(text)) return Number.parseInt(text, 10);
  const float = Number.parseFloat(text.replace(/[fFlL]$/, ""));
  return Number.isFinite(float) ? float : undefined;
}

/** The text between the quotes of one string literal node. */
function stringContent(spelling: string): string {
  const open = spelling.indexOf('"');
  const close = spelling.lastIndexOf('"');
  return open >= 0 && close > open ? spelling.slice(open + 1, close) : spelling;
}

export class ExpressionLowerer {
  protected depth = 0;
  protected depthReported = false;
  /** Set while a copy of a `__finally` body is lowered: how its `__try` was left. */
  finallyExit: FinallyExit | undefined;

  constructor(
    protected readonly source: string,
    /** Line starts of `source`, for the end of a node's range. */
    protected readonly lines: LineIndex,
    /** Functions of this file (definitions, prototypes, role declarations): an identifier naming one is a `function-ref`. */
    protected readonly functionNames: ReadonlySet<string>,
    protected readonly typeNames: TypeNames,
    protected readonly problems: ParseProblem[],
    protected readonly macros?: FunctionMacros,
    protected readonly expansion?: MacroExpansion,
    /** The enclosing function's block scopes; a macro body sees the names where it is expanded. */
    protected readonly locals: LocalNames = new LocalNames(),
    /** Every name the function's expressions mention, macro bodies included (see FileConstants.applyTo). */
    readonly namesUsed: Set<string> = new Set(),
  ) {}

  textOf(node: Node): string {
    return this.source.slice(node.startIndex, node.endIndex);
  }

  /**
   * The spelling of an identifier-like token, read off the text: its end needs no tree query. A
   * non-ASCII character (the grammar allows Unicode letters) falls back to the tree.
   */
  protected nameOf(node: Node): string {
    const source = this.source;
    const start = node.startIndex;
    let end = start;
    for (;;) {
      const code = end < source.length ? source.charCodeAt(end) : 0;
      if ((code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 57) || code === 95) end++;
      else if (code > 127) return this.textOf(node);
      else break;
    }
    return end > start ? source.slice(start, end) : this.textOf(node);
  }

  /** @param type the node's type when the caller already has it (each `node.type` is a WASM call). */
  lower(node: Node, type: string = node.type): Expr {
    if (this.depth >= MAX_EXPRESSION_DEPTH) {
      if (!this.depthReported) {
        this.depthReported = true;
        this.problems.push({ message: "Expression nested too deeply; its inner part is not analyzed", range: rangeOf(node) });
      }
      return { kind: "unknown", parts: [], range: rangeOf(node) };
    }
    this.depth++;
    try {
      return this.lowerNode(node, type);
    } finally {
      this.depth--;
    }
  }

  protected lowerNode(node: Node, type: string): Expr {
    if (type === "identifier") return this.identifier(node);
    const endIndex = node.endIndex;
    const range = this.expansion?.range ?? rangeIn(this.lines, node, endIndex);
    switch (type) {
      case "null":
        return { kind: "const", value: null, range };
      case "true":
        return { kind: "const", value: 1, range };
      case "false":
        return { kind: "const", value: 0, range };
      case "number_literal": {
        const value = parseNumber(this.source.slice(node.startIndex, endIndex));
        return value === undefined ? { kind: "unknown", parts: [], range } : { kind: "const", value, range };
      }
      case "char_literal": {
        const simple = /^'(.)'$/.exec(this.source.slice(node.startIndex, endIndex));
        return simple !== null ? { kind: "const", value: simple[1].charCodeAt(0), range } : { kind: "unknown", parts: [], range };
      }
      case "string_literal":
        return { kind: "const", value: stringContent(this.source.slice(node.startIndex, endIndex)), range };
      case "concatenated_string":
        return this.concatenatedString(node, range);
      case "parenthesized_expression":
      case "cast_expression": {
        // Stripped in a loop: thousands of nested parentheses cost no stack.
        let inner: Node | null = node;
        let innerType: string = type;
        while (inner !== null && (innerType === "parenthesized_expression" || innerType === "cast_expression")) {
          inner = innerType === "cast_expression" ? fieldChild(inner, "value") : firstSignificantChild(inner);
          if (inner !== null) innerType = inner.type;
        }
        return inner === null ? this.unknownOf(node, range) : this.lower(inner, innerType);
      }
      case "field_expression":
        return this.field(node, range);
      case "subscript_expression": {
        const base = fieldChild(node, "argument");
        const index = fieldChild(node, "index");
        if (base === null || index === null) return this.unknownOf(node, range);
        return { kind: "index", base: this.lower(base), index: this.lower(index), range };
      }
      case "pointer_expression": {
        const target = fieldChild(node, "argument");
        if (target === null) return this.unknownOf(node, range);
        // The operator is the node's first character: no need to ask the tree for it.
        return this.source[node.startIndex] === "&" ? { kind: "addr", target: this.lower(target), range } : { kind: "deref", target: this.lower(target), range };
      }
      case "call_expression":
        return this.call(node, range);
      case "assignment_expression":
        return this.assignment(node, range);
      case "update_expression": {
        const target = fieldChild(node, "argument");
        if (target === null) return this.unknownOf(node, range);
        const lowered = this.lower(target);
        // `i++` and `++i` both store `i + 1`: loop counters then stay constants the engine can follow.
        const decrement = fieldChild(node, "operator")?.type === "--";
        const step: Expr = { kind: "const", value: 1, range };
        return { kind: "assign", target: lowered, value: { kind: "binary", op: decrement ? "-" : "+", left: lowered, right: step, range }, range };
      }
      case "comma_expression":
        return { kind: "sequence", parts: this.commaParts(node), range };
      case "conditional_expression": {
        const condition = fieldChild(node, "condition");
        const consequence = fieldChild(node, "consequence");
        const alternative = fieldChild(node, "alternative");
        if (condition === null || alternative === null) return this.unknownOf(node, range);
        const test = this.lower(condition);
        // GNU `a ?: b` yields the test itself when it is true.
        const then = consequence === null ? test : this.lower(consequence);
        return { kind: "conditional", test, then, else: this.lower(alternative), range };
      }
      case "unary_expression": {
        const operand = fieldChild(node, "argument");
        const operator = this.source[node.startIndex];
        if (operand === null || !UNARY_OPS.has(operator)) return this.unknownOf(node, range);
        return { kind: "unary", op: operator as UnaryOp, operand: this.lower(operand), range };
      }
      case "binary_expression": {
        const left = fieldChild(node, "left");
        const right = fieldChild(node, "right");
        const op = left === null || right === null ? undefined : this.operatorBetween(left, right);
        if (left === null || right === null || op === undefined || !BINARY_OPS.has(op)) return this.unknownOf(node, range);
        if ((op === "&" || op === "*" || op === "-" || op === "+") && this.parenthesizedTypeName(left, "strong")) {
          // `(PVOID)&x`, `(PVOID)*pp`, `(ULONG)-1`: a cast of a unary expression.
          const operand = this.lower(right);
          if (op === "&") return { kind: "addr", target: operand, range };
          if (op === "*") return { kind: "deref", target: operand, range };
          return { kind: "unary", op, operand, range };
        }
        return { kind: "binary", op: op as BinaryOp, left: this.lower(left), right: this.lower(right), range };
      }
      case "initializer_pair": {
        const value = fieldChild(node, "value");
        return value === null ? { kind: "unknown", parts: [], range } : this.lower(value);
      }
      default:
        if (UNEVALUATED.has(type)) return { kind: "unknown", parts: [], range };
        return this.unknownOf(node, range);
    }
  }

  protected identifier(node: Node): Expr {
    const name = this.nameOf(node);
    this.namesUsed.add(name);
    if (this.expansion !== undefined) {
      const argument = this.expansion.arguments.get(name);
      if (argument !== undefined) return argument;
    }
    // An identifier never spans lines: its end follows from its length, without another tree query.
    const start = node.startPosition;
    const range: SourceRange = this.expansion?.range ?? {
      start: { line: start.row, column: start.column },
      end: { line: start.row, column: start.column + name.length },
    };
    switch (name) {
      case "NULL":
      case "nullptr":
        return { kind: "const", value: null, range };
      case "TRUE":
      case "true":
        return { kind: "const", value: 1, range };
      case "FALSE":
      case "false":
        return { kind: "const", value: 0, range };
      default:
        return this.functionNames.has(name) ? { kind: "function-ref", name, range } : { kind: "var", name: this.locals.resolve(name), range };
    }
  }

  protected concatenatedString(node: Node, range: SourceRange): Expr {
    let value = "";
    for (const part of significantChildren(node)) {
      // A macro between literals (`"a" PRIx64 "b"`) leaves the value unknown.
      if (part.type !== "string_literal") return { kind: "unknown", parts: [], range };
      value += stringContent(this.textOf(part));
    }
    return { kind: "const", value, range };
  }

  protected field(node: Node, range: SourceRange): Expr {
    const base = fieldChild(node, "argument");
    const field = fieldChild(node, "field");
    if (base === null || field === null) return this.unknownOf(node, range);
    return { kind: "field", base: this.lower(base), field: this.nameOf(field), op: this.fieldOperator(field.startIndex), range };
  }

  /** The operator right before the field name, read from the text (cheaper than another tree query). */
  protected fieldOperator(fieldStart: number): "->" | "." {
    let index = fieldStart - 1;
    while (index > 0 && /\s/.test(this.source[index])) index--;
    return this.source[index] === "." ? "." : "->";
  }

  callee(functionNode: Node, functionType: string = functionNode.type): Callee {
    const endIndex = functionNode.endIndex;
    const range = this.expansion?.range ?? rangeIn(this.lines, functionNode, endIndex);
    const text = this.source.slice(functionNode.startIndex, endIndex);
    if (functionType === "identifier") {
      this.namesUsed.add(text);
      return { name: text, text, range };
    }
    let target = stripTransparent(functionNode);
    let targetType = target.type;
    // `(*Kmcl->VmbPacketFree)(p)` calls the same function as `Kmcl->VmbPacketFree(p)`.
    if (targetType === "pointer_expression" && this.source[target.startIndex] === "*") {
      const pointer = fieldChild(target, "argument");
      if (pointer !== null) {
        target = stripTransparent(pointer);
        targetType = target.type;
      }
    }
    if (targetType === "identifier") {
      const name = this.nameOf(target);
      this.namesUsed.add(name);
      return { name, text, range };
    }
    if (targetType === "field_expression") {
      const base = fieldChild(target, "argument");
      const field = fieldChild(target, "field");
      if (base !== null && field !== null) {
        const name = this.nameOf(field);
        // A field declared with an API function's type calls that function (file-constants.ts).
        this.namesUsed.add(name);
        return { name, through: this.lower(base), text, range };
      }
    }
    return { text, range };
  }

  protected call(node: Node, range: SourceRange): Expr {
    const functionNode = fieldChild(node, "function");
    const argumentList = fieldChild(node, "arguments");
    if (functionNode === null) return this.unknownOf(node, range);
    const functionType = functionNode.type;
    if (functionType === "parenthesized_expression" && argumentList !== null && argumentList.namedChildCount === 1 && this.parenthesizedTypeName(functionNode, "weak")) {
      // `(VMBPACKET)(q)` parses as a call of `(VMBPACKET)`; it is a cast.
      const operand = argumentList.namedChild(0);
      if (operand !== null && operand.type !== "comment") return this.lower(operand);
    }
    const callee = this.callee(functionNode, functionType);
    if (functionType === "identifier" && this.macros !== undefined && !this.macros.isEmpty && callee.name !== undefined) {
      const expanded = this.expandMacro(callee.name, argumentList, range);
      if (expanded !== undefined) return expanded;
    }
    const args: Expr[] = [];
    if (argumentList !== null) {
      for (const argument of namedChildList(argumentList)) {
        const argumentType = argument.type;
        if (argumentType !== "comment") args.push(this.lower(argument, argumentType));
      }
    }
    return this.finallyExit === undefined ? { kind: "call", callee, args, range } : { kind: "call", callee, args, range, finallyExit: this.finallyExit };
  }

  protected assignment(node: Node, range: SourceRange): Expr {
    const left = fieldChild(node, "left");
    const right = fieldChild(node, "right");
    const operator = left === null || right === null ? undefined : this.operatorBetween(left, right);
    if (left === null || right === null || operator === undefined) return this.unknownOf(node, range);
    const target = this.lower(left);
    const value = this.lower(right);
    if (operator === "=") return { kind: "assign", target, value, range };
    const op = operator.slice(0, -1);
    const combined: Expr = BINARY_OPS.has(op)
      ? { kind: "binary", op: op as BinaryOp, left: target, right: value, range }
      : { kind: "unknown", parts: [target, value], range };
    return { kind: "assign", target, value: combined, range };
  }

  /** `NAME(args)` where NAME is a function-like macro of the file whose body is one expression. */
  protected expandMacro(name: string, argumentList: Node | null, range: SourceRange): Expr | undefined {
    const depth = (this.expansion?.depth ?? 0) + 1;
    if (this.macros === undefined || depth > MAX_MACRO_DEPTH) return undefined;
    const argumentNodes = argumentList === null ? [] : significantChildren(argumentList);
    const body = this.macros.bodyOf(name, argumentNodes.length);
    if (body === undefined || body.isStatement) return undefined;
    return this.lowererForMacro(body, argumentNodes, range, depth).lower(body.node);
  }

  /**
   * For a statement `NAME(args);` where NAME's body is one statement: that statement and the
   * lowerer for the expressions in it (arguments substituted, ranges at the invocation).
   */
  statementMacro(call: Node): { statement: Node; expressions: ExpressionLowerer } | undefined {
    if (this.macros === undefined || this.macros.isEmpty) return undefined;
    const functionNode = fieldChild(call, "function");
    if (functionNode === null || functionNode.type !== "identifier") return undefined;
    const argumentList = fieldChild(call, "arguments");
    const argumentNodes = argumentList === null ? [] : significantChildren(argumentList);
    const depth = (this.expansion?.depth ?? 0) + 1;
    const body = depth > MAX_MACRO_DEPTH ? undefined : this.macros.bodyOf(this.textOf(functionNode), argumentNodes.length);
    if (body === undefined || !body.isStatement) return undefined;
    return { statement: body.node, expressions: this.lowererForMacro(body, argumentNodes, this.rangeFor(call), depth) };
  }

  protected lowererForMacro(body: MacroBody, argumentNodes: Node[], range: SourceRange, depth: number): ExpressionLowerer {
    const values = new Map<string, Expr>();
    body.parameters.forEach((parameter, index) => values.set(parameter, this.lower(argumentNodes[index])));
    return this.derive(body.source, body.lines, { arguments: values, range, depth });
  }

  /** A lowerer for a macro body's text (C++ keeps its own lowering there too). */
  protected derive(source: string, lines: LineIndex, expansion: MacroExpansion): ExpressionLowerer {
    return new ExpressionLowerer(source, lines, this.functionNames, this.typeNames, [], this.macros, expansion, this.locals, this.namesUsed);
  }

  /**
   * A node's text as the source spells it, whitespace collapsed, for path notes; none inside a
   * macro expansion (the text there is the macro's body, not the source's).
   */
  sourceSpelling(node: Node): string | undefined {
    if (this.expansion !== undefined) return undefined;
    const text = collapseWhitespace(this.textOf(node));
    return text.length > 80 ? `${text.slice(0, 79)}…` : text;
  }

  /** A node's range; inside a macro expansion, the invocation's. */
  rangeFor(node: Node): SourceRange {
    return this.expansion?.range ?? rangeIn(this.lines, node);
  }

  /** The range of a node's last character (a closing brace); inside a macro expansion, the invocation's. */
  closingRangeFor(node: Node): SourceRange {
    return this.expansion?.range ?? closingRangeOf(node);
  }

  /**
   * The operator token between two operands, read from the text (one tree query instead of two);
   * undefined when a comment sits there, so the caller falls back to treating the node as unknown.
   */
  protected operatorBetween(left: Node, right: Node): string | undefined {
    const between = this.source.slice(left.endIndex, right.startIndex).trim();
    return between.includes("/*") || between.includes("//") ? undefined : between;
  }

  /** Whether `node` is `( Identifier )` where the identifier names a type (`strong`) or may (`weak`). */
  protected parenthesizedTypeName(node: Node, evidence: "strong" | "weak"): boolean {
    if (node.type !== "parenthesized_expression") return false;
    const inner = firstSignificantChild(node);
    if (inner === null || inner.type !== "identifier") return false;
    const name = this.textOf(inner);
    return evidence === "strong" ? this.typeNames.isType(name) : this.typeNames.mayBeType(name);
  }

  /** `a, b, c` is nested to the right or left; flattened without recursion. */
  commaParts(node: Node): Expr[] {
    const parts: Expr[] = [];
    const pending: Node[] = [node];
    while (pending.length > 0) {
      const current = pending.pop() as Node;
      if (current.type === "comma_expression") {
        const left = fieldChild(current, "left");
        const right = fieldChild(current, "right");
        if (right !== null) pending.push(right);
        if (left !== null) pending.push(left);
      } else {
        parts.push(this.lower(current));
      }
    }
    return parts;
  }

  /** Anything the IR cannot express: its expression children are still evaluated. */
  unknownOf(node: Node, range: SourceRange = rangeOf(node)): Expr {
    const parts: Expr[] = [];
    for (const child of namedChildList(node)) {
      const type = child.type;
      if (EXPRESSION_TYPES.has(type)) parts.push(this.lower(child, type));
    }
    return { kind: "unknown", parts, range };
  }
}

const EXPRESSION_TYPES = new Set([
  "identifier", "null", "true", "false", "number_literal", "char_literal", "string_literal", "concatenated_string",
  "parenthesized_expression", "cast_expression", "field_expression", "subscript_expression", "pointer_expression",
  "call_expression", "assignment_expression", "update_expression", "comma_expression", "conditional_expression",
  "unary_expression", "binary_expression", "sizeof_expression", "alignof_expression", "offsetof_expression",
  "compound_literal_expression", "initializer_list", "initializer_pair", "generic_expression", "gnu_asm_expression",
  "extension_expression",
]);

export function isExpressionType(type: string): boolean {
  return EXPRESSION_TYPES.has(type);
}

export function isExpressionNode(node: Node): boolean {
  return EXPRESSION_TYPES.has(node.type);
}
