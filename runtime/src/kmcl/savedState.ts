// The channel state image that VmbChannelSaveContinue hands out and VmbChannelRestoreFromBuffer
// reads back, as whole chunks: [u32 length of the body][u8 kind][body], little-endian. A header
// chunk announces how many packets follow; each packet chunk holds what the library saves of one
// packet in flight (the bytes it sent: the LibBuf of EvtVmbChannelRestorePacket) and what the
// driver's EvtVmbChannelSavePacket saved (its SaveBuf).

export interface SavedPacket {
  libraryState: Uint8Array;
  driverState: Uint8Array;
}

export interface DecodedChunks {
  /** From a header chunk in this buffer, if it holds one. */
  packetCount: number | undefined;
  packets: SavedPacket[];
}

const headerKind = 1;
const packetKind = 2;
const chunkHeaderSize = 5;

function chunk(kind: number, parts: readonly Uint8Array[]): Uint8Array {
  const bodyLength = parts.reduce((sum, part) => sum + 4 + part.length, 0);
  const bytes = new Uint8Array(chunkHeaderSize + bodyLength);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, bodyLength, true);
  view.setUint8(4, kind);
  let offset = chunkHeaderSize;
  for (const part of parts) {
    view.setUint32(offset, part.length, true);
    bytes.set(part, offset + 4);
    offset += 4 + part.length;
  }
  return bytes;
}

export function encodeChannelState(packets: readonly SavedPacket[]): Uint8Array[] {
  const count = new Uint8Array(4);
  new DataView(count.buffer).setUint32(0, packets.length, true);
  return [chunk(headerKind, [count]), ...packets.map((packet) => chunk(packetKind, [packet.libraryState, packet.driverState]))];
}

/** The chunks of `bytes`, or undefined when it is not a sequence of whole, well-formed chunks. */
export function decodeChannelState(bytes: Uint8Array): DecodedChunks | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const decoded: DecodedChunks = { packetCount: undefined, packets: [] };
  let offset = 0;
  while (offset < bytes.length) {
    if (offset + chunkHeaderSize > bytes.length) return undefined;
    const end = offset + chunkHeaderSize + view.getUint32(offset, true);
    const kind = view.getUint8(offset + 4);
    if (end > bytes.length) return undefined;
    const parts: Uint8Array[] = [];
    for (let at = offset + chunkHeaderSize; at < end; ) {
      if (at + 4 > end) return undefined;
      const partEnd = at + 4 + view.getUint32(at, true);
      if (partEnd > end) return undefined;
      parts.push(bytes.slice(at + 4, partEnd));
      at = partEnd;
    }
    if (kind === headerKind && parts.length === 1 && parts[0]!.length === 4) decoded.packetCount = new DataView(parts[0]!.buffer).getUint32(0, true);
    else if (kind === packetKind && parts.length === 2) decoded.packets.push({ libraryState: parts[0]!, driverState: parts[1]! });
    else return undefined;
    offset = end;
  }
  return decoded;
}
