import { test } from "node:test";
import assert from "node:assert/strict";
import {
  KmclViolation,
  NT_SUCCESS,
  type OutParam,
  SimulationFailure,
  VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION,
  type VMBCHANNEL,
  VmbChannelAllocate,
  VmbChannelCleanup,
  VmbChannelPacketComplete,
  VmbPacketAllocate,
  VmbPacketFree,
  VmbPacketSend,
  VmbPacketSetCompletionRoutine,
  getSimulation,
  withSimulation,
} from "../../../runtime/src/kmcl/index";

const WAIT = VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION;

/** A driver routine as a driver author would write it: send, and free only when the send fails. */
function sendRequest(channel: VMBCHANNEL, payload: Uint8Array): boolean {
  const packet = VmbPacketAllocate(channel);
  if (!packet) return false;
  const status = VmbPacketSend(packet, payload, payload.length, null, WAIT);
  if (!NT_SUCCESS(status)) {
    VmbPacketFree(packet);
    return false;
  }
  return true;
}

test("a correct driver passes: the helper drains, cleans up and returns the report", async () => {
  const report = await withSimulation(async (sim, channel) => {
    assert.equal(sendRequest(channel, new Uint8Array([1])), true);
    sim.host.deliver(channel, "incoming");
  }, { channel: { processPacket: (_channel, completion) => VmbChannelPacketComplete(completion, null, 0) }, faults: { failSend: { nth: 2 } } });
  assert.equal(report.ok, true);
  assert.equal(report.stats.packetsFreedByLibrary, 1);
  assert.equal(report.stats.incomingCompleted, 1);
});

test("a leak fails with a readable report: kind, handle id and allocation site", async () => {
  await assert.rejects(
    withSimulation(async (_sim, channel) => {
      VmbPacketAllocate(channel);
    }),
    (error: unknown) => {
      assert.ok(error instanceof SimulationFailure);
      assert.match(error.message, /1 violation/);
      assert.match(error.message, /packet-leak packet #\d+: packet #\d+ allocated at .*withSimulation\.test\.(ts|js):\d+:\d+ was still owned by the driver at VmbChannelCleanup/);
      assert.match(error.message, /allocated at .*withSimulation\.test\.(ts|js):\d+:\d+/);
      assert.doesNotMatch(error.message, /node:|task_queues/, "no Node-internal frames in the readable report");
      assert.equal(error.report.violations[0]!.kind, "packet-leak");
      return true;
    },
  );
});

test("strict mode fails at the faulting call inside the test body", async () => {
  await assert.rejects(
    withSimulation(async (_sim, channel) => {
      const packet = VmbPacketAllocate(channel)!;
      VmbPacketFree(packet);
      VmbPacketFree(packet);
    }),
    (error: unknown) => error instanceof KmclViolation && error.kind === "double-free",
  );
});

test("report mode collects every violation of the body in one failure", async () => {
  await assert.rejects(
    withSimulation(async (_sim, channel) => {
      const packet = VmbPacketAllocate(channel)!;
      VmbPacketSend(packet, null, 0, null, WAIT);
      VmbPacketFree(packet);
      VmbPacketAllocate(channel);
    }, { mode: "report" }),
    (error: unknown) => {
      assert.ok(error instanceof SimulationFailure);
      assert.deepEqual(error.report.violations.map((violation) => violation.kind), ["free-in-flight", "packet-leak"]);
      return true;
    },
  );
});

test("async driver code: an async completion routine that frees after an await is waited for", async () => {
  const report = await withSimulation(async (_sim, channel) => {
    const packet = VmbPacketAllocate(channel)!;
    VmbPacketSetCompletionRoutine(packet, async (done) => {
      await Promise.resolve();
      await new Promise<void>((resolve) => setImmediate(resolve));
      VmbPacketFree(done);
    });
    VmbPacketSend(packet, null, 0, null, WAIT);
  });
  assert.equal(report.ok, true);
});

test("an async callback's rejection surfaces from the run instead of disappearing", async () => {
  await assert.rejects(
    withSimulation(async (_sim, channel) => {
      const packet = VmbPacketAllocate(channel)!;
      VmbPacketSetCompletionRoutine(packet, async () => {
        throw new Error("driver bug in completion routine");
      });
      VmbPacketSend(packet, null, 0, null, WAIT);
    }),
    /driver bug in completion routine/,
  );
});

test("a body that cleans its channel up itself is not cleaned up twice", async () => {
  const report = await withSimulation(async (_sim, channel) => {
    VmbChannelCleanup(channel);
  });
  assert.equal(report.ok, true);
  assert.equal(report.stats.channelsCleanedUp, 1);
});

test("driver code that allocates its own channel with VmbChannelAllocate runs in the helper's simulation", async () => {
  await assert.rejects(
    withSimulation(async (sim) => {
      const out: OutParam<VMBCHANNEL> = { value: null };
      VmbChannelAllocate(null, false, out);
      assert.equal(out.value!.simulationId, sim.id);
    }),
    (error: unknown) => error instanceof SimulationFailure && error.report.violations.map((violation) => violation.kind).join() === "channel-leak",
  );
  const report = await withSimulation(async (sim) => {
    const out: OutParam<VMBCHANNEL> = { value: null };
    VmbChannelAllocate(null, false, out);
    assert.equal(getSimulation(), sim);
    VmbChannelCleanup(out.value!);
  });
  assert.equal(report.ok, true);
  assert.notEqual(getSimulation().id, report.simulationId, "the previous ambient simulation is back afterwards");
});
