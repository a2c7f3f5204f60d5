// The built-in model packs. This file is the only place that knows API names.
import type { SourceLanguage } from "../ir/ir";
import { anyFamily, type Effect, type ModelEntry, type ModelPack, type RoleDef, type StatusConvention } from "./model";


function entry(name: string, origin: string, doc: string, effects: Effect[], returns?: ModelEntry["returns"]): ModelEntry {
  return { name, origin, doc, effects, returns };
}

/** A routine that only reads or writes the memory it is given (its first two arguments): it never keeps or frees it. */
function memoryRoutine(name: string, origin: string): ModelEntry {
  return entry(name, origin, "Reads or writes the memory it is given.", [
    { kind: "use", family: anyFamily, target: 0 },
    { kind: "use", family: anyFamily, target: 1 },
  ]);
}

/** A routine that reads or writes every buffer it is given (string copies, formatting, comparisons) and keeps none. */
function borrowsArguments(name: string, origin: string, doc: string): ModelEntry {
  return entry(name, origin, doc, [0, 1, 2, 3, 4, 5, 6, 7].map((target) => ({ kind: "use" as const, family: anyFamily, target })));
}

/** ntstrsafe.h's `RtlString{Cb,Cch}<Operation>{A,W}`: each writes into the buffer it is given and reads the others. */
function safeStringRoutines(): string[] {
  const operations = ["Copy", "CopyN", "CopyEx", "CopyNEx", "Cat", "CatN", "CatEx", "CatNEx", "Printf", "PrintfEx", "VPrintf", "VPrintfEx", "Length"];
  return ["Cb", "Cch"].flatMap((size) => operations.flatMap((operation) => ["A", "W"].map((charset) => `RtlString${size}${operation}${charset}`)));
}

/** Functions that end the program or stop the system: a path that calls one goes no further. */
function neverReturns(names: readonly string[], origin: string, doc: string): ModelEntry[] {
  return names.map((name) => entry(name, origin, doc, [{ kind: "no-return" }]));
}

/** The kernel's bug checks, in every pack of kernel-mode code. */
const bugChecks = ["KeBugCheckEx", "KeBugCheck"];

/**
 * The structured exception handling of the WDK's compiler: `AbnormalTermination()` in a
 * `__finally` body (excpt.h spells it `_abnormal_termination` too).
 */
function structuredExceptionHandling(origin: string): ModelEntry[] {
  return ["AbnormalTermination", "_abnormal_termination"].map((name) =>
    entry(name, origin, "True when the enclosing __finally body runs because its __try was left by a jump or an exception.", [{ kind: "abnormal-termination" }], "boolean"),
  );
}

/**
 * Kernel routines that keep what they are given beyond the call: a list or queue keeps the record
 * whose link is inserted (`InsertTailList(&Head, &Entry->Link)`), and a routine registered for
 * later (an I/O completion, a work item, a DPC, a timer, a thread) keeps the context it will be
 * passed. The caller is no longer responsible for the record or the context.
 */
function wdkKeepers(origin: string): ModelEntry[] {
  const keeps = (name: string, doc: string, targets: number[], when?: "success", returns?: ModelEntry["returns"]): ModelEntry =>
    entry(name, origin, doc, targets.map((target) => (when === undefined ? { kind: "escape" as const, target } : { kind: "escape" as const, target, when })), returns);
  const linked = "Links the record that contains the entry into a list or queue, which keeps it.";
  const context = "Registers a routine to run later with this context, which keeps it.";
  return [
    ...["InsertTailList", "InsertHeadList", "ExInterlockedInsertTailList", "ExInterlockedInsertHeadList", "PushEntryList", "ExInterlockedPushEntryList",
      "InterlockedPushEntrySList", "ExInterlockedPushEntrySList", "AppendTailList", "KeInsertQueue", "KeInsertHeadQueue", "KeInsertDeviceQueue", "KeInsertByKeyDeviceQueue"].map((name) => keeps(name, linked, [1])),
    keeps("IoSetCompletionRoutine", context, [2]),
    keeps("IoSetCompletionRoutineEx", context, [3], "success", "ntstatus"),
    keeps("WdfRequestSetCompletionRoutine", context, [2]),
    keeps("IoQueueWorkItem", context, [0, 3]),
    keeps("IoQueueWorkItemEx", context, [0, 3]),
    keeps("IoTryQueueWorkItem", context, [0, 3], "success", "boolean"),
    keeps("ExInitializeWorkItem", context, [0, 2]),
    keeps("ExQueueWorkItem", "Queues the work item, which is kept until its routine runs.", [0]),
    keeps("KeInitializeDpc", context, [0, 2]),
    keeps("KeInitializeThreadedDpc", context, [0, 2]),
    keeps("KeInsertQueueDpc", "Queues the DPC with two more arguments for its routine, which keeps them.", [0, 1, 2], "success", "boolean"),
    keeps("KeSetTimer", "Sets the timer to queue the DPC, which keeps both.", [0, 2]),
    keeps("KeSetTimerEx", "Sets the timer to queue the DPC, which keeps both.", [0, 3]),
    keeps("ExAllocateTimer", context, [1]),
    keeps("PsCreateSystemThread", "Starts a system thread that receives the start context; on failure the caller still owns it.", [6], "success", "ntstatus"),
  ];
}

const KMCL = "kmcl";

export const kmclPack: ModelPack = {
  name: KMCL,
  description: "VMBus kernel-mode client library (vmbuskernelmodeclientlibapi.h): packets, completions, channels.",
  families: [
    {
      name: "packet",
      noun: "packet",
      unknownCalls: "borrow",
      leakRule: "leak",
      doubleReleaseRule: "double-free",
      unreleasableVariants: ["caller-memory"],
    },
    {
      name: "completion",
      noun: "packet completion",
      unknownCalls: "borrow",
      leakRule: "completion-leak",
      doubleReleaseRule: "double-completion",
    },
    {
      name: "channel",
      noun: "channel",
      unknownCalls: "borrow",
      leakRule: "leak",
      doubleReleaseRule: "double-free",
    },
  ],
  functions: [
    // Packets (VMBPACKET): allocated, sent or freed by the sender.
    entry("VmbPacketAllocate", KMCL, "Allocates a packet from the channel's lookaside list; returns NULL when none is left.", [
      { kind: "acquire", family: "packet", target: "return", mayBeNull: true },
      { kind: "use", family: "channel", target: 0 },
    ], "pointer"),
    entry("VmbPacketInitialize", KMCL, "Builds a packet in caller-owned memory; the caller frees its buffer, never with VmbPacketFree.", [
      { kind: "use", family: "channel", target: 0 },
      { kind: "acquire", family: "packet", target: 1, variant: "caller-memory", when: "success", inPlace: true },
    ], "ntstatus"),
    entry("VmbPacketFree", KMCL, "Frees a packet that was never sent, or whose completion routine was replaced.", [
      { kind: "release", family: "packet", target: 0 },
    ]),
    ...["VmbPacketSend", "VmbPacketSendWithExternalMdl", "VmbPacketSendWithExternalPfns"].map((name) =>
      entry(name, KMCL, "Sends the packet: on success it belongs to the library until its completion routine runs; on failure the sender still owns it.", [
        { kind: "transfer", family: "packet", target: 0, when: "success" },
      ], "ntstatus"),
    ),
    // `__drv_aliasesMem` on the packet: a restored packet is in flight again, as a sent one is.
    entry("VmbPacketRestore", KMCL, "Restores a saved in-flight packet into a new packet: on success the library owns it again; on failure the caller still does.", [
      { kind: "transfer", family: "packet", target: 0, when: "success" },
    ], "ntstatus"),
    entry("VmbPacketSetCompletionRoutine", KMCL, "Replaces the packet's completion routine, which then receives the packet and must free or keep it.", [
      { kind: "use", family: "packet", target: 0 },
      { kind: "register-callback", target: 1, role: "packet-completion" },
    ]),
    // The packet keeps the pointer for its completion routine to read back.
    entry("VmbPacketSetPointer", KMCL, "Keeps a pointer in the packet's context; the packet must be live.", [
      { kind: "use", family: "packet", target: 0 },
      { kind: "escape", target: 1 },
    ]),
    ...["VmbPacketGetContext", "VmbPacketGetPointer", "VmbPacketGetChannel"].map((name) =>
      entry(name, KMCL, "Reads the packet's context or channel; the packet must be live.", [{ kind: "use", family: "packet", target: 0 }]),
    ),
    // Incoming packets (VMBPACKETCOMPLETION): each delivery ends once, by completing it or handing it back.
    entry("VmbChannelPacketComplete", KMCL, "Completes an incoming packet; every delivery must be completed exactly once.", [
      { kind: "release", family: "completion", target: 0 },
    ]),
    entry("VmbChannelPacketDeferToPassive", KMCL, "Hands an incoming packet back to the parsing queue, to be delivered again at PASSIVE_LEVEL: this delivery must not complete it.", [
      { kind: "transfer", family: "completion", target: 0 },
    ]),
    entry("VmbChannelPacketFail", KMCL, "Fails a malformed incoming packet and stops the queue: the library ends the delivery.", [
      { kind: "transfer", family: "completion", target: 0 },
    ]),
    {
      ...entry("VmbChannelPacketGetExternalData", KMCL, "Maps the external data of an incoming packet. STATUS_PENDING: the callback must return, and the packet is delivered again when the data is ready.", [
        { kind: "use", family: "completion", target: 0 },
        { kind: "transfer", family: "completion", target: 0, when: "pending" },
      ], "ntstatus"),
      pendingStatus: "STATUS_PENDING",
    },
    // Channels (VMBCHANNEL): allocated through an out parameter (`_At_(*Channel, __drv_allocatesMem(Mem))`), ended by VmbChannelCleanup.
    entry("VmbChannelAllocate", KMCL, "Allocates a channel; it must be released with VmbChannelCleanup.", [
      { kind: "acquire", family: "channel", target: 2, when: "success" },
    ], "ntstatus"),
    entry("VmbChannelCleanup", KMCL, "Releases a channel.", [{ kind: "release", family: "channel", target: 0 }]),
    // `__drv_aliasesMem` on the pointer: the channel keeps it.
    entry("VmbChannelSetPointer", KMCL, "Keeps a pointer in the channel's context.", [
      { kind: "use", family: "channel", target: 0 },
      { kind: "escape", target: 1 },
    ]),
    ...["VmbChannelEnable", "VmbChannelSendSynchronousRequest", "VmbChannelSaveBegin", "VmbChannelSaveContinue", "VmbChannelRestoreFromBuffer",
      "VmbChannelSetInterruptLatency", "VmbChannelMapGpadl", "VmbChannelCreateGpadlFromMdl", "VmbChannelCreateGpadlFromBuffer",
      "VmbChannelInitSetMaximumPacketSize", "VmbChannelInitSetMaximumExternalData", "VmbChannelInitSetClientContextSize",
      "VmbChannelInitSetStateChangeCallbacks", "VmbChannelInitSetFriendlyName", "VmbChannelInitSetFlags", "VmbServerChannelInitSetFlags",
      "VmbServerChannelInitSetMmioMegabytes", "VmbServerChannelInitSetTargetInterfaceId", "VmbServerChannelInitSetSaveRestorePacketCallbacks",
      "VmbServerChannelInitSetVmbusHandle", "VmbClientChannelInitSetRingBufferPageCount", "VmbClientChannelInitSetTargetPnp"].map((name) =>
      entry(name, KMCL, "Operates on a live channel.", [{ kind: "use", family: "channel", target: 0 }], "ntstatus"),
    ),
    ...["VmbChannelDisable", "VmbChannelStart", "VmbChannelPause", "VmbChannelSaveEnd", "VmbChannelGetPointer", "VmbChannelUnmapGpadl",
      "VmbChannelDeleteGpadl", "VmbChannelSetIncomingProcessingAtPassive", "VmbChannelSetTransactionQuota", "VmbChannelGetInterfaceInstance",
      "VmbChannelSizeofPacket"].map((name) =>
      entry(name, KMCL, "Operates on a live channel.", [{ kind: "use", family: "channel", target: 0 }]),
    ),
    entry("VmbChannelInitSetProcessPacketCallbacks", KMCL, "Registers the channel's process-packet callback, which receives incoming packets to complete.", [
      { kind: "use", family: "channel", target: 0 },
      { kind: "register-callback", target: 1, role: "process-packet" },
    ], "ntstatus"),
    entry("NT_SUCCESS", KMCL, "True when the status is a success code.", [{ kind: "status-predicate", target: 0 }], "boolean"),
    ...neverReturns(bugChecks, KMCL, "Stops the system."),
  ],
  roles: [
    {
      name: "process-packet",
      params: [{ index: 1, family: "completion" }],
      typedefs: ["EVT_VMB_CHANNEL_PROCESS_PACKET"],
    },
    {
      name: "packet-completion",
      params: [{ index: 0, family: "packet" }],
      typedefs: ["EVT_VMB_PACKET_COMPLETION_ROUTINE"],
    },
  ],
  status: { successConstants: ["STATUS_SUCCESS"], failureConstantPattern: "^STATUS_" },
  typescriptOutParameterProperty: "value",
  // The header's function types: FN_VMB_PACKET_ALLOCATE, and PFN_VMB_PACKET_ALLOCATE pointing to one.
  functionTypePrefixes: ["PFN_", "FN_"],
};

const POOL = "wdk-pool";
export const wdkPoolPack: ModelPack = {
  name: POOL,
  description: "Executive pool allocations: ExAllocatePool* and ExFreePool*.",
  families: [
    { name: "pool", noun: "pool allocation", unknownCalls: "escape", leakRule: "leak", doubleReleaseRule: "double-free" },
    { name: "pool-aligned", noun: "aligned pool allocation", unknownCalls: "escape", leakRule: "leak", doubleReleaseRule: "double-free" },
    { name: "lookaside", noun: "lookaside list entry", unknownCalls: "escape", leakRule: "leak", doubleReleaseRule: "double-free" },
  ],
  functions: [
    ...["ExAllocatePool2", "ExAllocatePool3", "ExAllocatePoolWithTag", "ExAllocatePool", "ExAllocatePoolZero",
      "ExAllocatePoolUninitialized", "ExAllocatePoolQuotaUninitialized", "ExAllocatePoolQuotaZero", "ExAllocatePoolPriorityZero",
      "ExAllocatePoolPriorityUninitialized", "ExAllocatePoolWithQuota", "ExAllocatePoolWithQuotaTag", "ExAllocatePoolWithTagPriority"].map((name) =>
      entry(name, POOL, "Allocates pool memory; returns NULL on failure.", [{ kind: "acquire", family: "pool", target: "return", mayBeNull: true }], "pointer"),
    ),
    ...["ExFreePoolWithTag", "ExFreePool", "ExFreePool2"].map((name) =>
      entry(name, POOL, "Frees pool memory.", [{ kind: "release", family: "pool", target: 0 }]),
    ),
    // Filter Manager's aligned pool: the instance comes first.
    entry("FltAllocatePoolAlignedWithTag", POOL, "Allocates aligned pool memory for a filter instance; returns NULL on failure.", [
      { kind: "acquire", family: "pool-aligned", target: "return", mayBeNull: true },
    ], "pointer"),
    entry("FltFreePoolAlignedWithTag", POOL, "Frees aligned pool memory of a filter instance.", [{ kind: "release", family: "pool-aligned", target: 1 }]),
    // Lookaside list entries go back to their list, never to the pool.
    ...["ExAllocateFromNPagedLookasideList", "ExAllocateFromPagedLookasideList", "ExAllocateFromLookasideListEx"].map((name) =>
      entry(name, POOL, "Takes an entry from a lookaside list; returns NULL on failure.", [{ kind: "acquire", family: "lookaside", target: "return", mayBeNull: true }], "pointer"),
    ),
    ...["ExFreeToNPagedLookasideList", "ExFreeToPagedLookasideList", "ExFreeToLookasideListEx"].map((name) =>
      entry(name, POOL, "Returns an entry to its lookaside list.", [{ kind: "release", family: "lookaside", target: 1 }]),
    ),
    ...["RtlZeroMemory", "RtlSecureZeroMemory", "RtlFillMemory", "RtlCopyMemory", "RtlMoveMemory", "RtlCompareMemory", "RtlEqualMemory"].map((name) => memoryRoutine(name, POOL)),
    ...["DbgPrint", "DbgPrintEx", "KdPrint", "KdPrintEx"].map((name) => entry(name, POOL, "Prints its arguments.", [])),
    // The safe string routines and the UNICODE_STRING routines that copy into, format into or
    // compare buffers: they keep no pointer to what they are given (RtlUnicodeStringInit does, and is not here).
    ...[...safeStringRoutines(), "RtlUnicodeStringPrintf", "RtlUnicodeStringCopy", "RtlUnicodeStringCopyString", "RtlUnicodeStringCat", "RtlUnicodeStringCatString",
      "RtlCopyUnicodeString", "RtlAppendUnicodeStringToString", "RtlAppendUnicodeToString", "RtlCompareUnicodeString", "RtlEqualUnicodeString", "RtlCompareString", "RtlEqualString"]
      .map((name) => borrowsArguments(name, POOL, "Copies, formats or compares strings in the buffers it is given; keeps none of them.")),
    ...neverReturns(bugChecks, POOL, "Stops the system."),
    ...wdkKeepers(POOL),
  ],
  roles: [],
};

const MDL = "wdk-mdl";
export const wdkMdlPack: ModelPack = {
  name: MDL,
  description: "Memory descriptor lists: IoAllocateMdl and IoFreeMdl; MmAllocatePagesForMdl, MmFreePagesFromMdl then ExFreePool.",
  families: [
    // An MDL from MmAllocatePagesForMdl (variant `pages`) is not IoFreeMdl's to free.
    { name: "mdl", noun: "MDL", unknownCalls: "escape", leakRule: "leak", doubleReleaseRule: "double-free", unreleasableVariants: ["pages"] },
  ],
  functions: [
    // With an IRP (the fifth argument), the MDL goes on the IRP's MDL chain (its MdlAddress, or
    // after it for a secondary buffer) and is the IRP's: IoFreeIrp or the completion frees it.
    entry("IoAllocateMdl", MDL, "Allocates an MDL describing a buffer; returns NULL on failure. Given an IRP, the MDL belongs to the IRP.", [
      { kind: "acquire", family: "mdl", target: "return", mayBeNull: true, keptBy: 4 },
      { kind: "attach", target: 0 },
    ], "pointer"),
    entry("IoFreeMdl", MDL, "Frees an MDL.", [{ kind: "release", family: "mdl", target: 0 }]),
    ...["MmAllocatePagesForMdl", "MmAllocatePagesForMdlEx", "MmAllocateNodePagesForMdlEx", "MmAllocatePartitionNodePagesForMdlEx"].map((name) =>
      entry(name, MDL, "Allocates physical pages and an MDL describing them; returns NULL on failure. Free with MmFreePagesFromMdl, then ExFreePool on the MDL.", [
        { kind: "acquire", family: "mdl", variant: "pages", target: "return", mayBeNull: true },
      ], "pointer"),
    ),
    entry("MmFreePagesFromMdl", MDL, "Frees the pages an MDL from MmAllocatePagesForMdl describes; the MDL itself must still be freed with ExFreePool.", [
      { kind: "release", family: "mdl", variant: "pages", target: 0, leaves: "pool" },
    ]),
    ...["MmBuildMdlForNonPagedPool", "MmProbeAndLockPages", "MmUnlockPages", "MmGetSystemAddressForMdlSafe", "MmGetMdlVirtualAddress", "MmGetMdlByteCount", "MmMapLockedPagesSpecifyCache", "MmMapLockedPages"].map((name) =>
      entry(name, MDL, "Uses a live MDL.", [{ kind: "use", family: "mdl", target: 0 }]),
    ),
    ...neverReturns(bugChecks, MDL, "Stops the system."),
    ...["MmUnmapLockedPages"].map((name) => entry(name, MDL, "Unmaps the pages of a live MDL.", [{ kind: "use", family: "mdl", target: 1 }])),
  ],
  roles: [],
};

const LIBC = "libc";
export const libcPack: ModelPack = {
  name: LIBC,
  description: "C heap: malloc, calloc, realloc, strdup and free.",
  families: [
    { name: "heap", noun: "heap allocation", unknownCalls: "escape", leakRule: "leak", doubleReleaseRule: "double-free" },
  ],
  functions: [
    ...["malloc", "calloc", "strdup", "strndup", "_strdup", "wcsdup", "_wcsdup", "aligned_alloc"].map((name) =>
      entry(name, LIBC, "Allocates heap memory; returns NULL on failure.", [{ kind: "acquire", family: "heap", target: "return", mayBeNull: true }], "pointer"),
    ),
    entry("realloc", LIBC, "Resizes a heap block: on success the old pointer is released and a new one returned; on failure the old one is still owned.", [
      { kind: "release", family: "heap", target: 0, when: "success" },
      { kind: "acquire", family: "heap", target: "return", mayBeNull: true },
    ], "pointer"),
    entry("free", LIBC, "Frees heap memory.", [{ kind: "release", family: "heap", target: 0 }]),
    // The string and memory routines, narrow and wide: they read or write what they are given and keep nothing.
    ...["memset", "memcpy", "memmove", "memcmp", "memchr", "strcpy", "strncpy", "strcat", "strncat", "strcmp", "strncmp", "strlen", "strnlen", "strchr", "strrchr", "strstr",
      "wmemset", "wmemcpy", "wmemmove", "wmemcmp", "wcscpy", "wcsncpy", "wcscat", "wcsncat", "wcscmp", "wcsncmp", "wcslen", "wcsnlen", "wcschr", "wcsrchr", "wcsstr",
      "fgets", "fgetws", "fread", "fwrite"].map((name) => memoryRoutine(name, LIBC)),
    // Printing reads every string it is given (a freed one is a use after free).
    ...["printf", "fprintf", "sprintf", "snprintf", "puts", "fputs", "wprintf", "fwprintf", "swprintf", "fputws", "putws"].map((name) =>
      entry(name, LIBC, "Prints its arguments.", [0, 1, 2, 3, 4, 5].map((target) => ({ kind: "use" as const, family: anyFamily, target }))),
    ),
    ...neverReturns(["exit", "abort", "_exit", "_Exit", "quick_exit"], LIBC, "Ends the program."),
  ],
  roles: [],
};

/** Stores the arguments from `first` on: a variadic call keeps every one passed. */
function storesArguments(name: string, origin: string, doc: string, first: number): ModelEntry {
  const effects: Effect[] = [];
  for (let target = first; target < first + 8; target++) effects.push({ kind: "escape", target });
  return entry(name, origin, doc, effects);
}

const ECMASCRIPT = "ecmascript";
/**
 * The JavaScript library, for TypeScript and JavaScript sources only: what is pushed into an array
 * or put into a Map or Set stays reachable after the call, as a store into a field does; the array
 * methods that take a function run it before they return and do not keep it.
 */
export const ecmascriptPack: ModelPack = {
  name: ECMASCRIPT,
  description: "ECMAScript containers (Array, Map, Set) keep what is stored in them; Array's iteration methods run their function at once.",
  families: [],
  functions: [
    storesArguments("push", ECMASCRIPT, "Appends its arguments to the array, which keeps them.", 0),
    storesArguments("unshift", ECMASCRIPT, "Prepends its arguments to the array, which keeps them.", 0),
    storesArguments("splice", ECMASCRIPT, "Inserts its arguments after the second into the array, which keeps them.", 2),
    storesArguments("set", ECMASCRIPT, "Stores the key and the value in the map, which keeps them.", 0),
    storesArguments("add", ECMASCRIPT, "Adds the value to the set, which keeps it.", 0),
    ...["forEach", "map", "filter", "some", "every", "find", "findIndex", "findLast", "findLastIndex", "flatMap", "reduce", "reduceRight", "sort"].map((name) =>
      entry(name, ECMASCRIPT, "Runs the function it is given on the elements, before it returns, and does not keep it.", [{ kind: "runs-callback", target: 0 }]),
    ),
  ],
  roles: [],
};

const CPP = "c++";
/**
 * The C++ language's own allocation, for C++ sources only: the frontend lowers `new T(...)` to a
 * call of `operator new` (then the constructor) and `delete p` to the destructor then `operator
 * delete`. An object and an array are families of their own, so `delete` of an array is a release
 * of something the family did not allocate. Placement forms with pool and tag arguments are the
 * same allocation; the one-pointer placement form allocates nothing (the frontend knows it).
 */
export const cppPack: ModelPack = {
  name: CPP,
  description: "C++ new and delete: an object from new is deleted once with delete, an array from new[] once with delete[].",
  families: [
    { name: "new", noun: "object from new", unknownCalls: "escape", leakRule: "leak", doubleReleaseRule: "double-free" },
    { name: "new[]", noun: "array from new[]", unknownCalls: "escape", leakRule: "leak", doubleReleaseRule: "double-free" },
  ],
  functions: [
    entry("operator new", CPP, "Allocates and constructs an object; it must be deleted once with delete.", [{ kind: "acquire", family: "new", target: "return" }], "pointer"),
    entry("operator new[]", CPP, "Allocates an array; it must be deleted once with delete[].", [{ kind: "acquire", family: "new[]", target: "return" }], "pointer"),
    entry("operator delete", CPP, "Destroys and frees an object from new.", [{ kind: "release", family: "new", target: 0 }]),
    entry("operator delete[]", CPP, "Frees an array from new[].", [{ kind: "release", family: "new[]", target: 0 }]),
  ],
  roles: [],
};

const MSVC = "msvc";
/** What the WDK's compiler itself provides to C and C++: structured exception handling's intrinsics. */
export const msvcPack: ModelPack = {
  name: MSVC,
  description: "The compiler's structured exception handling: AbnormalTermination() in a __finally body.",
  families: [],
  functions: structuredExceptionHandling(MSVC),
  roles: [],
};

/** Packs that describe a language's own library: always in effect for sources of that language. */
export const languagePacks: ReadonlyMap<SourceLanguage, readonly ModelPack[]> = new Map([
  ["ts", [ecmascriptPack]],
  ["c", [msvcPack]],
  ["cpp", [msvcPack, cppPack]],
]);

export const builtinPacks: ReadonlyMap<string, ModelPack> = new Map(
  [kmclPack, wdkPoolPack, wdkMdlPack, libcPack].map((pack) => [pack.name, pack]),
);

export const defaultPacks = [KMCL];

/** The status convention of the first enabled pack that has one (NTSTATUS by default). */
export function statusConventionOf(models: readonly string[]): StatusConvention {
  for (const name of models) {
    const status = builtinPacks.get(name)?.status;
    if (status) return status;
  }
  return kmclPack.status!;
}

/** `VmbPacketAllocate` → `VMB_PACKET_ALLOCATE`: words split where a capital follows a lower-case letter or digit. */
function upperSnakeCase(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase();
}

/**
 * The function types the enabled packs' headers declare, by typedef name, with the function each
 * one is the type of (`PFN_VMB_PACKET_ALLOCATE` → `VmbPacketAllocate`).
 */
export function functionTypeNames(models: readonly string[]): Map<string, string> {
  const types = new Map<string, string>();
  for (const model of models) {
    const pack = builtinPacks.get(model);
    for (const prefix of pack?.functionTypePrefixes ?? []) for (const fn of pack!.functions) types.set(prefix + upperSnakeCase(fn.name), fn.name);
  }
  return types;
}

/** Names the model recognizes as status codes: they must reach the engine as names, not values. */
/** The typedef names that declare a function in a callback role (`EVT_VMB_CHANNEL_PROCESS_PACKET Name;`). */
export function roleTypedefNames(models: readonly string[], extraRoles: readonly RoleDef[] = []): Set<string> {
  const names = new Set<string>();
  for (const model of models) for (const role of builtinPacks.get(model)?.roles ?? []) for (const typedef of role.typedefs) names.add(typedef);
  for (const role of extraRoles) for (const typedef of role.typedefs) names.add(typedef);
  return names;
}

export function statusNamePattern(models: readonly string[]): RegExp {
  const status = statusConventionOf(models);
  const success = status.successConstants.map((name) => name.replace(/[^\w]/g, "\\$&")).join("|");
  return new RegExp(success ? `${status.failureConstantPattern}|^(?:${success})$` : status.failureConstantPattern);
}

/**
 * Functions that only answer a question about their arguments (`NT_SUCCESS`): a call to one cannot
 * throw, so inside a `try` it is no place an exception comes from.
 */
export function predicateNames(models: readonly string[], configured: Readonly<Record<string, { effects: readonly Effect[] }>> = {}): Set<string> {
  const names = new Set<string>();
  const isPredicate = (effects: readonly Effect[]) => effects.length > 0 && effects.every((effect) => effect.kind === "status-predicate");
  for (const model of models) for (const fn of builtinPacks.get(model)?.functions ?? []) if (isPredicate(fn.effects)) names.add(fn.name);
  for (const [name, spec] of Object.entries(configured)) {
    if (isPredicate(spec.effects)) names.add(name);
    else names.delete(name);
  }
  return names;
}
