import { test } from "node:test";
import assert from "node:assert/strict";
import {
  KmclViolation,
  Simulation,
  VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION,
  type VMBCHANNEL,
  type VMBPACKET,
  type VMBPACKETCOMPLETION,
  type ViolationKind,
  VmbChannelCleanup,
  VmbChannelCreateGpadlFromBuffer,
  VmbChannelEnable,
  VmbChannelInitSetMaximumPacketSize,
  VmbChannelPacketComplete,
  VmbChannelPacketDeferToPassive,
  VmbChannelPacketGetExternalData,
  VmbChannelSizeofPacket,
  VmbPacketAllocate,
  VmbPacketFree,
  VmbPacketGetContext,
  VmbPacketGetPointer,
  VmbPacketInitialize,
  VmbPacketSend,
  VmbPacketSetCompletionRoutine,
  VmbPacketSetPointer,
  allocateCallerPacketMemory,
  formatReport,
  violationKinds,
} from "../../../runtime/src/kmcl/index";

const WAIT = VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION;

interface Scenario {
  name: string;
  kind: ViolationKind;
  /** Builds the situation and returns the faulting call, so strict mode can be checked to throw exactly there. */
  arrange: (sim: Simulation, channel: VMBCHANNEL) => { fault: () => void; handleId: number; afterwards?: () => void };
}

/** An incoming packet, on a channel (replacing the scenario's one) whose callback keeps it pending. */
function incoming(sim: Simulation, channel: VMBCHANNEL): { completion: VMBPACKETCOMPLETION; receiver: VMBCHANNEL } {
  let received: VMBPACKETCOMPLETION | undefined;
  VmbChannelCleanup(channel);
  const receiver = sim.createChannel({ processPacket: (_channel, completion) => void (received = completion) });
  sim.host.deliver(receiver, "in");
  sim.runUntilIdle();
  return { completion: received!, receiver };
}

function sentAndCompleted(sim: Simulation, channel: VMBCHANNEL): VMBPACKET {
  const packet = VmbPacketAllocate(channel)!;
  VmbPacketSend(packet, null, 0, null, WAIT);
  sim.runUntilIdle();
  return packet;
}

const scenarios: Scenario[] = [
  {
    name: "VmbPacketFree twice",
    kind: "double-free",
    arrange: (_sim, channel) => {
      const packet = VmbPacketAllocate(channel)!;
      VmbPacketFree(packet);
      return { fault: () => VmbPacketFree(packet), handleId: packet.id, afterwards: () => assert.equal(packet.state, "freed") };
    },
  },
  {
    name: "VmbPacketFree after the default completion routine freed it",
    kind: "double-free",
    arrange: (sim, channel) => {
      const packet = sentAndCompleted(sim, channel);
      return { fault: () => VmbPacketFree(packet), handleId: packet.id, afterwards: () => assert.equal(packet.state, "freed-by-library") };
    },
  },
  ...(
    [
      ["VmbPacketSend", (packet: VMBPACKET) => void VmbPacketSend(packet, null, 0, null, WAIT)],
      ["VmbPacketGetContext", (packet: VMBPACKET) => void VmbPacketGetContext(packet)],
      ["VmbPacketGetPointer", (packet: VMBPACKET) => void VmbPacketGetPointer(packet)],
      ["VmbPacketSetPointer", (packet: VMBPACKET) => VmbPacketSetPointer(packet, {})],
      ["VmbPacketSetCompletionRoutine", (packet: VMBPACKET) => VmbPacketSetCompletionRoutine(packet, () => undefined)],
    ] as const
  ).map(([operation, use]): Scenario => ({
    name: `${operation} after VmbPacketFree`,
    kind: "use-after-free",
    arrange: (_sim, channel) => {
      const packet = VmbPacketAllocate(channel)!;
      VmbPacketFree(packet);
      return { fault: () => use(packet), handleId: packet.id, afterwards: () => assert.equal(packet.state, "freed") };
    },
  })),
  {
    name: "VmbPacketSend after the library freed the packet",
    kind: "use-after-free",
    arrange: (sim, channel) => {
      const packet = sentAndCompleted(sim, channel);
      return { fault: () => void VmbPacketSend(packet, null, 0, null, WAIT), handleId: packet.id };
    },
  },
  {
    name: "VmbPacketFree of a packet in flight",
    kind: "free-in-flight",
    arrange: (sim, channel) => {
      const packet = VmbPacketAllocate(channel)!;
      VmbPacketSend(packet, null, 0, null, WAIT);
      return {
        fault: () => VmbPacketFree(packet),
        handleId: packet.id,
        afterwards: () => {
          assert.equal(packet.state, "in-flight", "the library still owns it");
          sim.runUntilIdle();
          assert.equal(packet.state, "freed-by-library", "and frees it as usual");
        },
      };
    },
  },
  {
    name: "VmbPacketFree of a caller-memory packet",
    kind: "free-unowned",
    arrange: (_sim, channel) => {
      const memory = allocateCallerPacketMemory(VmbChannelSizeofPacket(channel));
      VmbPacketInitialize(channel, memory, VmbChannelSizeofPacket(channel));
      return { fault: () => VmbPacketFree(memory), handleId: memory.id, afterwards: () => assert.equal(memory.state, "allocated") };
    },
  },
  {
    name: "VmbPacketFree of a channel",
    kind: "free-unowned",
    arrange: (_sim, channel) => ({ fault: () => VmbPacketFree(channel as unknown as VMBPACKET), handleId: channel.id, afterwards: () => assert.equal(channel.state, "enabled") }),
  },
  {
    name: "VmbPacketFree of an incoming packet's completion",
    kind: "free-unowned",
    arrange: (sim, channel) => {
      const { completion } = incoming(sim, channel);
      return {
        fault: () => VmbPacketFree(completion as unknown as VMBPACKET),
        handleId: completion.id,
        afterwards: () => {
          assert.equal(completion.state, "pending");
          VmbChannelPacketComplete(completion, null, 0);
        },
      };
    },
  },
  {
    name: "VmbChannelPacketComplete twice",
    kind: "double-completion",
    arrange: (sim, channel) => {
      const { completion } = incoming(sim, channel);
      VmbChannelPacketComplete(completion, null, 0);
      return { fault: () => VmbChannelPacketComplete(completion, null, 0), handleId: completion.id, afterwards: () => assert.equal(completion.state, "completed") };
    },
  },
  {
    name: "VmbChannelPacketGetExternalData after completing",
    kind: "use-after-free",
    arrange: (sim, channel) => {
      const { completion } = incoming(sim, channel);
      VmbChannelPacketComplete(completion, null, 0);
      return { fault: () => void VmbChannelPacketGetExternalData(completion, 0, { value: null }), handleId: completion.id };
    },
  },
  {
    name: "VmbChannelCleanup with a packet the driver still owns",
    kind: "packet-leak",
    arrange: (_sim, channel) => {
      const packet = VmbPacketAllocate(channel)!;
      return { fault: () => VmbChannelCleanup(channel), handleId: packet.id, afterwards: () => assert.equal(channel.state, "cleaned-up", "the cleanup itself completed") };
    },
  },
  {
    name: "VmbChannelCleanup with an incoming packet never completed",
    kind: "completion-leak",
    arrange: (sim, channel) => {
      const { completion, receiver } = incoming(sim, channel);
      return { fault: () => VmbChannelCleanup(receiver), handleId: completion.id, afterwards: () => assert.equal(completion.state, "orphaned") };
    },
  },
  {
    name: "VmbChannelCleanup twice",
    kind: "double-free",
    arrange: (_sim, channel) => {
      VmbChannelCleanup(channel);
      return { fault: () => VmbChannelCleanup(channel), handleId: channel.id };
    },
  },
  {
    name: "VmbPacketAllocate on a cleaned-up channel",
    kind: "use-after-cleanup",
    arrange: (_sim, channel) => {
      VmbChannelCleanup(channel);
      return { fault: () => assert.equal(VmbPacketAllocate(channel), null), handleId: channel.id };
    },
  },
  {
    name: "VmbChannelEnable on a cleaned-up channel",
    kind: "use-after-cleanup",
    arrange: (_sim, channel) => {
      VmbChannelCleanup(channel);
      return { fault: () => void VmbChannelEnable(channel), handleId: channel.id };
    },
  },
  {
    name: "VmbPacketFree of a packet orphaned by its channel's cleanup",
    kind: "use-after-cleanup",
    arrange: (sim, channel) => {
      const packet = VmbPacketAllocate(channel)!;
      const reportOnly = sim.mode === "report";
      if (reportOnly) VmbChannelCleanup(channel);
      else assert.throws(() => VmbChannelCleanup(channel), (error: unknown) => error instanceof KmclViolation && error.kind === "packet-leak");
      return { fault: () => VmbPacketFree(packet), handleId: packet.id, afterwards: () => assert.equal(packet.state, "orphaned") };
    },
  },
  {
    name: "VmbPacketSend of a packet already in flight",
    kind: "use-in-flight",
    arrange: (sim, channel) => {
      const packet = VmbPacketAllocate(channel)!;
      VmbPacketSend(packet, null, 0, null, WAIT);
      return {
        fault: () => void VmbPacketSend(packet, null, 0, null, WAIT),
        handleId: packet.id,
        afterwards: () => {
          sim.runUntilIdle();
          assert.equal(sim.host.requests.size, 1, "the second send never reached the host");
        },
      };
    },
  },
  {
    name: "VmbChannelInitSetMaximumPacketSize after VmbChannelEnable",
    kind: "invalid-state",
    arrange: (_sim, channel) => ({ fault: () => void VmbChannelInitSetMaximumPacketSize(channel, 4096), handleId: channel.id }),
  },
  {
    name: "VmbChannelCleanup with a GPADL never deleted",
    kind: "gpadl-leak",
    arrange: (_sim, channel) => {
      VmbChannelCreateGpadlFromBuffer(channel, 0, new Uint8Array(64), 64, { value: null });
      return { fault: () => VmbChannelCleanup(channel), handleId: channel.id, afterwards: () => assert.equal(channel.state, "cleaned-up") };
    },
  },
  {
    name: "VmbChannelPacketComplete after VmbChannelPacketDeferToPassive",
    kind: "free-in-flight",
    arrange: (sim, channel) => {
      const { completion } = incoming(sim, channel);
      VmbChannelPacketDeferToPassive(completion);
      return { fault: () => VmbChannelPacketComplete(completion, null, 0), handleId: completion.id, afterwards: () => assert.equal(completion.state, "deferred") };
    },
  },
];

test("every runtime violation kind has a scenario here", () => {
  const covered = new Set(scenarios.map((scenario) => scenario.kind));
  for (const kind of violationKinds.filter((kind) => kind !== "channel-leak")) assert.ok(covered.has(kind), `no scenario for ${kind}`);
});

for (const scenario of scenarios) {
  test(`strict mode throws ${scenario.kind} at the faulting call: ${scenario.name}`, () => {
    const sim = new Simulation({ mode: "strict" });
    const channel = sim.createChannel();
    const { fault, handleId, afterwards } = scenario.arrange(sim, channel);
    assert.throws(fault, (error: unknown) => {
      assert.ok(error instanceof KmclViolation, `expected a KmclViolation, got ${String(error)}`);
      assert.equal(error.kind, scenario.kind);
      assert.equal(error.handleId, handleId);
      assert.match(error.message, new RegExp(`#${handleId}`));
      assert.match(error.stacks.at?.[0]?.file ?? "", /violations\.test\.(ts|js)$/, "the stack starts in the driver's code");
      return true;
    });
    assert.equal(sim.violations.at(-1)?.kind, scenario.kind, "strict mode records the violation too");
    afterwards?.();
  });

  test(`report mode records ${scenario.kind} and goes on: ${scenario.name}`, () => {
    const sim = new Simulation({ mode: "report" });
    const channel = sim.createChannel();
    const { fault, handleId, afterwards } = scenario.arrange(sim, channel);
    const before = sim.violations.length;
    fault();
    const recorded = sim.violations.slice(before);
    assert.ok(recorded.some((violation) => violation.kind === scenario.kind && violation.handleId === handleId), `recorded: ${recorded.map((violation) => violation.kind).join(", ")}`);
    afterwards?.();
    const report = sim.finish();
    assert.ok(report.violations.some((violation) => violation.kind === scenario.kind && violation.handleId === handleId));
    assert.ok(report.events.some((event) => event.kind === "violation" && event.violation === scenario.kind && event.handleId === handleId));
  });
}

test("leaks found by finish are recorded, not thrown, in both modes: packet-leak, completion-leak, channel-leak", () => {
  for (const mode of ["strict", "report"] as const) {
    const sim = new Simulation({ mode });
    const channel = sim.createChannel({ processPacket: () => undefined });
    const packet = VmbPacketAllocate(channel)!;
    sim.host.deliver(channel, "never completed");
    const report = sim.finish();
    const found = report.violations.map((violation) => `${violation.kind}#${violation.handleId}`);
    const completionId = report.events.find((event) => event.kind === "deliver")!.handleId;
    assert.deepEqual(found, [`packet-leak#${packet.id}`, `completion-leak#${completionId}`, `channel-leak#${channel.id}`], mode);
    assert.equal(report.ok, false);
    const leak = report.violations[0]!;
    assert.match(leak.stacks.allocated?.[0]?.file ?? "", /violations\.test\.(ts|js)$/, "the leak carries its allocation site");
  }
});

test("strict-mode cleanup reports every leak, throws the first and counts the rest", () => {
  const sim = new Simulation({ mode: "strict" });
  const channel = sim.createChannel();
  VmbPacketAllocate(channel);
  VmbPacketAllocate(channel);
  assert.throws(() => VmbChannelCleanup(channel), /packet-leak: .*\(and 1 more held resource\)/);
  assert.deepEqual(sim.violations.map((violation) => violation.kind), ["packet-leak", "packet-leak"]);
  assert.equal(sim.finish().violations.length, 2, "no channel-leak: the cleanup happened");
});

test("violationLimit keeps the first violations with their stacks and counts the rest", () => {
  const sim = new Simulation({ mode: "report", violationLimit: 3, eventLogLimit: 1000 });
  const channel = sim.createChannel();
  const packet = VmbPacketAllocate(channel)!;
  VmbPacketFree(packet);
  for (let index = 0; index < 10; index++) VmbPacketFree(packet);
  VmbChannelCleanup(channel);
  const report = sim.finish();
  assert.equal(report.ok, false);
  assert.equal(report.violations.length, 3);
  assert.equal(report.violationsDropped, 7);
  assert.equal(report.stats.violations, 10);
  assert.equal(report.events.filter((event) => event.kind === "violation").length, 10, "every violation is still an event");
  assert.match(formatReport(report), /10 violations[\s\S]*\.\.\. and 7 more \(violationLimit\)/);
});
