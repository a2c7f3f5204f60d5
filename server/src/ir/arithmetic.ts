// C arithmetic on known integer operands, shared by constant folding in the frontends and the engine.
import type { Expr } from "./ir";

export type BinaryOperator = Extract<Expr, { kind: "binary" }>["op"];

/** The value of `a op b`, or undefined where C leaves it undefined (division by zero). */
export function evaluateBinary(op: BinaryOperator, a: number, b: number): number | undefined {
  switch (op) {
    case "==": return a === b ? 1 : 0;
    case "!=": return a !== b ? 1 : 0;
    case "<": return a < b ? 1 : 0;
    case "<=": return a <= b ? 1 : 0;
    case ">": return a > b ? 1 : 0;
    case ">=": return a >= b ? 1 : 0;
    case "&&": return a !== 0 && b !== 0 ? 1 : 0;
    case "||": return a !== 0 || b !== 0 ? 1 : 0;
    case "&": return a & b;
    case "|": return a | b;
    case "^": return a ^ b;
    case "+": return a + b;
    case "-": return a - b;
    case "*": return a * b;
    case "/": return b === 0 ? undefined : Math.trunc(a / b);
    case "%": return b === 0 ? undefined : a % b;
    case "<<": return a << b;
    case ">>": return a >> b;
  }
}
