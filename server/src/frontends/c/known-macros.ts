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
  // Pointer decorations of 16-bit Windows, still spelled in user-mode samples (`LRESULT FAR PASCAL`).
  "FAR",
  "NEAR",
  "PASCAL",
  "WINAPIV",
  // `__unaligned` where the grammar accepts it only after `*`: `USHORT UNALIGNED *p`, `(PULONG UNALIGNED)b`.
  "UNALIGNED",
]);

/**
 * Linkage and calling-convention macros of the Windows headers follow one naming scheme:
 * `NTSYSAPI`, `NTSYSCALLAPI`, `FLTAPI`, `WSKAPI`, `NDISAPI`, `SCSIPORT_API`..., and inline
 * markers after `FORCEINLINE`'s model: `ETW_INLINE`, `MCGEN_INLINE`.
 */
const API_DECORATION = /^[A-Z][A-Z0-9]*_?API$|^[A-Z][A-Z0-9]*_INLINE$/;

/** `EXTERN_C_START`, `WDF_EXTERN_C_START`, `EXTERN_C_END`...: `extern "C" {` for C++ only. */
const EXTERN_C_BRACKET = /^(?:[A-Z][A-Z0-9]*_)?EXTERN_C(?:_START|_END)?$/;

/** Whether the name is a decoration by the shape of its name rather than by being listed. */
export function isDecorationByNameShape(name: string): boolean {
  return !NAME_ONLY.has(name) && (API_DECORATION.test(name) || MODERN_SAL.test(name));
}

/** Modern SAL: `_In_`, `_Out_writes_bytes_opt_(n)`, `_IRQL_requires_max_(DISPATCH_LEVEL)`... */
const MODERN_SAL = /^_[A-Z][A-Za-z0-9_]*_$/;

/** Legacy SAL (`__in`, `__out_bcount(n)`, `__checkReturn`...), without catching `__inline` or `__int64`. */
const LEGACY_SAL =
  /^__(?:in|out|inout|deref|ecount|bcount|xcount|field|range|typefix|success|checkReturn|reserved|nullterminated|nullnullterminated|callback|format_string|control_entrypoint|notnull|maybenull|readonly|kernel_entry|user_driver|post|pre|on_failure|requires|acquires|releases|guarded_by|interlocked|has_lock_property|lock_level_order|no_competing_thread)(?:_[A-Za-z0-9_]*)?$/;

/** Rewrites (padded with spaces to the macro's length) that make a macro parse as the keyword it stands for. */
const KEYWORD_REWRITES: ReadonlyMap<string, string> = new Map([
  ["CONST", "const"],
  ["INLINE", "inline"],
  ["__volatile", "volatile"],
  ["__const", "const"],
]);

export function builtinTreatment(name: string): MacroTreatment | undefined {
  if (NAME_ONLY.has(name) || API_DECORATION.test(name) || EXTERN_C_BRACKET.test(name)) return "blank-name-only";
  if (name.startsWith("__drv_") || name === "__declspec" || name.startsWith("DECLSPEC_") || name === "__pragma" || name === "_Pragma") return "blank-with-arguments";
  if (MODERN_SAL.test(name) || LEGACY_SAL.test(name)) return "blank-with-arguments";
  // MIDL's annotations of generated COM headers (`__RPC__in`, `__RPC__deref_out_ecount_full_opt(n)`,
  // `__RPC_USER`) and the analysis attributes (`__analysis_noreturn`).
  if (name.startsWith("__RPC_") || name.startsWith("__analysis_")) return "blank-with-arguments";
  return undefined;
}

export function keywordRewrite(name: string): string | undefined {
  return KEYWORD_REWRITES.get(name);
}

/** A cheap first look: only names starting with `_` or an uppercase letter can be built-in macros. */
export function mayBeBuiltinMacro(firstCharCode: number): boolean {
  return firstCharCode === 95 /* _ */ || (firstCharCode >= 65 && firstCharCode <= 90);
}

/** Keywords of C and of MSVC's C: a name followed by `(` that is one of these is not a macro invocation. */
const RESERVED_WORDS = new Set([
  "if", "else", "while", "for", "do", "switch", "case", "default", "return", "goto", "break", "continue",
  "sizeof", "typeof", "alignof", "_Alignof", "_Alignas", "_Static_assert", "static_assert", "_Generic",
  "__try", "__except", "__finally", "__leave", "__asm", "__asm__", "asm", "__alignof", "__alignof__",
  "__attribute__", "__attribute", "__declspec", "__based", "__typeof__", "__typeof",
  "int", "char", "short", "long", "unsigned", "signed", "float", "double", "void", "struct", "union", "enum",
  "const", "volatile", "static", "extern", "register", "auto", "inline", "typedef", "restrict",
]);

/** What C++ adds: none of these is a macro's name, a declared name or a decoration. */
const CPP_RESERVED_WORDS = new Set([
  "class", "namespace", "template", "typename", "public", "private", "protected", "virtual", "override", "final",
  "friend", "operator", "new", "delete", "this", "throw", "try", "catch", "noexcept", "decltype", "explicit",
  "mutable", "using", "constexpr", "consteval", "constinit", "nullptr", "true", "false", "bool", "wchar_t",
  "char8_t", "char16_t", "char32_t", "static_cast", "dynamic_cast", "reinterpret_cast", "const_cast", "typeid",
  "co_await", "co_return", "co_yield", "concept", "requires", "thread_local", "export", "and", "or", "not",
]);

export function isReservedWord(name: string, dialect: "c" | "cpp" = "c"): boolean {
  return RESERVED_WORDS.has(name) || (dialect === "cpp" && CPP_RESERVED_WORDS.has(name));
}

/** How a COM declaration macro of the SDK wraps a declaration's type (objbase.h, combaseapi.h). */
export type TypeWrapping =
  /** `STDMETHODIMP_(T)`: the type. */
  | "type"
  /** `STDMETHOD_(T, Name)`: the type and the method's name. */
  | "type-and-name"
  /** `STDMETHOD(Name)`: the method's name, returning HRESULT. */
  | "hresult-and-name";

const TYPE_WRAPPING: ReadonlyMap<string, TypeWrapping> = new Map([
  ["STDMETHODIMP_", "type"],
  ["STDMETHODIMPV_", "type"],
  ["IFACEMETHODIMP_", "type"],
  ["STDAPI_", "type"],
  ["STDAPIV_", "type"],
  ["STDMETHOD_", "type-and-name"],
  ["STDMETHODV_", "type-and-name"],
  ["IFACEMETHOD_", "type-and-name"],
  ["STDMETHOD", "hresult-and-name"],
  ["STDMETHODV", "hresult-and-name"],
  ["IFACEMETHOD", "hresult-and-name"],
] as const);

export function typeWrappingMacro(name: string): TypeWrapping | undefined {
  return TYPE_WRAPPING.get(name);
}
