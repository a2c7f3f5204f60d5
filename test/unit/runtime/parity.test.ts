// One source of truth: the checker's KMCL model and the runtime's effect table must agree, and the
// runtime must really do what its table declares. Every row is exercised against a simulation.
import { test } from "node:test";
import assert from "node:assert/strict";
import { kmclPack } from "../../../server/src/model/packs";
import * as kmcl from "../../../runtime/src/kmcl/index";
import {
  type FaultOptions,
  type FallibleFunction,
  type RuntimeEffect,
  type Simulation,
  type VMBCHANNEL,
  type VMBPACKET,
  type VMBPACKETCOMPLETION,
  type VMB_CHANNEL_STATE_CHANGE_CALLBACKS,
  type ViolationKind,
  configureSimulation,
  fallibleFunctions,
  resetAmbientSimulation,
  runtimeEffects,
} from "../../../runtime/src/kmcl/index";

const WAIT = kmcl.VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION;
const networkType = "f8615163-df3e-46c5-913f-f2d2f965ed0e";
const networkInstance = "3a1d7c42-94a3-4d1c-b0f6-2e61f1d0c5aa";
type Family = "packet" | "completion" | "channel";
type Callback = (...args: never[]) => unknown;

/** Drops undefined members so `{ when: undefined }` and `{}` compare equal. */
function normalized(effects: readonly object[]): unknown {
  return JSON.parse(JSON.stringify(effects));
}

/** A report-mode simulation installed as the ambient one (VmbChannelAllocate allocates there). */
class Harness {
  readonly sim: Simulation;
  /** Enabled, open and active: a client channel whose process-packet callback keeps what it receives. */
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

  /** A channel still being initialized (VmbChannelInit* calls are valid on it). */
  initializing(isServer = false): VMBCHANNEL {
    return this.sim.createChannel({ enabled: false, isServer });
  }

  /** A GPADL the driver established on the harness channel. */
  gpadl(): number {
    const handle: kmcl.OutParam<number> = { value: null };
    assert.equal(kmcl.VmbChannelCreateGpadlFromBuffer(this.channel, 0, new Uint8Array(16), 16, handle), kmcl.STATUS_SUCCESS);
    return handle.value!;
  }

  /** The saved state of the harness channel, as VmbChannelSaveContinue hands it out. */
  savedState(): Uint8Array {
    const buffer = new Uint8Array(256);
    const filled: kmcl.OutParam<number> = { value: null };
    assert.equal(kmcl.VmbChannelSaveBegin(this.channel), kmcl.STATUS_SUCCESS);
    assert.equal(kmcl.VmbChannelSaveContinue(this.channel, buffer, buffer.length, filled, { value: null }), kmcl.STATUS_SUCCESS);
    kmcl.VmbChannelSaveEnd(this.channel);
    return buffer.subarray(0, filled.value!);
  }

  release(family: Family, handle: unknown): void {
    call(releaseOf[family], [handle, ...(family === "completion" ? [null, 0] : [])]);
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
 * A valid call of each runtime KMCL function, as its arguments: the handle at each position its
 * effects target is live and in the state the function needs. A check replaces the argument it
 * studies (a released handle, a callback, a status) and calls the function by its name.
 */
const validArguments: Record<string, (harness: Harness) => unknown[]> = {
  VmbPacketAllocate: (h) => [h.channel],
  VmbPacketInitialize: (h) => [h.channel, kmcl.allocateCallerPacketMemory(kmcl.VmbChannelSizeofPacket(h.channel)), kmcl.VmbChannelSizeofPacket(h.channel)],
  VmbPacketFree: (h) => [h.live("packet")],
  VmbPacketSend: (h) => [h.live("packet"), new Uint8Array(4), 4, null, WAIT],
  VmbPacketSendWithExternalMdl: (h) => [h.live("packet"), new Uint8Array(4), 4, { bytes: new Uint8Array(8) }, 0, 0, WAIT],
  VmbPacketSendWithExternalPfns: (h) => [h.live("packet"), new Uint8Array(4), 4, [new Uint8Array(8)], 0, 8, WAIT],
  VmbPacketRestore: (h) => [h.live("packet"), new Uint8Array([1, 2, 3, 4]), 4],
  VmbPacketSetCompletionRoutine: (h) => [h.live("packet"), () => undefined],
  VmbPacketSetPointer: (h) => [h.live("packet"), { anything: true }],
  VmbPacketGetContext: (h) => [h.live("packet")],
  VmbPacketGetPointer: (h) => [h.live("packet")],
  VmbPacketGetChannel: (h) => [h.live("packet")],
  VmbChannelPacketComplete: (h) => [h.live("completion"), null, 0],
  VmbChannelPacketDeferToPassive: (h) => [h.live("completion")],
  VmbChannelPacketFail: (h) => [h.live("completion")],
  VmbChannelPacketGetExternalData: (h) => [h.live("completion"), 0, { value: null }],
  VmbChannelAllocate: () => [null, false, { value: null }],
  VmbChannelCleanup: (h) => [h.live("channel")],
  VmbChannelSetPointer: (h) => [h.channel, { context: true }],
  VmbChannelEnable: (h) => [h.initializing()],
  VmbChannelSendSynchronousRequest: (h) => [h.channel, new Uint8Array(2), 2, null, WAIT, new Uint8Array(8), { value: null }],
  VmbChannelSaveBegin: (h) => [h.channel],
  VmbChannelSaveContinue: (h) => {
    kmcl.VmbChannelSaveBegin(h.channel);
    return [h.channel, new Uint8Array(64), 64, { value: null }, { value: null }];
  },
  VmbChannelRestoreFromBuffer: (h) => {
    const state = h.savedState();
    return [h.channel, state, state.length];
  },
  VmbChannelSetInterruptLatency: (h) => [h.channel, 10, { value: null }],
  VmbChannelMapGpadl: (h) => [h.channel, 0, h.gpadl(), { value: null }],
  VmbChannelCreateGpadlFromMdl: (h) => [h.channel, 0, { bytes: new Uint8Array(16) }, 0, 0, { value: null }],
  VmbChannelCreateGpadlFromBuffer: (h) => [h.channel, 0, new Uint8Array(16), 16, { value: null }],
  VmbChannelInitSetMaximumPacketSize: (h) => [h.initializing(), 4096],
  VmbChannelInitSetMaximumExternalData: (h) => [h.initializing(), 65536, 4],
  VmbChannelInitSetClientContextSize: (h) => [h.initializing(), 64],
  VmbChannelInitSetStateChangeCallbacks: (h) => {
    const callbacks: Partial<VMB_CHANNEL_STATE_CHANGE_CALLBACKS> = {};
    kmcl.VMB_CHANNEL_STATE_CHANGE_CALLBACKS_INIT(callbacks);
    return [h.initializing(), callbacks];
  },
  VmbChannelInitSetFriendlyName: (h) => [h.initializing(), "Network"],
  VmbChannelInitSetFlags: (h) => [h.initializing(), kmcl.VMBUS_CHANNEL_INIT_FLAG_IS_PIPE],
  VmbServerChannelInitSetFlags: (h) => [h.initializing(true), kmcl.VMBUS_SERVER_CHANNEL_INIT_FLAG_ENUMERATE_DEVICE_INTERFACE],
  VmbServerChannelInitSetMmioMegabytes: (h) => [h.initializing(true), 16, 0],
  VmbServerChannelInitSetTargetInterfaceId: (h) => [h.initializing(true), networkType, networkInstance],
  VmbServerChannelInitSetSaveRestorePacketCallbacks: (h) => [h.initializing(true), () => kmcl.STATUS_SUCCESS, () => kmcl.STATUS_SUCCESS],
  VmbServerChannelInitSetVmbusHandle: (h) => [h.initializing(true), 42],
  VmbClientChannelInitSetRingBufferPageCount: (h) => [h.initializing(), 16, 16],
  VmbClientChannelInitSetTargetPnp: (h) => [h.initializing(), networkType, null, null],
  VmbChannelDisable: (h) => [h.channel],
  VmbChannelStart: (h) => {
    const server = h.initializing(true);
    assert.equal(kmcl.VmbChannelEnable(server), kmcl.STATUS_SUCCESS);
    return [server];
  },
  VmbChannelPause: (h) => [h.channel],
  VmbChannelSaveEnd: (h) => {
    kmcl.VmbChannelSaveBegin(h.channel);
    return [h.channel];
  },
  VmbChannelGetPointer: (h) => [h.channel],
  VmbChannelUnmapGpadl: (h) => {
    const gpadl = h.gpadl();
    assert.equal(kmcl.VmbChannelMapGpadl(h.channel, 0, gpadl, { value: null }), kmcl.STATUS_SUCCESS);
    return [h.channel, gpadl];
  },
  VmbChannelDeleteGpadl: (h) => [h.channel, h.gpadl()],
  VmbChannelSetIncomingProcessingAtPassive: (h) => [h.channel, true],
  VmbChannelSetTransactionQuota: (h) => [h.channel, 4],
  VmbChannelGetInterfaceInstance: (h) => [h.channel, { value: null }],
  VmbChannelSizeofPacket: (h) => [h.channel],
  VmbChannelInitSetProcessPacketCallbacks: (h) => [h.initializing(), () => undefined],
  NT_SUCCESS: () => [kmcl.STATUS_SUCCESS],
  KeBugCheckEx: () => [0xdead, 0, 0, 0, 0],
  KeBugCheck: () => [0xdead],
};

function call(name: string, args: readonly unknown[]): unknown {
  return ((kmcl as Record<string, unknown>)[name] as (...callArgs: unknown[]) => unknown)(...args);
}

const familyDefs = new Map(kmclPack.families.map((family) => [family.name, family]));
/** The rule a use of a released handle reports, per family: completions "free" by completing. */
const useAfterReleaseRule: Record<Family, ViolationKind> = { packet: "use-after-free", completion: "use-after-free", channel: "use-after-cleanup" };
const releaseOf: Record<Family, string> = { packet: "VmbPacketFree", completion: "VmbChannelPacketComplete", channel: "VmbChannelCleanup" };

function familyOf(effect: RuntimeEffect): Family {
  assert.ok("family" in effect);
  return effect.family as Family;
}

function targetOf(effect: RuntimeEffect): number {
  assert.ok("target" in effect && typeof effect.target === "number");
  return effect.target;
}

/** A harness where `name` fails (failCalls); only the functions that can fail have one. */
function failingHarness(name: string): Harness {
  assert.ok((fallibleFunctions as readonly string[]).includes(name), `${name} succeeds on condition, so it must be one of fallibleFunctions`);
  return new Harness({ failCalls: { [name as FallibleFunction]: { nth: 1 } } });
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
  for (const name of Object.keys(runtimeEffects)) assert.ok(validArguments[name], `no valid call for ${name}`);
});

test("the model's pending status is the one the runtime returns", () => {
  for (const entry of kmclPack.functions) if (entry.pendingStatus) assert.equal((kmcl as Record<string, unknown>)[entry.pendingStatus], kmcl.STATUS_PENDING);
});

/** How the library calls back a callback of each role, once the registering call is made with `args`. */
const triggerRole: Record<string, (harness: Harness, args: unknown[]) => void> = {
  "process-packet"(harness, args) {
    const channel = args[0] as VMBCHANNEL;
    kmcl.VmbChannelEnable(channel);
    harness.sim.host.deliver(channel, "to the callback");
  },
  "packet-completion"(_harness, args) {
    kmcl.VmbPacketSend(args[0] as VMBPACKET, null, 0, null, WAIT);
  },
};

/** The behaviour each effect kind promises, checked against the simulation. */
const effectChecks: Record<RuntimeEffect["kind"], (name: string, effect: RuntimeEffect, effects: readonly RuntimeEffect[]) => void> = {
  acquire(name, effect) {
    assert.equal(effect.kind, "acquire");
    const family = familyOf(effect);
    const harness = new Harness();
    const args = validArguments[name]!(harness);
    const result = call(name, args);
    if (effect.when === "success") assert.ok(kmcl.NT_SUCCESS(result as number), `${name} should succeed here`);
    // In place: the caller's memory becomes the handle; a numbered target otherwise is an out-parameter.
    const acquired = effect.target === "return" ? result : effect.inPlace ? args[effect.target] : (args[effect.target] as { value: unknown }).value;
    assert.equal((acquired as { family: string }).family, family, `${name} acquires a ${family}`);
    assert.ok(harness.isLive(acquired), `${name}'s ${family} is live`);
    assert.deepEqual(harness.violationsSince(0), []);
    if (effect.variant) {
      assert.equal((acquired as VMBPACKET).variant, effect.variant);
      const unreleasable = familyDefs.get(family)?.unreleasableVariants ?? [];
      if (unreleasable.includes(effect.variant)) {
        const before = harness.sim.violations.length;
        harness.release(family, acquired);
        assert.deepEqual(harness.violationsSince(before), ["free-unowned"], `releasing a ${effect.variant} ${family} is free-unowned`);
      }
    }
    if (effect.mayBeNull) {
      const failing = new Harness({ failAllocation: { nth: 1 } });
      assert.equal(call(name, validArguments[name]!(failing)), null, `${name} may return NULL`);
    }
    if (effect.when === "success" && effect.inPlace) {
      const failing = new Harness();
      const memory = kmcl.allocateCallerPacketMemory(8);
      const status = kmcl.VmbPacketInitialize(failing.channel, memory, 8);
      assert.ok(!kmcl.NT_SUCCESS(status) && memory.state === "uninitialized", `a failed ${name} acquires nothing`);
    } else if (effect.when === "success" && typeof effect.target === "number") {
      const failing = failingHarness(name);
      const failArgs = validArguments[name]!(failing);
      assert.ok(!kmcl.NT_SUCCESS(call(name, failArgs) as number), `${name} fails under failCalls`);
      assert.equal((failArgs[effect.target] as { value: unknown }).value, null, `a failed ${name} acquires nothing`);
    }
  },
  release(name, effect) {
    const family = familyOf(effect);
    const harness = new Harness();
    const args = validArguments[name]!(harness);
    const handle = args[targetOf(effect)];
    assert.ok(harness.isLive(handle));
    const before = harness.sim.violations.length;
    call(name, args);
    assert.ok(!harness.isLive(handle), `${name} ends the ${family}`);
    call(name, args);
    assert.deepEqual(harness.violationsSince(before), [familyDefs.get(family)!.doubleReleaseRule], `a second ${name} is the family's double release`);
  },
  transfer(name, effect) {
    assert.equal(effect.kind, "transfer");
    const family = familyOf(effect);
    const target = targetOf(effect);
    // The outcome that hands the handle over, then (for a conditional transfer) the one that keeps it.
    const handing = effect.when === "pending" ? new Harness({ externalDataPending: { nth: 1 } }) : new Harness();
    const args = validArguments[name]!(handing);
    const result = call(name, args);
    if (effect.when === "success") assert.ok(kmcl.NT_SUCCESS(result as number), `${name} succeeds here`);
    if (effect.when === "pending") assert.equal(result, kmcl.STATUS_PENDING, `${name} pends here`);
    assert.deepEqual(handing.violationsSince(0), [], `${name} is a valid call`);
    handing.release(family, args[target]);
    assert.deepEqual(handing.violationsSince(0), ["free-in-flight"], `after ${name} hands it over, the library owns the ${family}`);
    if (effect.when === undefined) return;

    const keeping = effect.when === "pending" ? new Harness() : failingHarness(name);
    const keptArgs = validArguments[name]!(keeping);
    const kept = call(name, keptArgs) as number;
    assert.ok(effect.when === "pending" ? kept === kmcl.STATUS_SUCCESS : !kmcl.NT_SUCCESS(kept), `${name}'s other outcome`);
    keeping.release(family, keptArgs[target]);
    assert.deepEqual(keeping.violationsSince(0), [], `when ${name} does not hand it over, the caller still owns the ${family}`);
    assert.ok(!keeping.isLive(keptArgs[target]));
  },
  use(name, effect) {
    const family = familyOf(effect);
    const harness = new Harness();
    const args = validArguments[name]!(harness);
    call(name, args);
    assert.deepEqual(harness.violationsSince(0), [], `${name} on a live ${family} is fine`);
    harness.release(family, args[targetOf(effect)]);
    const before = harness.sim.violations.length;
    call(name, args);
    assert.deepEqual(harness.violationsSince(before), [useAfterReleaseRule[family]], `${name} on a released ${family}`);
  },
  escape(name, effect, effects) {
    const owner = effects.find((other) => other.kind === "use");
    assert.ok(owner, `${name} keeps the argument in the handle it uses`);
    const harness = new Harness();
    const args = validArguments[name]!(harness);
    const kept = { kept: name };
    args[targetOf(effect)] = kept;
    call(name, args);
    const handle = args[targetOf(owner)] as { id: number };
    assert.equal(harness.sim.describeHandle(handle.id)?.pointer, kept, `${name}'s handle keeps what it was given`);
  },
  "register-callback"(name, effect) {
    assert.equal(effect.kind, "register-callback");
    const role = kmclPack.roles.find((candidate) => candidate.name === effect.role);
    assert.ok(role, `role ${effect.role} is modelled`);
    const harness = new Harness();
    const args = validArguments[name]!(harness);
    args[effect.target] = harness.recorder();
    call(name, args);
    triggerRole[effect.role]!(harness, args);
    harness.sim.runUntilIdle();
    assert.equal(harness.callbackCalls.length, 1, `${name} registers a ${effect.role} callback that the library calls`);
    for (const param of role.params) {
      const handed = harness.callbackCalls[0]![param.index] as { family: string; state: string };
      assert.equal(handed.family, param.family, `${effect.role} parameter ${param.index} is a ${param.family}`);
      assert.ok(harness.isLive(handed), `the callback owns a live ${param.family}`);
    }
  },
  "status-predicate"(name) {
    assert.equal(call(name, [kmcl.STATUS_SUCCESS]), true);
    assert.equal(call(name, [kmcl.STATUS_PENDING]), true, "informational codes are successes");
    assert.equal(call(name, [kmcl.STATUS_INSUFFICIENT_RESOURCES]), false);
  },
  "no-return"(name) {
    const harness = new Harness();
    const args = validArguments[name]!(harness);
    args[0] = 0x50;
    assert.throws(() => call(name, args), kmcl.KmclBugCheck, `${name} never returns`);
    assert.ok(harness.sim.finish().events.some((event) => event.kind === "bugcheck" && event.status === 0x50));
  },
};

for (const [name, effects] of Object.entries(runtimeEffects)) {
  for (const effect of effects) {
    const what = "family" in effect ? `${effect.kind} ${effect.family}` : effect.kind;
    test(`${name} behaves as declared: ${what}${"when" in effect && effect.when ? ` on ${effect.when}` : ""}`, () => {
      effectChecks[effect.kind](name, effect, effects);
    });
  }
}
