// What a channel keeps besides its lifecycle: the VmbChannelInit* configuration, its GPADLs, and
// the progress of a save or a restore of its state.
import type { EvtVmbChannelPnpFailure, EvtVmbChannelRestorePacket, EvtVmbChannelSavePacket, VMB_CHANNEL_STATE_CHANGE_CALLBACKS } from "./handles";

/** A GUID, spelled `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`. */
export type GUID = string;

export interface ChannelSettings {
  flags: number;
  serverFlags: number;
  clientContextSize: number;
  maximumPacketSize?: number;
  maximumExternalData?: { dataSize: number; chainLength: number };
  stateChangeCallbacks?: VMB_CHANNEL_STATE_CHANGE_CALLBACKS;
  friendlyName?: string;
  mmioMegabytes?: { required: number; optional: number };
  interfaceType?: GUID;
  interfaceInstance?: GUID;
  savePacket?: EvtVmbChannelSavePacket;
  restorePacket?: EvtVmbChannelRestorePacket;
  vmbusHandle?: unknown;
  ringBufferPageCount?: { incoming: number; outgoing: number };
  pnpFailure?: EvtVmbChannelPnpFailure;
}

/** Which endpoint a VmbChannelInit* function configures. */
export type Endpoint = "any" | "server" | "client";

/** A GPADL: shared memory described to the opposite endpoint. `host`: established by the opposite endpoint. */
export interface Gpadl {
  readonly handle: number;
  readonly bytes: Uint8Array;
  readonly readOnly: boolean;
  readonly creator: "driver" | "host";
  readonly createdTime: number;
  mapped: boolean;
}

/** A save between VmbChannelSaveBegin and VmbChannelSaveEnd: the state image cut into whole chunks. */
export interface SaveProgress {
  readonly chunks: readonly Uint8Array[];
  next: number;
}

/** A restore fed chunk by chunk: done when every packet the header announced was restored. */
export interface RestoreProgress {
  expected: number;
  seen: number;
}

/** sizeof(VMB_CHANNEL_STATE_CHANGE_CALLBACKS) on x64: two ULONGs and five function pointers. */
export const stateChangeCallbacksSize = 48;
export const stateChangeCallbacksVersion = 1;
