// Lowers TypeScript and JavaScript expressions to IR expressions. Types, casts, `await` and
// non-null assertions are transparent; optional chains and `??` become the null tests they are.
import ts from "typescript";
import type { Callee, Expr, SourceRange } from "../../ir/ir";
import { anySubexpression } from "../../ir/walk";
import type { LocalNames } from "../local-names";
import type { SourceText } from "./source";

/** What an expression's lowering needs of the function around it. */
export interface ExpressionContext {
  readonly locals: LocalNames;
  /** Local name to exported name for renaming imports (`import { VmbPacketFree as release }`). */
  readonly imported: ReadonlyMap<string, string>;
  /**
   * Queues a function expression's body to be lowered as its own function, with the creator's
   * variables it captures (IR names); returns that function's id.
   */
  closure(node: ts.ArrowFunction | ts.FunctionExpression | ts.MethodDeclaration, captures: string[]): string;
  /** A fresh local for a value read twice (the left side of `??`), declared before the statement. */
  temporary(range: SourceRange): string;
  /** Whether a `try` with a `catch` or `finally` encloses the code being lowered. */
  handlesExceptions(): boolean;
}

type BinaryOp = Extract<Expr, { kind: "binary" }>["op"];

const binaryOperators = new Map<ts.SyntaxKind, BinaryOp>([
  [ts.SyntaxKind.EqualsEqualsToken, "=="],
  [ts.SyntaxKind.EqualsEqualsEqualsToken, "=="],
  [ts.SyntaxKind.ExclamationEqualsToken, "!="],
  [ts.SyntaxKind.ExclamationEqualsEqualsToken, "!="],
  [ts.SyntaxKind.LessThanToken, "<"],
  [ts.SyntaxKind.LessThanEqualsToken, "<="],
  [ts.SyntaxKind.GreaterThanToken, ">"],
  [ts.SyntaxKind.GreaterThanEqualsToken, ">="],
  [ts.SyntaxKind.AmpersandToken, "&"],
  [ts.SyntaxKind.BarToken, "|"],
  [ts.SyntaxKind.CaretToken, "^"],
  [ts.SyntaxKind.PlusToken, "+"],
  [ts.SyntaxKind.MinusToken, "-"],
  [ts.SyntaxKind.AsteriskToken, "*"],
  [ts.SyntaxKind.SlashToken, "/"],
  [ts.SyntaxKind.PercentToken, "%"],
  [ts.SyntaxKind.LessThanLessThanToken, "<<"],
  [ts.SyntaxKind.GreaterThanGreaterThanToken, ">>"],
  [ts.SyntaxKind.GreaterThanGreaterThanGreaterThanToken, ">>"],
  [ts.SyntaxKind.AmpersandAmpersandToken, "&&"],
  [ts.SyntaxKind.BarBarToken, "||"],
]);

/** `a += b` is `a = a + b`; the logical assignments are handled on their own. */
const compoundOperators = new Map<ts.SyntaxKind, BinaryOp>([
  [ts.SyntaxKind.PlusEqualsToken, "+"],
  [ts.SyntaxKind.MinusEqualsToken, "-"],
  [ts.SyntaxKind.AsteriskEqualsToken, "*"],
  [ts.SyntaxKind.SlashEqualsToken, "/"],
  [ts.SyntaxKind.PercentEqualsToken, "%"],
  [ts.SyntaxKind.AmpersandEqualsToken, "&"],
  [ts.SyntaxKind.BarEqualsToken, "|"],
  [ts.SyntaxKind.CaretEqualsToken, "^"],
  [ts.SyntaxKind.LessThanLessThanEqualsToken, "<<"],
  [ts.SyntaxKind.GreaterThanGreaterThanEqualsToken, ">>"],
  [ts.SyntaxKind.GreaterThanGreaterThanGreaterThanEqualsToken, ">>"],
]);

const MAX_EXPRESSION_DEPTH = 400;

/** Parentheses, type assertions, `satisfies`, `!` and `await` change nothing the analysis sees. */
export function stripTransparent(node: ts.Expression): ts.Expression {
  let current = node;
  for (;;) {
    if (ts.isParenthesizedExpression(current) || ts.isAsExpression(current) || ts.isTypeAssertionExpression(current) || ts.isNonNullExpression(current) || ts.isSatisfiesExpression(current) || ts.isAwaitExpression(current)) {
      current = current.expression;
    } else {
      return current;
    }
  }
}

/** Calls (and `new`) are where control may leave through an exception. */
export function containsCall(expr: Expr): boolean {
  return anySubexpression(expr, (part) => part.kind === "call");
}

/** `present != null ? value : undefined`: what an optional chain evaluates to. */
function onlyIfPresent(present: Expr, value: Expr, range: SourceRange): Expr {
  const test: Expr = { kind: "binary", op: "!=", left: present, right: { kind: "const", value: null, range: present.range }, range: present.range };
  return { kind: "conditional", test, then: value, else: { kind: "const", value: null, range }, range };
}

export class ExpressionLowerer {
  private depth = 0;

  constructor(
    private readonly source: SourceText,
    private readonly context: ExpressionContext,
  ) {}

  rangeOf(node: ts.Node): SourceRange {
    return this.source.rangeOf(node);
  }

  lower(node: ts.Expression): Expr {
    if (this.depth >= MAX_EXPRESSION_DEPTH) return { kind: "unknown", parts: [], range: this.rangeOf(node) };
    this.depth++;
    try {
      return this.lowerAtDepth(node);
    } finally {
      this.depth--;
    }
  }

  private lowerAtDepth(original: ts.Expression): Expr {
    const node = stripTransparent(original);
    const range = this.rangeOf(node);
    if (ts.isIdentifier(node)) return this.identifier(node.text, range);
    switch (node.kind) {
      case ts.SyntaxKind.NullKeyword:
        return { kind: "const", value: null, range };
      case ts.SyntaxKind.TrueKeyword:
        return { kind: "const", value: true, range };
      case ts.SyntaxKind.FalseKeyword:
        return { kind: "const", value: false, range };
      case ts.SyntaxKind.ThisKeyword:
        return { kind: "var", name: "this", range };
      case ts.SyntaxKind.NumericLiteral:
        return { kind: "const", value: Number((node as ts.NumericLiteral).text), range };
      case ts.SyntaxKind.StringLiteral:
      case ts.SyntaxKind.NoSubstitutionTemplateLiteral:
        return { kind: "const", value: (node as ts.StringLiteral).text, range };
      default:
        break;
    }
    if (ts.isPropertyAccessExpression(node)) return this.optional(node, this.lower(node.expression), (base) => ({ kind: "field", base, field: node.name.text, op: ".", range }));
    if (ts.isElementAccessExpression(node)) {
      const index = this.lower(node.argumentExpression);
      return this.optional(node, this.lower(node.expression), (base) => ({ kind: "index", base, index, range }));
    }
    if (ts.isCallExpression(node)) return this.call(node, range);
    if (ts.isNewExpression(node)) {
      const callee = this.calleeOf(node.expression);
      return this.callExpr(callee, (node.arguments ?? []).map((arg) => this.argument(arg)), range);
    }
    if (ts.isBinaryExpression(node)) return this.binary(node, range);
    if (ts.isPrefixUnaryExpression(node)) return this.prefixUnary(node, range);
    if (ts.isPostfixUnaryExpression(node)) return this.increment(node.operand, range);
    if (ts.isConditionalExpression(node)) return { kind: "conditional", test: this.lower(node.condition), then: this.lower(node.whenTrue), else: this.lower(node.whenFalse), range };
    if (ts.isArrowFunction(node) || ts.isFunctionExpression(node)) return this.closure(node, range);
    if (ts.isObjectLiteralExpression(node)) return { kind: "kept", values: node.properties.flatMap((property) => this.propertyValues(property)), holder: "an object literal", range };
    if (ts.isArrayLiteralExpression(node)) return { kind: "kept", values: node.elements.map((element) => this.lower(ts.isSpreadElement(element) ? element.expression : element)), holder: "an array literal", range };
    if (ts.isYieldExpression(node)) return { kind: "kept", values: node.expression ? [this.lower(node.expression)] : [], holder: "the generator's consumer (yielded)", range };
    if (ts.isVoidExpression(node) || ts.isTypeOfExpression(node) || ts.isDeleteExpression(node)) return { kind: "unknown", parts: [this.lower(node.expression)], range };
    if (ts.isTemplateExpression(node)) return { kind: "unknown", parts: node.templateSpans.map((span) => this.lower(span.expression)), range };
    if (ts.isTaggedTemplateExpression(node)) return { kind: "unknown", parts: [this.lower(node.tag)], range };
    if (ts.isSpreadElement(node)) return this.lower(node.expression);
    return { kind: "unknown", parts: [], range };
  }

  private identifier(name: string, range: SourceRange): Expr {
    if (name === "undefined" && !this.context.locals.has(name)) return { kind: "const", value: null, range };
    return { kind: "var", name: this.context.locals.resolve(name), range };
  }

  /**
   * `a?.b` is `a == null ? undefined : a.b`. A chain tests once where it is optional: the rest of
   * `a?.b.c` reads through what the first test let pass.
   */
  private optional(node: ts.PropertyAccessExpression | ts.ElementAccessExpression | ts.CallExpression, base: Expr, access: (base: Expr) => Expr): Expr {
    if (node.questionDotToken === undefined) return access(base);
    return onlyIfPresent(base, access(base), this.rangeOf(node));
  }

  private propertyValues(property: ts.ObjectLiteralElementLike): Expr[] {
    if (ts.isPropertyAssignment(property)) return [this.lower(property.initializer)];
    if (ts.isShorthandPropertyAssignment(property)) return [this.identifier(property.name.text, this.rangeOf(property.name))];
    if (ts.isSpreadAssignment(property)) return [this.lower(property.expression)];
    if (ts.isMethodDeclaration(property) && property.body !== undefined) return [this.closure(property, this.rangeOf(property))];
    return [];
  }

  /** Arguments: a spread passes what it spreads. */
  private argument(node: ts.Expression): Expr {
    return this.lower(ts.isSpreadElement(node) ? node.expression : node);
  }

  private call(node: ts.CallExpression, range: SourceRange): Expr {
    const callee = stripTransparent(node.expression);
    const args = node.arguments.map((arg) => this.argument(arg));
    // `obj?.method(p)`: the call happens only when `obj` is there.
    if ((ts.isPropertyAccessExpression(callee) || ts.isElementAccessExpression(callee)) && callee.questionDotToken !== undefined) {
      const through = this.lower(callee.expression);
      return onlyIfPresent(through, this.callExpr(this.calleeOf(callee, through), args, range), range);
    }
    const call = this.callExpr(this.calleeOf(callee), args, range);
    if (node.questionDotToken === undefined) return call;
    return onlyIfPresent(this.lower(callee), call, range);
  }

  private callExpr(callee: Callee, args: Expr[], range: SourceRange): Expr {
    return this.context.handlesExceptions() ? { kind: "call", callee, args, range, handled: true } : { kind: "call", callee, args, range };
  }

  /** A call's callee: named by its identifier (through a renaming import) or by the member called. */
  calleeOf(node: ts.Expression, through?: Expr): Callee {
    const callee = stripTransparent(node);
    const range = this.rangeOf(callee);
    const text = this.source.textOf(callee);
    if (ts.isIdentifier(callee)) {
      const local = this.context.locals.has(callee.text);
      const name = local ? this.context.locals.resolve(callee.text) : (this.context.imported.get(callee.text) ?? callee.text);
      return { name, text, range };
    }
    if (ts.isPropertyAccessExpression(callee)) return { name: callee.name.text, through: through ?? this.lower(callee.expression), text, range };
    if (ts.isElementAccessExpression(callee) && ts.isStringLiteralLike(callee.argumentExpression)) {
      return { name: callee.argumentExpression.text, through: through ?? this.lower(callee.expression), text, range };
    }
    return { through: through ?? this.lower(callee), text, range };
  }

  private binary(node: ts.BinaryExpression, range: SourceRange): Expr {
    const operator = node.operatorToken.kind;
    if (operator === ts.SyntaxKind.EqualsToken) return this.assignment(node.left, this.lower(node.right), range);
    if (operator === ts.SyntaxKind.CommaToken) return { kind: "sequence", parts: [this.lower(node.left), this.lower(node.right)], range };
    if (operator === ts.SyntaxKind.QuestionQuestionToken) return this.nullish(this.lower(node.left), () => this.lower(node.right), range);
    const logicalAssignment = this.logicalAssignment(node, operator, range);
    if (logicalAssignment !== undefined) return logicalAssignment;
    const compound = compoundOperators.get(operator);
    if (compound !== undefined) {
      const target = this.lower(node.left);
      return this.assignment(node.left, { kind: "binary", op: compound, left: target, right: this.lower(node.right), range }, range);
    }
    const op = binaryOperators.get(operator);
    if (op === undefined) return { kind: "unknown", parts: [this.lower(node.left), this.lower(node.right)], range };
    return { kind: "binary", op, left: this.lower(node.left), right: this.lower(node.right), range };
  }

  /** `a ??= b`, `a ||= b`, `a &&= b`: the target is written only when the test says so. */
  private logicalAssignment(node: ts.BinaryExpression, operator: ts.SyntaxKind, range: SourceRange): Expr | undefined {
    if (operator !== ts.SyntaxKind.QuestionQuestionEqualsToken && operator !== ts.SyntaxKind.BarBarEqualsToken && operator !== ts.SyntaxKind.AmpersandAmpersandEqualsToken) return undefined;
    const current = this.lower(node.left);
    const assign = this.assignment(node.left, this.lower(node.right), range);
    const test: Expr =
      operator === ts.SyntaxKind.QuestionQuestionEqualsToken
        ? { kind: "binary", op: "==", left: current, right: { kind: "const", value: null, range }, range }
        : operator === ts.SyntaxKind.BarBarEqualsToken
          ? { kind: "unary", op: "!", operand: current, range }
          : current;
    return { kind: "conditional", test, then: assign, else: current, range };
  }

  /** `left ?? right`: a left side with effects is evaluated once, into a temporary. */
  nullish(left: Expr, right: () => Expr, range: SourceRange): Expr {
    let value = left;
    const parts: Expr[] = [];
    if (containsCall(left)) {
      value = { kind: "var", name: this.context.temporary(left.range), range: left.range };
      parts.push({ kind: "assign", target: value, value: left, range: left.range });
    }
    const test: Expr = { kind: "binary", op: "!=", left: value, right: { kind: "const", value: null, range }, range };
    const chosen: Expr = { kind: "conditional", test, then: value, else: right(), range };
    return parts.length === 0 ? chosen : { kind: "sequence", parts: [...parts, chosen], range };
  }

  /** Assignment to a location, or to a destructuring pattern (its parts get unknown values). */
  private assignment(targetNode: ts.Expression, value: Expr, range: SourceRange): Expr {
    const target = stripTransparent(targetNode);
    if (ts.isObjectLiteralExpression(target) || ts.isArrayLiteralExpression(target)) {
      return { kind: "unknown", parts: [value, ...this.patternTargets(target).map((name) => ({ kind: "assign" as const, target: name, value: { kind: "unknown" as const, parts: [], range }, range }))], range };
    }
    return { kind: "assign", target: this.lower(target), value, range };
  }

  private patternTargets(pattern: ts.ObjectLiteralExpression | ts.ArrayLiteralExpression): Expr[] {
    const targets: Expr[] = [];
    const elements: readonly ts.Node[] = ts.isObjectLiteralExpression(pattern) ? pattern.properties : pattern.elements;
    for (const element of elements) {
      if (ts.isShorthandPropertyAssignment(element)) targets.push(this.identifier(element.name.text, this.rangeOf(element.name)));
      else if (ts.isPropertyAssignment(element)) targets.push(this.lower(element.initializer));
      else if (ts.isSpreadElement(element) || ts.isSpreadAssignment(element)) targets.push(this.lower(element.expression));
      else if (ts.isExpression(element) && !ts.isOmittedExpression(element)) targets.push(this.lower(element));
    }
    return targets.filter((target) => target.kind === "var" || target.kind === "field" || target.kind === "index");
  }

  private prefixUnary(node: ts.PrefixUnaryExpression, range: SourceRange): Expr {
    switch (node.operator) {
      case ts.SyntaxKind.ExclamationToken:
        return { kind: "unary", op: "!", operand: this.lower(node.operand), range };
      case ts.SyntaxKind.MinusToken:
        return { kind: "unary", op: "-", operand: this.lower(node.operand), range };
      case ts.SyntaxKind.TildeToken:
        return { kind: "unary", op: "~", operand: this.lower(node.operand), range };
      case ts.SyntaxKind.PlusToken:
        return { kind: "unary", op: "+", operand: this.lower(node.operand), range };
      default:
        return this.increment(node.operand, range);
    }
  }

  /** `++i`, `i--`: the variable gets a value the analysis does not follow. */
  private increment(operand: ts.Expression, range: SourceRange): Expr {
    const target = this.lower(operand);
    if (target.kind !== "var" && target.kind !== "field" && target.kind !== "index") return { kind: "unknown", parts: [target], range };
    return { kind: "assign", target, value: { kind: "unknown", parts: [target], range }, range };
  }

  private closure(node: ts.ArrowFunction | ts.FunctionExpression | ts.MethodDeclaration, range: SourceRange): Expr {
    const captures = this.capturesOf(node);
    return { kind: "closure", captures, functionId: this.context.closure(node, captures), range };
  }

  /** The enclosing function's locals the closure reads or writes, by their IR names. */
  private capturesOf(node: ts.Node): string[] {
    const captures = new Set<string>();
    const locals = this.context.locals;
    const visit = (child: ts.Node): void => {
      if (ts.isIdentifier(child)) {
        if (locals.has(child.text)) captures.add(locals.resolve(child.text));
        return;
      }
      if (ts.isPropertyAccessExpression(child)) {
        visit(child.expression);
        return;
      }
      if (ts.isPropertyAssignment(child)) {
        if (ts.isComputedPropertyName(child.name)) visit(child.name);
        visit(child.initializer);
        return;
      }
      ts.forEachChild(child, visit);
    };
    ts.forEachChild(node, visit);
    return [...captures];
  }
}
