// Test helper: a seeded generator of WDK-dialect C. Each file declares and defines functions that
// combine, at random, the shapes real drivers use: SAL 2 on functions and parameters, decorations,
// role declarations, WDF declaration macros, WPP tracing and its configuration block, pragmas,
// SEH (both spellings), MSVC literals, version #if groups that split a statement, and call-like
// macros the file never defines (statement macros without `;`, loop heads, block macros) under
// invented names, so that what is tested is the mechanism and not a list of names.

/** mulberry32: small, seedable, good enough to vary the shapes. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

export interface GeneratedFunction {
  name: string;
  /** The undefined call-like macros used as statements in its body: each must be lowered as a call. */
  statementMacros: string[];
}

export interface GeneratedFile {
  text: string;
  functions: GeneratedFunction[];
}

const SYLLABLES = ["QA", "POOL", "RING", "FREE", "TRACE", "LOG", "CHECK", "RELEASE", "LOCK", "ENTRY", "BUF", "CTX", "SAFE", "STEP", "DROP"];

class DialectWriter {
  private readonly random: () => number;
  private readonly lines: string[] = [];
  private readonly functions: GeneratedFunction[] = [];
  private macroCounter = 0;

  constructor(seed: number) {
    this.random = seededRandom(seed);
  }

  private chance(probability: number): boolean {
    return this.random() < probability;
  }

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)];
  }

  /** A fresh macro name in one of the spellings drivers use: ALL_CAPS or CamelCase. */
  private macroName(): string {
    const parts = [this.pick(SYLLABLES), this.pick(SYLLABLES), `${this.macroCounter++}`];
    if (this.chance(0.7)) return parts.join("_");
    return parts.map((part) => part[0] + part.slice(1).toLowerCase()).join("");
  }

  fileHeader(): void {
    this.lines.push("#include <ntddk.h>", "#include <wdf.h>", "");
    if (this.chance(0.6)) {
      this.lines.push(
        "#define WPP_CONTROL_GUIDS                                              \\",
        "    WPP_DEFINE_CONTROL_GUID(                                           \\",
        "        QaGenTraceGuid, (9d0c4c1a,3f6e,4b1d,8f2a,5e7d1c0b9a64),        \\",
        "        WPP_DEFINE_BIT(TRACE_DRIVER)   /* bit  0 = 0x00000001 */       \\",
        "        WPP_DEFINE_BIT(TRACE_QUEUE)    /* bit  1 = 0x00000002 */       \\",
        "        /* up to 32 bits; more need another           \\",
        "           control GUID */                                             \\",
        "        )",
        "",
      );
    }
    this.lines.push("typedef struct _QA_GEN_CONTEXT {", "    PVOID Buffer;", "    ULONG Length;", "    LIST_ENTRY Head;", "    ULONG UNALIGNED *Counter;", "} QA_GEN_CONTEXT, *PQA_GEN_CONTEXT;", "");
    if (this.chance(0.7)) this.lines.push("WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(QA_GEN_CONTEXT, QaGenGetContext)");
    if (this.chance(0.7)) this.lines.push("C_ASSERT(sizeof(QA_GEN_CONTEXT) >= sizeof(PVOID));");
    if (this.chance(0.5)) this.lines.push("#ifdef __cplusplus", 'extern "C" {', "#endif");
    this.lines.push("DRIVER_INITIALIZE DriverEntry;", "EVT_WDF_DRIVER_DEVICE_ADD QaGenDeviceAdd;", "");
    if (this.chance(0.5)) this.lines.push("#ifdef __cplusplus", "}", "#endif", "");
  }

  private functionHead(name: string): string[] {
    const head: string[] = [];
    const annotations = [
      "_IRQL_requires_max_(DISPATCH_LEVEL)",
      "_IRQL_requires_same_",
      "_Function_class_(EVT_WDF_IO_QUEUE_IO_READ)",
      "_When_(return >= 0, _At_(Context->Buffer, __drv_allocatesMem(Mem)))",
      "_Success_(return != FALSE)",
      "_Requires_lock_held_(Context->Lock)",
      "_Must_inspect_result_",
      "__declspec(noinline)",
      "DECLSPEC_NOINLINE",
      "_Use_decl_annotations_",
    ];
    for (const annotation of annotations) if (this.chance(0.3)) head.push(annotation);
    if (this.chance(0.2)) head.push("FORCEINLINE");
    head.push(this.pick(["NTSTATUS", "VOID", "BOOLEAN", "NTSTATUS NTAPI"]));
    if (this.chance(0.25)) head.push('#pragma prefast(suppress: 28167, "restored before return")');
    const parameters = [
      "    _Inout_ PQA_GEN_CONTEXT Context",
      this.pick(["    _In_ ULONG Length", "    IN ULONG Length OPTIONAL", "    _In_range_(1, 64) ULONG Length"]),
      this.pick(["    _Out_writes_bytes_(Length) PUCHAR Output", "    _Out_writes_bytes_opt_(Length) PUCHAR Output", "    __out_bcount(Length) PUCHAR Output"]),
    ];
    if (this.chance(0.3)) {
      // Two heads for one body, as drivers write for old and new kits.
      head.push("#if (NTDDI_VERSION >= NTDDI_WIN10)", `${name}(`, parameters.join(",\n"), "    )", "#else", `${name}(`, parameters.slice(0, 2).join(",\n"), "    )", "#endif");
    } else {
      head.push(`${name}(`, parameters.join(",\n"), "    )");
    }
    return head;
  }

  /** One statement of the body (possibly spanning lines), recording the statement macros it uses. */
  private statement(macros: string[], depth: number): string[] {
    const indent = "    ".repeat(depth);
    switch (Math.floor(this.random() * 13)) {
      case 0:
        return [`${indent}TraceEvents(TRACE_LEVEL_INFORMATION, TRACE_DRIVER, "%!FUNC! length %d %!STATUS!", Length, status);`];
      case 1:
        return [`${indent}DoTraceMessage(TRACE_QUEUE, "%!FUNC! %!HRESULT!", (HRESULT)status);`];
      case 2: {
        const macro = this.macroName();
        macros.push(macro);
        // A statement macro the headers define (a free, a check): no `;`, whatever its name.
        return [`${indent}${macro}(Context->Buffer)`];
      }
      case 3: {
        const macro = this.macroName();
        macros.push(macro);
        return [`${indent}${macro}(status,`, `${indent}    Length)`];
      }
      case 4: {
        // A loop head macro (`LIST_FOR_EACH(entry, &head) {`): it becomes a loop, not a call.
        const macro = this.macroName();
        return [`${indent}${macro}(entry, &Context->Head) {`, `${indent}    Length--;`, `${indent}}`];
      }
      case 5:
        return [`${indent}do {`, `${indent}    Length >>= 1;`, `${indent}} ${this.pick(["WHILE", "LOOP_WHILE"])} (Length > 0x10ui64);`];
      case 6:
        return [
          `${indent}__try {`,
          `${indent}    if (Length == 0) {`,
          `${indent}        __leave;`,
          `${indent}    }`,
          `${indent}    Output[0] = (UCHAR)Length;`,
          `${indent}} ${this.pick(["__finally {", "__except (EXCEPTION_EXECUTE_HANDLER) {"])}`,
          `${indent}    status = STATUS_UNSUCCESSFUL;`,
          `${indent}}`,
        ];
      case 7:
        return [`${indent}try {`, `${indent}    Output[1] = 0;`, `${indent}} except(QaGenFilter(GetExceptionInformation())) {`, `${indent}    status = GetExceptionCode();`, `${indent}}`];
      case 8:
        return [
          `${indent}if (Length > 4 ||`,
          "#if (NTDDI_VERSION >= NTDDI_WIN8)",
          `${indent}    Length < 0x1000i64) {`,
          "#else",
          `${indent}    Length < 0x800) {`,
          "#endif",
          `${indent}    status = STATUS_INVALID_PARAMETER;`,
          `${indent}}`,
        ];
      case 9:
        return [`${indent}unsigned __int64 stamp = 0xFFFFFFFFui64;`, `${indent}*(ULONG UNALIGNED *)Output = (ULONG)stamp;`];
      case 10:
        return [`${indent}C_ASSERT(sizeof(ULONG) == 4);`, `${indent}__pragma(warning(suppress: 4127))`, `${indent}Length += 1;`];
      case 11:
        return [`${indent}${this.pick(["TRY", "GUARDED_REGION"])} {`, `${indent}    Length = 0;`, `${indent}} ${this.pick(["FINALLY", "CLEANUP_REGION"])} {`, `${indent}    Output[0] = 0;`, `${indent}}`];
      default:
        return [`${indent}#ifdef DBG`, `${indent}KdPrint(("%s\\n", __FUNCTION__));`, `${indent}#endif`];
    }
  }

  definition(index: number): void {
    const name = `QaGenRoutine${index}`;
    const macros: string[] = [];
    this.lines.push(...this.functionHead(name), "{", "    NTSTATUS status = STATUS_SUCCESS;", "    PLIST_ENTRY entry;", "");
    if (this.chance(0.6)) this.lines.push("    PAGED_CODE();");
    const count = 2 + Math.floor(this.random() * 6);
    for (let statement = 0; statement < count; statement++) {
      this.lines.push(...this.statement(macros, 1));
      if (this.chance(0.3)) this.lines.push("");
    }
    this.lines.push("    UNREFERENCED_PARAMETER(entry);", "    return status;", "}", "");
    this.functions.push({ name, statementMacros: macros });
  }

  pragmas(): void {
    this.lines.push("#ifdef ALLOC_PRAGMA");
    for (const fn of this.functions) this.lines.push(`#pragma alloc_text(PAGE, ${fn.name})`);
    this.lines.push("#endif", "");
  }

  result(): GeneratedFile {
    return { text: this.lines.join("\n"), functions: this.functions };
  }
}

/** A file of `functionCount` function definitions in WDK dialect, the same for the same seed. */
export function generateWdkDialectFile(seed: number, functionCount: number): GeneratedFile {
  const writer = new DialectWriter(seed);
  writer.fileHeader();
  for (let index = 0; index < functionCount; index++) writer.definition(index);
  writer.pragmas();
  return writer.result();
}
