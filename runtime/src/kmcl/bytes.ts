// Payload bytes: code passes Uint8Array; scenario files spell bytes as text, numbers or hex.
import type { BytesLike } from "./options";

const encoder = new TextEncoder();

export function toBytes(value: BytesLike | null | undefined, where: string): Uint8Array {
  if (value === undefined || value === null) return new Uint8Array(0);
  if (value instanceof Uint8Array) return value;
  if (typeof value === "string") return encoder.encode(value);
  if (Array.isArray(value)) {
    for (const byte of value) {
      if (!Number.isInteger(byte) || byte < 0 || byte > 255) throw new TypeError(`${where}: byte values must be integers in 0..255, got ${JSON.stringify(byte)}`);
    }
    return Uint8Array.from(value);
  }
  if (typeof value === "object" && typeof value.hex === "string") {
    const hex = value.hex.replace(/\s+/g, "");
    if (!/^([0-9a-f]{2})*$/i.test(hex)) throw new TypeError(`${where}.hex: expected pairs of hex digits, got ${JSON.stringify(value.hex)}`);
    const bytes = new Uint8Array(hex.length / 2);
    for (let index = 0; index < bytes.length; index++) bytes[index] = Number.parseInt(hex.slice(index * 2, index * 2 + 2), 16);
    return bytes;
  }
  throw new TypeError(`${where}: expected bytes (a Uint8Array, a string, an array of byte values or { hex }), got ${JSON.stringify(value)}`);
}

/** The first `length` bytes of `buffer` as the driver passed them (a copy: the driver may reuse its buffer). */
export function snapshotBytes(buffer: Uint8Array | null | undefined, length: number, where: string): Uint8Array {
  if (buffer === null || buffer === undefined) {
    if (length !== 0) throw new TypeError(`${where}: a NULL buffer needs a length of 0, got ${length}`);
    return new Uint8Array(0);
  }
  if (!(buffer instanceof Uint8Array)) throw new TypeError(`${where}: expected a Uint8Array buffer or null`);
  if (!Number.isInteger(length) || length < 0 || length > buffer.length) {
    throw new TypeError(`${where}: length ${length} is outside the buffer (${buffer.length} bytes)`);
  }
  return buffer.slice(0, length);
}
