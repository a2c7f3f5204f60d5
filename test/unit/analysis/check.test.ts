// The core entry point: paths, fixes, summaries, fingerprints, suppressions, budgets and determinism.
import { test } from "node:test";
import assert from "node:assert/strict";
import { checkSources, type SourceInput } from "../../../server/src/analysis/check";
import { defaultConfig, type Config } from "../../../server/src/config/config";

async function check(text: string, config: Partial<Config> = {}, file = "driver.c") {
  return checkSources([{ path: file, text }], { ...defaultConfig(), ...config });
}

const leakOnError = `
NTSTATUS SendControl(VMBCHANNEL Channel, PVOID Buffer, UINT32 Length)
{
    VMBPACKET packet = VmbPacketAllocate(Channel);
    NTSTATUS status;
    if (packet == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    status = VmbPacketSend(packet, Buffer, Length, NULL, 0);
    if (!NT_SUCCESS(status)) {
        return status;
    }
    return STATUS_SUCCESS;
}
`;

test("a leak on the failure path of a send is reported at its return, with the path from the allocation", async () => {
  const { findings } = await check(leakOnError);
  assert.deepEqual(findings.map((f) => [f.ruleId, f.range.start.line + 1]), [["leak", 11]]);
  const [leak] = findings;
  assert.equal(leak.functionName, "SendControl");
  assert.equal(leak.acquiredAt?.range.start.line, 3);
  const steps = leak.path.map((step) => `${step.range.start.line + 1} ${step.kind}`);
  assert.deepEqual(steps, ["4 acquire", "6 branch", "9 call", "10 branch", "11 exit"]);
  assert.match(leak.message, /packet 'packet'/);
  assert.deepEqual(leak.fixes.map((fix) => fix.kind === "insert-release" && `${fix.callText}(${fix.handleText})`), ["VmbPacketFree(packet)"]);
});

test("the release fix keeps the interface-table spelling of the allocation", async () => {
  const { findings } = await check(`
VOID Drop(PKMCL_CLIENT_INTERFACE_V1 Kmcl, VMBCHANNEL Channel)
{
    VMBPACKET p = Kmcl->VmbPacketAllocate(Channel);
    if (!p) return;
    return;
}
`);
  assert.equal(findings.length, 1);
  const fix = findings[0].fixes[0];
  assert.ok(fix.kind === "insert-release");
  assert.equal(fix.callText, "Kmcl->VmbPacketFree");
});

test("a double free offers to remove the second release or null the handle after the first", async () => {
  const { findings } = await check(`
VOID Twice(VMBCHANNEL Channel)
{
    VMBPACKET p = VmbPacketAllocate(Channel);
    if (p == NULL) return;
    VmbPacketFree(p);
    VmbPacketFree(p);
}
`);
  assert.deepEqual(findings.map((f) => [f.ruleId, f.range.start.line + 1]), [["double-free", 7]]);
  assert.deepEqual(findings[0].fixes.map((fix) => fix.kind), ["remove-statement", "null-after-release"]);
});

test("wrappers are summarized across files, to any depth", async () => {
  const sources: SourceInput[] = [
    { path: "a.c", text: "VOID ReleaseOne(VMBPACKET P) { VmbPacketFree(P); }\nVOID ReleaseTwo(VMBPACKET P) { ReleaseOne(P); }\n" },
    {
      path: "b.c",
      text: "VOID Caller(VMBCHANNEL C)\n{\n    VMBPACKET p = VmbPacketAllocate(C);\n    if (!p) return;\n    ReleaseTwo(p);\n    ReleaseTwo(p);\n}\n",
    },
  ];
  const { findings } = await checkSources(sources, defaultConfig());
  assert.deepEqual(findings.map((f) => [f.file, f.ruleId, f.range.start.line + 1]), [["b.c", "double-free", 6]]);
});

test("a wrapper that frees only on failure is applied with its condition", async () => {
  const { findings } = await check(`
NTSTATUS SendOrFree(VMBPACKET P, PVOID B, UINT32 L)
{
    NTSTATUS status = VmbPacketSend(P, B, L, NULL, 0);
    if (!NT_SUCCESS(status)) {
        VmbPacketFree(P);
    }
    return status;
}
NTSTATUS Good(VMBCHANNEL C, PVOID B, UINT32 L)
{
    VMBPACKET p = VmbPacketAllocate(C);
    if (!p) return STATUS_INSUFFICIENT_RESOURCES;
    return SendOrFree(p, B, L);
}
NTSTATUS Bad(VMBCHANNEL C, PVOID B, UINT32 L)
{
    NTSTATUS status;
    VMBPACKET p = VmbPacketAllocate(C);
    if (!p) return STATUS_INSUFFICIENT_RESOURCES;
    status = SendOrFree(p, B, L);
    if (!NT_SUCCESS(status)) {
        VmbPacketFree(p);
    }
    return status;
}
`);
  assert.deepEqual(findings.map((f) => [f.functionName, f.ruleId, f.range.start.line + 1]), [["Bad", "double-free", 23]]);
});

test("SAL annotations on prototypes teach the model a new allocator pair", async () => {
  const { findings } = await check(`
__drv_allocatesMem(Mem) PVOID MyAlloc(SIZE_T Size);
VOID MyFree(_In_ __drv_freesMem(Mem) PVOID Block);
VOID Leaky(VOID)
{
    PVOID block = MyAlloc(16);
    if (block == NULL) return;
}
`);
  assert.deepEqual(findings.map((f) => [f.ruleId, f.range.start.line + 1]), [["leak", 8]]);
  assert.match(findings[0].message, /MyFree/);
});

test("rule severities come from the configuration and 'off' drops the rule", async () => {
  const text = "VOID F(VMBCHANNEL C)\n{\n    VMBPACKET p = VmbPacketAllocate(C);\n    VmbPacketSend(p, NULL, 0, NULL, 0);\n}\n";
  const normal = await check(text);
  assert.deepEqual(normal.findings.map((f) => [f.ruleId, f.severity]).sort(), [["leak", "error"], ["unchecked-allocation", "warning"]]);
  const tuned = await check(text, { rules: { "unchecked-allocation": "off", "leak": "warning" } });
  assert.deepEqual(tuned.findings.map((f) => [f.ruleId, f.severity]), [["leak", "warning"]]);
});

test("fingerprints survive unrelated edits above the finding and differ between findings", async () => {
  const before = await check(leakOnError);
  const after = await check(`// a new comment\n#define UNRELATED 1\n${leakOnError}`);
  assert.equal(before.findings.length, 1);
  assert.equal(after.findings[0].range.start.line, before.findings[0].range.start.line + 2);
  assert.equal(after.findings[0].fingerprint, before.findings[0].fingerprint);
  assert.match(before.findings[0].fingerprint, /^[0-9a-f]{32}$/);
});

test("the former id of a rule (packet-leak, now leak) still suppresses it, and the fingerprint a baseline recorded under it is kept", async () => {
  const first = await check(leakOnError);
  assert.deepEqual(first.findings.map((finding) => [finding.ruleId, finding.family]), [["leak", "packet"]]);
  // The fingerprint VmbGuard gave this finding when the rule was named packet-leak.
  assert.equal(first.findings[0].fingerprint, "3ffe5bff3bf1c43b6c6bd9eaf3c6e447");
  const suppressed = await check(leakOnError.replace("        return status;\n    }\n    return STATUS_SUCCESS;", "        return status; // vmbguard-disable-line packet-leak\n    }\n    return STATUS_SUCCESS;"));
  assert.deepEqual(suppressed.findings, []);
});

test("a function past its state budget is reported as incomplete and the others are still checked", async () => {
  // Each flag is tested twice, so the paths cannot be merged: 2^14 of them.
  const branches = Array.from({ length: 14 }, (_, i) => `    if (Flags & ${1 << i}) Counter(${i});`).join("\n");
  const { findings } = await check(
    `VOID Wide(ULONG Flags)\n{\n${branches}\n${branches}\n}\nVOID Leak(VMBCHANNEL C)\n{\n    VMBPACKET p = VmbPacketAllocate(C);\n}\n`,
    { budget: { maxStates: 200, maxMillis: 10000 } },
  );
  assert.deepEqual(findings.map((f) => [f.functionName, f.ruleId, f.range.start.line + 1]), [["Wide", "analysis-incomplete", 1], ["Leak", "leak", 35]]);
});

test("the same input gives the same findings in the same order", async () => {
  const text = `${leakOnError}\nVOID T(VMBCHANNEL C) { VMBPACKET p = VmbPacketAllocate(C); if (p) { VmbPacketFree(p); VmbPacketFree(p); } }\n`;
  const first = JSON.stringify((await check(text)).findings);
  for (let i = 0; i < 3; i++) assert.equal(JSON.stringify((await check(text)).findings), first);
});

test("a function too deeply nested to analyze is reported as incomplete, and the rest of the file is still checked", async () => {
  const deep = `${"(".repeat(3000)}x${")".repeat(3000)}`;
  const { findings } = await check(`VOID Deep(VOID)\n{\n    ULONG x = ${deep};\n}\nVOID Leak(VMBCHANNEL C)\n{\n    VMBPACKET p = VmbPacketAllocate(C);\n}\n`);
  const leak = findings.find((f) => f.ruleId === "leak");
  assert.equal(leak?.functionName, "Leak");
  assert.equal(leak?.range.start.line, 7);
});

test("a global of another file keeps its initial value unless a function writes it; a static of the file hides it", async () => {
  const user = (prefix: string) =>
    `${prefix}VOID Ping(VMBCHANNEL C)\n{\n    VMBPACKET p = VmbPacketAllocate(C);\n    if (!p) return;\n    if (Verbose) return;\n    VmbPacketFree(p);\n}\n`;
  const leaks = async (sources: SourceInput[]) =>
    (await checkSources(sources, defaultConfig())).findings.map((f) => `${f.file}:${f.range.start.line + 1} ${f.ruleId}`);
  const settings = { path: "settings.c", text: "BOOLEAN Verbose = FALSE;\n" };
  assert.deepEqual(await leaks([settings, { path: "ping.c", text: user("extern BOOLEAN Verbose;\n") }]), []);
  // Written somewhere: its value is unknown.
  const written = { path: "settings.c", text: "BOOLEAN Verbose = FALSE;\nVOID Configure(ULONG Level) { Verbose = Level > 2; }\n" };
  assert.deepEqual(await leaks([written, { path: "ping.c", text: user("extern BOOLEAN Verbose;\n") }]), ["ping.c:6 leak"]);
  // The file's own static is another variable, of a value not known here.
  const ownStatic = user("static BOOLEAN Verbose = VERBOSE_DEFAULT;\n");
  assert.deepEqual(await leaks([settings, { path: "ping.c", text: ownStatic }]), ["ping.c:6 leak"]);
  // Two files disagree on the value: no constant.
  const other = { path: "other.c", text: "BOOLEAN Verbose = TRUE;\n" };
  assert.deepEqual(await leaks([settings, other, { path: "ping.c", text: user("extern BOOLEAN Verbose;\n") }]), ["ping.c:6 leak"]);
});
