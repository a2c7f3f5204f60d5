// A minimal WebSocket client (RFC 6455) for the one server it talks to: the V8 inspector of the
// debuggee, on 127.0.0.1. Node 20 has no WebSocket client and the extension ships without
// node_modules, so this covers what that server sends: text frames (possibly fragmented), close,
// ping. Client frames are masked, as the RFC requires.
import { createHash, randomBytes } from "node:crypto";
import { request } from "node:http";
import type { Socket } from "node:net";

const acceptGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

const opcodes = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;

export interface WebSocketHandlers {
  onMessage(text: string): void;
  onClose(): void;
}

export class WebSocketConnection {
  private buffered: Buffer = Buffer.alloc(0);
  private fragments: Buffer[] = [];
  private closed = false;

  private constructor(
    private readonly socket: Socket,
    private readonly handlers: WebSocketHandlers,
  ) {
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => this.receive(chunk));
    socket.on("close", () => this.finish());
    socket.on("error", () => this.finish());
  }

  /** Opens `url` (ws://host:port/path); rejects when the handshake fails. */
  static connect(url: string, handlers: WebSocketHandlers): Promise<WebSocketConnection> {
    const target = new URL(url);
    if (target.protocol !== "ws:") return Promise.reject(new Error(`not a ws: URL: ${url}`));
    const key = randomBytes(16).toString("base64");
    return new Promise((resolve, reject) => {
      const handshake = request({
        host: target.hostname,
        port: Number(target.port),
        path: target.pathname + target.search,
        headers: { Connection: "Upgrade", Upgrade: "websocket", "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": key },
      });
      handshake.on("upgrade", (response, socket: Socket, head: Buffer) => {
        const expected = createHash("sha1").update(key + acceptGuid).digest("base64");
        if (response.headers["sec-websocket-accept"] !== expected) {
          socket.destroy();
          reject(new Error(`WebSocket handshake with ${url} failed: bad Sec-WebSocket-Accept`));
          return;
        }
        const connection = new WebSocketConnection(socket, handlers);
        if (head.length > 0) connection.receive(head);
        resolve(connection);
      });
      handshake.on("response", (response) => reject(new Error(`WebSocket handshake with ${url} failed: HTTP ${response.statusCode}`)));
      handshake.on("error", reject);
      handshake.end();
    });
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  send(text: string): void {
    if (!this.closed) this.socket.write(encodeFrame(opcodes.text, Buffer.from(text, "utf8")));
  }

  close(): void {
    if (this.closed) return;
    this.socket.write(encodeFrame(opcodes.close, Buffer.alloc(0)));
    this.socket.end();
    this.finish();
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    this.handlers.onClose();
  }

  private receive(chunk: Buffer): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    for (;;) {
      const frame = decodeFrame(this.buffered);
      if (frame === undefined) return;
      this.buffered = this.buffered.subarray(frame.length);
      this.handleFrame(frame.fin, frame.opcode, frame.payload);
      if (this.closed) return;
    }
  }

  private handleFrame(fin: boolean, opcode: number, payload: Buffer): void {
    switch (opcode) {
      case opcodes.text:
      case opcodes.binary:
      case opcodes.continuation:
        this.fragments.push(payload);
        if (fin) {
          const message = Buffer.concat(this.fragments).toString("utf8");
          this.fragments = [];
          this.handlers.onMessage(message);
        }
        return;
      case opcodes.ping:
        this.socket.write(encodeFrame(opcodes.pong, payload));
        return;
      case opcodes.close:
        this.close();
        return;
      default:
        return;
    }
  }
}

/** One masked, unfragmented client frame. */
export function encodeFrame(opcode: number, payload: Buffer): Buffer {
  const mask = randomBytes(4);
  const lengthBytes = payload.length < 126 ? 0 : payload.length < 0x10000 ? 2 : 8;
  const header = Buffer.alloc(2 + lengthBytes + 4);
  header[0] = 0x80 | opcode;
  if (lengthBytes === 0) header[1] = 0x80 | payload.length;
  else if (lengthBytes === 2) {
    header[1] = 0x80 | 126;
    header.writeUInt16BE(payload.length, 2);
  } else {
    header[1] = 0x80 | 127;
    header.writeBigUInt64BE(BigInt(payload.length), 2);
  }
  mask.copy(header, 2 + lengthBytes);
  const masked = Buffer.alloc(payload.length);
  for (let index = 0; index < payload.length; index++) masked[index] = payload[index]! ^ mask[index % 4]!;
  return Buffer.concat([header, masked]);
}

/** The first complete frame in `data`, or undefined when more bytes are needed. */
export function decodeFrame(data: Buffer): { fin: boolean; opcode: number; payload: Buffer; length: number } | undefined {
  if (data.length < 2) return undefined;
  const fin = (data[0]! & 0x80) !== 0;
  const opcode = data[0]! & 0x0f;
  const masked = (data[1]! & 0x80) !== 0;
  let length = data[1]! & 0x7f;
  let offset = 2;
  if (length === 126) {
    if (data.length < 4) return undefined;
    length = data.readUInt16BE(2);
    offset = 4;
  } else if (length === 127) {
    if (data.length < 10) return undefined;
    length = Number(data.readBigUInt64BE(2));
    offset = 10;
  }
  const maskOffset = offset;
  if (masked) offset += 4;
  if (data.length < offset + length) return undefined;
  let payload = data.subarray(offset, offset + length);
  if (masked) {
    const mask = data.subarray(maskOffset, maskOffset + 4);
    payload = Buffer.from(payload.map((byte, index) => byte ^ mask[index % 4]!));
  }
  return { fin, opcode, payload, length: offset + length };
}
