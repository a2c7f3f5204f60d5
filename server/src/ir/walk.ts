// Visits every expression of a function, for pre-passes (call graph, callback registrations).
import type { Expr, IrFunction } from "./ir";

/** The variable an expression writes, or may write: `x = ...` inside an expression, or `&x`. */
export function variableWrittenBy(expr: Expr): string | undefined {
  return (expr.kind === "assign" || expr.kind === "addr") && expr.target.kind === "var" ? expr.target.name : undefined;
}

/** Variables a function assigns, increments or takes the address of (declarations included). */
export function writtenVariables(fn: IrFunction): Set<string> {
  const names = new Set<string>();
  for (const block of fn.blocks) for (const instr of block.instrs) if (instr.kind === "assign" && instr.target.kind === "var") names.add(instr.target.name);
  forEachExpr(fn, (expr) => {
    const name = variableWrittenBy(expr);
    if (name !== undefined) names.add(name);
  });
  return names;
}

/** Whether `expr` or any expression inside it passes `test` (checked before its parts). */
export function anySubexpression(expr: Expr, test: (expr: Expr) => boolean): boolean {
  const stack: Expr[] = [expr];
  while (stack.length > 0) {
    const current = stack.pop()!;
    if (test(current)) return true;
    pushParts(current, stack);
  }
  return false;
}

function pushParts(expr: Expr, stack: Expr[]): void {
  switch (expr.kind) {
    case "field":
      stack.push(expr.base);
      break;
    case "index":
      stack.push(expr.base, expr.index);
      break;
    case "deref":
    case "addr":
      stack.push(expr.target);
      break;
    case "call":
      for (const arg of expr.args) stack.push(arg);
      if (expr.callee.through) stack.push(expr.callee.through);
      break;
    case "unary":
      stack.push(expr.operand);
      break;
    case "binary":
      stack.push(expr.left, expr.right);
      break;
    case "conditional":
      stack.push(expr.test, expr.then, expr.else);
      break;
    case "assign":
      stack.push(expr.target, expr.value);
      break;
    case "sequence":
    case "unknown":
      for (const part of expr.parts) stack.push(part);
      break;
    case "kept":
      for (const value of expr.values) stack.push(value);
      break;
    default:
      break;
  }
}

export function forEachExpr(fn: IrFunction, visit: (expr: Expr) => void): void {
  const stack: Expr[] = [];
  for (const block of fn.blocks) {
    for (const instr of block.instrs) {
      if (instr.kind === "assign") stack.push(instr.target, instr.value);
      else if (instr.kind === "eval") stack.push(instr.expr);
    }
    const t = block.terminator;
    if (t.kind === "branch") stack.push(t.cond);
    else if ((t.kind === "return" || t.kind === "throw") && t.value) stack.push(t.value);
  }
  // Iterative: generated code can nest deeper than the JS stack allows.
  while (stack.length > 0) {
    const expr = stack.pop()!;
    visit(expr);
    pushParts(expr, stack);
  }
}
