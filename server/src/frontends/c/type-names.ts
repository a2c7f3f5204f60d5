// Whether an identifier names a type. The C grammar cannot tell `(PVOID)&x` (a cast) from
// `(FLAGS) & x` (a bitwise and) without knowing the typedefs, most of which live in headers
// the frontend never sees; the Windows naming conventions decide instead.

const WINDOWS_TYPES = new Set([
  "VOID", "CHAR", "UCHAR", "SHORT", "USHORT", "INT", "UINT", "LONG", "ULONG", "LONGLONG", "ULONGLONG",
  "LONG64", "ULONG64", "INT8", "UINT8", "INT16", "UINT16", "INT32", "UINT32", "INT64", "UINT64",
  "BYTE", "WORD", "DWORD", "DWORD64", "QWORD", "BOOLEAN", "BOOL", "SIZE_T", "SSIZE_T",
  "ULONG_PTR", "LONG_PTR", "UINT_PTR", "INT_PTR", "DWORD_PTR", "HANDLE", "NTSTATUS", "KIRQL", "WCHAR",
  "VMBPACKET", "VMBCHANNEL", "VMBPACKETCOMPLETION", "MDL", "IRP", "GUID",
]);

/** Pointer typedefs (`PVOID`, `PMY_CONTEXT`) and C library `*_t` types. */
const POINTER_TYPEDEF = /^P[A-Z][A-Z0-9_]*$/;
const LIBRARY_TYPE = /^[a-z_][a-z0-9_]*_t$/;
const ALL_CAPS = /^[A-Z][A-Z0-9_]*$/;

export class TypeNames {
  /** @param declared typedef names declared in the file being lowered. */
  constructor(private readonly declared: ReadonlySet<string>) {}

  /** Strong evidence: used to read `(T)&x`, `(T)*p`, `(T)-1` as casts. */
  isType(name: string): boolean {
    return this.declared.has(name) || WINDOWS_TYPES.has(name) || POINTER_TYPEDEF.test(name) || LIBRARY_TYPE.test(name);
  }

  /** Weaker evidence, enough for `(T)(x)`: Windows function names are never all capitals. */
  mayBeType(name: string): boolean {
    return this.isType(name) || ALL_CAPS.test(name);
  }
}
