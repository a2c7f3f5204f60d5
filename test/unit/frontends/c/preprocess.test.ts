import { test } from "node:test";
import assert from "node:assert/strict";
import { preprocess } from "../../../../server/src/frontends/c/preprocess";

function newlineOffsets(text: string): number[] {
  return [...text].flatMap((char, index) => (char === "\n" ? [index] : []));
}

test("annotations become spaces of the same length and are recorded with their offsets", () => {
  const source = [
    "_Must_inspect_result_ __drv_allocatesMem(Mem)",
    "VMBPACKET NTAPI Alloc(_In_ VMBCHANNEL C, _Out_writes_bytes_( n * 2 ) PVOID B,",
    "    _In_ __drv_freesMem(Mem) VMBPACKET P, __in_ecount(n) int *q, __out_opt int *r);",
  ].join("\n");
  const result = preprocess(source);
  assert.equal(result.text.length, source.length);
  assert.deepEqual(newlineOffsets(result.text), newlineOffsets(source));
  assert.deepEqual(
    result.annotations.map((annotation) => annotation.text),
    ["_Must_inspect_result_", "__drv_allocatesMem(Mem)", "NTAPI", "_In_", "_Out_writes_bytes_(n*2)", "_In_", "__drv_freesMem(Mem)", "__in_ecount(n)", "__out_opt"],
  );
  for (const annotation of result.annotations) {
    assert.equal(result.text.slice(annotation.start, annotation.end).trim(), "", `${annotation.text} is blanked`);
    assert.equal(source.slice(annotation.start, annotation.end).replace(/\s+/g, ""), annotation.text);
  }
  assert.match(result.text, /^\s+VMBPACKET/m);
  assert.ok(result.text.includes("VMBCHANNEL C,"));
  assert.ok(result.text.includes("int *q,"));
});

test("an annotation whose arguments span lines keeps its newlines", () => {
  const source = "_When_(return == 0,\n       __drv_allocatesMem(Mem))\nPVOID Get(void);";
  const result = preprocess(source);
  assert.equal(result.text.length, source.length);
  assert.deepEqual(newlineOffsets(result.text), newlineOffsets(source));
  assert.deepEqual(result.annotations.map((annotation) => annotation.text), ["_When_(return==0,__drv_allocatesMem(Mem))"]);
  assert.ok(result.text.endsWith("PVOID Get(void);"));
});

test("decorations and legacy SAL are blanked; look-alike names are not", () => {
  const source = "EXTERN_C __declspec(dllexport) DECLSPEC_NOINLINE __forceinline __int64 __stdcall F(IN __int32 x OPTIONAL, __inout_bcount(4) char *b);";
  const result = preprocess(source);
  assert.deepEqual(
    result.annotations.map((annotation) => annotation.text),
    ["EXTERN_C", "__declspec(dllexport)", "DECLSPEC_NOINLINE", "__forceinline", "__stdcall", "IN", "OPTIONAL", "__inout_bcount(4)"],
  );
  assert.ok(result.text.includes("__int64"));
  assert.ok(result.text.includes("__int32 x"));
});

test("names inside strings, character literals, comments and directives are left alone", () => {
  const source = [
    '#define _In_',
    'const char *s = "_In_ NTAPI \\" _Out_";',
    "char c = '_';",
    "/* _In_ __drv_freesMem(Mem) */",
    "// _Out_ NTAPI",
    "void f(_In_ int x);",
  ].join("\n");
  const result = preprocess(source);
  assert.deepEqual(result.annotations.map((annotation) => annotation.text), ["_In_"]);
  assert.equal(result.annotations[0].start, source.lastIndexOf("_In_"));
  assert.ok(result.text.startsWith("#define _In_\n"));
  assert.equal(result.comments.length, 2);
  assert.equal(source.slice(result.comments[1].start, result.comments[1].end), "// _Out_ NTAPI");
});

test("user macros are written over the invocation and padded; a too long replacement is a problem", () => {
  const source = "MY_DECORATION(a, b) int x; PRIVATE int y; LONG_ONE int z;";
  const result = preprocess(source, { MY_DECORATION: "", PRIVATE: "static", LONG_ONE: "a_much_longer_text" });
  assert.equal(result.text.length, source.length);
  assert.equal(result.text, "                    int x; static  int y;          int z;");
  assert.deepEqual(result.annotations.map((annotation) => annotation.text), ["MY_DECORATION(a,b)", "PRIVATE", "LONG_ONE"]);
  assert.equal(result.problems.length, 1);
  assert.match(result.problems[0].message, /LONG_ONE/);
  assert.equal(result.problems[0].start, source.indexOf("LONG_ONE"));
});

test("CONST is rewritten to the keyword in place", () => {
  assert.equal(preprocess("CONST VOID *p;").text, "const VOID *p;");
});

test("#if 0 regions are blanked with their newlines kept", () => {
  const source = ["int a;", "#if 0", "broken ( code", "#if X", "#endif", "#endif", "int b;"].join("\n");
  const result = preprocess(source);
  assert.equal(result.text.length, source.length);
  assert.deepEqual(result.text.split("\n").map((line) => line.trim()), ["int a;", "", "", "", "", "", "int b;"]);
});

test("the #else of #if 1 is dead, the #else of #if 0 is live", () => {
  const constantTrue = preprocess(["#if 1", "int a;", "#else", "int b;", "#endif"].join("\n"));
  assert.deepEqual(constantTrue.text.split("\n").map((line) => line.trim()), ["", "int a;", "", "", ""]);
  const constantFalse = preprocess(["#if (0) /* off */", "int a;", "#else", "int b;", "#endif"].join("\n"));
  assert.deepEqual(constantFalse.text.split("\n").map((line) => line.trim()), ["", "", "", "int b;", ""]);
});

test("an #elif after a dead #if 0 becomes a plain #if of the same length", () => {
  const source = ["#if 0", "int a;", "#elif defined(DBG)", "int b;", "#else", "int c;", "#endif"].join("\n");
  const result = preprocess(source);
  assert.equal(result.text.length, source.length);
  assert.deepEqual(result.text.split("\n"), ["     ", "      ", "#if   defined(DBG)", "int b;", "#else", "int c;", "#endif"]);
});

test("unknown conditions are left to the parser", () => {
  const source = ["#ifdef DBG", "int a;", "#else", "int b;", "#endif"].join("\n");
  assert.equal(preprocess(source).text, source);
});

test("an unterminated #if 0 is blanked to the end and reported", () => {
  const source = "int a;\n#if 0\nint b;\n";
  const result = preprocess(source);
  assert.equal(result.text, "int a;\n     \n      \n");
  assert.equal(result.problems.length, 1);
  assert.match(result.problems[0].message, /Unterminated/);
});

test("lowercase try / finally / except / leave become the SEH keywords when used as such", () => {
  const source = ["    try {", "        if (x) {", "            leave;", "        }", "    } finally {", "        f();", "    }", "    try {", "    } except (1) {", "    }", "int try_count = leave + finally;"].join("\n");
  const result = preprocess(source);
  assert.equal(result.text.length, source.length);
  assert.deepEqual(result.text.split("\n"), [
    "  __try {",
    "        if (x) {",
    "          __leave;",
    "        }",
    "    }__finally{",
    "        f();",
    "    }",
    "  __try {",
    "    }__except(1) {",
    "    }",
    "int try_count = leave + finally;",
  ]);
});

test("alternative function heads under #if keep the first head for the one body", () => {
  const source = ["#if (NTDDI_VERSION >= NTDDI_WIN7)", "NTSTATUS F(_In_ ULONG A, PVOID B)", "#else", "NTSTATUS F(_In_ ULONG A)", "#endif", "{", "}"].join("\n");
  const result = preprocess(source);
  assert.equal(result.text.length, source.length);
  assert.deepEqual(result.text.split("\n").map((line) => line.trim()), ["", "NTSTATUS F(     ULONG A, PVOID B)", "", "", "", "{", "}"]);
  assert.deepEqual(result.annotations.map((annotation) => annotation.text), ["_In_"]);
  const declarations = ["#ifdef X", "int a;", "#else", "int b;", "#endif", "{"].join("\n");
  assert.equal(preprocess(declarations).text, declarations);
});

test("a file-scope macro line without a semicolon is blanked; ordinary code is not", () => {
  const source = [
    "typedef struct _CTX { int a; } CTX;",
    "WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(CTX, GetCtx)",
    "C_ASSERT(sizeof(CTX) == 4);",
    "VOID F(VOID)",
    "{",
    "    WORK_ITEM(x)",
    "}",
    "MY_MACRO_HEADER(Foo)",
    "{",
    "}",
  ].join("\n");
  const result = preprocess(source);
  assert.equal(result.text.length, source.length);
  const lines = result.text.split("\n");
  assert.equal(lines[1].trim(), "");
  assert.equal(lines[2], "C_ASSERT(sizeof(CTX) == 4);");
  assert.equal(lines[5], "   WORK_ITEM(x);", "inside a body it becomes a statement, moved left to make room for its semicolon");
  assert.equal(lines[7], "MY_MACRO_HEADER(Foo)", "followed by a body it may be a function head");
  assert.deepEqual(result.annotations, []);
});

test("MSVC's sized-integer suffixes and single-underscore calling conventions are blanked, nothing else", () => {
  const source = "VOID _cdecl F(VOID) { x = 0xFFFFFFFFi64 + 10ui64 + 7I32 + 1.5e+3 + 0x1e5 + 2i + id64; }";
  const { text } = preprocess(source);
  assert.equal(text.length, source.length);
  assert.equal(text, "VOID        F(VOID) { x = 0xFFFFFFFF    + 10     + 7    + 1.5e+3 + 0x1e5 + 2i + id64; }");
});

/** Preprocesses `lines` and returns the result's lines, after checking that no offset moved. */
function preprocessedLines(lines: string[]): string[] {
  const source = lines.join("\n");
  const result = preprocess(source);
  assert.equal(result.text.length, source.length);
  assert.deepEqual(newlineOffsets(result.text), newlineOffsets(source));
  return result.text.split("\n");
}

test("a statement macro without ';' gets one in a blank: after it, in the next line's indentation, or by moving its last line left", () => {
  const lines = preprocessedLines([
    "VOID F(PVOID p)",
    "{",
    "    FreeThing(p) ",
    "    RELEASE_IT(p)",
    "    x = 1;",
    "    LogStep(1,",
    "            2)",
    "}",
  ]);
  assert.equal(lines[2], "    FreeThing(p);");
  assert.equal(lines[3], "    RELEASE_IT(p)");
  assert.equal(lines[4], ";   x = 1;");
  assert.equal(lines[5], "    LogStep(1,");
  assert.equal(lines[6], "           2);");
});

test("call-like macros the context shows to be loop heads, do-while ends or block introducers parse as such", () => {
  const lines = preprocessedLines([
    "VOID F(PLIST_ENTRY head)",
    "{",
    "    LIST_FOR_EACH(entry, head) {",
    "        do {",
    "            n++;",
    "        } WHILE (n < 4);",
    "    }",
    "    TRY {",
    "        n = 0;",
    "    } FINALLY {",
    "        n = 1;",
    "    }",
    "}",
  ]);
  assert.equal(lines[2], "    while        (entry, head) {");
  assert.equal(lines[5], "        } while (n < 4);");
  assert.equal(lines[7], "        {");
  assert.equal(lines[9], "    }         {");
});

test("a conditional group that splits a statement keeps its first branch; one holding whole statements is left to the parser", () => {
  const lines = preprocessedLines([
    "VOID F(ULONG n)",
    "{",
    "    if (n > 4 ||",
    "#if (NTDDI_VERSION >= NTDDI_WIN8)",
    "        n < 16) {",
    "#else",
    "        n < 8) {",
    "#endif",
    "        n = 0;",
    "    }",
    "#ifdef DBG",
    "    n++;",
    "#else",
    "    n--;",
    "#endif",
    "}",
  ]);
  assert.deepEqual(lines.slice(3, 8).map((line) => line.trim()), ["", "n < 16) {", "", "", ""]);
  assert.equal(lines[4], "        n < 16) {");
  assert.deepEqual(lines.slice(10, 15), ["#ifdef DBG", "    n++;", "#else", "    n--;", "#endif"]);
});

test("in C, what __cplusplus guards is dead", () => {
  const lines = preprocessedLines(["#ifdef __cplusplus", 'extern "C" {', "#endif", "int x;", "#if !defined(__cplusplus)", "int y;", "#endif"]);
  assert.equal(lines[1].trim(), "");
  assert.equal(lines[3], "int x;");
  assert.equal(lines[5], "int y;");
  assert.equal(lines[4].trim(), "");
});

test("lowercase SEH keywords take their two characters from blanks farther on the line when none are next to them", () => {
  const lines = preprocessedLines(["void f(void)", "{", "    try {", "        g();", "    } except(Filter( GetExceptionInformation() )) {", "        h();", "    }", "}"]);
  assert.equal(lines[2], "  __try {");
  assert.equal(lines[4], "    }__except(Filter(GetExceptionInformation() )) {");
});

test("pragmas, tokens after #endif and comments continuing a #define are blanked; SAL-shaped values and bit-field names stay", () => {
  const lines = preprocessedLines([
    "NTSTATUS",
    "#pragma prefast(suppress: 28167)",
    "F(void);",
    "#endif _GUARD_H_",
    "#define GUIDS \\",
    "    BIT(A) /* bit 0, and more bits",
    "              up to 32 */ \\",
    "    )",
    'void g(void) { DbgPrint("%s", _DRIVER_NAME_); }',
    "struct S { ULONG ATAPI : 1; };",
  ]);
  assert.equal(lines[1].trim(), "");
  assert.equal(lines[3].trimEnd(), "#endif");
  assert.match(lines[5], /^ {4}BIT\(A\) +\\$/);
  assert.match(lines[6], /^ +\\$/);
  assert.ok(lines[8].includes("_DRIVER_NAME_"));
  assert.ok(lines[9].includes("ULONG ATAPI : 1"));
});

test("unnamed bit-fields get a name, a type macro with arguments keeps its name as the type, an empty #define body ends its line", () => {
  const lines = preprocessedLines([
    "typedef struct _R {",
    "    UINT32 Ready : 1;",
    "    UINT32 : 3;",
    "    unsigned    :4;",
    "} R;",
    "VOID F(VOID)",
    "{",
    "    SPB_TRANSFER_LIST_AND_ENTRIES(2) sequence;",
    "}",
    "#ifndef MF_WPP",
    "#define DMFTRACE(...) ",
    "#endif",
  ]);
  assert.equal(lines[1], "    UINT32 Ready : 1;");
  assert.equal(lines[2], "    UINT32 _:3;");
  assert.equal(lines[3], "    unsigned   _:4;");
  assert.equal(lines[7], "    SPB_TRANSFER_LIST_AND_ENTRIES    sequence;");
  assert.equal(lines[10], "#define DMFTRACE(...);");
});

test("three names declaring one variable lose the one before the declared name; two names and keywords are left alone", () => {
  const lines = preprocessedLines([
    "static ALLOC_SECTION_LDATA USHORT table[] = { 1 };",
    "VOID F(VOID)",
    "{",
    "    READ_CAPACITY_DATA_EX PTRALIGN data = {0};",
    "    PGETATTRIB __encoded_pointer pfn = NULL;",
    "    unsigned long count = 0;",
    "    struct _NODE node;",
    "    NODE_TYPE type;",
    "}",
  ]);
  assert.equal(lines[0], "static ALLOC_SECTION_LDATA        table[] = { 1 };");
  assert.equal(lines[3], "    READ_CAPACITY_DATA_EX          data = {0};");
  assert.equal(lines[4], "    PGETATTRIB                   pfn = NULL;");
  assert.deepEqual(lines.slice(5, 8), ["    unsigned long count = 0;", "    struct _NODE node;", "    NODE_TYPE type;"]);
});

test("linkage-shaped names are blanked as decorations, except one that stands where the function's type goes", () => {
  const lines = preprocessedLines(["NTSYSAPI NTSTATUS NTAPI RtlThing(VOID);", "NTSTATUS", "FLTAPI", "NcCompatQuery(VOID);", "STDAPI DllCanUnloadNow(void);"]);
  assert.equal(lines[0], "         NTSTATUS       RtlThing(VOID);");
  assert.equal(lines[2].trim(), "");
  assert.equal(lines[4], "STDAPI DllCanUnloadNow(void);");
});

test("decorations before typedef and after a structure's body are blanked; GCC's named variadic parameter becomes ...", () => {
  const lines = preprocessedLines([
    "__PACK typedef struct _INFO {",
    "    UCHAR Rssi;",
    "} __ATTRIB_PACK__ INFO_T, *PINFO_T;",
    "#define PRINTK(fmt, args...) DbgPrint(fmt, ## args)",
  ]);
  assert.equal(lines[0], "       typedef struct _INFO {");
  assert.equal(lines[2], "}                 INFO_T, *PINFO_T;");
  assert.equal(lines[3], "#define PRINTK(fmt, ...    ) DbgPrint(fmt, ## args)");
});

test("a #define between a function's head and body is dropped; a decoration that is an implicit-int function's only specifier becomes int", () => {
  const lines = preprocessedLines([
    "NTSTATUS F(ULONG n)",
    "#define NAME_FORMAT \"%d\"",
    "{",
    "    return 0;",
    "}",
    "__inline",
    "Valid(UCHAR t)",
    "{",
    "    return t;",
    "}",
  ]);
  assert.equal(lines[1].trim(), "");
  assert.equal(lines[5], "int     ");
});

test("a file-scope declaration macro alone on its line with its arguments on the next lines is blanked; a function so written is not", () => {
  const source = "WDF_DECLARE_CONTEXT_TYPE_WITH_NAME\n(\n    CTX,\n    GetCtx\n)\n\nenum Action { Start = 1 };\nVOID\nMY_ENTRY\n(\n    PVOID Context\n)\n{\n}\n";
  const { text } = preprocess(source);
  assert.equal(text.length, source.length);
  assert.equal(text.slice(0, source.indexOf("enum")).trim(), "");
  assert.ok(text.includes("MY_ENTRY\n(\n    PVOID Context\n)\n{"), text);
  // Nor is a typedef's type so written (`typedef\nNTSTATUS\n(*FN_INIT)\n(...)`, sysvad's common.h).
  const typedefSource = "typedef\nNTSTATUS\n(*FN_INIT)\n(\n    PVOID Context\n);\n";
  for (const dialect of ["c", "cpp"] as const) assert.equal(preprocess(typedefSource, {}, dialect).text, typedefSource);
});

test("a conditional group right after a label keeps its first branch: the grammar needs the label's statement", () => {
  const source = "int F(void)\n{\n   int status = 0;\n   BAIL_LABEL:\n#if DBG\n      Trace(status);\n#else\n      Other(status);\n#endif\n   return status;\n}\n";
  for (const dialect of ["c", "cpp"] as const) {
    const { text } = preprocess(source, {}, dialect);
    assert.equal(text.length, source.length);
    assert.ok(text.includes("Trace(status);") && !text.includes("Other(status)") && !text.includes("#if"), text);
  }
});

test("C++: an unnamed bit-field gets a name as in C, an access specifier does not; `operator delete[](...)` keeps its spelling while `delete[] (p);` loses its parentheses", () => {
  const source = "struct R {\npublic:\n    UINT32 Ready : 1;\n    UINT32 : 3;\nprivate:\n    ULONG m;\n};\nvoid __cdecl operator delete[](PVOID p);\nvoid F(int* p) { delete[] (p); delete[](p); }\n";
  const lines = preprocess(source, {}, "cpp").text.split("\n");
  assert.deepEqual(lines.slice(1, 5), ["public:", "    UINT32 Ready : 1;", "    UINT32 _:3;", "private:"]);
  assert.equal(lines[7], "void         operator delete[](PVOID p);");
  assert.equal(lines[8], "void F(int* p) { delete[]+(p); delete[]+p ; }");
});
