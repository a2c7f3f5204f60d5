// The language-neutral intermediate representation every frontend lowers to.
// The engine reads only this: it never sees a syntax tree (ENGINE.md, invariant 1).

/** Zero-based line and UTF-16 column, as LSP counts them. */
export interface Position {
  line: number;
  column: number;
}

export interface SourceRange {
  start: Position;
  end: Position;
}

/**
 * Expressions, reduced to what the typestate engine can reason about. Everything
 * else becomes `unknown` (whose sub-expressions are still evaluated for their calls).
 */
export type Expr =
  | { kind: "var"; name: string; range: SourceRange }
  /** `base->field`, `base.field`, `this.field`: one storage location per (base, field). */
  | { kind: "field"; base: Expr; field: string; op: "->" | "."; range: SourceRange }
  /** `base[index]`; `index` is evaluated for calls, the slot is tracked when it is a constant. */
  | { kind: "index"; base: Expr; index: Expr; range: SourceRange }
  /** `*target` */
  | { kind: "deref"; target: Expr; range: SourceRange }
  /** `&target`: passing `&x` lets the callee write `x` (out parameters). */
  | { kind: "addr"; target: Expr; range: SourceRange }
  /** Literals: `NULL`/`nullptr`/`null`/`undefined` are `null`; `TRUE`/`FALSE` numbers or booleans. */
  | { kind: "const"; value: number | boolean | string | null; range: SourceRange }
  /**
   * `handled`: an exception from this call would be handled in this function (a `try` with a
   * `catch` or `finally` encloses it), so a callee that always throws does not leave the function here.
   */
  | { kind: "call"; callee: Callee; args: Expr[]; range: SourceRange; handled?: boolean; finallyExit?: FinallyExit }
  | { kind: "unary"; op: "!" | "-" | "~" | "+"; operand: Expr; range: SourceRange }
  | {
      kind: "binary";
      op: "==" | "!=" | "<" | "<=" | ">" | ">=" | "&" | "|" | "^" | "+" | "-" | "*" | "/" | "%" | "<<" | ">>" | "&&" | "||";
      left: Expr;
      right: Expr;
      range: SourceRange;
    }
  /** `c ? a : b` in value position (in conditions frontends lower it to branches). */
  | { kind: "conditional"; test: Expr; then: Expr; else: Expr; range: SourceRange }
  /** An assignment inside an expression (`if ((p = Alloc(c)) == NULL)`); its value is the assigned value. */
  | { kind: "assign"; target: Expr; value: Expr; range: SourceRange }
  /** `(a, b)`: every part evaluated in order, the value is the last. */
  | { kind: "sequence"; parts: Expr[]; range: SourceRange }
  /** A named function used as a value (a callback passed to an API). */
  | { kind: "function-ref"; name: string; range: SourceRange }
  /**
   * A closure created here (TS arrow/function expression). `captures` are the outer
   * variables it reads; `functionId` names the IrFunction lowered from its body.
   */
  | { kind: "closure"; captures: string[]; functionId: string; range: SourceRange }
  /**
   * Values handed to something that keeps them beyond this function's view: the properties of an
   * object or array literal, a generator's `yield`. `holder` names it for messages.
   */
  | { kind: "kept"; values: Expr[]; holder: string; range: SourceRange }
  /** Anything else; `parts` are sub-expressions still evaluated (for their calls and uses). */
  | { kind: "unknown"; parts: Expr[]; range: SourceRange };

/**
 * Who is called. `name` is what the model is matched on: the identifier for a direct
 * call, the field for a call through an interface table (`Kmcl->VmbPacketFree(p)` has
 * name `VmbPacketFree` and `through` = the `Kmcl` expression), the imported name for a
 * renamed TS import. `name` is undefined for calls through arbitrary expressions.
 */
export interface Callee {
  name?: string;
  through?: Expr;
  /** The callee's own spelling in the source, e.g. `Kmcl->VmbPacketFree`, for quick fixes. */
  text: string;
  /**
   * A member called through an object whose class is not known (C++ `obj->Initialize()`): only an
   * API entry of that name applies (an interface table), never the summary of a function of the
   * workspace that happens to share the member's name.
   */
  member?: boolean;
  range: SourceRange;
}

export type Instr =
  /** `target = value`; `declaration` is set when it declares a local with an initializer (`T p = e;`, `let p = e`). */
  | { kind: "assign"; target: Expr; value: Expr; range: SourceRange; declaration?: boolean }
  /** A declaration without initializer: the variable holds an unknown value from here. */
  | { kind: "declare"; name: string; range: SourceRange }
  /** An expression evaluated for its effects (calls, uses). */
  | { kind: "eval"; expr: Expr; range: SourceRange }
  /** Variables that go out of scope here (block end): handles only they held are lost. */
  | { kind: "scope-end"; names: string[]; range: SourceRange };

export type Terminator =
  | { kind: "goto"; target: number }
  /**
   * Two-way branch on a condition; `&&`, `||`, `!`, `?:` in conditions are already lowered to branches.
   * `text`: the condition as the source spells it (macros unexpanded), for path notes.
   */
  | { kind: "branch"; cond: Expr; then: number; else: number; range: SourceRange; text?: string }
  | { kind: "return"; value?: Expr; range: SourceRange }
  /** An exception leaving the function (not caught inside it). */
  | { kind: "throw"; value?: Expr; range: SourceRange }
  /** No successor: dead end (e.g. after a call to a no-return function). */
  | { kind: "unreachable" };

export interface BasicBlock {
  id: number;
  instrs: Instr[];
  terminator: Terminator;
  /** Set on the header block of a loop (the target of back edges). */
  loopHeader?: boolean;
  /** Why control reached this block, as a path step ("branch taken", "case 2"...). */
  label?: string;
}

export interface Parameter {
  name: string;
  /** The declared type spelling, e.g. `VMBPACKETCOMPLETION` or `PVOID`; undefined when absent (JS). */
  typeName?: string;
  /** A pointer to const (`const char *text`): the function only reads what it points to. */
  pointeeConst?: boolean;
  /** Annotations found on the parameter (SAL: `__drv_freesMem(Mem)`, `_In_`...), normalized without arguments' spaces. */
  annotations: string[];
  range: SourceRange;
}

/** The source language: `cpp` is C++ (its own frontend and language pack; otherwise as C). */
export type SourceLanguage = "c" | "cpp" | "ts";

export interface IrFunction {
  /** Unique in the file; for methods `Class.method`, for closures `outer#n`. */
  id: string;
  /** The name callers use (C function name, TS function/method name). */
  name: string;
  /** The name reports give it when `name` alone is ambiguous (`Nic.open`, `send#2`); default: `name`. */
  qualifiedName?: string;
  file: string;
  language: SourceLanguage;
  params: Parameter[];
  /** Return type spelling, if any. */
  returnType?: string;
  /** Annotations on the declaration itself (SAL on the return, role typedefs `EVT_VMB_...`). */
  annotations: string[];
  blocks: BasicBlock[];
  entry: number;
  range: SourceRange;
  nameRange: SourceRange;
  /** True for closures analyzed on their own; their captures are escapes of the creator. */
  isClosure?: boolean;
  /**
   * For a closure: the creator's variables it refers to. What the closure does to them, a call to it
   * from the creator does to the creator's own variables (a local helper closure that frees a packet).
   */
  captures?: string[];
}

/** A declaration without body (a prototype in a header): feeds the SAL-learned model. */
export interface IrDeclaration {
  name: string;
  file: string;
  params: Parameter[];
  returnType?: string;
  annotations: string[];
  range: SourceRange;
}

/** `// vmbguard-disable-next-line a, b` or `// vmbguard-disable-line a` */
export interface Suppression {
  /** The line the suppression applies to (zero-based). */
  line: number;
  rules: string[];
  range: SourceRange;
}

export interface ParseProblem {
  message: string;
  range: SourceRange;
}

/** A variable defined (not only declared `extern`) at file scope. */
export interface IrGlobal {
  name: string;
  /** Its literal initial value, when it has one. */
  value?: number | null;
  /** Declared `const`: no function may change it. */
  isConst: boolean;
  /** Declared `static`: private to its file, a different variable from any namesake elsewhere. */
  isStatic: boolean;
}

export interface IrFile {
  file: string;
  language: SourceLanguage;
  functions: IrFunction[];
  declarations: IrDeclaration[];
  /** File-scope variables: the analysis takes a global no function writes as the constant it starts as. */
  globals?: IrGlobal[];
  /** Role declarations such as `EVT_VMB_CHANNEL_PROCESS_PACKET MyProcessPacket;`: function name to role typedef. */
  roles: { functionName: string; role: string; range: SourceRange }[];
  suppressions: Suppression[];
  /** Syntax errors and skipped regions; the rest of the file is still lowered. */
  problems: ParseProblem[];
}

/**
 * How the `__try` was left for which a copy of its `__finally` body runs (the body is copied on
 * every way out): by its end or `__leave`, or abnormally (a jump out of it, an exception). A call
 * in such a copy carries it: it is what `AbnormalTermination()` answers there.
 */
export type FinallyExit = "normal" | "abnormal";

/** The source spelling of a storage location (`p`, `ctx->Packet`, `this.pending[0]`), for messages and fixes. */
export function locationText(expr: Expr): string | undefined {
  switch (expr.kind) {
    case "var":
      return expr.name;
    case "field": {
      const base = locationText(expr.base);
      return base === undefined ? undefined : `${base}${expr.op}${expr.field}`;
    }
    case "index": {
      const base = locationText(expr.base);
      const index = expr.index.kind === "const" ? String(expr.index.value) : locationText(expr.index);
      return base === undefined || index === undefined ? undefined : `${base}[${index}]`;
    }
    case "deref": {
      const target = locationText(expr.target);
      return target === undefined ? undefined : `*${target}`;
    }
    default:
      return undefined;
  }
}
