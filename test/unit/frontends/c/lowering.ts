// Test helper: lowers C text with the real frontend (web-tree-sitter loaded once per test process).
import assert from "node:assert/strict";
import { loadCFrontend, type CFrontendOptions } from "../../../../server/src/frontends/c/index";
import type { BasicBlock, Expr, Instr, IrFile, IrFunction, Terminator } from "../../../../server/src/ir/ir";
import { defaultPacks, statusNamePattern } from "../../../../server/src/model/packs";

/** The model's status-code names, as the checker passes them for the default packs. */
export const defaultModelNames = statusNamePattern(defaultPacks);

export async function lowerC(text: string, options?: CFrontendOptions): Promise<IrFile> {
  return (await loadCFrontend()).lower("test.c", text, { modelNames: defaultModelNames, ...options });
}

/** Lowers `text` and returns its only (or its named) function, failing on syntax problems. */
export async function lowerFunction(text: string, name?: string): Promise<IrFunction> {
  const file = await lowerC(text);
  assert.deepEqual(file.problems, [], "unexpected problems");
  const found = name === undefined ? file.functions : file.functions.filter((fn) => fn.name === name);
  assert.equal(found.length, 1, `expected one function${name === undefined ? "" : ` named ${name}`}`);
  return found[0];
}

export function terminatorsOf(fn: IrFunction, kind: Terminator["kind"]): Terminator[] {
  return fn.blocks.map((block) => block.terminator).filter((terminator) => terminator.kind === kind);
}

export function branchesOf(fn: IrFunction): Extract<Terminator, { kind: "branch" }>[] {
  return fn.blocks.flatMap((block) => (block.terminator.kind === "branch" ? [block.terminator] : []));
}

export function instructionsOf(fn: IrFunction): Instr[] {
  return fn.blocks.flatMap((block) => block.instrs);
}

/** The first call to `name` anywhere in the function's instructions. */
export function findCall(fn: IrFunction, name: string): Extract<Expr, { kind: "call" }> | undefined {
  let found: Extract<Expr, { kind: "call" }> | undefined;
  const visit = (expr: Expr): void => {
    if (found !== undefined) return;
    switch (expr.kind) {
      case "call":
        if (expr.callee.name === name) found = expr;
        expr.args.forEach(visit);
        if (expr.callee.through !== undefined) visit(expr.callee.through);
        return;
      case "field":
      case "index":
        visit(expr.base);
        if (expr.kind === "index") visit(expr.index);
        return;
      case "deref":
      case "addr":
        return visit(expr.target);
      case "unary":
        return visit(expr.operand);
      case "binary":
        visit(expr.left);
        return visit(expr.right);
      case "conditional":
        visit(expr.test);
        visit(expr.then);
        return visit(expr.else);
      case "assign":
        visit(expr.target);
        return visit(expr.value);
      case "sequence":
      case "unknown":
        return expr.parts.forEach(visit);
      default:
        return;
    }
  };
  for (const instr of instructionsOf(fn)) {
    if (instr.kind === "eval") visit(instr.expr);
    else if (instr.kind === "assign") {
      visit(instr.target);
      visit(instr.value);
    }
  }
  for (const block of fn.blocks) {
    if (block.terminator.kind === "branch") visit(block.terminator.cond);
    if (block.terminator.kind === "return" && block.terminator.value !== undefined) visit(block.terminator.value);
  }
  return found;
}

export function loopHeaders(fn: IrFunction): BasicBlock[] {
  return fn.blocks.filter((block) => block.loopHeader === true);
}
