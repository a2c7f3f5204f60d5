// Neutralizes what the C grammar cannot parse without moving any offset: annotation and
// decoration macros become spaces of the same length (newlines kept), dead `#if 0` / `#if 1 ... #else`
// regions are blanked. Every range tree-sitter reports on the result is a range of the original text.
import { builtinTreatment, isDecorationByNameShape, isReservedWord, keywordRewrite, mayBeBuiltinMacro, typeWrappingMacro, type TypeWrapping } from "./known-macros";
import { ConditionEvaluator, type ConditionDirective, type KnownDefinitions } from "./condition-evaluator";
import type { OffsetSpan } from "../positions";

export interface MacroInvocation {
  /** What the invocation said, whitespace removed: `__drv_freesMem(Mem)`. */
  text: string;
  start: number;
  end: number;
}

export interface OffsetProblem extends OffsetSpan {
  message: string;
}

export interface PreprocessedSource {
  text: string;
  /** Blanked annotation and decoration invocations, in source order. */
  annotations: MacroInvocation[];
  /** Comments outside dead regions, in source order. */
  comments: OffsetSpan[];
  problems: OffsetProblem[];
}

/**
 * How a `#if` group is being handled. `unknown` groups are left to tree-sitter; the others have
 * a constant condition and their directive lines are blanked along with the dead branches.
 */
type GroupMode =
  | "unknown"
  /** A constant-true branch is live; every later branch is dead. */
  | "taken"
  /** Every branch so far was constant-false (dead). */
  | "skipping"
  /** A live branch reached after dead ones (`#else` of `#if 0`); its `#endif` is blanked. */
  | "after-skip"
  /** A `#elif` after dead branches was rewritten into `#if`; the rest is left to tree-sitter. */
  | "rewritten"
  /** After a taken branch: dead up to `#endif`. */
  | "dead-rest";

const ALL_CAPS = /^[A-Z][A-Z0-9_]*$/;

/** `i64`, `ui64`, `I32`... after the digits of an integer literal. */
const MSVC_INTEGER_SUFFIX = /(?<=^(?:0[xX][0-9a-fA-F]+|\d+))[uU]?[iI](?:8|16|32|64|128)$/;

/** Tokens before a `{` that opens a block in code. */
const CODE_BLOCK_OPENER = new Set([")", ";", "{", "}", ":", "else", "do", "__try", "__finally", "try", "finally"]);

/** Tokens after which a new statement starts. */
const STATEMENT_BOUNDARY = new Set([";", "{", "}", ":", "else"]);

/** What may follow a value but never an annotation without arguments (which precedes a type or a name). */
const VALUE_FOLLOWER = new Set([..."),;]=}.-+%?:<>|^!\""]);

/** excpt.h defines these as the SEH keywords for C. */
const LOWERCASE_SEH = new Set(["try", "finally", "except", "leave"]);
const LOWERCASE_SEH_START = new Set([..."tfel"].map((char) => char.charCodeAt(0)));

/** Annotation arguments never span more than this; past it the parenthesis is not the macro's. */
const MAX_ARGUMENT_LENGTH = 4096;

const LINE_FEED = 10;
const CARRIAGE_RETURN = 13;
const SPACE = 32;
const TAB = 9;
const HASH = 35;
const SLASH = 47;
const STAR = 42;
const BACKSLASH = 92;
const DOUBLE_QUOTE = 34;
const SINGLE_QUOTE = 39;
const OPEN_PAREN = 40;
const CLOSE_PAREN = 41;
const OPEN_BRACE = 123;
const COLON = 58;
const CLOSE_BRACE = 125;
const BYTE_ORDER_MARK = 0xfeff;

function isIdentifierStart(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || code === 95;
}

function isIdentifierPart(code: number): boolean {
  return isIdentifierStart(code) || (code >= 48 && code <= 57);
}

function isBlankCode(code: number): boolean {
  return code === SPACE || code === TAB;
}

function blankKeepingNewlines(text: string): string {
  return text.indexOf("\n") < 0 && text.indexOf("\r") < 0 ? " ".repeat(text.length) : text.replace(/[^\r\n]/g, " ");
}

/** `0` or `1` (possibly parenthesized, with comments): the value; anything else is not constant. */
function constantCondition(expression: string): boolean | undefined {
  let text = expression.replace(/\/\*[\s\S]*?\*\//g, " ").replace(/\/\/.*$/, "").trim();
  while (text.startsWith("(") && text.endsWith(")")) text = text.slice(1, -1).trim();
  if (!/^\d+[uUlL]*$/.test(text)) return undefined;
  return Number.parseInt(text, 10) !== 0;
}

/** What the scan knows at a point, restored when a later branch of a conditional group starts. */
interface ScanState {
  braceDepth: number;
  parenDepth: number;
  codeBraces: boolean[];
  doBodies: number[];
  lastToken: string;
}

/** An `#if` group of unknown condition, while it is scanned. */
interface OpenGroup {
  ifStart: number;
  ifEnd: number;
  /** The state before its first branch: every branch is scanned from it. */
  before: ScanState;
  /** The state after its first branch. */
  afterFirst?: ScanState;
  /** Start of the first `#elif` / `#else` line. */
  alternativeStart?: number;
  /** Some branch does not hold whole statements or declarations: it opens or closes a brace or parenthesis, starts or ends inside one. */
  splitsSyntax: boolean;
}

/** Tokens that end a statement or declaration (or open a block), after which a conditional group may start or end. */
const SYNTAX_BOUNDARY = new Set([";", "{", "}", ":"]);

/** Tokens that can only continue an expression or a list: a branch starting with one splits it. */
const CONTINUATION_START = new Set([..."&|,)]?=<>+/%^.", "]"]);

/** The length of a pointer-to-member access (`->*` or `.*`) at `index`, or 0. */
function memberPointerAccessLength(source: string, index: number): number {
  if (source.startsWith("->*", index)) return 3;
  return source.startsWith(".*", index) && !source.startsWith("..", index - 1) ? 2 : 0;
}

/** After a decoration: a template type (maybe const), then a declarator's name. */
const DECORATION_BEFORE_TEMPLATE_TYPE = /^\s+(?:(?:const|volatile)\s+)*[A-Za-z_]\w*\s*<[^;{}()<>]*>\s*[*&]*\s*[A-Za-z_]/;

const ACCESS_SPECIFIERS = new Set(["public", "private", "protected"]);

/** What objbase.h defines `THIS_`, `THIS` and `PURE` as in C++ (in C they name the interface's `This`). */
const COM_CPP_SPELLINGS: ReadonlyMap<string, string> = new Map([
  ["THIS_", ""],
  ["THIS", "void"],
  ["PURE", "= 0"],
]);

/** The macros whose being defined the dialect decides. */
type Dialect = "c" | "cpp";

/** `defined(NAME)`, `!defined NAME`, `NAME`, with the name's definedness known: the value; else undefined. */
function dialectCondition(expression: string, dialect: Dialect): boolean | undefined {
  let text = expression.replace(/\/\*[\s\S]*?\*\//g, " ").replace(/\/\/.*$/, "").trim();
  while (text.startsWith("(") && text.endsWith(")")) text = text.slice(1, -1).trim();
  const match = /^(!?)\s*(?:defined\s*\(\s*(\w+)\s*\)|defined\s+(\w+)|(\w+))$/.exec(text);
  if (match === null) return undefined;
  const name = match[2] ?? match[3] ?? match[4];
  if (name !== "__cplusplus") return undefined;
  const defined = dialect === "cpp";
  return match[1] === "!" ? !defined : defined;
}

class Preprocessor {
  private readonly pieces: string[] = [];
  private copiedUpTo = 0;
  private readonly annotations: MacroInvocation[] = [];
  private readonly comments: OffsetSpan[] = [];
  private readonly problems: OffsetProblem[] = [];
  private readonly groups: GroupMode[] = [];
  /** Beside `groups`: each `unknown` group (undefined for the others). */
  private readonly openGroups: (OpenGroup | undefined)[] = [];
  private parenDepth = 0;
  /** The unknown group whose branch just started and has no token yet. */
  private branchWithoutToken: OpenGroup | undefined;
  /** Regions blanked once the whole text is known (they start before text already copied). */
  private readonly deferredBlanks: OffsetSpan[] = [];
  private braceDepth = 0;
  /** Start of the dead region being skipped, or -1. */
  private deadFrom = -1;
  /** `#if` groups opened inside the dead region. */
  private deadNesting = 0;
  private readonly hasUserMacros: boolean;
  /** Decides conditions on the build's definitions (`#ifdef DBG`), beside the constant ones. */
  private readonly evaluator: ConditionEvaluator | undefined;
  /** The last token outside comments and directives: a punctuation character, a name, `"` for a literal, `0` for a number. */
  private lastToken = ";";
  /** Plain names in a row (no keyword), where the first started a declaration or statement, and where the last two start. */
  private readonly nameRun = { count: 0, atBoundary: false, afterTypeBody: false, starts: [-1, -1] };
  /** Whether the last `}` closed code (else a structure, union, enum or initializer). */
  private lastClosedBraceWasCode = false;
  /** The token before `lastToken`. */
  private tokenBeforeLast = ";";
  /** For each open brace, innermost last: whether it opened code (a function body or a block in one). */
  private readonly codeBraces: boolean[] = [];
  /** The identifier just scanned was blanked: it is no token for `lastToken`. */
  private identifierBlanked = false;
  /** A `do` was just seen: the next `{` opens its body. */
  private doBodyNext = false;
  /** Brace depths inside `do { ... }` bodies, innermost last. */
  private readonly doBodies: number[] = [];
  /** The `}` just seen closed a `do` body: `} WHILE (x);` ends a do-while. */
  private closedDoBody = false;
  /** The end of the last statement macro given a `;`. */
  private terminatedStatementEnd = -1;
  /** Blanks promised to a deferred edit, which no rewrite may take. */
  private readonly reservedBlanks = new Set<number>();
  /** Same-length edits of the final text (`;` after statement macros), applied once the whole text is known. */
  private readonly deferredEdits: { start: number; end: number; text: (current: string) => string }[] = [];

  constructor(
    private readonly source: string,
    private readonly userMacros: Readonly<Record<string, string>>,
    /** In C++, `try` is the language's own keyword and `__cplusplus` is defined. */
    private readonly dialect: Dialect,
    definitions?: KnownDefinitions,
  ) {
    this.hasUserMacros = Object.keys(userMacros).length > 0;
    this.evaluator = definitions && new ConditionEvaluator(definitions);
  }

  private decide(directive: string, expression: string): boolean | undefined {
    const constant = directive === "if" || directive === "elif" ? constantCondition(expression) : undefined;
    return constant ?? this.evaluator?.decide(directive as ConditionDirective, expression);
  }

  run(): PreprocessedSource {
    const source = this.source;
    const length = source.length;
    let index = 0;
    let atLineStart = true;
    while (index < length) {
      const code = source.charCodeAt(index);
      if (this.deadFrom >= 0) {
        index = code === LINE_FEED ? index + 1 : this.deadLine(index);
        continue;
      }
      if (code === LINE_FEED) {
        atLineStart = true;
        index++;
        continue;
      }
      // A byte order mark only ever starts a file; it must not hide a directive on the first line.
      if (code === SPACE || code === TAB || code === CARRIAGE_RETURN || code === 11 || code === 12 || code === BYTE_ORDER_MARK) {
        index++;
        continue;
      }
      if (code === HASH && atLineStart) {
        index = this.liveDirective(index);
        continue;
      }
      atLineStart = false;
      if (code === SLASH) {
        const next = source.charCodeAt(index + 1);
        if (next === SLASH || next === STAR) {
          index = this.skipComment(index, true);
          continue;
        }
        index++;
        this.tokenBeforeLast = this.lastToken;
        this.lastToken = "/";
      } else if (code === DOUBLE_QUOTE || code === SINGLE_QUOTE) {
        this.branchStarts('"');
        this.nameRun.count = 0;
        index = this.skipLiteral(index);
        this.tokenBeforeLast = this.lastToken;
        this.lastToken = '"';
      } else if (code >= 48 && code <= 57) {
        this.branchStarts("0");
        this.nameRun.count = 0;
        index = this.number(index);
        this.tokenBeforeLast = this.lastToken;
        this.lastToken = "0";
      } else if (isIdentifierStart(code)) {
        let wordEnd = index + 1;
        while (isIdentifierPart(source.charCodeAt(wordEnd))) wordEnd++;
        const word = source.slice(index, wordEnd);
        this.identifierBlanked = false;
        const end = this.identifier(index);
        if (!this.identifierBlanked) {
          this.branchStarts(word);
          this.declarationWord(word, index);
          this.tokenBeforeLast = this.lastToken;
          this.lastToken = word;
        }
        index = end;
      } else {
        const memberPointer = this.dialect === "cpp" ? memberPointerAccessLength(source, index) : 0;
        if (memberPointer > 0) {
          // `(object->*method)(args)`, which the grammar does not take, reads as `(object, method)(args)`:
          // the object is used and the call goes through the pointer, as the analysis can follow it.
          this.replace(index, index + memberPointer, ",".padEnd(memberPointer));
          index += memberPointer;
          this.tokenBeforeLast = this.lastToken;
          this.lastToken = ",";
          continue;
        }
        this.branchStarts(source[index]);
        this.declarationPunctuation(source[index]);
        if (code === OPEN_BRACE) this.openBrace();
        else if (code === CLOSE_BRACE) this.closeBrace();
        else if (code === OPEN_PAREN) this.parenDepth++;
        else if (code === CLOSE_PAREN) {
          this.parenDepth--;
          this.closedBeforeGroups();
        } else if (code === COLON) this.unnamedBitField(index);
        this.tokenBeforeLast = this.lastToken;
        // The `)` of a statement macro given a `;`: the next statement starts after it.
        this.lastToken = index + 1 === this.terminatedStatementEnd ? ";" : source[index];
        index++;
      }
    }
    if (this.deadFrom >= 0) {
      this.problems.push({ message: "Unterminated #if 0 region", start: this.deadFrom, end: length });
      this.replace(this.deadFrom, length, blankKeepingNewlines(source.slice(this.deadFrom, length)));
    }
    this.pieces.push(source.slice(this.copiedUpTo));
    let text = this.pieces.join("");
    let annotations = this.annotations;
    for (const edit of this.deferredEdits) {
      const replacement = edit.text(text.slice(edit.start, edit.end));
      text = text.slice(0, edit.start) + replacement + text.slice(edit.end);
    }
    for (const span of this.deferredBlanks) {
      text = text.slice(0, span.start) + blankKeepingNewlines(text.slice(span.start, span.end)) + text.slice(span.end);
      annotations = annotations.filter((annotation) => annotation.start < span.start || annotation.start >= span.end);
    }
    return { text, annotations, comments: this.comments, problems: this.problems };
  }

  private openBrace(): void {
    const inCode = this.codeBraces.length > 0 && this.codeBraces[this.codeBraces.length - 1];
    // A function body follows its parameter list; inside code, a block follows a statement boundary or a
    // keyword's head, while an initializer (`= {`) or a struct definition (`struct S {`) is no code.
    this.codeBraces.push(inCode ? CODE_BLOCK_OPENER.has(this.lastToken) : this.lastToken === ")");
    this.braceDepth++;
    if (this.doBodyNext) this.doBodies.push(this.braceDepth);
    this.doBodyNext = false;
  }

  private declarationWord(word: string, start: number): void {
    const run = this.nameRun;
    if (isReservedWord(word, this.dialect) || keywordRewrite(word) !== undefined) {
      run.count = 0;
      return;
    }
    const previous = this.lastToken;
    if (run.count > 0 && isIdentifierStart(previous.charCodeAt(0)) && !isReservedWord(previous, this.dialect)) {
      run.count++;
    } else {
      run.count = 1;
      run.atBoundary = SYNTAX_BOUNDARY.has(previous) || isReservedWord(previous, this.dialect) || keywordRewrite(previous) !== undefined;
      run.afterTypeBody = previous === "}" && !this.lastClosedBraceWasCode;
    }
    run.starts = [run.starts[1], start];
  }

  /**
   * `READ_CAPACITY_DATA_EX PTRALIGN data = {0};`, `static ALLOC_SECTION_LDATA USHORT table[] = {`: three
   * names declare one variable, so one of them is a decoration macro. The one before the declared
   * name is blanked: where a decoration sits there (alignment, pointer encoding) the type stays right,
   * and otherwise a name still parses in the type's place.
   */
  private declarationPunctuation(char: string): void {
    const run = this.nameRun;
    // After a structure's body (`} PACKED NAME, *PNAME;`) the type is given: two names are one too many.
    const namesForOne = run.afterTypeBody ? 2 : 3;
    if (run.count === namesForOne && run.atBoundary && (char === ";" || char === "=" || char === "[" || char === ",")) {
      const middle = run.starts[0];
      let middleEnd = middle;
      while (isIdentifierPart(this.source.charCodeAt(middleEnd))) middleEnd++;
      this.deferredBlanks.push({ start: middle, end: middleEnd });
    }
    run.count = 0;
  }

  /**
   * `UINT32 : 1;` in a structure: an unnamed bit-field (padding), which the grammar does not accept.
   * A blank next to the `:` becomes the name `_`.
   */
  private unnamedBitField(colon: number): void {
    // In C++ the same shape with a keyword is an access specifier (`public:`).
    if (ACCESS_SPECIFIERS.has(this.lastToken) || this.braceDepth === 0 || this.inCode() || !SYNTAX_BOUNDARY.has(this.tokenBeforeLast) || !isIdentifierStart(this.lastToken.charCodeAt(0))) return;
    const source = this.source;
    if (colon - 2 >= this.copiedUpTo && isBlankCode(source.charCodeAt(colon - 1)) && isBlankCode(source.charCodeAt(colon - 2))) {
      this.replace(colon - 1, colon, "_");
    } else if (colon - 1 >= this.copiedUpTo && isBlankCode(source.charCodeAt(colon - 1)) && isBlankCode(source.charCodeAt(colon + 1))) {
      this.replace(colon - 1, colon + 2, " _:");
    }
  }

  private inCode(): boolean {
    return this.codeBraces.length > 0 && this.codeBraces[this.codeBraces.length - 1];
  }

  private closeBrace(): void {
    this.closedDoBody = this.doBodies.length > 0 && this.doBodies[this.doBodies.length - 1] === this.braceDepth;
    if (this.closedDoBody) this.doBodies.pop();
    this.lastClosedBraceWasCode = this.codeBraces.pop() ?? false;
    this.braceDepth--;
    this.closedBeforeGroups();
  }

  /** Writes `replacement` over [start, end); calls come in increasing offset order. */
  private replace(start: number, end: number, replacement: string): void {
    this.pieces.push(this.source.slice(this.copiedUpTo, start), replacement);
    this.copiedUpTo = end;
  }

  private blank(start: number, end: number): void {
    this.replace(start, end, blankKeepingNewlines(this.source.slice(start, end)));
  }

  /** Returns the index just after the comment starting at `start`. */
  private skipComment(start: number, record: boolean): number {
    const source = this.source;
    let end: number;
    if (source.charCodeAt(start + 1) === SLASH) {
      const newline = source.indexOf("\n", start);
      end = newline < 0 ? source.length : newline;
      if (end > start && source.charCodeAt(end - 1) === CARRIAGE_RETURN) end--;
    } else {
      const close = source.indexOf("*/", start + 2);
      end = close < 0 ? source.length : close + 2;
    }
    if (record) this.comments.push({ start, end });
    return end;
  }

  /** Skips a string or character literal; an unterminated one ends at the line end. */
  private skipLiteral(start: number): number {
    const source = this.source;
    const quote = source.charCodeAt(start);
    let index = start + 1;
    while (index < source.length) {
      const code = source.charCodeAt(index);
      if (code === BACKSLASH) index += 2;
      else if (code === quote) return index + 1;
      else if (code === LINE_FEED) return index;
      else index++;
    }
    return source.length;
  }

  /**
   * A number; MSVC's sized-integer suffixes (`0xFFFFFFFFi64`, `10ui64`), which the grammar does not
   * know, are blanked: the value stays, and only its type is lost.
   */
  private number(start: number): number {
    const source = this.source;
    let end = start + 1;
    while (end < source.length) {
      const code = source.charCodeAt(end);
      const previous = source.charCodeAt(end - 1) | 0x20;
      const exponentSign = (code === 43 || code === 45) && (previous === 101 || previous === 112); // e+, p-
      if (!isIdentifierPart(code) && code !== 46 && !exponentSign) break;
      end++;
    }
    const suffix = MSVC_INTEGER_SUFFIX.exec(source.slice(start, end));
    if (suffix !== null) this.blank(end - suffix[0].length, end);
    return end;
  }

  private identifier(start: number): number {
    const source = this.source;
    let end = start + 1;
    while (end < source.length && isIdentifierPart(source.charCodeAt(end))) end++;
    const firstCode = source.charCodeAt(start);
    if (end - start <= 7 && this.dialect === "c" && LOWERCASE_SEH_START.has(firstCode)) {
      const word = source.slice(start, end);
      if (LOWERCASE_SEH.has(word) && !(this.hasUserMacros && Object.hasOwn(this.userMacros, word))) return this.lowercaseSeh(word, start, end);
    }
    const name = source.slice(start, end);
    if (this.hasUserMacros && Object.hasOwn(this.userMacros, name)) {
      const invocationEnd = this.argumentsEnd(end) ?? end;
      this.substitute(name, start, invocationEnd, this.userMacros[name]);
      return invocationEnd;
    }
    if (this.dialect === "cpp") {
      const cppEnd = this.cppSpelling(name, start, end);
      if (cppEnd !== undefined) return cppEnd;
    }
    if (!mayBeBuiltinMacro(firstCode)) return this.inCode() ? this.statementMacro(name, start, end) : end;
    const wrapper = typeWrappingMacro(name);
    if (wrapper !== undefined) {
      const unwrapped = this.unwrapType(wrapper, start, end);
      if (unwrapped !== undefined) return unwrapped;
    }
    const treatment = builtinTreatment(name);
    if (treatment !== undefined) {
      const invocationEnd = treatment === "blank-with-arguments" ? (this.argumentsEnd(end) ?? end) : end;
      // `_DRIVER_NAME_` in `DbgPrint("%s", _DRIVER_NAME_)` has the shape of SAL but is a value: it annotates
      // no name before it (`PVOID Other _In_opt_)` does) and no type after it.
      // Likewise `ULONG ATAPI : 1;` is a bit-field named like a linkage macro.
      if (invocationEnd === end && isDecorationByNameShape(name) && VALUE_FOLLOWER.has(this.nextSignificantChar(end)) && (treatment === "blank-name-only" || !isIdentifierStart(this.lastToken.charCodeAt(0)))) return end;
      // `STDAPI DllCanUnloadNow(void)`: a linkage-shaped name with no type before it and the function's
      // name after it carries the type (`NTSTATUS FLTAPI F(` is a calling convention).
      if (invocationEnd === end && treatment === "blank-name-only" && isDecorationByNameShape(name) && !isIdentifierStart(this.lastToken.charCodeAt(0)) && this.namesFunction(end)) return end;
      this.annotations.push({ text: source.slice(start, invocationEnd).replace(/\s+/g, ""), start, end: invocationEnd });
      if (this.braceDepth === 0 && end - start >= 3 && invocationEnd === end && SYNTAX_BOUNDARY.has(this.lastToken) && this.namesFunction(end)) {
        // `__inline Name(...)`: a function of implicit int, whose only specifier was the decoration.
        this.replace(start, end, "int".padEnd(end - start));
        this.identifierBlanked = true;
        return end;
      }
      this.blank(start, invocationEnd);
      this.identifierBlanked = true;
      return invocationEnd;
    }
    const rewrite = keywordRewrite(name);
    if (rewrite !== undefined) {
      this.replace(start, end, rewrite.padEnd(end - start));
      return end;
    }
    if (this.braceDepth === 0 && this.beforeTypedef(end)) {
      // `__PACK typedef struct ...`: only storage keywords may precede `typedef`; a name there is a decoration.
      this.blank(start, end);
      this.identifierBlanked = true;
      return end;
    }
    // In C++ a class or namespace body holds declarations too (`DECLARE_LIBID(x)` in an ATL class).
    if (this.braceDepth === 0 || (this.dialect === "cpp" && !this.inCode())) return ALL_CAPS.test(name) ? this.declarationMacro(name, start, end) : end;
    return this.inCode() ? this.statementMacro(name, start, end) : end;
  }

  /**
   * C++ spellings the grammar does not take, made into ones it does, in place:
   * - `interface IFoo : public IUnknown` (objbase.h's `#define interface struct`) is a struct;
   * - `class ATL_NO_VTABLE CFoo :` (a decoration macro between the class key and its name) loses the decoration;
   * - `new (pool, tag) T *[n]` (an array of pointers, which the grammar cannot read) loses the `*`.
   */
  private cppSpelling(name: string, start: number, end: number): number | undefined {
    const source = this.source;
    const after = this.nextToken(end).next;
    if (name === "interface" && (isIdentifierStart(source.charCodeAt(after)) || source.startsWith("__declspec", after))) {
      this.replace(start, end, "struct".padEnd(end - start));
      return end;
    }
    if ((name === "class" || name === "struct") && ALL_CAPS.test(this.wordAt(after))) {
      const decorationEnd = after + this.wordAt(after).length;
      const following = this.nextToken(decorationEnd).next;
      if (isIdentifierStart(source.charCodeAt(following))) {
        this.blank(after, decorationEnd);
        return decorationEnd;
      }
    }
    // objbase.h's interface-declaring macros in C++: `STDMETHOD(Close)(THIS_ ULONG Flags) PURE;`.
    const comSpelling = COM_CPP_SPELLINGS.get(name);
    if (comSpelling !== undefined) {
      this.replace(start, end, comSpelling.padEnd(end - start));
      return end;
    }
    if (name === "delete" && this.lastToken !== "operator") {
      // `delete[](p);` and `delete [] ((PBYTE) p);`, which the grammar reads as a lambda, become
      // `delete[]+p ;` and `delete []+((PBYTE) p);`: a unary plus is no lambda, and the value is the same.
      const arrayOperand = /^\s*\[\s*\]\s*/.exec(source.slice(end, end + 40));
      const open = arrayOperand === null ? -1 : end + arrayOperand[0].length;
      if (open >= 0 && source.charCodeAt(open) === OPEN_PAREN && isBlankCode(source.charCodeAt(open - 1))) {
        // `delete [] (PBYTE) p;`: the blank before the parenthesis becomes the plus.
        this.deferredEdits.push({ start: open - 1, end: open, text: () => "+" });
        return end;
      }
      const close = open >= 0 && source.charCodeAt(open) === OPEN_PAREN ? this.argumentsEnd(open) : undefined;
      if (close !== undefined && source[this.nextToken(close).next] === ";") {
        this.deferredEdits.push({ start: open, end: open + 1, text: () => "+" });
        this.deferredBlanks.push({ start: close - 1, end: close });
        return end;
      }
    }
    if (!this.inCode() && ALL_CAPS.test(name) && DECORATION_BEFORE_TEMPLATE_TYPE.test(source.slice(end, end + 300))) {
      // `const AVRT_DATA CRegAPOProperties<1> CApo::sm_Properties(...)`: a name before a template type and
      // a declarator is a decoration (a name before `Type<T>::member` would be the type).
      this.blank(start, end);
      this.identifierBlanked = true;
      return end;
    }
    if (name === "new") {
      const pointerArray = /^\s*(?:\([^()]*\))?\s*[\w:<>]+\s*(\*+)\s*\[/.exec(source.slice(end, end + 200));
      if (pointerArray !== null) {
        const stars = end + pointerArray[0].lastIndexOf(pointerArray[1]);
        // Blanked once the text is known: the placement and the type are scanned as usual.
        this.deferredBlanks.push({ start: stars, end: stars + pointerArray[1].length });
        return end;
      }
    }
    return undefined;
  }

  /**
   * Right after `name:` in code: a label, whose statement the grammar requires; a group there splits
   * the labeled statement (`HLPR_BAIL_LABEL: #if DBG ... #endif return status;`).
   */
  private afterLabel(): boolean {
    const before = this.tokenBeforeLast;
    return this.lastToken === ":" && this.inCode() && isIdentifierStart(before.charCodeAt(0)) && !isReservedWord(before, this.dialect);
  }

  /** The identifier starting at `index`, or "". */
  private wordAt(index: number): string {
    let end = index;
    while (end < this.source.length && isIdentifierPart(this.source.charCodeAt(end))) end++;
    return isIdentifierStart(this.source.charCodeAt(index)) ? this.source.slice(index, end) : "";
  }

  /**
   * The COM declaration macros that wrap a type around the declarator (`STDMETHODIMP_(ULONG)`,
   * `STDMETHOD_(ULONG, AddRef)`, `STDMETHOD(QueryInterface)`) become what they expand to, in place:
   * `ULONG`, `ULONG AddRef`, `HRESULT QueryInterface`. Returns the end of the invocation.
   */
  private unwrapType(wrapper: TypeWrapping, start: number, nameEnd: number): number | undefined {
    const source = this.source;
    const invocationEnd = this.argumentsEnd(nameEnd);
    if (invocationEnd === undefined) return undefined;
    const open = source.indexOf("(", nameEnd);
    let inner = source.slice(open + 1, invocationEnd - 1);
    let head = blankKeepingNewlines(source.slice(start, open + 1));
    if (wrapper === "type-and-name") {
      const comma = inner.indexOf(",");
      if (comma < 0) return undefined;
      inner = `${inner.slice(0, comma)} ${inner.slice(comma + 1)}`;
    } else if (wrapper === "hresult-and-name") {
      if (head.length < "HRESULT ".length) return undefined;
      head = "HRESULT".padEnd(head.length);
    }
    this.replace(start, invocationEnd, `${head}${inner} `);
    return invocationEnd;
  }

  /**
   * `NAME(args)` at the start of a statement, where C needs a `;` or a keyword, is a macro the file's
   * headers define as a statement or a loop head: `FREE_POOL(p)` with no `;`, `LIST_FOR_EACH(e, &head) {`,
   * `} WHILE (FALSE);` closing a `do`. Whatever its name, it is made to parse as what its context says:
   * a call statement (a `;` goes into a blank after it), a `while` head, or the `while` of the `do`.
   */
  private statementMacro(name: string, start: number, end: number): number {
    const closedDoBody = this.closedDoBody;
    this.closedDoBody = false;
    if (name === "do") {
      this.doBodyNext = this.nextSignificantChar(end) === "{";
      return end;
    }
    if (isReservedWord(name, this.dialect) || !STATEMENT_BOUNDARY.has(this.lastToken)) return end;
    const invocationEnd = this.argumentsEnd(end);
    if (invocationEnd === undefined) {
      // `TRY {`, `} FINALLY {`: a name alone before a block introduces it; the block stays.
      if (this.source[this.nextToken(end).next] === "{") {
        this.blank(start, end);
        this.identifierBlanked = true;
      }
      return end;
    }
    const { next, crossedNewline } = this.nextToken(invocationEnd);
    const following = this.source[next] ?? "";
    if (closedDoBody && this.lastToken === "}") {
      if (following === ";") this.renameAsKeyword(start, end);
      return end;
    }
    if (following === "{") {
      this.renameAsKeyword(start, end);
      return end;
    }
    if (!crossedNewline && isIdentifierStart(this.source.charCodeAt(next))) return this.typeMacro(end, invocationEnd, next);
    if (!crossedNewline && following !== "}" && following !== "") return end;
    if (following !== "}" && following !== "#" && following !== "" && !isIdentifierStart(this.source.charCodeAt(next))) return end;
    this.terminateStatement(start, invocationEnd, next, following === "#");
    return end;
  }

  /**
   * `SPB_TRANSFER_LIST_AND_ENTRIES(2) Sequence;`: a macro that expands to a type, declaring a variable.
   * Its arguments are blanked and its name stays as the type's.
   */
  private typeMacro(nameEnd: number, invocationEnd: number, declaratorStart: number): number {
    let declaratorEnd = declaratorStart;
    while (isIdentifierPart(this.source.charCodeAt(declaratorEnd))) declaratorEnd++;
    const after = this.source[this.nextToken(declaratorEnd).next] ?? "";
    if (after !== ";" && after !== "=" && after !== "[" && after !== ",") return nameEnd;
    this.blank(nameEnd, invocationEnd);
    return invocationEnd;
  }

  /** The macro name of a loop head becomes `while` (or `if`, when the name is shorter), padded to its length. */
  private renameAsKeyword(start: number, end: number): void {
    const length = end - start;
    if (length < 2) return;
    this.replace(start, end, (length >= 5 ? "while" : "if").padEnd(length));
  }

  /**
   * Puts the missing `;` of the statement `source[start, invocationEnd)` into a blank: right after it,
   * else just before the next token (on a later line), else the invocation moves one column left.
   */
  private terminateStatement(start: number, invocationEnd: number, next: number, nextIsDirective: boolean): void {
    const source = this.source;
    const isBlank = (index: number): boolean => {
      const code = source.charCodeAt(index);
      return code === SPACE || code === TAB || code === CARRIAGE_RETURN;
    };
    this.terminatedStatementEnd = invocationEnd;
    const semicolonAt = (at: number): void => {
      this.reservedBlanks.add(at);
      this.deferredEdits.push({ start: at, end: at + 1, text: () => ";" });
    };
    if (isBlank(invocationEnd)) return semicolonAt(invocationEnd);
    if (!nextIsDirective && next < source.length && (source.charCodeAt(next - 1) === SPACE || source.charCodeAt(next - 1) === TAB)) {
      // The first blank of the indentation: those next to the token stay free for its own rewrite.
      let first = next - 1;
      while (source.charCodeAt(first - 1) === SPACE || source.charCodeAt(first - 1) === TAB) first--;
      return semicolonAt(first);
    }
    // The invocation's last line (all of it when it has one) moves; its newlines stay where they are.
    const lastLineStart = source.lastIndexOf("\n", invocationEnd - 1) + 1;
    let moving = Math.max(start, lastLineStart);
    while (moving < invocationEnd && isBlank(moving)) moving++;
    if (moving > 0 && isBlank(moving - 1) && !this.reservedBlanks.has(moving - 1)) {
      this.deferredEdits.push({ start: moving - 1, end: invocationEnd, text: (current) => current.slice(1) + ";" });
    }
  }

  /** The index of the next token after `index` (past blanks and comments), and whether a line ended before it. */
  private nextToken(index: number): { next: number; crossedNewline: boolean } {
    const source = this.source;
    let at = index;
    let crossedNewline = false;
    while (at < source.length) {
      const code = source.charCodeAt(at);
      if (code === LINE_FEED) {
        crossedNewline = true;
        at++;
      } else if (code === SPACE || code === TAB || code === CARRIAGE_RETURN || code === 11 || code === 12) {
        at++;
      } else if (code === SLASH && (source.charCodeAt(at + 1) === SLASH || source.charCodeAt(at + 1) === STAR)) {
        at = this.skipComment(at, false);
      } else {
        break;
      }
    }
    return { next: at, crossedNewline };
  }

  private beforeTypedef(index: number): boolean {
    const next = this.nextToken(index).next;
    return this.source.startsWith("typedef", next) && !isIdentifierPart(this.source.charCodeAt(next + 7));
  }

  /** Whether the text after `index` is a name followed by `(`, the name being no keyword or known macro. */
  private namesFunction(index: number): boolean {
    const source = this.source;
    const next = this.nextToken(index).next;
    if (!isIdentifierStart(source.charCodeAt(next))) return false;
    let nameEnd = next;
    while (isIdentifierPart(source.charCodeAt(nameEnd))) nameEnd++;
    const name = source.slice(next, nameEnd);
    if (isReservedWord(name, this.dialect) || builtinTreatment(name) !== undefined) return false;
    return source[this.nextToken(nameEnd).next] === "(";
  }

  /**
   * A file-scope line that is only `NAME(args)` with no `;` (WDF_DECLARE_CONTEXT_TYPE_WITH_NAME):
   * a macro that expands to declarations. Left in place it swallows the next declaration.
   */
  private declarationMacro(name: string, start: number, end: number): number {
    const source = this.source;
    const lineStart = source.lastIndexOf("\n", start - 1) + 1;
    if (source.slice(lineStart, start).trim() !== "" || this.lastToken === "typedef") return end;
    // `WDF_DECLARE_CONTEXT_TYPE_WITH_NAME` alone on its line, its `(` on the next one.
    const nameLineEnd = source.indexOf("\n", end);
    const argumentsOnNextLine = nameLineEnd >= 0 && source.slice(end, nameLineEnd).trim() === "" && source[this.nextToken(end).next] === "(";
    const invocationEnd = this.argumentsEnd(argumentsOnNextLine ? this.nextToken(end).next : end);
    if (invocationEnd === undefined) return end;
    const newline = source.indexOf("\n", invocationEnd);
    const restOfLine = source.slice(invocationEnd, newline < 0 ? source.length : newline);
    if (restOfLine.replace(/\/\/.*$/, "").replace(/\/\*.*?\*\//g, "").trim() !== "") return end;
    const next = source[this.nextToken(invocationEnd).next] ?? "";
    if (next === "{" || next === ";" || next === "," || next === "=" || next === ")") return end;
    // A C++ constructor's member initializers follow its head on the next line.
    if (this.dialect === "cpp" && next === ":") return end;
    // Not an annotation: recording it would attach it to the declaration that follows.
    this.blank(start, invocationEnd);
    this.identifierBlanked = true;
    return invocationEnd;
  }

  /**
   * `try`, `finally`, `except`, `leave` (excpt.h's macros for the SEH keywords), where the code
   * around them says they are used that way, become `__try`... The two extra characters are taken
   * from the blanks before the keyword on its line, else from the first blanks after it on the line
   * (`} except(F( a, b))` becomes `}__except(F(a,b))`): only what lies between moves.
   */
  private lowercaseSeh(word: string, start: number, end: number): number {
    const source = this.source;
    const before = this.lastToken;
    const after = source[this.nextToken(end).next] ?? "";
    const used =
      (word === "try" && after === "{") ||
      (word === "finally" && before === "}" && after === "{") ||
      (word === "except" && before === "}" && after === "(") ||
      (word === "leave" && after === ";");
    if (!used) return end;
    const isBlank = (index: number): boolean => (source.charCodeAt(index) === SPACE || source.charCodeAt(index) === TAB) && !this.reservedBlanks.has(index);
    let spanStart = start;
    while (spanStart - 1 >= this.copiedUpTo && isBlank(spanStart - 1)) spanStart--;
    const blanksBefore = start - spanStart;
    const takenBefore = Math.min(2, blanksBefore);
    let stillNeeded = 2 - takenBefore;
    let spanEnd = end;
    // Past the keyword only plain code moves: no literal, comment, brace or statement end.
    while (stillNeeded > 0 && spanEnd < source.length && !"\r\n\"'/{};".includes(source[spanEnd])) {
      if (isBlank(spanEnd)) stillNeeded--;
      spanEnd++;
    }
    if (stillNeeded > 0) return end;
    let removable = 2 - takenBefore;
    let moved = "";
    for (let index = end; index < spanEnd; index++) {
      if (removable > 0 && isBlank(index)) removable--;
      else moved += source[index];
    }
    this.replace(spanStart, spanEnd, " ".repeat(blanksBefore - takenBefore) + `__${word}` + moved);
    for (const char of moved) {
      if (char === "(") this.parenDepth++;
      else if (char === ")") this.parenDepth--;
    }
    this.identifierBlanked = true;
    this.lastToken = moved.trim() === "" ? word : moved.trim()[moved.trim().length - 1];
    return spanEnd;
  }

  private nextSignificantChar(index: number): string {
    let at = index;
    while (at < this.source.length && /\s/.test(this.source[at])) at++;
    return at < this.source.length ? this.source[at] : "";
  }

  private substitute(name: string, start: number, end: number, replacement: string): void {
    this.annotations.push({ text: this.source.slice(start, end).replace(/\s+/g, ""), start, end });
    const invocation = this.source.slice(start, end);
    if (replacement.length > invocation.length) {
      this.problems.push({ message: `The replacement of macro ${name} is longer than its invocation; it was blanked instead`, start, end });
      this.blank(start, end);
      return;
    }
    this.replace(start, end, replacement + blankKeepingNewlines(invocation.slice(replacement.length)));
  }

  /** The end of a balanced `( ... )` right after a macro name, or undefined when there is none. */
  private argumentsEnd(nameEnd: number): number | undefined {
    const source = this.source;
    let index = nameEnd;
    while (source.charCodeAt(index) === SPACE || source.charCodeAt(index) === TAB) index++;
    if (source.charCodeAt(index) !== OPEN_PAREN) return undefined;
    const limit = Math.min(source.length, index + MAX_ARGUMENT_LENGTH);
    let depth = 0;
    while (index < limit) {
      const code = source.charCodeAt(index);
      if (code === OPEN_PAREN) {
        depth++;
        index++;
      } else if (code === CLOSE_PAREN) {
        depth--;
        index++;
        if (depth === 0) return index;
      } else if (code === DOUBLE_QUOTE || code === SINGLE_QUOTE) {
        this.branchStarts('"');
        this.nameRun.count = 0;
        index = this.skipLiteral(index);
      } else if (code === SLASH && (source.charCodeAt(index + 1) === SLASH || source.charCodeAt(index + 1) === STAR)) {
        index = this.skipComment(index, false);
      } else if (code === 59 /* ; */ || code === 123 /* { */ || code === 125 /* } */) {
        return undefined;
      } else {
        index++;
      }
    }
    return undefined;
  }

  /** The end of the logical line starting at `start` (before its newline), following `\` continuations. */
  private lineEnd(start: number): number {
    const source = this.source;
    let index = start;
    for (;;) {
      const newline = source.indexOf("\n", index);
      if (newline < 0) return source.length;
      let before = newline - 1;
      if (source.charCodeAt(before) === CARRIAGE_RETURN) before--;
      if (source.charCodeAt(before) !== BACKSLASH) return newline;
      index = newline + 1;
    }
  }

  private directiveName(hashIndex: number): { name: string; nameStart: number; nameEnd: number } {
    const source = this.source;
    let nameStart = hashIndex + 1;
    while (source.charCodeAt(nameStart) === SPACE || source.charCodeAt(nameStart) === TAB) nameStart++;
    let nameEnd = nameStart;
    while (nameEnd < source.length && isIdentifierPart(source.charCodeAt(nameEnd))) nameEnd++;
    return { name: source.slice(nameStart, nameEnd), nameStart, nameEnd };
  }

  /** Handles a directive outside dead regions; returns the index of its line end. */
  private liveDirective(hashIndex: number): number {
    const lineStart = this.source.lastIndexOf("\n", hashIndex) + 1;
    const end = this.lineEnd(hashIndex);
    const { name, nameEnd } = this.directiveName(hashIndex);
    const groups = this.groups;
    const top = groups.length > 0 ? groups[groups.length - 1] : undefined;
    switch (name) {
      case "if":
      case "ifdef":
      case "ifndef": {
        const expression = this.source.slice(nameEnd, end);
        // The build's definitions first, then what the language itself defines (`__cplusplus`).
        const value =
          this.decide(name, expression) ??
          (name === "if" ? dialectCondition(expression, this.dialect) : mapDefined(dialectCondition(expression, this.dialect), name === "ifndef"));
        if (value === false) {
          groups.push("skipping");
          this.startDeadRegion(lineStart);
        } else if (value === true) {
          groups.push("taken");
          this.blank(lineStart, end);
        } else {
          groups.push("unknown");
        }
        const group: OpenGroup | undefined =
          value === undefined ? { ifStart: lineStart, ifEnd: end, before: this.scanState(), splitsSyntax: this.parenDepth > 0 || !SYNTAX_BOUNDARY.has(this.lastToken) || this.afterLabel() } : undefined;
        this.openGroups.push(group);
        this.branchWithoutToken = group;
        break;
      }
      case "elif":
      case "elifdef":
      case "elifndef":
      case "else": {
        if (top === "taken" || top === "after-skip") {
          groups[groups.length - 1] = "dead-rest";
          this.startDeadRegion(lineStart);
        }
        const group = this.openGroups[this.openGroups.length - 1];
        if (top === "unknown" && group !== undefined) {
          this.endBranch(group);
          group.alternativeStart ??= lineStart;
          this.restoreScanState(group.before);
          this.branchWithoutToken = group;
        }
        break;
      }
      case "endif": {
        groups.pop();
        if (top === "taken" || top === "after-skip") this.blank(lineStart, end);
        else this.blankTrailingTokens(nameEnd, end);
        const group = this.openGroups.pop();
        if (this.branchWithoutToken === group) this.branchWithoutToken = undefined;
        if (top === "unknown" && group !== undefined) this.endGroup(group, end);
        break;
      }
      case "pragma":
        // Compiler instructions, which MSVC code places anywhere (between a function's return type and
        // its name, inside expressions): nothing the analysis reads, and a parse error where tree-sitter meets one.
        this.blank(lineStart, end);
        break;
      case "define":
      case "undef": {
        // The file's own definition wins over the build's from here on.
        this.evaluator?.forget(/^\s*(\w*)/.exec(this.source.slice(nameEnd, end))![1]);
        // Between a function's head and its body, where the grammar takes no directive, the macro is dropped.
        if (this.braceDepth === 0 && this.lastToken === ")" && this.source[this.nextToken(end).next] === "{") {
          this.blank(lineStart, end);
          return end;
        }
        if (name === "undef") return end;
        this.namedVariadicParameter(nameEnd, end);
        const definitionEnd = this.blankCommentsInContinuedDefinition(nameEnd, end);
        this.markEmptyBody(nameEnd, definitionEnd);
        return definitionEnd;
      }
      default:
        break;
    }
    if (name === "else" && this.deadFrom < 0) this.blankTrailingTokens(nameEnd, end);
    return end;
  }

  /** GCC's named variadic parameter, `#define PRINT(fmt, args...)`, becomes the standard `...`. */
  private namedVariadicParameter(directiveNameEnd: number, directiveEnd: number): void {
    const source = this.source;
    let index = directiveNameEnd;
    while (isBlankCode(source.charCodeAt(index))) index++;
    while (index < directiveEnd && isIdentifierPart(source.charCodeAt(index))) index++;
    if (source.charCodeAt(index) !== OPEN_PAREN) return;
    const close = source.indexOf(")", index);
    if (close < 0 || close >= directiveEnd) return;
    const named = /(\w+)\s*\.\.\.\s*$/.exec(source.slice(index + 1, close));
    if (named === null) return;
    const start = index + 1 + named.index;
    this.replace(start, close, "...".padEnd(close - start));
  }

  /**
   * `#define TRACE(x)` followed by blanks and no body: tree-sitter takes the next line for the body
   * (an `#endif`, a declaration). Its last blank becomes `;`, a body the frontend treats as empty.
   */
  private markEmptyBody(directiveNameEnd: number, definitionEnd: number): void {
    const source = this.source;
    let index = directiveNameEnd;
    while (isBlankCode(source.charCodeAt(index))) index++;
    while (index < definitionEnd && isIdentifierPart(source.charCodeAt(index))) index++;
    if (source.charCodeAt(index) === OPEN_PAREN) {
      const close = source.indexOf(")", index);
      if (close < 0 || close >= definitionEnd) return;
      index = close + 1;
    }
    let bodyEnd = definitionEnd;
    if (source.charCodeAt(bodyEnd - 1) === CARRIAGE_RETURN) bodyEnd--;
    if (bodyEnd <= index || index < this.copiedUpTo) return;
    for (let at = index; at < bodyEnd; at++) if (!isBlankCode(source.charCodeAt(at))) return;
    this.replace(bodyEnd - 1, bodyEnd, ";");
  }

  /** `#endif _HEADER_H_`: MSVC ignores the tokens after `#endif` and `#else`; the grammar does not. */
  private blankTrailingTokens(nameEnd: number, lineEnd: number): void {
    let index = nameEnd;
    while (index < lineEnd && /\s/.test(this.source[index])) index++;
    if (index >= lineEnd || this.source.startsWith("//", index) || this.source.startsWith("/*", index)) return;
    let tokensEnd = index;
    while (tokensEnd < lineEnd && !this.source.startsWith("//", tokensEnd) && !this.source.startsWith("/*", tokensEnd)) tokensEnd++;
    this.blank(index, tokensEnd);
  }

  /**
   * A block comment followed by a line continuation in a `#define` (WPP's `WPP_DEFINE_BIT(X) /* bit 0 *\/ \`)
   * ends tree-sitter's macro body there; blanked, the body is whole. Returns the directive's end,
   * which a comment spanning lines pushes to the end of its last line.
   */
  private blankCommentsInContinuedDefinition(nameEnd: number, directiveEnd: number): number {
    const source = this.source;
    let lineEnd = directiveEnd;
    let index = nameEnd;
    while (index < lineEnd) {
      const code = source.charCodeAt(index);
      if (code === DOUBLE_QUOTE || code === SINGLE_QUOTE) {
        index = this.skipLiteral(index);
      } else if (code === SLASH && source.charCodeAt(index + 1) === STAR) {
        const commentEnd = this.skipComment(index, false);
        // The directive goes on to the end of the line where the comment ends.
        if (commentEnd > lineEnd) lineEnd = this.lineEnd(commentEnd);
        // A comment spanning lines continues the definition (comments go before directives end):
        // each of its line ends becomes a continuation.
        const blanked = blankKeepingNewlines(source.slice(index, commentEnd)).replace(/ (\r?\n)/g, "\\$1");
        this.replace(index, commentEnd, blanked);
        index = commentEnd;
      } else {
        index++;
      }
    }
    return lineEnd;
  }

  /**
   * The first token of a conditional branch: one that continues what precedes the group
   * (`else`, a binary operator, `,`, `)`) means the group splits a statement or expression.
   */
  private branchStarts(token: string): void {
    const group = this.branchWithoutToken;
    if (group === undefined) return;
    this.branchWithoutToken = undefined;
    if (token === "else" || CONTINUATION_START.has(token)) group.splitsSyntax = true;
  }

  /** A brace or parenthesis opened before a conditional group closed inside it: the group splits what it is in. */
  private closedBeforeGroups(): void {
    for (const group of this.openGroups) {
      if (group !== undefined && (this.braceDepth < group.before.braceDepth || this.parenDepth < group.before.parenDepth)) group.splitsSyntax = true;
    }
  }

  private scanState(): ScanState {
    return { braceDepth: this.braceDepth, parenDepth: this.parenDepth, codeBraces: [...this.codeBraces], doBodies: [...this.doBodies], lastToken: this.lastToken };
  }

  private restoreScanState(state: ScanState): void {
    this.braceDepth = state.braceDepth;
    this.parenDepth = state.parenDepth;
    this.codeBraces.splice(0, this.codeBraces.length, ...state.codeBraces);
    this.doBodies.splice(0, this.doBodies.length, ...state.doBodies);
    this.lastToken = state.lastToken;
  }

  private endBranch(group: OpenGroup): void {
    const splits = this.braceDepth !== group.before.braceDepth || this.parenDepth !== group.before.parenDepth || !SYNTAX_BOUNDARY.has(this.lastToken);
    if (splits) group.splitsSyntax = true;
    group.afterFirst ??= this.scanState();
  }

  /**
   * A group that splits a statement, an expression, an initializer or a function head between its
   * branches (`if (a &&` `#if X` `b)` `#else` `c)` `#endif`, `} else` `#endif` `{`) has no syntax tree of
   * its own: its first branch is kept as plain code, the directives and the other branches are blanked,
   * and the scan goes on from the end of that first branch.
   */
  private endGroup(group: OpenGroup, endifEnd: number): void {
    this.endBranch(group);
    if (!group.splitsSyntax) return;
    const endifLineStart = this.source.lastIndexOf("\n", endifEnd - 1) + 1;
    this.deferredBlanks.push({ start: group.ifStart, end: group.ifEnd }, { start: group.alternativeStart ?? endifLineStart, end: endifEnd });
    if (group.afterFirst !== undefined) this.restoreScanState(group.afterFirst);
  }

  private startDeadRegion(start: number): void {
    this.deadFrom = start;
    this.deadNesting = 0;
  }

  /** Handles one line inside a dead region (starting at `lineStart`); returns the index of its line end. */
  private deadLine(lineStart: number): number {
    const source = this.source;
    let index = lineStart;
    while (source.charCodeAt(index) === SPACE || source.charCodeAt(index) === TAB) index++;
    if (source.charCodeAt(index) !== HASH) {
      const newline = source.indexOf("\n", index);
      return newline < 0 ? source.length : newline;
    }
    const end = this.lineEnd(index);
    const { name, nameStart, nameEnd } = this.directiveName(index);
    if (name === "if" || name === "ifdef" || name === "ifndef") {
      this.deadNesting++;
      return end;
    }
    if (this.deadNesting > 0) {
      if (name === "endif") this.deadNesting--;
      return end;
    }
    const groups = this.groups;
    const mode = groups[groups.length - 1];
    if (name === "endif") {
      groups.pop();
      this.openGroups.pop();
      this.endDeadRegion(end);
    } else if (mode === "skipping" && (name === "else" || name === "elif" || name === "elifdef" || name === "elifndef")) {
      const value = name === "else" ? true : this.decide(name, source.slice(nameEnd, end));
      if (value === true) {
        groups[groups.length - 1] = "after-skip";
        this.endDeadRegion(end);
      } else if (value === undefined) {
        // The first live alternative becomes a plain `#if`, so tree-sitter sees a well-formed group.
        groups[groups.length - 1] = "rewritten";
        this.blank(this.deadFrom, lineStart);
        this.deadFrom = -1;
        this.replace(nameStart, nameEnd, name.slice(2) + "  ");
      }
    }
    return end;
  }

  private endDeadRegion(end: number): void {
    this.blank(this.deadFrom, end);
    this.deadFrom = -1;
  }
}

/** `#ifdef` (or `#ifndef`, negated) of a name whose definedness is known. */
function mapDefined(defined: boolean | undefined, negate: boolean): boolean | undefined {
  return defined === undefined ? undefined : defined !== negate;
}

/**
 * `dialect` says which language's predefined macros hold: in C, `__cplusplus` is undefined and the
 * code it guards is dead. `definitions` are the build's (`#ifdef DBG` decided on them).
 */
export function preprocess(source: string, userMacros: Readonly<Record<string, string>> = {}, dialect: Dialect = "c", definitions?: KnownDefinitions): PreprocessedSource {
  return new Preprocessor(source, userMacros, dialect, definitions).run();
}
