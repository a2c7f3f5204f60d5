import { test } from "node:test";
import assert from "node:assert/strict";
import { anyFamily } from "../../../server/src/model/model";
import { learnFromSal } from "../../../server/src/model/sal";
import { lowerC } from "../frontends/c/lowering";

async function declared(text: string) {
  const file = await lowerC(text);
  assert.deepEqual(file.problems, []);
  return file.declarations.map((declaration) => learnFromSal(declaration, "test.h:1"));
}

test("a declaration without a body borrows what its SAL says it only reads or writes, and leaves the rest undecided", async () => {
  const [entry] = await declared(`
NTSTATUS NvlCopyOut(_In_reads_bytes_(Length) PVOID Source, _Out_writes_bytes_(Length) PVOID Target, ULONG Length, PVOID Cookie);
`);
  assert.ok(entry !== undefined);
  assert.deepEqual(entry.effects, [
    { kind: "use", family: anyFamily, target: 0 },
    { kind: "use", family: anyFamily, target: 1 },
  ]);
  assert.deepEqual(entry.declared, { count: 4, undecided: [2, 3], writtenThrough: [1] });
  assert.match(entry.origin, /^declaration in test\.h:1$/);
});

test("a pointer to const borrows; a plain pointer says nothing; a declaration that borrows nothing teaches nothing", async () => {
  const [logLine, keep, plain] = await declared(`
void log_line(const char *line, char const *prefix, char *const scratch);
void keep(struct job *job);
int count(int n);
`);
  assert.deepEqual(logLine?.effects, [
    { kind: "use", family: anyFamily, target: 0 },
    { kind: "use", family: anyFamily, target: 1 },
  ]);
  assert.deepEqual(logLine?.declared?.undecided, [2]);
  assert.equal(keep, undefined);
  assert.equal(plain, undefined);
});

test("__drv_aliasesMem hands over, __drv_freesMem releases, and _At_(*p, __drv_allocatesMem) allocates through p", async () => {
  const [open, register, close] = await declared(`
NTSTATUS NvlMailboxOpen(_In_ ULONG Index, _At_(*Mailbox, __drv_allocatesMem(Mem)) _Out_ PNVL_MAILBOX *Mailbox);
NTSTATUS NvlMailboxRegister(_In_ __drv_aliasesMem PNVL_MAILBOX Mailbox, _In_ PCSTR Name);
VOID NvlMailboxClose(_In_ __drv_freesMem(Mem) PNVL_MAILBOX Mailbox);
`);
  assert.deepEqual(open?.effects, [
    { kind: "acquire", family: "sal:Mem", target: 1, when: "success" },
    { kind: "use", family: anyFamily, target: 0 },
  ]);
  assert.equal(open?.returns, "ntstatus");
  assert.deepEqual(open?.declared?.writtenThrough, [1]);
  assert.deepEqual(register?.effects, [
    { kind: "transfer", family: anyFamily, target: 0, when: "success" },
    { kind: "use", family: anyFamily, target: 1 },
  ]);
  assert.deepEqual(close?.effects, [{ kind: "release", family: "sal:Mem", target: 0 }]);
  assert.equal(close?.declared, undefined, "no parameter left to borrow");
});

test("a printf-style format string makes the variadic arguments borrowed", async () => {
  const [entry] = await declared(`
int NvlTrace(_In_ ULONG Level, _Printf_format_string_ PCSTR Format, ...);
`);
  assert.deepEqual(entry?.declared, { count: 2, undecided: [], writtenThrough: [], readsVariadic: true });
});

test("a definition's SAL teaches its effects only: its body says the rest", async () => {
  const file = await lowerC(`
void log_line(const char *line) { }
`);
  assert.equal(learnFromSal(file.functions[0], "test.c:1"), undefined);
});

test("a declaration that says it never returns ends the caller's path", async () => {
  const [fatal, die, plain] = await declared(`
DECLSPEC_NORETURN VOID NvlFatalError(_In_ ULONG Code);
__declspec(noreturn) void die(const char *message);
void warn(int code);
`);
  assert.deepEqual(fatal?.effects, [{ kind: "no-return" }, { kind: "use", family: anyFamily, target: 0 }]);
  assert.deepEqual(die?.effects, [{ kind: "no-return" }, { kind: "use", family: anyFamily, target: 0 }]);
  assert.equal(plain, undefined);
});

test("a parameter that takes NULL (_opt_) borrows without asking for a NULL check", async () => {
  const [entry] = await declared(`
VOID NvlTraceIfPresent(_In_reads_bytes_opt_(Length) PVOID Buffer, _In_ ULONG Length, _Out_writes_opt_z_(Length) char *Name);
`);
  assert.deepEqual(entry?.effects, [
    { kind: "use", family: anyFamily, target: 0, acceptsNull: true },
    { kind: "use", family: anyFamily, target: 1 },
    { kind: "use", family: anyFamily, target: 2, acceptsNull: true },
  ]);
});
