// Conditions, hit counts and logpoints all become one V8 breakpoint condition, evaluated in the
// debuggee at the breakpoint: the program only stops when it has to, with no round trip to the
// adapter per hit. Hit counts live in the preload's hook object; a logpoint hands its text to the
// preload (which sends it to the adapter) and evaluates to false, so it never stops.
import { debugHookGlobal } from "./protocol";

export interface BreakpointOptions {
  condition?: string;
  hitCondition?: string;
  logMessage?: string;
}

export type HitOperator = "==" | ">=" | ">" | "<" | "<=" | "%";

/** `5` and `==5` stop on the 5th hit only, `>=5` from the 5th on, `%5` on every 5th (as VS Code's JavaScript debugger reads them). */
export function parseHitCondition(text: string): { operator: HitOperator; count: number } {
  const match = /^\s*(==?=?|>=?|<=?|%)?\s*(\d+)\s*$/.exec(text);
  if (!match) throw new Error(`invalid hit count "${text}": expected a number, optionally after ==, >, >=, <, <= or %`);
  const operator = match[1] === undefined || match[1].startsWith("=") ? "==" : (match[1] as HitOperator);
  return { operator, count: Number(match[2]) };
}

/** A JavaScript expression that evaluates `expression` and yields its error's text instead of throwing. */
function guarded(expression: string): string {
  return `(() => { try { return (${expression}); } catch (error) { return "<" + String(error && error.message || error) + ">"; } })()`;
}

/**
 * The parts of a log message as a JavaScript array literal: texts at even indexes, `{expression}`
 * values at odd ones. Braces inside an expression nest (`{ {a: 1}.a }`).
 */
export function logMessageArray(message: string): string {
  const parts: string[] = [];
  let text = "";
  let index = 0;
  while (index < message.length) {
    const character = message[index]!;
    if (character !== "{") {
      text += character;
      index++;
      continue;
    }
    let depth = 1;
    let end = index + 1;
    while (end < message.length && depth > 0) {
      if (message[end] === "{") depth++;
      else if (message[end] === "}") depth--;
      end++;
    }
    if (depth > 0) {
      // An unclosed brace is text.
      text += message.slice(index);
      break;
    }
    parts.push(JSON.stringify(text), guarded(message.slice(index + 1, end - 1)));
    text = "";
    index = end;
  }
  parts.push(JSON.stringify(text));
  return `[${parts.join(", ")}]`;
}

/** Checks that a condition parses, so a typo is reported on the breakpoint instead of silently never stopping. */
export function conditionSyntaxError(expression: string): string | undefined {
  try {
    new Function(`return (${expression});`);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** The V8 condition for breakpoint `id`, or undefined for a plain breakpoint. */
export function buildCondition(id: number, options: BreakpointOptions): string | undefined {
  const hooks = `globalThis.${debugHookGlobal}`;
  const clauses: string[] = [];
  if (options.condition !== undefined && options.condition.trim() !== "") clauses.push(`(${options.condition})`);
  if (options.hitCondition !== undefined && options.hitCondition.trim() !== "") {
    const { operator, count } = parseHitCondition(options.hitCondition);
    const hits = `(${hooks}.hitCounts[${id}] = (${hooks}.hitCounts[${id}] ?? 0) + 1)`;
    clauses.push(operator === "%" ? `(${hits} % ${count} === 0)` : `(${hits} ${operator === "==" ? "===" : operator} ${count})`);
  }
  if (options.logMessage !== undefined && options.logMessage !== "") clauses.push(`${hooks}.logpoint(${id}, ${logMessageArray(options.logMessage)})`);
  return clauses.length === 0 ? undefined : clauses.join(" && ");
}
