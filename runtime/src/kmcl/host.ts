// The opposite endpoint, scriptable from code or a scenario: how it answers each packet the driver
// sends, and which packets it sends to the driver's process-packet callback.
import { BoundedLog } from "./boundedLog";
import { toBytes } from "./bytes";
import type { VMBCHANNEL } from "./handles";
import type { BytesLike, HostOptions, HostReply, HostRequest, IncomingPacketScript } from "./options";
import { type NTSTATUS, NT_SUCCESS, STATUS_SUCCESS, parseStatus } from "./status";

/** A reply with its status resolved; `response` undefined means "echo the request". */
export type ResolvedReply =
  | { action: "complete"; status: NTSTATUS; response: Uint8Array | undefined; delayMs: number }
  | { action: "drop" };

export interface DeliveryOptions {
  /** Virtual milliseconds from now. */
  delayMs?: number;
  externalData?: BytesLike;
}

/** What the host needs from its simulation: scheduling deliveries to a channel it owns, establishing GPADLs on it. */
export interface DeliveryTarget {
  scheduleDelivery(channel: VMBCHANNEL, delayMs: number, payload: Uint8Array, externalData: Uint8Array | null, caller: string): void;
  establishGpadl(channel: VMBCHANNEL, bytes: Uint8Array, readOnly: boolean): number;
}

/** The driver's answer to an incoming packet, as the host received it. */
export interface HostCompletionRecord {
  completionId: number;
  channelId: number;
  response: Uint8Array;
  time: number;
}

function delayOf(value: unknown, where: string): number {
  if (value === undefined) return 0;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) throw new TypeError(`${where}.delayMs: expected a non-negative number, got ${JSON.stringify(value)}`);
  return value;
}

export function resolveReply(reply: HostReply, where: string): ResolvedReply {
  if (typeof reply !== "object" || reply === null) throw new TypeError(`${where}: expected a reply object like { "action": "echo" }`);
  switch (reply.action) {
    case "echo":
      return { action: "complete", status: STATUS_SUCCESS, response: undefined, delayMs: delayOf(reply.delayMs, where) };
    case "complete": {
      const status = reply.status === undefined ? STATUS_SUCCESS : parseStatus(reply.status, `${where}.status`);
      return { action: "complete", status, response: toBytes(reply.response, `${where}.response`), delayMs: delayOf(reply.delayMs, where) };
    }
    case "fail": {
      const status = parseStatus(reply.status, `${where}.status`);
      if (NT_SUCCESS(status)) throw new TypeError(`${where}.status: a "fail" reply needs a failure status`);
      return { action: "complete", status, response: new Uint8Array(0), delayMs: delayOf(reply.delayMs, where) };
    }
    case "drop":
      return { action: "drop" };
    default:
      throw new TypeError(`${where}.action: expected "echo", "complete", "fail" or "drop", got ${JSON.stringify((reply as { action?: unknown }).action)}`);
  }
}

/** The keys of HostOptions; `respond` is code, so scenario files cannot hold it. */
export const hostOptionKeys: readonly string[] = ["replies", "defaultReply", "respond", "incoming"];

/** Checks a host script up front, so a bad scenario fails before the run rather than at its first request. */
export function validateHostOptions(options: HostOptions): void {
  if (typeof options !== "object" || options === null) throw new TypeError("host: expected an object");
  for (const key of Object.keys(options)) {
    if (!hostOptionKeys.includes(key)) throw new TypeError(`host: unknown option "${key}" (known: ${hostOptionKeys.join(", ")})`);
  }
  if (options.defaultReply !== undefined) resolveReply(options.defaultReply, "host.defaultReply");
  if (options.replies !== undefined && !Array.isArray(options.replies)) throw new TypeError("host.replies: expected an array of replies");
  (options.replies ?? []).forEach((reply, index) => resolveReply(reply, `host.replies[${index}]`));
  if (options.respond !== undefined && typeof options.respond !== "function") throw new TypeError("host.respond: expected a function");
  if (options.incoming !== undefined && !Array.isArray(options.incoming)) throw new TypeError("host.incoming: expected an array");
  (options.incoming ?? []).forEach((script, index) => validateIncoming(script, `host.incoming[${index}]`));
}

export class SimulatedHost {
  private readonly queuedReplies: ResolvedReply[] = [];
  private nextQueued = 0;
  private defaultReply: ResolvedReply;
  private responder: ((request: HostRequest) => HostReply | undefined) | undefined;
  /** The newest requests the driver sent (bounded like the event log). */
  readonly requests: BoundedLog<HostRequest>;
  /** The newest answers the driver gave to incoming packets. */
  readonly completions: BoundedLog<HostCompletionRecord>;
  private readonly scriptedIncoming: IncomingPacketScript[];

  constructor(
    options: HostOptions,
    private readonly target: DeliveryTarget,
    logLimit: number,
  ) {
    validateHostOptions(options);
    this.defaultReply = resolveReply(options.defaultReply ?? { action: "echo" }, "host.defaultReply");
    (options.replies ?? []).forEach((reply, index) => this.queuedReplies.push(resolveReply(reply, `host.replies[${index}]`)));
    this.responder = options.respond;
    this.scriptedIncoming = options.incoming ?? [];
    this.requests = new BoundedLog(logLimit);
    this.completions = new BoundedLog(logLimit);
  }

  /** Queues replies for the next requests, in order. */
  reply(...replies: HostReply[]): this {
    replies.forEach((reply, index) => this.queuedReplies.push(resolveReply(reply, `reply(${index})`)));
    return this;
  }

  /** Sets the reply for requests that no queued reply or responder covers. */
  setDefaultReply(reply: HostReply): this {
    this.defaultReply = resolveReply(reply, "setDefaultReply");
    return this;
  }

  /** Decides replies in code; the function may return undefined to fall back to the queue and default. */
  respondWith(responder: ((request: HostRequest) => HostReply | undefined) | undefined): this {
    this.responder = responder;
    return this;
  }

  /** Sends a packet to the driver: its process-packet callback receives it with a VMBPACKETCOMPLETION to complete. */
  deliver(channel: VMBCHANNEL, payload: BytesLike, options: DeliveryOptions = {}): void {
    const delayMs = delayOf(options.delayMs, "deliver");
    this.target.scheduleDelivery(channel, delayMs, toBytes(payload, "deliver payload"), options.externalData === undefined ? null : toBytes(options.externalData, "deliver externalData"), "deliver");
  }

  /**
   * Establishes a GPADL on the channel as the opposite endpoint does (the guest describing its
   * buffer to a server channel): returns the handle number the driver gives VmbChannelMapGpadl.
   * The bytes are shared, not copied: what either side writes, the other sees.
   */
  createGpadl(channel: VMBCHANNEL, bytes: Uint8Array, options: { readOnly?: boolean } = {}): number {
    if (!(bytes instanceof Uint8Array)) throw new TypeError("createGpadl: expected the buffer as a Uint8Array");
    return this.target.establishGpadl(channel, bytes, options.readOnly ?? false);
  }

  /** The reply to one request: the responder first, then the queue, then the default. */
  decide(request: HostRequest): ResolvedReply {
    this.requests.push(request);
    const fromCode = this.responder?.(request);
    if (fromCode !== undefined) return resolveReply(fromCode, "host.respond result");
    if (this.nextQueued < this.queuedReplies.length) return this.queuedReplies[this.nextQueued++]!;
    return this.defaultReply;
  }

  /** Scripted incoming packets for the channel created `channelIndex`-th. */
  incomingFor(channelIndex: number): IncomingPacketScript[] {
    return this.scriptedIncoming.filter((script) => (script.channel ?? 0) === channelIndex);
  }

  recordCompletion(record: HostCompletionRecord): void {
    this.completions.push(record);
  }
}

function validateIncoming(script: IncomingPacketScript, where: string): void {
  if (typeof script !== "object" || script === null) throw new TypeError(`${where}: expected { payload, channel?, atMs?, externalData? }`);
  if (script.channel !== undefined && (!Number.isInteger(script.channel) || script.channel < 0)) throw new TypeError(`${where}.channel: expected a channel index (0 for the first channel)`);
  if (script.atMs !== undefined && (typeof script.atMs !== "number" || !(script.atMs >= 0))) throw new TypeError(`${where}.atMs: expected a non-negative number`);
  toBytes(script.payload, `${where}.payload`);
  if (script.externalData !== undefined) toBytes(script.externalData, `${where}.externalData`);
}
