// Runtime benchmark (not a test): packet lifecycles per second with tracking on, and memory over a
// long run. Runs against the bundle (npm run build first); prints a table and writes
// bench/results/runtime.json.
import { createRequire } from "node:module";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

// Heap numbers need a real collection before each reading, with or without --expose-gc.
setFlagsFromString("--expose-gc");
const collectGarbage = runInNewContext("gc");

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const require = createRequire(import.meta.url);
const kmcl = require(join(root, "dist", "runtime.js"));
const { Simulation, VmbPacketAllocate, VmbPacketSend, VmbPacketFree, VmbPacketSetCompletionRoutine, VmbChannelCleanup, VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION } = kmcl;

// Stack capture costs microseconds per transition, so runs that capture stacks are shorter: the
// rate is what is measured, and bench/run.mjs gives this script a few minutes in all.
const lifecycles = Number(process.env.VMBGUARD_BENCH_LIFECYCLES ?? 1_000_000);
const lifecyclesWithStacks = Number(process.env.VMBGUARD_BENCH_LIFECYCLES_WITH_STACKS ?? 200_000);
const batch = 64;
const payload = new Uint8Array(64);

/** allocate → send (WAIT_FOR_COMPLETION) → host completes → library frees (default routine) */
function defaultRoutineRun(options, lifecycles) {
  const sim = new Simulation({ mode: "strict", seed: 1, lookasideCapacity: batch, ...options });
  const channel = sim.createChannel();
  const started = process.hrtime.bigint();
  for (let done = 0; done < lifecycles; done += batch) {
    for (let index = 0; index < batch; index++) {
      const packet = VmbPacketAllocate(channel);
      VmbPacketSend(packet, payload, payload.length, null, VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION);
    }
    sim.runUntilIdle();
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  VmbChannelCleanup(channel);
  const report = sim.finish();
  if (!report.ok || report.stats.packetsFreedByLibrary !== Math.ceil(lifecycles / batch) * batch) throw new Error("benchmark run was not clean");
  return seconds;
}

/** allocate → custom completion routine → send → routine frees: the driver-owned path */
function customRoutineRun(options, lifecycles) {
  const sim = new Simulation({ mode: "strict", seed: 1, lookasideCapacity: batch, ...options });
  const channel = sim.createChannel();
  const routine = (packet) => VmbPacketFree(packet);
  const started = process.hrtime.bigint();
  for (let done = 0; done < lifecycles; done += batch) {
    for (let index = 0; index < batch; index++) {
      const packet = VmbPacketAllocate(channel);
      VmbPacketSetCompletionRoutine(packet, routine);
      VmbPacketSend(packet, payload, payload.length, null, VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION);
    }
    sim.runUntilIdle();
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  VmbChannelCleanup(channel);
  if (!sim.finish().ok) throw new Error("benchmark run was not clean");
  return seconds;
}

function measure(name, run, options) {
  const count = options.stacks === "none" ? lifecycles : lifecyclesWithStacks;
  run(options, Math.min(count, 100_000)); // warm-up: the JIT settles on the same shapes
  collectGarbage();
  const before = process.memoryUsage().heapUsed;
  const seconds = run(options, count);
  const after = process.memoryUsage().heapUsed;
  return { name, lifecycles: count, seconds: Number(seconds.toFixed(3)), lifecyclesPerSecond: Math.round(count / seconds), heapGrowthMB: Number(((after - before) / 1048576).toFixed(1)) };
}

const results = [
  measure("default routine, stacks: none", defaultRoutineRun, { stacks: "none" }),
  measure("custom routine frees, stacks: none", customRoutineRun, { stacks: "none" }),
  measure("default routine, stacks: allocation", defaultRoutineRun, { stacks: "allocation" }),
  measure("default routine, stacks: all", defaultRoutineRun, { stacks: "all" }),
  measure("custom routine frees, stacks: all", customRoutineRun, { stacks: "all" }),
];

// Memory: one 1M-packet run keeping 1000 freed handles; the heap after it must not hold the run.
function memoryRun() {
  collectGarbage();
  const baseline = process.memoryUsage().heapUsed;
  const sim = new Simulation({ mode: "strict", seed: 1, lookasideCapacity: batch, historyLimit: 1000, eventLogLimit: 1000 });
  const channel = sim.createChannel();
  let peak = 0;
  for (let done = 0; done < 1_000_000; done += batch) {
    for (let index = 0; index < batch; index++) {
      VmbPacketSend(VmbPacketAllocate(channel), payload, payload.length, null, VMBUS_CHANNEL_FORMAT_FLAG_WAIT_FOR_COMPLETION);
    }
    sim.runUntilIdle();
    if (done % 65536 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed - baseline);
  }
  collectGarbage();
  const retained = process.memoryUsage().heapUsed - baseline;
  VmbChannelCleanup(channel);
  sim.finish();
  return { packets: 1_000_000, historyLimit: 1000, stacks: "all (default)", peakHeapGrowthMB: Number((peak / 1048576).toFixed(1)), retainedAfterRunMB: Number((retained / 1048576).toFixed(1)) };
}

const memory = memoryRun();
const output = { node: process.version, date: new Date().toISOString(), target: { lifecyclesPerSecond: 500_000 }, throughput: results, memory };
for (const row of results) console.log(`${row.name.padEnd(40)} ${String(row.lifecyclesPerSecond).padStart(9)} lifecycles/s  (${row.seconds}s for ${row.lifecycles})`);
console.log(`memory: 1M packets, history ${memory.historyLimit}: peak heap growth ${memory.peakHeapGrowthMB} MB, retained after the run ${memory.retainedAfterRunMB} MB`);
mkdirSync(join(root, "bench", "results"), { recursive: true });
writeFileSync(join(root, "bench", "results", "runtime.json"), `${JSON.stringify(output, null, 2)}\n`);
