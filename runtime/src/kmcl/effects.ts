// What each KMCL function of the runtime does to handles, as data in the shape of the checker's
// model (acquire / release / transfer / use ...). A parity test compares this table with the
// checker's KMCL pack and exercises every row against the simulation, so the two cannot drift.

export type RuntimeEffect =
  /** `inPlace`: the argument itself becomes the handle (caller memory turned into a packet); otherwise a number target is an out-parameter. */
  | { kind: "acquire"; family: string; target: number | "return"; mayBeNull?: boolean; when?: "success"; variant?: string; inPlace?: boolean }
  | { kind: "release"; family: string; target: number }
  /** `success`: only when the call succeeds; `pending`: only when it returns STATUS_PENDING; unconditional without `when`. */
  | { kind: "transfer"; family: string; target: number; when?: "success" | "pending" }
  | { kind: "use"; family: string; target: number }
  /** The handle keeps the argument (a pointer the driver stores in it). */
  | { kind: "escape"; target: number }
  | { kind: "register-callback"; target: number; role: string }
  | { kind: "status-predicate"; target: number }
  | { kind: "no-return" };

const useChannel: RuntimeEffect[] = [{ kind: "use", family: "channel", target: 0 }];
const usePacket: RuntimeEffect[] = [{ kind: "use", family: "packet", target: 0 }];
const sendPacket: RuntimeEffect[] = [{ kind: "transfer", family: "packet", target: 0, when: "success" }];
/** The library takes the incoming packet back: this delivery must not complete it. */
const handBackCompletion: RuntimeEffect[] = [{ kind: "transfer", family: "completion", target: 0 }];

/** Channel functions returning an NTSTATUS, then the VOID (or non-status) ones: all only use the channel. */
const channelFunctions = [
  "VmbChannelEnable", "VmbChannelSendSynchronousRequest", "VmbChannelSaveBegin", "VmbChannelSaveContinue", "VmbChannelRestoreFromBuffer",
  "VmbChannelSetInterruptLatency", "VmbChannelMapGpadl", "VmbChannelCreateGpadlFromMdl", "VmbChannelCreateGpadlFromBuffer",
  "VmbChannelInitSetMaximumPacketSize", "VmbChannelInitSetMaximumExternalData", "VmbChannelInitSetClientContextSize",
  "VmbChannelInitSetStateChangeCallbacks", "VmbChannelInitSetFriendlyName", "VmbChannelInitSetFlags", "VmbServerChannelInitSetFlags",
  "VmbServerChannelInitSetMmioMegabytes", "VmbServerChannelInitSetTargetInterfaceId", "VmbServerChannelInitSetSaveRestorePacketCallbacks",
  "VmbServerChannelInitSetVmbusHandle", "VmbClientChannelInitSetRingBufferPageCount", "VmbClientChannelInitSetTargetPnp",
  "VmbChannelDisable", "VmbChannelStart", "VmbChannelPause", "VmbChannelSaveEnd", "VmbChannelGetPointer", "VmbChannelUnmapGpadl",
  "VmbChannelDeleteGpadl", "VmbChannelSetIncomingProcessingAtPassive", "VmbChannelSetTransactionQuota", "VmbChannelGetInterfaceInstance",
  "VmbChannelSizeofPacket",
];

export const runtimeEffects: Readonly<Record<string, readonly RuntimeEffect[]>> = {
  VmbPacketAllocate: [
    { kind: "acquire", family: "packet", target: "return", mayBeNull: true },
    { kind: "use", family: "channel", target: 0 },
  ],
  VmbPacketInitialize: [
    { kind: "use", family: "channel", target: 0 },
    { kind: "acquire", family: "packet", target: 1, variant: "caller-memory", when: "success", inPlace: true },
  ],
  VmbPacketFree: [{ kind: "release", family: "packet", target: 0 }],
  VmbPacketSend: sendPacket,
  VmbPacketSendWithExternalMdl: sendPacket,
  VmbPacketSendWithExternalPfns: sendPacket,
  VmbPacketRestore: sendPacket,
  VmbPacketSetCompletionRoutine: [
    { kind: "use", family: "packet", target: 0 },
    { kind: "register-callback", target: 1, role: "packet-completion" },
  ],
  VmbPacketSetPointer: [
    { kind: "use", family: "packet", target: 0 },
    { kind: "escape", target: 1 },
  ],
  VmbPacketGetContext: usePacket,
  VmbPacketGetPointer: usePacket,
  VmbPacketGetChannel: usePacket,
  VmbChannelPacketComplete: [{ kind: "release", family: "completion", target: 0 }],
  VmbChannelPacketDeferToPassive: handBackCompletion,
  VmbChannelPacketFail: handBackCompletion,
  VmbChannelPacketGetExternalData: [
    { kind: "use", family: "completion", target: 0 },
    { kind: "transfer", family: "completion", target: 0, when: "pending" },
  ],
  VmbChannelAllocate: [{ kind: "acquire", family: "channel", target: 2, when: "success" }],
  VmbChannelCleanup: [{ kind: "release", family: "channel", target: 0 }],
  VmbChannelSetPointer: [
    { kind: "use", family: "channel", target: 0 },
    { kind: "escape", target: 1 },
  ],
  ...Object.fromEntries(channelFunctions.map((name) => [name, useChannel])),
  VmbChannelInitSetProcessPacketCallbacks: [
    { kind: "use", family: "channel", target: 0 },
    { kind: "register-callback", target: 1, role: "process-packet" },
  ],
  NT_SUCCESS: [{ kind: "status-predicate", target: 0 }],
  KeBugCheckEx: [{ kind: "no-return" }],
  KeBugCheck: [{ kind: "no-return" }],
};
