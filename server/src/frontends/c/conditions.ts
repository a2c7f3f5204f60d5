// Lowers a condition into short-circuit branches so that each `branch.cond` is an atomic test.
// `&&`, `||`, `!` over a logical operand, `?:`, commas, parentheses and casts become control flow.
import type { Node } from "web-tree-sitter";
import type { ParseProblem } from "../../ir/ir";
import type { CfgBuilder } from "../cfg-builder";
import { NestingLimit } from "../nesting-limit";
import type { ExpressionLowerer } from "./expressions";
import { fieldChild } from "./fields";
import { stripTransparent } from "./syntax";

const MAX_CONDITION_DEPTH = 300;

function operatorOf(node: Node): string | undefined {
  return fieldChild(node, "operator")?.type;
}

/** Operands whose truth is itself a combination of tests (what `!` must be pushed through). */
function isLogical(node: Node): boolean {
  switch (node.type) {
    case "binary_expression": {
      const operator = operatorOf(node);
      return operator === "&&" || operator === "||";
    }
    case "unary_expression":
      return operatorOf(node) === "!";
    case "conditional_expression":
    case "comma_expression":
      return true;
    default:
      return false;
  }
}

export class ConditionLowerer {
  private readonly nesting: NestingLimit;

  constructor(
    private readonly builder: CfgBuilder,
    private expressions: ExpressionLowerer,
    problems: ParseProblem[],
  ) {
    this.nesting = new NestingLimit(MAX_CONDITION_DEPTH, "Condition nested too deeply; its inner part is tested as a whole", problems);
  }

  /** Lowers later conditions with `expressions` (inside a macro expansion); returns the previous one. */
  useExpressions(expressions: ExpressionLowerer): ExpressionLowerer {
    const previous = this.expressions;
    this.expressions = expressions;
    return previous;
  }

  /** Ends the current block with branches that reach `whenTrue` or `whenFalse`. */
  lower(conditionNode: Node, whenTrue: number, whenFalse: number): void {
    const node = stripTransparent(conditionNode);
    this.nesting.run(
      () => this.expressions.rangeFor(node),
      () => this.lowerStripped(node, whenTrue, whenFalse),
      () => this.atom(node, whenTrue, whenFalse),
    );
  }

  private lowerStripped(node: Node, whenTrue: number, whenFalse: number): void {
    const builder = this.builder;
    const type = node.type;
    switch (type) {
      case "binary_expression": {
        const operator = operatorOf(node);
        if (operator !== "&&" && operator !== "||") break;
        const left = fieldChild(node, "left");
        const right = fieldChild(node, "right");
        if (left !== null && right !== null) {
          const evaluateRight = builder.newBlock();
          if (operator === "&&") this.lower(left, evaluateRight, whenFalse);
          else this.lower(left, whenTrue, evaluateRight);
          builder.startAt(evaluateRight);
          this.lower(right, whenTrue, whenFalse);
          return;
        }
        break;
      }
      case "unary_expression": {
        const operand = fieldChild(node, "argument");
        if (operatorOf(node) === "!" && operand !== null && isLogical(stripTransparent(operand))) {
          this.lower(operand, whenFalse, whenTrue);
          return;
        }
        break;
      }
      case "conditional_expression": {
        const test = fieldChild(node, "condition");
        const consequence = fieldChild(node, "consequence");
        const alternative = fieldChild(node, "alternative");
        if (test !== null && consequence !== null && alternative !== null) {
          const thenTest = builder.newBlock();
          const elseTest = builder.newBlock();
          this.lower(test, thenTest, elseTest);
          builder.startAt(thenTest);
          this.lower(consequence, whenTrue, whenFalse);
          builder.startAt(elseTest);
          this.lower(alternative, whenTrue, whenFalse);
          return;
        }
        break;
      }
      case "comma_expression": {
        // The left part is evaluated for its effects; the right part (maybe another comma) is the test.
        const left = fieldChild(node, "left");
        const right = fieldChild(node, "right");
        if (left !== null && right !== null) {
          const effect = this.expressions.lower(left);
          builder.emit({ kind: "eval", expr: effect, range: effect.range });
          this.lower(right, whenTrue, whenFalse);
          return;
        }
        break;
      }
      default:
        break;
    }
    this.atom(node, whenTrue, whenFalse, type);
  }

  private atom(node: Node, whenTrue: number, whenFalse: number, type?: string): void {
    const cond = this.expressions.lower(node, type);
    if (cond.kind === "const" && typeof cond.value === "number") {
      // `while (1)`, `do { } while (0)`: the edge is fixed.
      this.builder.terminate({ kind: "goto", target: cond.value !== 0 ? whenTrue : whenFalse });
      return;
    }
    const text = this.expressions.sourceSpelling(node);
    const range = this.expressions.rangeFor(node);
    this.builder.terminate(text === undefined ? { kind: "branch", cond, then: whenTrue, else: whenFalse, range } : { kind: "branch", cond, then: whenTrue, else: whenFalse, range, text });
  }
}
