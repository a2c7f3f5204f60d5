// One source of truth: the checker's KMCL model and the runtime's effect table must agree, and the
// runtime must really do what its table declares. Every row is exercised against a simulation.
import { test } from "node:test";
import assert from "node:assert/strict";
import { kmclPack } from "../../../server/src/model/packs";
import * as kmcl from "../../../runtime/src/kmcl/index";
import {
  type FaultOptions,
  type RuntimeEffect,
  type Simulation,
  type VMBCHANNEL,
  type VMBPACKET,
  type VMBPACKETCOMPLETION,
  type ViolationKind,
  configureSimulation,
  resetAmbientSimulation,
  runtimeEffects,
} from "../../../runtime/src/kmcl/index";

const WAIT = kmcl.VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION;
type Family = "packet" | "completion" | "channel";
type Callback = (...args: never[]) => unknown;

/** Drops undefined members so `{ when: undefined }` and `{}` compare equal. */
function normalized(effects: readonly object[]): unknown {
  return JSON.parse(JSON.stringify(effects));
}

/** A report-mode simulation installed as the ambient one (VmbChannelAllocate allocates there). */
class Harness {
  readonly sim: Simulation;
  readonly channel: VMBCHANNEL;
  private readonly pendingCompletions: VMBPACKETCOMPLETION[] = [];
  readonly callbackCalls: unknown[][] = [];

  constructor(faults?: FaultOptions) {
    resetAmbientSimulation();
    this.sim = configureSimulation({ mode: "report", faults });
    this.channel = this.sim.createChannel({ processPacket: (_channel, completion) => void this.pendingCompletions.push(completion) });
  }

  live(family: Family): unknown {
    if (family === "channel") return this.sim.createChannel();
    if (family === "packet") return kmcl.VmbPacketAllocate(this.channel);
    this.sim.host.deliver(this.channel, "incoming", { externalData: "external" });
    this.sim.runUntilIdle();
    return this.pendingCompletions.pop();
  }

  released(family: Family): unknown {
    const handle = this.live(family);
    if (family === "channel") kmcl.VmbChannelCleanup(handle as VMBCHANNEL);
    else if (family === "packet") kmcl.VmbPacketFree(handle as VMBPACKET);
    else kmcl.VmbChannelPacketComplete(handle as VMBPACKETCOMPLETION, null, 0);
    return handle;
  }

  isLive(handle: unknown): boolean {
    const id = (handle as { id: number }).id;
    return this.sim.liveHandles().some((description) => description.id === id);
  }

  violationsSince(count: number): ViolationKind[] {
    return this.sim.violations.slice(count).map((violation) => violation.kind);
  }

  recorder(): Callback {
    return (...args: never[]) => void this.callbackCalls.push(args);
  }
}

/**
 * How to call each runtime KMCL function with `subject` at the position its effects target
 * (the other arguments valid); `callback` goes to a register-callback position.
 */
const invokers: Record<string, (harness: Harness, subject: unknown, callback: Callback) => unknown> = {
  VmbPacketAllocate: (harness) => kmcl.VmbPacketAllocate(harness.channel),
  VmbPacketInitialize: (harness, memory) => kmcl.VmbPacketInitialize(harness.channel, memory as VMBPACKET, kmcl.VmbChannelSizeofPacket(harness.channel)),
  VmbPacketFree: (_harness, packet) => kmcl.VmbPacketFree(packet as VMBPACKET),
  VmbPacketSend: (_harness, packet) => kmcl.VmbPacketSend(packet as VMBPACKET, new Uint8Array(4), 4, null, WAIT),
  VmbPacketSendWithExternalMdl: (_harness, packet) => kmcl.VmbPacketSendWithExternalMdl(packet as VMBPACKET, new Uint8Array(4), 4, { bytes: new Uint8Array(8) }, 0, 0, WAIT),
  VmbPacketSendWithExternalPfns: (_harness, packet) => kmcl.VmbPacketSendWithExternalPfns(packet as VMBPACKET, new Uint8Array(4), 4, [new Uint8Array(8)], 0, 8, WAIT),
  VmbPacketSetCompletionRoutine: (_harness, packet, callback) => kmcl.VmbPacketSetCompletionRoutine(packet as VMBPACKET, callback as kmcl.EvtVmbPacketCompletionRoutine),
  VmbPacketGetContext: (_harness, packet) => kmcl.VmbPacketGetContext(packet as VMBPACKET),
  VmbPacketGetPointer: (_harness, packet) => kmcl.VmbPacketGetPointer(packet as VMBPACKET),
  VmbPacketSetPointer: (_harness, packet) => kmcl.VmbPacketSetPointer(packet as VMBPACKET, { anything: true }),
  VmbChannelPacketComplete: (_harness, completion) => kmcl.VmbChannelPacketComplete(completion as VMBPACKETCOMPLETION, null, 0),
  VmbChannelPacketGetExternalData: (_harness, completion) => kmcl.VmbChannelPacketGetExternalData(completion as VMBPACKETCOMPLETION, 0, { value: null }),
  VmbChannelAllocate: (_harness, out) => kmcl.VmbChannelAllocate(null, false, out as kmcl.OutParam<VMBCHANNEL>),
  VmbChannelCleanup: (_harness, channel) => kmcl.VmbChannelCleanup(channel as VMBCHANNEL),
  VmbChannelEnable: (_harness, channel) => kmcl.VmbChannelEnable(channel as VMBCHANNEL),
  VmbChannelDisable: (_harness, channel) => kmcl.VmbChannelDisable(channel as VMBCHANNEL),
  VmbChannelSendSynchronousRequest: (_harness, channel) => kmcl.VmbChannelSendSynchronousRequest(channel as VMBCHANNEL, new Uint8Array(2), 2, null, WAIT, new Uint8Array(8), { value: null }),
  VmbChannelSizeofPacket: (_harness, channel) => kmcl.VmbChannelSizeofPacket(channel as VMBCHANNEL),
  VmbChannelInitSetProcessPacketCallbacks: (_harness, channel, callback) => kmcl.VmbChannelInitSetProcessPacketCallbacks(channel as VMBCHANNEL, callback as kmcl.EvtVmbChannelProcessPacket),
  NT_SUCCESS: (_harness, status) => kmcl.NT_SUCCESS(status as number),
  KeBugCheckEx: (_harness, code) => kmcl.KeBugCheckEx((code as number | undefined) ?? 0xdead, 0, 0, 0, 0),
  KeBugCheck: (_harness, code) => kmcl.KeBugCheck((code as number | undefined) ?? 0xdead),
};

const familyDefs = new Map(kmclPack.families.map((family) => [family.name, family]));
/** The rule a use of a released handle reports, per family: completions "free" by completing. */
const useAfterReleaseRule: Record<Family, ViolationKind> = { packet: "use-after-free", completion: "use-after-free", channel: "use-after-cleanup" };
const releaseOf: Record<Family, string> = { packet: "VmbPacketFree", completion: "VmbChannelPacketComplete", channel: "VmbChannelCleanup" };

function familyOf(effect: RuntimeEffect): Family {
  assert.ok("family" in effect);
  return effect.family as Family;
}

test("the runtime implements every KMCL function of the checker's model, declaring the same effects", () => {
  for (const entry of kmclPack.functions) {
    assert.equal(typeof (kmcl as Record<string, unknown>)[entry.name], "function", `runtime lacks ${entry.name}`);
    assert.deepEqual(normalized(runtimeEffects[entry.name] ?? []), normalized(entry.effects), `effects of ${entry.name} differ`);
  }
});

test("the runtime declares no KMCL function the checker's model lacks", () => {
  const modelled = new Set(kmclPack.functions.map((entry) => entry.name));
  for (const name of Object.keys(runtimeEffects)) assert.ok(modelled.has(name), `${name} is in the runtime table but not in the checker's model`);
});

test("every function in the runtime table has a behavioural check here", () => {
  for (const name of Object.keys(runtimeEffects)) assert.ok(invokers[name], `no invoker for ${name}`);
});

/** The behaviour each effect kind promises, checked against the simulation. */
const effectChecks: Record<RuntimeEffect["kind"], (name: string, effect: RuntimeEffect) => void> = {
  acquire(name, effect) {
    assert.equal(effect.kind, "acquire");
    const family = familyOf(effect);
    const harness = new Harness();
    // In place: the caller's memory becomes the handle; a numbered target otherwise is an out-parameter.
    let subject: unknown;
    if (effect.inPlace) subject = kmcl.allocateCallerPacketMemory(kmcl.VmbChannelSizeofPacket(harness.channel));
    else if (effect.target !== "return") subject = { value: null };
    const result = invokers[name]!(harness, subject, harness.recorder());
    if (effect.when === "success") assert.ok(kmcl.NT_SUCCESS(result as number), `${name} should succeed here`);
    const acquired = effect.target === "return" ? result : effect.inPlace ? subject : (subject as { value: unknown }).value;
    assert.equal((acquired as { family: string }).family, family, `${name} acquires a ${family}`);
    assert.ok(harness.isLive(acquired), `${name}'s ${family} is live`);
    if (effect.variant) {
      assert.equal((acquired as VMBPACKET).variant, effect.variant);
      const unreleasable = familyDefs.get(family)?.unreleasableVariants ?? [];
      if (unreleasable.includes(effect.variant)) {
        const before = harness.sim.violations.length;
        invokers[releaseOf[family]]!(harness, acquired, harness.recorder());
        assert.deepEqual(harness.violationsSince(before), ["free-unowned"], `releasing a ${effect.variant} ${family} is free-unowned`);
      }
    }
    if (effect.mayBeNull) {
      const failing = new Harness({ failAllocation: { nth: 1 } });
      assert.equal(invokers[name]!(failing, undefined, failing.recorder()), null, `${name} may return NULL`);
    }
    if (effect.when === "success" && effect.inPlace) {
      const failing = new Harness();
      const memory = kmcl.allocateCallerPacketMemory(8);
      const status = kmcl.VmbPacketInitialize(failing.channel, memory, 8);
      assert.ok(!kmcl.NT_SUCCESS(status) && memory.state === "uninitialized", `a failed ${name} acquires nothing`);
    }
  },
  release(name, effect) {
    const family = familyOf(effect);
    const harness = new Harness();
    const handle = harness.live(family);
    assert.ok(harness.isLive(handle));
    const before = harness.sim.violations.length;
    invokers[name]!(harness, handle, harness.recorder());
    assert.ok(!harness.isLive(handle), `${name} ends the ${family}`);
    invokers[name]!(harness, handle, harness.recorder());
    assert.deepEqual(harness.violationsSince(before), [familyDefs.get(family)!.doubleReleaseRule], `a second ${name} is the family's double release`);
  },
  transfer(name, effect) {
    const family = familyOf(effect);
    const harness = new Harness();
    const sent = harness.live(family) as VMBPACKET;
    assert.ok(kmcl.NT_SUCCESS(invokers[name]!(harness, sent, harness.recorder()) as number));
    const before = harness.sim.violations.length;
    kmcl.VmbPacketFree(sent);
    assert.deepEqual(harness.violationsSince(before), ["free-in-flight"], `after a successful ${name} the library owns the packet`);

    const failing = new Harness({ failSend: { nth: 1 } });
    const kept = failing.live(family) as VMBPACKET;
    assert.ok(!kmcl.NT_SUCCESS(invokers[name]!(failing, kept, failing.recorder()) as number));
    kmcl.VmbPacketFree(kept);
    assert.deepEqual(failing.violationsSince(0), [], `after a failed ${name} the sender still owns the packet`);
    assert.equal(kept.state, "freed");
  },
  use(name, effect) {
    const family = familyOf(effect);
    const harness = new Harness();
    const live = harness.live(family);
    invokers[name]!(harness, live, harness.recorder());
    assert.deepEqual(harness.violationsSince(0), [], `${name} on a live ${family} is fine`);
    const released = harness.released(family);
    const before = harness.sim.violations.length;
    invokers[name]!(harness, released, harness.recorder());
    assert.deepEqual(harness.violationsSince(before), [useAfterReleaseRule[family]], `${name} on a released ${family}`);
  },
  "register-callback"(name, effect) {
    assert.equal(effect.kind, "register-callback");
    const role = kmclPack.roles.find((candidate) => candidate.name === effect.role);
    assert.ok(role, `role ${effect.role} is modelled`);
    const harness = new Harness();
    if (effect.role === "process-packet") {
      const channel = harness.sim.createChannel({ enabled: false });
      invokers[name]!(harness, channel, harness.recorder());
      kmcl.VmbChannelEnable(channel);
      harness.sim.host.deliver(channel, "to the callback");
    } else {
      const packet = harness.live("packet");
      invokers[name]!(harness, packet, harness.recorder());
      kmcl.VmbPacketSend(packet as VMBPACKET, null, 0, null, WAIT);
    }
    harness.sim.runUntilIdle();
    assert.equal(harness.callbackCalls.length, 1, `${name} registers a ${effect.role} callback that the library calls`);
    for (const param of role.params) {
      const handed = harness.callbackCalls[0]![param.index] as { family: string; state: string };
      assert.equal(handed.family, param.family, `${effect.role} parameter ${param.index} is a ${param.family}`);
      assert.ok(harness.isLive(handed), `the callback owns a live ${param.family}`);
    }
  },
  "status-predicate"(name) {
    const harness = new Harness();
    assert.equal(invokers[name]!(harness, kmcl.STATUS_SUCCESS, harness.recorder()), true);
    assert.equal(invokers[name]!(harness, kmcl.STATUS_PENDING, harness.recorder()), true, "informational codes are successes");
    assert.equal(invokers[name]!(harness, kmcl.STATUS_INSUFFICIENT_RESOURCES, harness.recorder()), false);
  },
  "no-return"(name) {
    const harness = new Harness();
    assert.throws(() => invokers[name]!(harness, 0x50, harness.recorder()), kmcl.KmclBugCheck, `${name} never returns`);
    assert.ok(harness.sim.finish().events.some((event) => event.kind === "bugcheck" && event.status === 0x50));
  },
};

for (const [name, effects] of Object.entries(runtimeEffects)) {
  for (const effect of effects) {
    const what = "family" in effect ? `${effect.kind} ${effect.family}` : effect.kind;
    test(`${name} behaves as declared: ${what}${"when" in effect && effect.when ? ` on ${effect.when}` : ""}`, () => {
      effectChecks[effect.kind](name, effect);
    });
  }
}
