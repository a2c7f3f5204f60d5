// NTSTATUS codes and the KMCL flag constants, with the values of the Windows headers.
// NTSTATUS is a signed 32-bit LONG, so codes are kept as signed numbers: NT_SUCCESS is then `>= 0`.

export type NTSTATUS = number;

function ntstatus(unsignedCode: number): NTSTATUS {
  return unsignedCode | 0;
}

export const STATUS_SUCCESS: NTSTATUS = ntstatus(0x00000000);
export const STATUS_PENDING: NTSTATUS = ntstatus(0x00000103);
export const STATUS_UNSUCCESSFUL: NTSTATUS = ntstatus(0xc0000001);
export const STATUS_INVALID_HANDLE: NTSTATUS = ntstatus(0xc0000008);
export const STATUS_INVALID_PARAMETER: NTSTATUS = ntstatus(0xc000000d);
export const STATUS_INSUFFICIENT_RESOURCES: NTSTATUS = ntstatus(0xc000009a);
export const STATUS_DEVICE_NOT_READY: NTSTATUS = ntstatus(0xc00000a3);
export const STATUS_IO_TIMEOUT: NTSTATUS = ntstatus(0xc00000b5);
export const STATUS_CANCELLED: NTSTATUS = ntstatus(0xc0000120);
export const STATUS_NOT_FOUND: NTSTATUS = ntstatus(0xc0000225);
export const STATUS_BUFFER_TOO_SMALL: NTSTATUS = ntstatus(0xc0000023);
export const STATUS_INVALID_DEVICE_STATE: NTSTATUS = ntstatus(0xc0000184);
export const STATUS_DEVICE_REMOVED: NTSTATUS = ntstatus(0xc00002b6);
export const STATUS_ACCESS_DENIED: NTSTATUS = ntstatus(0xc0000022);
export const STATUS_MORE_PROCESSING_REQUIRED: NTSTATUS = ntstatus(0xc0000016);
export const STATUS_INVALID_PARAMETER_1: NTSTATUS = ntstatus(0xc00000ef);
export const STATUS_INVALID_PARAMETER_2: NTSTATUS = ntstatus(0xc00000f0);
export const STATUS_INVALID_PARAMETER_3: NTSTATUS = ntstatus(0xc00000f1);
/** A warning (severity 2): NT_SUCCESS is false. VmbChannelSaveContinue: some data written, more to save. */
export const STATUS_BUFFER_OVERFLOW: NTSTATUS = ntstatus(0x80000005);

const statusNames: ReadonlyMap<NTSTATUS, string> = new Map([
  [STATUS_SUCCESS, "STATUS_SUCCESS"],
  [STATUS_PENDING, "STATUS_PENDING"],
  [STATUS_UNSUCCESSFUL, "STATUS_UNSUCCESSFUL"],
  [STATUS_INVALID_HANDLE, "STATUS_INVALID_HANDLE"],
  [STATUS_INVALID_PARAMETER, "STATUS_INVALID_PARAMETER"],
  [STATUS_INSUFFICIENT_RESOURCES, "STATUS_INSUFFICIENT_RESOURCES"],
  [STATUS_DEVICE_NOT_READY, "STATUS_DEVICE_NOT_READY"],
  [STATUS_IO_TIMEOUT, "STATUS_IO_TIMEOUT"],
  [STATUS_CANCELLED, "STATUS_CANCELLED"],
  [STATUS_NOT_FOUND, "STATUS_NOT_FOUND"],
  [STATUS_BUFFER_TOO_SMALL, "STATUS_BUFFER_TOO_SMALL"],
  [STATUS_INVALID_DEVICE_STATE, "STATUS_INVALID_DEVICE_STATE"],
  [STATUS_DEVICE_REMOVED, "STATUS_DEVICE_REMOVED"],
  [STATUS_ACCESS_DENIED, "STATUS_ACCESS_DENIED"],
  [STATUS_MORE_PROCESSING_REQUIRED, "STATUS_MORE_PROCESSING_REQUIRED"],
  [STATUS_INVALID_PARAMETER_1, "STATUS_INVALID_PARAMETER_1"],
  [STATUS_INVALID_PARAMETER_2, "STATUS_INVALID_PARAMETER_2"],
  [STATUS_INVALID_PARAMETER_3, "STATUS_INVALID_PARAMETER_3"],
  [STATUS_BUFFER_OVERFLOW, "STATUS_BUFFER_OVERFLOW"],
]);

/** True for success and informational codes (severity bits 00 and 01), as the WDK macro. */
export function NT_SUCCESS(status: NTSTATUS): boolean {
  return (status | 0) >= 0;
}

/** `STATUS_CANCELLED (0xC0000120)`, or the bare hex code for codes without a known name. */
export function formatStatus(status: NTSTATUS): string {
  const hex = `0x${(status >>> 0).toString(16).toUpperCase().padStart(8, "0")}`;
  const name = statusNames.get(status | 0);
  return name ? `${name} (${hex})` : hex;
}

/** Resolves a status given by name (`"STATUS_CANCELLED"`) or number, as scenario files spell them. */
export function parseStatus(value: unknown, where: string): NTSTATUS {
  if (typeof value === "number" && Number.isInteger(value)) return value | 0;
  if (typeof value === "string") {
    for (const [code, name] of statusNames) if (name === value) return code;
    if (/^0x[0-9a-f]{1,8}$/i.test(value)) return Number.parseInt(value, 16) | 0;
  }
  throw new TypeError(`${where}: expected an NTSTATUS (a number or a name like "STATUS_CANCELLED"), got ${JSON.stringify(value)}`);
}

// Send flags (vmbuskernelmodeclientlibapi.h).
/** The packet is not complete, and its resources may not be released, until the other endpoint completes it. */
export const VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION = 0x1;
export const VMBUS_CHANNEL_FORMAT_FLAG_FORCE_MDL_LENGTH = 0x2;
export const VMBUS_CHANNEL_FORMAT_FLAG_PAGED_BUFFER = 0x4;
const knownSendFlags =
  VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION | VMBUS_CHANNEL_FORMAT_FLAG_FORCE_MDL_LENGTH | VMBUS_CHANNEL_FORMAT_FLAG_PAGED_BUFFER;

/** True when `flags` only has bits the library defines. */
export function areKnownSendFlags(flags: number): boolean {
  return Number.isInteger(flags) && (flags & ~knownSendFlags) === 0 && flags >= 0;
}

/** Set in the Flags of EvtVmbChannelProcessPacket when the incoming packet references external data. */
export const VMBUS_CHANNEL_PROCESS_PACKET_FLAG_EXTERNAL_DATA = 0x1;

/** Flags of VmbChannelPacketGetExternalData: map the external data read-only. */
export const VMBUS_CHANNEL_PACKET_EXTERNAL_DATA_FLAG_READ_ONLY = 0x1;

/** GPADL flags (VmbChannelCreateGpadlFrom*, VmbChannelMapGpadl): the buffer is read-only for the server. */
export const VMBUS_CHANNEL_GPADL_FLAG_READ_ONLY = 0x1;

/** VmbChannelInitSetFlags: the channel operates as a pipe. */
export const VMBUS_CHANNEL_INIT_FLAG_IS_PIPE = 0x1;
export const VMBUS_CHANNEL_INIT_FLAGS = VMBUS_CHANNEL_INIT_FLAG_IS_PIPE;

/** VmbServerChannelInitSetFlags. */
export const VMBUS_SERVER_CHANNEL_INIT_FLAG_LOOPBACK_OFFER = 0x1;
export const VMBUS_SERVER_CHANNEL_INIT_FLAG_ENUMERATE_DEVICE_INTERFACE = 0x2;
export const VMBUS_SERVER_CHANNEL_INIT_FLAG_OFFER_AS_PIPE = 0x4;
export const VMBUS_SERVER_CHANNEL_INIT_FLAG_FORCE_NEW_CHANNEL = 0x8;
export const VMBUS_SERVER_CHANNEL_INIT_FLAG_TLNPI_PROVIDER_OFFER = 0x10;
export const VMBUS_SERVER_CHANNEL_INIT_FLAGS = 0x1f;

/** True when `flags` only has bits of `known`. */
export function hasOnlyFlags(flags: number, known: number): boolean {
  return (flags & ~known) === 0;
}
