// Prints IR expressions back in a C-like spelling, for path steps ("taken: 'p == NULL' is false");
// the null constant is spelled as the source's language spells it.
import type { Expr, IrFunction } from "./ir";

const maxLength = 80;

export function exprText(expr: Expr, language: IrFunction["language"] = "c"): string {
  const text = print(expr, 0, language === "ts" ? "null" : language === "cpp" ? "nullptr" : "NULL");
  return text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text;
}

function print(expr: Expr, depth: number, nullText: string): string {
  if (depth > 12) return "…";
  const inner = (e: Expr) => print(e, depth + 1, nullText);
  switch (expr.kind) {
    case "var":
      return expr.name;
    case "field":
      return `${inner(expr.base)}${expr.op}${expr.field}`;
    case "index":
      return `${inner(expr.base)}[${inner(expr.index)}]`;
    case "deref":
      return `*${inner(expr.target)}`;
    case "addr":
      return `&${inner(expr.target)}`;
    case "const":
      return expr.value === null ? nullText : typeof expr.value === "string" ? JSON.stringify(expr.value) : String(expr.value);
    case "call":
      return `${expr.callee.text}(${expr.args.map(inner).join(", ")})`;
    case "unary":
      return `${expr.op}${inner(expr.operand)}`;
    case "binary":
      return `${inner(expr.left)} ${expr.op} ${inner(expr.right)}`;
    case "conditional":
      return `${inner(expr.test)} ? ${inner(expr.then)} : ${inner(expr.else)}`;
    case "assign":
      return `(${inner(expr.target)} = ${inner(expr.value)})`;
    case "sequence":
      return expr.parts.map(inner).join(", ");
    case "function-ref":
      return expr.name;
    case "closure":
      return "function";
    case "kept":
      return `{${expr.values.map(inner).join(", ")}}`;
    case "unknown":
      return "…";
  }
}
