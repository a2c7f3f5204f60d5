// Argument checks shared by the KMCL functions: a wrong type or an out-of-range value is a
// TypeError naming the function, before anything changes.
import { ChannelObject, CompletionObject, type MDL, type OutParam, PacketObject, describeHandle, isHandleObject } from "./handles";
import type { Simulation } from "./simulation";

export function describeValue(value: unknown): string {
  if (value === undefined) return "undefined";
  if (value === null) return "NULL";
  if (isHandleObject(value)) return describeHandle(value);
  if (typeof value === "object") return `an object that is not a KMCL handle (${Object.prototype.toString.call(value)})`;
  return `${typeof value} ${String(value)}`;
}

export function channelArgument(value: unknown, operation: string): ChannelObject {
  if (value instanceof ChannelObject) return value;
  throw new TypeError(`${operation}: expected a VMBCHANNEL, got ${describeValue(value)}`);
}

export function packetArgument(value: unknown, operation: string): PacketObject & { owner: Simulation } {
  if (!(value instanceof PacketObject)) throw new TypeError(`${operation}: expected a VMBPACKET, got ${describeValue(value)}`);
  if (value.owner === undefined) throw new TypeError(`${operation}: this caller packet memory was never initialized with VmbPacketInitialize`);
  return value as PacketObject & { owner: Simulation };
}

export function completionArgument(value: unknown, operation: string): CompletionObject {
  if (value instanceof CompletionObject) return value;
  throw new TypeError(`${operation}: expected a VMBPACKETCOMPLETION (the handle given to EvtVmbChannelProcessPacket), got ${describeValue(value)}`);
}

export function outArgument<T>(value: unknown, operation: string, what: string): OutParam<T> {
  if (typeof value === "object" && value !== null && "value" in value) return value as OutParam<T>;
  throw new TypeError(`${operation}: expected an out-parameter object { value } for ${what}, got ${describeValue(value)}`);
}

export function lengthArgument(value: unknown, operation: string, what: string): number {
  if (typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= 0xffffffff) return value;
  throw new TypeError(`${operation}: ${what} must be a UINT32, got ${describeValue(value)}`);
}

export function flagsArgument(value: unknown, operation: string): number {
  if (typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= 0xffffffff) return value;
  throw new TypeError(`${operation}: Flags must be a UINT32, got ${describeValue(value)}`);
}

export function mdlBytes(mdl: MDL | null | undefined, offset: number, length: number, operation: string): Uint8Array | null {
  if (mdl === null || mdl === undefined) return null;
  if (typeof mdl !== "object" || !(mdl.bytes instanceof Uint8Array)) throw new TypeError(`${operation}: expected an MDL ({ bytes: Uint8Array }) or NULL`);
  const end = length === 0 ? mdl.bytes.length : offset + length;
  if (offset > mdl.bytes.length || end > mdl.bytes.length) throw new TypeError(`${operation}: MDL range ${offset}+${length} is outside its ${mdl.bytes.length} bytes`);
  return mdl.bytes.subarray(offset, end);
}

export function uint16Argument(value: unknown, operation: string, what: string): number {
  if (typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= 0xffff) return value;
  throw new TypeError(`${operation}: ${what} must be a UINT16, got ${describeValue(value)}`);
}

export function guidArgument(value: unknown, operation: string, what: string): string {
  if (typeof value === "string" && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)) return value.toLowerCase();
  throw new TypeError(`${operation}: ${what} must be a GUID string like "f8615163-df3e-46c5-913f-f2d2f965ed0e", got ${describeValue(value)}`);
}

/** A callback argument: a function, or (when `optional`) NULL / undefined. */
export function callbackArgument<T extends (...args: never[]) => unknown>(value: unknown, operation: string, what: string, optional: boolean): T | undefined {
  if (typeof value === "function") return value as T;
  if (optional && (value === null || value === undefined)) return undefined;
  throw new TypeError(`${operation}: ${what} must be a function${optional ? " or NULL" : ""}, got ${describeValue(value)}`);
}

export function bufferArgument(value: unknown, length: number, operation: string, what: string): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${operation}: ${what} must be a Uint8Array, got ${describeValue(value)}`);
  if (length > value.length) throw new TypeError(`${operation}: ${what} has ${value.length} bytes, fewer than the ${length} given`);
  return value;
}
