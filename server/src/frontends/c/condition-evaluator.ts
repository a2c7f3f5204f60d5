// Decides `#if` / `#ifdef` conditions from the definitions the project's build gives (a
// compile_commands.json, a .vcxproj, vmbguard.json "build"). Three-valued on purpose: a condition
// that depends on a name the build does not settle stays undecided, because a header the checker
// never sees (the WDK's) may define it.

export interface KnownDefinitions {
  /** Macro name to replacement text (`-DNAME` gives "1"). */
  defines: Readonly<Record<string, string>>;
  /** Names known not to be defined (`-UNAME`). */
  undefines: readonly string[];
}

export type ConditionDirective = "if" | "elif" | "ifdef" | "ifndef" | "elifdef" | "elifndef";

type Token = { kind: "number"; value: bigint } | { kind: "name"; text: string } | { kind: "operator"; text: string };

const OPERATORS = ["<<", ">>", "<=", ">=", "==", "!=", "&&", "||", "(", ")", "!", "~", "-", "+", "*", "/", "%", "<", ">", "&", "^", "|", "?", ":", ","];
const INTEGER = /^(?:0[xX][0-9a-fA-F]+|0[bB][01]+|\d+)(?:[uUlL]*|[uU]?[iI](?:8|16|32|64))$/;
/** Replacement texts are expanded at most this deep: `-DA=B -DB=A` must not loop. */
const MAX_EXPANSION_DEPTH = 16;

/** Tokens of a condition, or undefined when it holds something this evaluator does not read (strings, characters). */
function tokenize(expression: string): Token[] | undefined {
  const text = expression.replace(/\/\*[\s\S]*?\*\//g, " ").replace(/\/\/.*$/gm, " ").replace(/\\\r?\n/g, " ");
  const tokens: Token[] = [];
  let index = 0;
  while (index < text.length) {
    const rest = text.slice(index);
    const space = /^\s+/.exec(rest);
    if (space !== null) {
      index += space[0].length;
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest) ?? /^\d[A-Za-z0-9_]*/.exec(rest);
    if (word !== null) {
      index += word[0].length;
      if (/^\d/.test(word[0])) {
        if (!INTEGER.test(word[0])) return undefined;
        const digits = /^(?:0[xX][0-9a-fA-F]+|0[bB][01]+|\d+)/.exec(word[0])![0];
        // A leading 0 is octal in C.
        const literal = /^0\d/.test(digits) ? `0o${digits.slice(1)}` : digits;
        tokens.push({ kind: "number", value: BigInt(literal) });
      } else {
        tokens.push({ kind: "name", text: word[0] });
      }
      continue;
    }
    const operator = OPERATORS.find((candidate) => rest.startsWith(candidate));
    if (operator === undefined) return undefined;
    tokens.push({ kind: "operator", text: operator });
    index += operator.length;
  }
  return tokens;
}

/** Precedence of the binary operators, loosest first (C's table, without assignment and comma). */
const BINARY_LEVELS: readonly (readonly string[])[] = [["||"], ["&&"], ["|"], ["^"], ["&"], ["==", "!="], ["<", "<=", ">", ">="], ["<<", ">>"], ["+", "-"], ["*", "/", "%"]];

class ParseFailure extends Error {}

/** A value, or undefined when the build does not settle it. */
type Value = bigint | undefined;

function truth(value: boolean): bigint {
  return value ? 1n : 0n;
}

function binary(operator: string, left: Value, right: Value): Value {
  // `0 && X` and `1 || X` are known whatever X is.
  if (operator === "&&") return left === 0n || right === 0n ? 0n : left === undefined || right === undefined ? undefined : 1n;
  if (operator === "||") return (left !== undefined && left !== 0n) || (right !== undefined && right !== 0n) ? 1n : left === undefined || right === undefined ? undefined : 0n;
  if (left === undefined || right === undefined) return undefined;
  switch (operator) {
    case "|": return left | right;
    case "^": return left ^ right;
    case "&": return left & right;
    case "==": return truth(left === right);
    case "!=": return truth(left !== right);
    case "<": return truth(left < right);
    case "<=": return truth(left <= right);
    case ">": return truth(left > right);
    case ">=": return truth(left >= right);
    case "<<": return right < 0n || right > 64n ? undefined : left << right;
    case ">>": return right < 0n || right > 64n ? undefined : left >> right;
    case "+": return left + right;
    case "-": return left - right;
    case "*": return left * right;
    case "/": return right === 0n ? undefined : left / right;
    case "%": return right === 0n ? undefined : left % right;
    default: return undefined;
  }
}

class ExpressionReader {
  private position = 0;

  constructor(
    private readonly tokens: readonly Token[],
    private readonly nameValue: (name: string) => Value,
    private readonly isDefined: (name: string) => boolean | undefined,
  ) {}

  read(): Value {
    const value = this.conditional();
    if (this.position !== this.tokens.length) throw new ParseFailure();
    return value;
  }

  private peekOperator(): string | undefined {
    const token = this.tokens[this.position];
    return token?.kind === "operator" ? token.text : undefined;
  }

  private expect(operator: string): void {
    if (this.peekOperator() !== operator) throw new ParseFailure();
    this.position++;
  }

  private conditional(): Value {
    const condition = this.binaryLevel(0);
    if (this.peekOperator() !== "?") return condition;
    this.position++;
    const whenTrue = this.conditional();
    this.expect(":");
    const whenFalse = this.conditional();
    if (condition === undefined) return whenTrue !== undefined && whenTrue === whenFalse ? whenTrue : undefined;
    return condition !== 0n ? whenTrue : whenFalse;
  }

  private binaryLevel(level: number): Value {
    if (level === BINARY_LEVELS.length) return this.unary();
    let left = this.binaryLevel(level + 1);
    for (let operator = this.peekOperator(); operator !== undefined && BINARY_LEVELS[level].includes(operator); operator = this.peekOperator()) {
      this.position++;
      left = binary(operator, left, this.binaryLevel(level + 1));
    }
    return left;
  }

  private unary(): Value {
    const operator = this.peekOperator();
    if (operator === "!" || operator === "~" || operator === "-" || operator === "+") {
      this.position++;
      const operand = this.unary();
      if (operand === undefined) return undefined;
      return operator === "!" ? truth(operand === 0n) : operator === "~" ? ~operand : operator === "-" ? -operand : operand;
    }
    return this.primary();
  }

  private primary(): Value {
    const token = this.tokens[this.position++];
    if (token === undefined) throw new ParseFailure();
    if (token.kind === "number") return token.value;
    if (token.kind === "operator") {
      if (token.text !== "(") throw new ParseFailure();
      const inner = this.conditional();
      this.expect(")");
      return inner;
    }
    if (token.text === "defined") {
      const parenthesized = this.peekOperator() === "(";
      if (parenthesized) this.position++;
      const name = this.tokens[this.position++];
      if (name?.kind !== "name") throw new ParseFailure();
      if (parenthesized) this.expect(")");
      const defined = this.isDefined(name.text);
      return defined === undefined ? undefined : truth(defined);
    }
    // A function-like macro call or `__has_include(...)`: not something the build's definitions decide.
    if (this.peekOperator() === "(") throw new ParseFailure();
    return this.nameValue(token.text);
  }
}

/** The definitions of one file's preprocessing: `#define` and `#undef` in the file unsettle a name. */
export class ConditionEvaluator {
  private readonly defines: Map<string, string>;
  private readonly undefines: Set<string>;

  constructor(known: KnownDefinitions) {
    this.defines = new Map(Object.entries(known.defines));
    this.undefines = new Set(known.undefines.filter((name) => !this.defines.has(name)));
  }

  /** The file defines or undefines `name` itself: whether it is defined where is no longer known. */
  forget(name: string): void {
    this.defines.delete(name);
    this.undefines.delete(name);
  }

  /** True or false when the known definitions decide the condition; undefined otherwise. */
  decide(directive: ConditionDirective, expression: string): boolean | undefined {
    if (directive === "if" || directive === "elif") {
      const value = this.evaluate(expression, 0);
      return value === undefined ? undefined : value !== 0n;
    }
    const name = /^\s*([A-Za-z_][A-Za-z0-9_]*)/.exec(expression)?.[1];
    if (name === undefined) return undefined;
    const defined = this.isDefined(name);
    if (defined === undefined) return undefined;
    return directive.endsWith("ndef") ? !defined : defined;
  }

  private isDefined(name: string): boolean | undefined {
    if (this.defines.has(name)) return true;
    if (this.undefines.has(name)) return false;
    return undefined;
  }

  private evaluate(expression: string, depth: number): Value {
    if (depth > MAX_EXPANSION_DEPTH) return undefined;
    const tokens = tokenize(expression);
    if (tokens === undefined || tokens.length === 0) return undefined;
    const nameValue = (name: string): Value => {
      if (this.undefines.has(name)) return 0n;
      const replacement = this.defines.get(name);
      return replacement === undefined ? undefined : this.evaluate(replacement, depth + 1);
    };
    try {
      return new ExpressionReader(tokens, nameValue, (name) => this.isDefined(name)).read();
    } catch (error) {
      if (error instanceof ParseFailure) return undefined;
      throw error;
    }
  }
}
