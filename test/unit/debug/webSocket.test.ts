// The WebSocket framing the adapter uses to talk to the debuggee's inspector.
import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeFrame, encodeFrame } from "../../../runtime/src/debug/webSocket";

test("client frames are masked and decode back to their payload, at every length encoding", () => {
  for (const length of [0, 5, 125, 126, 65535, 65536, 200_000]) {
    const payload = Buffer.alloc(length, "x");
    const frame = encodeFrame(0x1, payload);
    assert.equal(frame[1]! & 0x80, 0x80, "masked");
    const decoded = decodeFrame(frame)!;
    assert.deepEqual([decoded.fin, decoded.opcode, decoded.length], [true, 0x1, frame.length]);
    assert.ok(decoded.payload.equals(payload), `payload of ${length} bytes`);
  }
});

test("a frame split across reads is only decoded once complete, and the bytes after it stay", () => {
  // An unmasked server frame: FIN + text, 3 bytes "abc", then the start of the next frame.
  const server = Buffer.from([0x81, 0x03, 0x61, 0x62, 0x63, 0x81]);
  assert.equal(decodeFrame(server.subarray(0, 4)), undefined);
  const decoded = decodeFrame(server)!;
  assert.equal(decoded.payload.toString(), "abc");
  assert.equal(decoded.length, 5);
  const extended = Buffer.concat([Buffer.from([0x01, 126, 0x01, 0x00]), Buffer.alloc(256, "y")]);
  const fragment = decodeFrame(extended)!;
  assert.deepEqual([fragment.fin, fragment.opcode, fragment.payload.length], [false, 0x1, 256]);
});
