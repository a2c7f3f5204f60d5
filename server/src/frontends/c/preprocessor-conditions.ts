// The condition of an `#if` group inside a function body, as an opaque variable named after the
// condition's text, so that two groups under the same macro condition are correlated by the engine.
// `#ifdef X` and `#if defined(X)` share one name; `#ifndef X` and `#if !defined(X)` are its negation.
import type { Node } from "web-tree-sitter";
import type { Expr, SourceRange } from "../../ir/ir";
import type { ExpressionLowerer } from "./expressions";
import { fieldChild } from "./fields";
import { collapseWhitespace, rangeOf } from "./syntax";

const DEFINED = /^defined\s*(?:\(\s*(\w+)\s*\)|(\w+))$/;
const NOT_DEFINED = /^!\s*defined\s*(?:\(\s*(\w+)\s*\)|(\w+))$/;

function definedVariable(macro: string, range: SourceRange): Expr {
  return { kind: "var", name: `#if defined(${macro})`, range };
}

function negation(operand: Expr): Expr {
  return { kind: "unary", op: "!", operand, range: operand.range };
}

export function preprocessorCondition(node: Node, expressions: ExpressionLowerer): { cond: Expr; conditionNode: Node | null } {
  if (node.type === "preproc_ifdef" || node.type === "preproc_elifdef") {
    const name = fieldChild(node, "name");
    const range = rangeOf(name ?? node);
    const directive = node.child(0)?.type ?? "";
    const defined = definedVariable(name === null ? "?" : expressions.textOf(name), range);
    return { cond: directive.endsWith("ndef") ? negation(defined) : defined, conditionNode: name };
  }
  const condition = fieldChild(node, "condition");
  if (condition === null) {
    const range = rangeOf(node);
    return { cond: { kind: "unknown", parts: [], range }, conditionNode: null };
  }
  const range = rangeOf(condition);
  const text = collapseWhitespace(expressions.textOf(condition));
  const defined = DEFINED.exec(text);
  if (defined !== null) return { cond: definedVariable(defined[1] ?? defined[2], range), conditionNode: condition };
  const notDefined = NOT_DEFINED.exec(text);
  if (notDefined !== null) return { cond: negation(definedVariable(notDefined[1] ?? notDefined[2], range)), conditionNode: condition };
  return { cond: { kind: "var", name: `#if ${text}`, range }, conditionNode: condition };
}
