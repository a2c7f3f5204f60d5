import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  STATUS_CANCELLED,
  STATUS_DEVICE_NOT_READY,
  STATUS_SUCCESS,
  Simulation,
  VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION,
  type VMBPACKETCOMPLETION,
  VmbChannelCleanup,
  VmbChannelPacketComplete,
  VmbPacketAllocate,
  VmbPacketFree,
  VmbPacketSend,
  VmbPacketSetCompletionRoutine,
  loadScenario,
  parseScenario,
} from "../../../runtime/src/kmcl/index";

const WAIT = VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION;
const text = (buffer: Uint8Array | null) => (buffer ? new TextDecoder().decode(buffer) : null);

/** Sends one packet per payload with a recording routine; returns what each routine saw, in completion order. */
function exchange(sim: Simulation, payloads: string[]): { id: number; status: number; answer: string | null; time: number }[] {
  const channel = sim.createChannel();
  const seen: { id: number; status: number; answer: string | null; time: number }[] = [];
  for (const payload of payloads) {
    const packet = VmbPacketAllocate(channel)!;
    VmbPacketSetCompletionRoutine(packet, (done, status, buffer, length) => {
      seen.push({ id: done.id, status, answer: buffer ? text(buffer.subarray(0, length)) : null, time: sim.now });
      VmbPacketFree(done);
    });
    VmbPacketSend(packet, new TextEncoder().encode(payload), payload.length, null, WAIT);
  }
  sim.runUntilIdle();
  VmbChannelCleanup(channel);
  return seen;
}

test("host replies in order: echo, complete with an answer, fail with a status, delay; then the default", () => {
  const sim = new Simulation({
    host: {
      replies: [{ action: "echo" }, { action: "complete", response: "custom" }, { action: "fail", status: "STATUS_CANCELLED" }, { action: "echo", delayMs: 50 }],
      defaultReply: { action: "complete", response: "default", delayMs: 5 },
    },
  });
  const seen = exchange(sim, ["a", "b", "c", "d", "e"]);
  assert.deepEqual(
    seen.map(({ status, answer, time }) => ({ status, answer, time })),
    [
      { status: STATUS_SUCCESS, answer: "a", time: 0 },
      { status: STATUS_SUCCESS, answer: "custom", time: 0 },
      { status: STATUS_CANCELLED, answer: "", time: 0 },
      { status: STATUS_SUCCESS, answer: "default", time: 5 },
      { status: STATUS_SUCCESS, answer: "d", time: 50 },
    ],
  );
  assert.equal(sim.finish().ok, true);
});

test("a dropped packet stays in flight; the driver cannot free it, and cleanup cancels it", () => {
  const sim = new Simulation({ mode: "report", host: { replies: [{ action: "drop" }] } });
  const channel = sim.createChannel();
  const packet = VmbPacketAllocate(channel)!;
  VmbPacketSend(packet, null, 0, null, WAIT);
  sim.runUntilIdle();
  assert.equal(packet.state, "in-flight");
  VmbChannelCleanup(channel);
  assert.equal(packet.state, "freed-by-library");
  assert.equal(sim.finish().ok, true);
});

test("the host can decide in code, falling back to the queue when the responder returns undefined", () => {
  const sim = new Simulation({ host: { replies: [{ action: "complete", response: "queued" }] } });
  sim.host.respondWith((request) => (text(request.payload) === "special" ? { action: "complete", response: "from code" } : undefined));
  const seen = exchange(sim, ["special", "plain", "other"]);
  assert.deepEqual(seen.map((entry) => entry.answer), ["from code", "queued", "other"]);
  assert.equal(sim.finish().ok, true);
});

test("the host sends incoming packets; each completion must be completed once, even later, outside the callback", () => {
  const sim = new Simulation({ mode: "report" });
  const kept: VMBPACKETCOMPLETION[] = [];
  const channel = sim.createChannel({ processPacket: (_channel, completion) => void kept.push(completion) });
  sim.host.deliver(channel, "one");
  sim.host.deliver(channel, "two", { delayMs: 10 });
  sim.runUntilIdle();
  assert.equal(kept.length, 2);
  for (const completion of kept) VmbChannelPacketComplete(completion, new TextEncoder().encode("ok"), 2);
  VmbChannelCleanup(channel);
  const report = sim.finish();
  assert.equal(report.ok, true);
  assert.equal(report.stats.incomingCompleted, 2);
  assert.deepEqual(sim.host.completions.toArray().map((record) => text(record.response)), ["ok", "ok"]);
});

test("a JSON scenario scripts replies, incoming packets, faults and the seed", (t) => {
  const directory = mkdtempSync(join(tmpdir(), "vmbguard-scenario-"));
  t.after(() => rmSync(directory, { recursive: true, force: true }));
  const file = join(directory, "scenario.json");
  writeFileSync(
    file,
    JSON.stringify({
      mode: "report",
      seed: 99,
      faults: { failSend: { nth: 2, status: "0xC000009A" } },
      host: {
        replies: [{ action: "complete", status: "STATUS_SUCCESS", response: { hex: "6869" } }],
        incoming: [{ channel: 0, atMs: 20, payload: [1, 2, 3] }, { atMs: 30, payload: "text", externalData: "bulk" }],
      },
    }),
  );
  const sim = new Simulation(loadScenario(file));
  assert.equal(sim.seed, 99);
  assert.equal(sim.mode, "report");
  const received: number[][] = [];
  const channel = sim.createChannel({
    processPacket: (_channel, completion, buffer, length, flags) => {
      received.push([...buffer.subarray(0, length), flags]);
      VmbChannelPacketComplete(completion, null, 0);
    },
  });
  let answer: string | null = null;
  const packet = VmbPacketAllocate(channel)!;
  VmbPacketSetCompletionRoutine(packet, (done, _status, buffer, length) => {
    answer = text(buffer!.subarray(0, length));
    VmbPacketFree(done);
  });
  VmbPacketSend(packet, null, 0, null, WAIT);
  const second = VmbPacketAllocate(channel)!;
  assert.equal(VmbPacketSend(second, null, 0, null, WAIT) >>> 0, 0xc000009a, "the second send fails as scripted");
  VmbPacketFree(second);
  sim.runUntilIdle();
  assert.equal(answer, "hi");
  assert.deepEqual(received, [[1, 2, 3, 0], [...new TextEncoder().encode("text"), 1]]);
  assert.equal(sim.now, 30);
  VmbChannelCleanup(channel);
  assert.equal(sim.finish().ok, true);
});

test("scenario mistakes are clear TypeErrors naming the file and the key", (t) => {
  assert.throws(() => parseScenario([], "s.json"), /s\.json: a scenario is a JSON object/);
  assert.throws(() => parseScenario({ faults: { failAlloc: { nth: 1 } } }, "s.json"), /s\.json: faults: unknown option "failAlloc"/);
  assert.throws(() => parseScenario({ host: { replies: [{ action: "bounce" }] } }, "s.json"), /host\.replies\[0\]\.action/);
  assert.throws(() => parseScenario({ host: { replies: [{ action: "fail", status: "STATUS_SUCCESS" }] } }, "s.json"), /needs a failure status/);
  assert.throws(() => parseScenario({ host: { incoming: [{ payload: { hex: "zz" } }] } }, "s.json"), /incoming\[0\]\.payload\.hex/);
  assert.throws(() => parseScenario({ faults: { failAllocation: { probability: 2 } } }, "s.json"), /probability: expected a number in \[0, 1\]/);
  assert.throws(() => parseScenario({ mode: "lenient" }, "s.json"), /mode: expected one of "strict", "report"/);
  const directory = mkdtempSync(join(tmpdir(), "vmbguard-scenario-"));
  t.after(() => rmSync(directory, { recursive: true, force: true }));
  const broken = join(directory, "broken.json");
  writeFileSync(broken, "{ not json");
  assert.throws(() => loadScenario(broken), /broken\.json: not valid JSON/);
  assert.throws(() => loadScenario(join(directory, "missing.json")), /cannot read scenario/);
});

test("a host responder that throws fails the send call and leaves the packet with the driver", () => {
  const sim = new Simulation();
  sim.host.respondWith(() => {
    throw new Error("responder bug");
  });
  const channel = sim.createChannel();
  const packet = VmbPacketAllocate(channel)!;
  assert.throws(() => VmbPacketSend(packet, null, 0, null, WAIT), /responder bug/);
  assert.equal(packet.state, "allocated");
  sim.host.respondWith(undefined);
  VmbPacketFree(packet);
  VmbChannelCleanup(channel);
  assert.equal(sim.finish().ok, true);
});

test("the example scenario shipped with the runtime loads and drives a run", () => {
  const scenario = loadScenario(join(__dirname, "..", "..", "..", "..", "runtime", "scenarios", "flaky-host.json"));
  const sim = new Simulation(scenario);
  const delivered: number[] = [];
  const channel = sim.createChannel({
    processPacket: (_channel, completion, _buffer, length) => {
      delivered.push(length);
      VmbChannelPacketComplete(completion, null, 0);
    },
  });
  const statuses: number[] = [];
  let sent = 0;
  for (let index = 0; index < 3; index++) {
    const packet = VmbPacketAllocate(channel);
    if (!packet) continue;
    VmbPacketSetCompletionRoutine(packet, (done, status) => {
      statuses.push(status);
      VmbPacketFree(done);
    });
    if (VmbPacketSend(packet, null, 0, null, WAIT) < 0) VmbPacketFree(packet);
    else sent++;
  }
  sim.runUntilIdle();
  assert.deepEqual(delivered, [5, 3]);
  VmbChannelCleanup(channel);
  assert.equal(statuses.length, sent, "every packet sent came back to its routine (a dropped one cancelled at cleanup)");
  const scripted = statuses.slice(0, 2);
  assert.deepEqual(scripted, [STATUS_SUCCESS, STATUS_DEVICE_NOT_READY].slice(0, scripted.length), "replies are used in order");
  const report = sim.finish();
  assert.equal(report.ok, true, report.violations.map((violation) => violation.message).join("\n"));
  assert.equal(report.seed, 2024);
});
