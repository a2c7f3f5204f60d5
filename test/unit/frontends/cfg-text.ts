// Test helper: a compact, readable text form of expressions and CFGs, so assertions read like code.
import type { BasicBlock, Expr, Instr, IrFunction, Terminator } from "../../../server/src/ir/ir";

export function exprText(expr: Expr): string {
  switch (expr.kind) {
    case "var":
      return expr.name;
    case "function-ref":
      return `&fn ${expr.name}`;
    case "field":
      return `${exprText(expr.base)}${expr.op}${expr.field}`;
    case "index":
      return `${exprText(expr.base)}[${exprText(expr.index)}]`;
    case "deref":
      return `*${exprText(expr.target)}`;
    case "addr":
      return `&${exprText(expr.target)}`;
    case "const":
      return expr.value === null ? "null" : typeof expr.value === "string" ? JSON.stringify(expr.value) : String(expr.value);
    case "call": {
      const through = expr.callee.through === undefined ? "" : `[via ${exprText(expr.callee.through)}]`;
      return `${expr.callee.name ?? `(${expr.callee.text})`}${through}(${expr.args.map(exprText).join(", ")})`;
    }
    case "unary":
      return `${expr.op}${exprText(expr.operand)}`;
    case "binary":
      return `(${exprText(expr.left)} ${expr.op} ${exprText(expr.right)})`;
    case "conditional":
      return `(${exprText(expr.test)} ? ${exprText(expr.then)} : ${exprText(expr.else)})`;
    case "assign":
      return `(${exprText(expr.target)} = ${exprText(expr.value)})`;
    case "sequence":
      return `(${expr.parts.map(exprText).join(", ")})`;
    case "closure":
      return `closure ${expr.functionId}[${expr.captures.join(", ")}]`;
    case "kept":
      return `kept(${expr.values.map(exprText).join(", ")})`;
    case "unknown":
      return `?(${expr.parts.map(exprText).join(", ")})`;
  }
}

export function instrText(instr: Instr): string {
  switch (instr.kind) {
    case "assign":
      return `${exprText(instr.target)} = ${exprText(instr.value)}`;
    case "declare":
      return `declare ${instr.name}`;
    case "eval":
      return exprText(instr.expr);
    case "scope-end":
      return `scope-end ${instr.names.join(" ")}`;
  }
}

export function terminatorText(terminator: Terminator): string {
  switch (terminator.kind) {
    case "goto":
      return `goto B${terminator.target}`;
    case "branch":
      return `if ${exprText(terminator.cond)} then B${terminator.then} else B${terminator.else}`;
    case "return":
      return terminator.value === undefined ? "return" : `return ${exprText(terminator.value)}`;
    case "throw":
      return terminator.value === undefined ? "throw" : `throw ${exprText(terminator.value)}`;
    case "unreachable":
      return "unreachable";
  }
}

export function blockText(block: BasicBlock): string {
  const header = `B${block.id}${block.loopHeader ? " (loop)" : ""}${block.label === undefined ? "" : ` [${block.label}]`}:`;
  return [header, ...block.instrs.map((instr) => `  ${instrText(instr)}`), `  ${terminatorText(block.terminator)}`].join("\n");
}

/** Blocks reachable from the entry, in id order. */
export function reachableBlocks(fn: IrFunction): BasicBlock[] {
  const seen = new Set<number>([fn.entry]);
  const pending = [fn.entry];
  while (pending.length > 0) {
    const block = fn.blocks[pending.pop() as number];
    for (const next of successors(block.terminator)) {
      if (!seen.has(next)) {
        seen.add(next);
        pending.push(next);
      }
    }
  }
  return fn.blocks.filter((block) => seen.has(block.id));
}

export function successors(terminator: Terminator): number[] {
  if (terminator.kind === "goto") return [terminator.target];
  if (terminator.kind === "branch") return [terminator.then, terminator.else];
  return [];
}

export function cfgText(fn: IrFunction): string {
  return reachableBlocks(fn).map(blockText).join("\n");
}

/**
 * Every path from the entry to an exit, as the instruction lines and branch decisions it passes.
 * A path that comes back to a block it already visited ends with "(loop)".
 */
export function pathsOf(fn: IrFunction, limit = 1000): string[][] {
  const paths: string[][] = [];
  const walk = (id: number, visited: ReadonlySet<number>, lines: string[]): void => {
    if (paths.length >= limit) return;
    if (visited.has(id)) {
      paths.push([...lines, "(loop)"]);
      return;
    }
    const block = fn.blocks[id];
    const here = [...lines, ...block.instrs.map(instrText)];
    const inside = new Set([...visited, id]);
    const terminator = block.terminator;
    if (terminator.kind === "goto") walk(terminator.target, inside, here);
    else if (terminator.kind === "branch") {
      walk(terminator.then, inside, [...here, `[${exprText(terminator.cond)}]`]);
      walk(terminator.else, inside, [...here, `![${exprText(terminator.cond)}]`]);
    } else paths.push([...here, terminatorText(terminator)]);
  };
  walk(fn.entry, new Set(), []);
  return paths;
}

/** Branch conditions in source order. */
export function branchConditions(fn: IrFunction): string[] {
  return fn.blocks
    .flatMap((block) => (block.terminator.kind === "branch" ? [block.terminator] : []))
    .sort((left, right) => left.range.start.line - right.range.start.line || left.range.start.column - right.range.start.column)
    .map((branch) => exprText(branch.cond));
}
