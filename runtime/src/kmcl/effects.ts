// What each KMCL function of the runtime does to handles, as data in the shape of the checker's
// model (acquire / release / transfer / use ...). A parity test compares this table with the
// checker's KMCL pack and exercises every row against the simulation, so the two cannot drift.

export type RuntimeEffect =
  /** `inPlace`: the argument itself becomes the handle (caller memory turned into a packet); otherwise a number target is an out-parameter. */
  | { kind: "acquire"; family: string; target: number | "return"; mayBeNull?: boolean; when?: "success"; variant?: string; inPlace?: boolean }
  | { kind: "release"; family: string; target: number }
  | { kind: "transfer"; family: string; target: number; when: "success" }
  | { kind: "use"; family: string; target: number }
  | { kind: "register-callback"; target: number; role: string }
  | { kind: "status-predicate"; target: number }
  | { kind: "no-return" };

const useChannel: RuntimeEffect[] = [{ kind: "use", family: "channel", target: 0 }];
const usePacket: RuntimeEffect[] = [{ kind: "use", family: "packet", target: 0 }];
const sendPacket: RuntimeEffect[] = [{ kind: "transfer", family: "packet", target: 0, when: "success" }];

export const runtimeEffects: Readonly<Record<string, readonly RuntimeEffect[]>> = {
  VmbPacketAllocate: [{ kind: "acquire", family: "packet", target: "return", mayBeNull: true }],
  VmbPacketInitialize: [{ kind: "acquire", family: "packet", target: 1, variant: "caller-memory", when: "success", inPlace: true }],
  VmbPacketFree: [{ kind: "release", family: "packet", target: 0 }],
  VmbPacketSend: sendPacket,
  VmbPacketSendWithExternalMdl: sendPacket,
  VmbPacketSendWithExternalPfns: sendPacket,
  VmbPacketSetCompletionRoutine: [
    { kind: "use", family: "packet", target: 0 },
    { kind: "register-callback", target: 1, role: "packet-completion" },
  ],
  VmbPacketGetContext: usePacket,
  VmbPacketGetPointer: usePacket,
  VmbPacketSetPointer: usePacket,
  VmbChannelPacketComplete: [{ kind: "release", family: "completion", target: 0 }],
  VmbChannelPacketGetExternalData: [{ kind: "use", family: "completion", target: 0 }],
  VmbChannelAllocate: [{ kind: "acquire", family: "channel", target: 2, when: "success" }],
  VmbChannelCleanup: [{ kind: "release", family: "channel", target: 0 }],
  VmbChannelEnable: useChannel,
  VmbChannelDisable: useChannel,
  VmbChannelSendSynchronousRequest: useChannel,
  VmbChannelSizeofPacket: useChannel,
  VmbChannelInitSetProcessPacketCallbacks: [
    { kind: "use", family: "channel", target: 0 },
    { kind: "register-callback", target: 1, role: "process-packet" },
  ],
  NT_SUCCESS: [{ kind: "status-predicate", target: 0 }],
  KeBugCheckEx: [{ kind: "no-return" }],
  KeBugCheck: [{ kind: "no-return" }],
};
