import { test } from "node:test";
import assert from "node:assert/strict";
import { lowerC } from "./lowering";

test("a definition's parameters, return type and annotations", async () => {
  const file = await lowerC(`
_Use_decl_annotations_
_IRQL_requires_max_(DISPATCH_LEVEL)
VMBPACKET *
NTAPI
MakePackets(_In_ VMBCHANNEL Channel, _Out_writes_(Count) VMBPACKET* Packets, const char *Name, ULONG Count, PVOID Context[2])
{
  return NULL;
}
VOID Empty(VOID) { }
int NoParams(void) { return 0; }
`);
  assert.deepEqual(file.problems, []);
  const [make, empty, noParams] = file.functions;
  assert.equal(make.id, "MakePackets");
  assert.equal(make.returnType, "VMBPACKET*");
  assert.deepEqual(make.annotations, ["_Use_decl_annotations_", "_IRQL_requires_max_(DISPATCH_LEVEL)", "NTAPI"]);
  assert.deepEqual(
    make.params.map((param) => [param.name, param.typeName, param.annotations]),
    [
      ["Channel", "VMBCHANNEL", ["_In_"]],
      ["Packets", "VMBPACKET*", ["_Out_writes_(Count)"]],
      ["Name", "char*", []],
      ["Count", "ULONG", []],
      ["Context", "PVOID*", []],
    ],
  );
  assert.deepEqual(make.nameRange, { start: { line: 5, column: 0 }, end: { line: 5, column: 11 } });
  assert.deepEqual(make.range.start, { line: 3, column: 0 });
  assert.equal(make.language, "c");
  assert.equal(make.file, "test.c");
  assert.deepEqual(empty.params, []);
  assert.deepEqual(noParams.params, []);
});

test("prototypes become declarations carrying their SAL for the model", async () => {
  const file = await lowerC(`
_Must_inspect_result_ // the caller checks for NULL
__drv_allocatesMem(Mem)
VMBPACKET MyAllocate(_In_ VMBCHANNEL Channel);
VOID MyFree(_In_ __drv_freesMem(Mem) VMBPACKET Packet);
NTSTATUS MySend(_In_ __drv_aliasesMem VMBPACKET Packet, PVOID Buffer, __in_bcount(n) PVOID Other _In_opt_);
VOID OldStyle(IN PVOID Context OPTIONAL, IN OUT PULONG Count, OUT PVOID *Result);
int value, *pointer;
typedef VOID (*PFN_CALLBACK)(PVOID);
`);
  assert.deepEqual(file.problems, []);
  assert.deepEqual(
    file.declarations.map((declaration) => ({
      name: declaration.name,
      returnType: declaration.returnType,
      annotations: declaration.annotations,
      params: declaration.params.map((param) => `${param.typeName} ${param.name} ${param.annotations.join(" ")}`.trim()),
    })),
    [
      { name: "MyAllocate", returnType: "VMBPACKET", annotations: ["_Must_inspect_result_", "__drv_allocatesMem(Mem)"], params: ["VMBCHANNEL Channel _In_"] },
      { name: "MyFree", returnType: "VOID", annotations: [], params: ["VMBPACKET Packet _In_ __drv_freesMem(Mem)"] },
      {
        name: "MySend",
        returnType: "NTSTATUS",
        annotations: [],
        params: ["VMBPACKET Packet _In_ __drv_aliasesMem", "PVOID Buffer", "PVOID Other __in_bcount(n) _In_opt_"],
      },
      { name: "OldStyle", returnType: "VOID", annotations: [], params: ["PVOID Context IN OPTIONAL", "PULONG Count IN OUT", "PVOID* Result OUT"] },
    ],
  );
  assert.equal(file.functions.length, 0);
});

test("role declarations and _Function_class_ put functions in roles", async () => {
  const file = await lowerC(`
EVT_VMB_CHANNEL_PROCESS_PACKET MyProcessPacket;
EVT_VMB_PACKET_COMPLETION_ROUTINE CompletionA, CompletionB;
static int notARole;

_Function_class_(EVT_VMB_CHANNEL_PROCESS_PACKET)
VOID OtherProcessPacket(VMBCHANNEL Channel, VMBPACKETCOMPLETION Packet, PVOID Buffer, UINT32 Length, UINT32 Flags) { }

VOID MyProcessPacket(VMBCHANNEL Channel, VMBPACKETCOMPLETION Packet, PVOID Buffer, UINT32 Length, UINT32 Flags)
{
  VmbChannelPacketComplete(Packet, NULL, 0);
}
`);
  assert.deepEqual(
    file.roles.map((role) => [role.functionName, role.role]),
    [
      ["MyProcessPacket", "EVT_VMB_CHANNEL_PROCESS_PACKET"],
      ["CompletionA", "EVT_VMB_PACKET_COMPLETION_ROUTINE"],
      ["CompletionB", "EVT_VMB_PACKET_COMPLETION_ROUTINE"],
      ["OtherProcessPacket", "EVT_VMB_CHANNEL_PROCESS_PACKET"],
    ],
  );
  assert.deepEqual(file.roles[0].range, { start: { line: 1, column: 31 }, end: { line: 1, column: 46 } });
  const processPacket = file.functions.find((fn) => fn.name === "MyProcessPacket");
  assert.deepEqual(processPacket?.annotations, ["EVT_VMB_CHANNEL_PROCESS_PACKET"]);
  assert.equal(processPacket?.params[1].typeName, "VMBPACKETCOMPLETION");
});

test("functions in every #if branch and in extern \"C\" blocks are lowered with unique ids", async () => {
  const file = await lowerC(`
extern "C" {
#ifdef NEW_API
int Pick(void) { return 1; }
#else
int Pick(void) { return 2; }
#endif
}
#if 0
int Dead(void) { return 3; }
#endif
`);
  assert.deepEqual(file.problems, []);
  assert.deepEqual(file.functions.map((fn) => fn.id), ["Pick", "Pick@2"]);
  assert.deepEqual(file.functions.map((fn) => fn.name), ["Pick", "Pick"]);
});

test("suppression comments name the line they apply to", async () => {
  const file = await lowerC(`void f(VMBPACKET p)
{
  // vmbguard-disable-next-line leak, double-free
  VmbPacketFree(p);
  VmbPacketFree(p); /* vmbguard-disable-line double-free -- the first free is a test double */
  /* vmbguard-disable-next-line
     use-after-free */
  use(p);
  // an ordinary comment
}`);
  assert.deepEqual(
    file.suppressions.map((suppression) => [suppression.line, suppression.rules]),
    [
      [3, ["leak", "double-free"]],
      [4, ["double-free"]],
      [7, ["use-after-free"]],
    ],
  );
  assert.deepEqual(file.suppressions[0].range, { start: { line: 2, column: 2 }, end: { line: 2, column: 49 } });
});

test("user macros from the configuration are neutralized before parsing", async () => {
  const source = "MY_PAGED_FUNCTION(Init) VOID Init(VOID) { work(); }";
  const broken = await lowerC(source);
  assert.ok(broken.problems.length > 0 || broken.functions.length === 0 || broken.functions[0].name !== "Init");
  const fixed = await lowerC(source, { macros: { MY_PAGED_FUNCTION: "" } });
  assert.deepEqual(fixed.problems, []);
  assert.deepEqual(fixed.functions.map((fn) => fn.name), ["Init"]);
  assert.deepEqual(fixed.functions[0].annotations, ["MY_PAGED_FUNCTION(Init)"]);
});
