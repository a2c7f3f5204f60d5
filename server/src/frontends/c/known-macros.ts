// Which identifiers are annotation or decoration macros that the C grammar cannot parse
// (SAL, driver annotations, calling conventions, linkage), and whether they take arguments.

export type MacroTreatment =
  /** Blanked; a parenthesized argument list right after the name is part of the invocation. */
  | "blank-with-arguments"
  /** Blanked; never takes arguments (a following parenthesis belongs to the code). */
  | "blank-name-only";

/** Decorations that never take arguments. */
const NAME_ONLY = new Set([
  "NTAPI",
  "WINAPI",
  "APIENTRY",
  "CALLBACK",
  "STDMETHODCALLTYPE",
  "FASTCALL",
  "FORCEINLINE",
  "__forceinline",
  "__inline",
  "__stdcall",
  "__cdecl",
  "__fastcall",
  // The old single-underscore spellings MSVC still accepts.
  "_stdcall",
  "_cdecl",
  "_fastcall",
  "_inline",
  "__clrcall",
  "__vectorcall",
  "__thiscall",
  "EXTERN_C",
  "EXTERN_C_START",
  "EXTERN_C_END",
  "PAGED_CODE_SEG",
  "INIT_CODE_SEG",
  "NONPAGED_CODE_SEG",
  "LOCKED_CODE_SEG",
  "PAGED_CODE_SEG_BEGIN",
  "PAGED_CODE_SEG_END",
  "INIT_CODE_SEG_BEGIN",
  "INIT_CODE_SEG_END",
  // Old DDK parameter decorations (`IN PVOID Context OPTIONAL`).
  "IN",
  "OUT",
  "OPTIONAL",
  "INOUT",
]);

/** Modern SAL: `_In_`, `_Out_writes_bytes_opt_(n)`, `_IRQL_requires_max_(DISPATCH_LEVEL)`... */
const MODERN_SAL = /^_[A-Z][A-Za-z0-9_]*_$/;

/** Legacy SAL (`__in`, `__out_bcount(n)`, `__checkReturn`...), without catching `__inline` or `__int64`. */
const LEGACY_SAL =
  /^__(?:in|out|inout|deref|ecount|bcount|xcount|field|range|typefix|success|checkReturn|reserved|nullterminated|nullnullterminated|callback|format_string|control_entrypoint|notnull|maybenull|readonly|kernel_entry|user_driver|post|pre)(?:_[A-Za-z0-9_]*)?$/;

/** Same-length rewrites that make a macro parse as the keyword it stands for. */
const KEYWORD_REWRITES: ReadonlyMap<string, string> = new Map([["CONST", "const"]]);

export function builtinTreatment(name: string): MacroTreatment | undefined {
  if (NAME_ONLY.has(name)) return "blank-name-only";
  if (name.startsWith("__drv_") || name === "__declspec" || name.startsWith("DECLSPEC_")) return "blank-with-arguments";
  if (MODERN_SAL.test(name) || LEGACY_SAL.test(name)) return "blank-with-arguments";
  return undefined;
}

export function keywordRewrite(name: string): string | undefined {
  return KEYWORD_REWRITES.get(name);
}

/** A cheap first look: only names starting with `_` or an uppercase letter can be built-in macros. */
export function mayBeBuiltinMacro(firstCharCode: number): boolean {
  return firstCharCode === 95 /* _ */ || (firstCharCode >= 65 && firstCharCode <= 90);
}
