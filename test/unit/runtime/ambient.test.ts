import { test } from "node:test";
import assert from "node:assert/strict";
import {
  type KmclEvent,
  type OutParam,
  STATUS_SUCCESS,
  Simulation,
  type VMBCHANNEL,
  VmbChannelAllocate,
  VmbChannelCleanup,
  VmbChannelEnable,
  VmbPacketAllocate,
  VmbPacketFree,
  configureSimulation,
  getSimulation,
  resetAmbientSimulation,
  subscribeToAllSimulations,
  watchSimulations,
} from "../../../runtime/src/kmcl/index";

test("the ambient simulation is created on first use, and VmbChannelAllocate allocates in it", () => {
  resetAmbientSimulation();
  const out: OutParam<VMBCHANNEL> = { value: null };
  assert.equal(VmbChannelAllocate(null, false, out), STATUS_SUCCESS);
  const sim = getSimulation();
  assert.equal(out.value!.simulationId, sim.id);
  assert.equal(out.value!.state, "allocated");
  assert.equal(getSimulation(), sim, "one ambient simulation until it finishes");
  VmbChannelCleanup(out.value!);
  assert.equal(sim.finish().ok, true);
  assert.notEqual(getSimulation(), sim, "a finished ambient simulation is replaced on next use");
});

test("configureSimulation applies launch options to the ambient simulation before the program runs", () => {
  resetAmbientSimulation();
  const configured = configureSimulation({ mode: "report", seed: 42, lookasideCapacity: 1 });
  const out: OutParam<VMBCHANNEL> = { value: null };
  VmbChannelAllocate(null, false, out);
  assert.equal(getSimulation(), configured);
  assert.equal(configured.seed, 42);
  assert.equal(configured.mode, "report");
  VmbChannelEnable(out.value!);
  const packet = VmbPacketAllocate(out.value!)!;
  assert.equal(VmbPacketAllocate(out.value!), null, "the configured lookaside capacity applies");
  assert.throws(() => configureSimulation({}), /the ambient simulation #\d+ is in use/);
  VmbPacketFree(packet);
  VmbChannelCleanup(out.value!);
  configured.finish();
  assert.doesNotThrow(() => configureSimulation({ seed: 1 }));
  assert.throws(() => configureSimulation({ seed: "x" as never }), /seed: expected an integer/);
  resetAmbientSimulation();
});

test("every simulation emits to the process-wide bus: allocate, send, complete, free and violation events", () => {
  const heard: KmclEvent[] = [];
  const unsubscribe = subscribeToAllSimulations((event) => heard.push(event));
  try {
    const first = new Simulation({ mode: "report" });
    const second = new Simulation({ mode: "report" });
    const local: KmclEvent[] = [];
    second.subscribe((event) => local.push(event));
    const channel = first.createChannel();
    const packet = VmbPacketAllocate(channel)!;
    VmbPacketFree(packet);
    VmbPacketFree(packet);
    second.createChannel();
    const kinds = heard.filter((event) => event.simulationId === first.id).map((event) => event.kind);
    assert.deepEqual(kinds, ["simulation-start", "allocate", "enable", "allocate", "free", "violation"]);
    assert.ok(heard.some((event) => event.simulationId === second.id && event.kind === "allocate"));
    assert.ok(local.every((event) => event.simulationId === second.id) && local.length === 2);
    assert.equal(heard.find((event) => event.kind === "violation")!.violation, "double-free");
  } finally {
    unsubscribe();
  }
});

test("a throwing listener is unsubscribed with a warning, and the simulation goes on", () => {
  const sim = new Simulation();
  let calls = 0;
  sim.subscribe(() => {
    calls++;
    throw new Error("listener bug");
  });
  const warnings: string[] = [];
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error) => void warnings.push(String(warning))) as typeof process.emitWarning;
  try {
    const channel = sim.createChannel();
    VmbChannelCleanup(channel);
  } finally {
    process.emitWarning = emitWarning;
  }
  assert.equal(calls, 1);
  assert.deepEqual(warnings, ["a KMCL event listener threw and was unsubscribed: Error: listener bug"]);
  assert.equal(sim.finish().ok, true);
});

test("the event log is bounded by eventLogLimit, keeping the newest events", () => {
  const sim = new Simulation({ eventLogLimit: 5 });
  const channel = sim.createChannel();
  for (let index = 0; index < 10; index++) VmbPacketFree(VmbPacketAllocate(channel)!);
  VmbChannelCleanup(channel);
  const report = sim.finish();
  assert.equal(report.events.length, 5);
  assert.equal(report.events.at(-1)!.kind, "simulation-finish");
  assert.equal(report.eventsDropped + report.events.length, report.stats.events);
});

test("watchSimulations hands a debugger each Simulation the program creates, ambient ones included", () => {
  const seen: Simulation[] = [];
  const stop = watchSimulations((simulation) => seen.push(simulation));
  try {
    const own = new Simulation();
    resetAmbientSimulation();
    const ambient = getSimulation();
    assert.deepEqual(seen, [own, ambient]);
  } finally {
    stop();
    resetAmbientSimulation();
  }
  new Simulation();
  assert.equal(seen.length, 2, "no calls after stopping");
});
