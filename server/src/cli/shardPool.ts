// Spreads `vmbguard check` over up to `jobs` threads: this one and `jobs - 1` workers. Each lowers
// the files it pulls and keeps their IR, to analyze their functions later (analysis/check.ts
// analyzeShards): only digests, summaries and findings cross threads, never the IR. The result
// does not depend on --jobs or on which thread got which file.
import { existsSync } from "node:fs";
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import { analyzeShards, localShard, lowerSource, prepareLowering, withHeadersFound, type CheckOptions, type CheckResult, type LoweringContext, type ShardHandle, type SourceInput } from "../analysis/check";
import { AnalysisShard } from "../analysis/shard";
import type { Config } from "../config/config";
import type { ShardReply, ShardRequest } from "./shardProtocol";

/** A worker costs a parser start-up, so each one should get a few files. */
const filesPerWorker = 4;

/**
 * Source text per thread below which another thread does not pay: a worker's start-up (the bundle,
 * the grammar, its own JIT warm-up) measured about 0.3 s here, what one thread checks of about
 * 350 KB; each should get a few times that. A check of a handful of files stays on this thread.
 */
const charactersPerThread = 1024 * 1024;

/** How many threads to use, at most `available`, when the user did not say (`--jobs`). */
export function threadsFor(sources: readonly SourceInput[], available: number): number {
  let characters = 0;
  for (const source of sources) characters += source.text.length;
  return Math.max(1, Math.min(available, Math.floor(characters / charactersPerThread)));
}

/** A source the parser could not lower: reported as a problem of that file. */
export interface LoweringFailure {
  source: SourceInput;
  message: string;
}

/** The worker script: `analysis-worker.js` beside the bundled cli.js, `shardWorker.js` beside the compiled module. */
function workerScript(): string | undefined {
  for (const name of ["analysis-worker.js", "shardWorker.js"]) {
    const candidate = path.join(__dirname, name);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

function failureMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The worker died (a crash, out of memory): what it held is lowered again in this thread. */
class WorkerLost extends Error {
  constructor(readonly worker: ShardWorker) {
    super("an analysis worker stopped");
  }
}

/** A request before it gets its id (`Omit` over each member of the union). */
type WithoutId<T> = T extends unknown ? Omit<T, "id"> : never;
type RequestBody = WithoutId<ShardRequest>;

class ShardWorker implements ShardHandle {
  /** Indexes of the sources this worker lowered (or was lowering when it died). */
  readonly sources: number[] = [];
  alive = true;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private readonly worker: Worker;

  constructor(script: string, config: Config) {
    this.worker = new Worker(script, { workerData: { config } });
    this.worker.on("message", (reply: ShardReply) => {
      const waiting = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (reply.ok) waiting?.resolve(reply.value);
      else waiting?.reject(new Error(reply.message));
    });
    // An uncaught error ends the worker: 'exit' follows and settles what was pending.
    this.worker.on("error", () => undefined);
    this.worker.on("exit", () => {
      this.alive = false;
      for (const waiting of this.pending.values()) waiting.reject(new WorkerLost(this));
      this.pending.clear();
    });
  }

  request(body: RequestBody): Promise<unknown> {
    if (!this.alive) return Promise.reject(new WorkerLost(this));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...body, id });
    });
  }

  digest = () => this.request({ kind: "digest" }) as ReturnType<ShardHandle["digest"]>;
  configure = (model: Parameters<ShardHandle["configure"]>[0]) => this.request({ kind: "configure", model }) as Promise<void>;
  analyze = (indexes: number[], updates: Parameters<ShardHandle["analyze"]>[1]) => this.request({ kind: "analyze", indexes, updates }) as ReturnType<ShardHandle["analyze"]>;
  findings = () => this.request({ kind: "findings" }) as ReturnType<ShardHandle["findings"]>;

  stop(): void {
    void this.worker.terminate();
  }
}

export interface ThreadOptions extends CheckOptions {
  /** The worker script (tests substitute one that fails on purpose). */
  workerScript?: string;
}

export interface ShardedCheck {
  result: CheckResult;
  failures: LoweringFailure[];
}

/** Lowers and analyzes `sources` on up to `jobs` threads. Rejects with the signal's reason when it is aborted (Ctrl-C). */
export async function checkOnThreads(given: readonly SourceInput[], config: Config, jobs: number, givenOptions: ThreadOptions = {}): Promise<ShardedCheck> {
  const { sources, contextFiles, added } = withHeadersFound(given, givenOptions);
  const options: ThreadOptions = { ...givenOptions, contextFiles };
  const local = new AnalysisShard(config);
  let context: LoweringContext = { headerDefinitions: {} };
  const failures = new Map<number, string>();
  const lowerHere = async (index: number): Promise<void> => {
    try {
      local.add(await lowerSource(sources[index], config, context));
    } catch (error) {
      failures.set(index, failureMessage(error));
    }
  };

  const script = options.workerScript ?? workerScript();
  const workerCount = script === undefined ? 0 : Math.min(jobs, Math.ceil(sources.length / filesPerWorker)) - 1;
  const workers: ShardWorker[] = [];
  const stopAll = (): void => {
    for (const worker of workers) worker.stop();
  };
  options.signal?.addEventListener("abort", stopAll, { once: true });
  try {
    let next = 0;
    const feed = async (worker: ShardWorker): Promise<void> => {
      while (next < sources.length && worker.alive && options.signal?.aborted !== true) {
        const index = next++;
        worker.sources.push(index);
        try {
          await worker.request({ kind: "lower", source: sources[index] });
        } catch (error) {
          if (error instanceof WorkerLost) return;
          failures.set(index, failureMessage(error));
        }
      }
    };
    // This thread lowers files too (it would only wait otherwise), yielding between files so the
    // workers' replies get in and they get their next file without waiting for ours.
    const lowerShare = async (): Promise<void> => {
      while (next < sources.length && options.signal?.aborted !== true) {
        await lowerHere(next++);
        // Without workers there are no replies to let in, and a turn of the event loop is not free.
        if (workers.length > 0) await new Promise((resume) => setImmediate(resume));
      }
    };
    // Workers start (load the bundle, compile the grammar) while this thread reads the headers.
    for (let count = 0; count < workerCount; count++) workers.push(new ShardWorker(script!, config));
    context = await prepareLowering(sources, config, options.lowering);
    for (const worker of workers) worker.request({ kind: "context", context }).catch(() => undefined);
    // Two files in flight per worker: the next one is already queued when it finishes one, so it
    // never waits for this thread, which answers only between its own files.
    await Promise.all([...workers.flatMap((worker) => [feed(worker), feed(worker)]), lowerShare()]);
    options.signal?.throwIfAborted();

    for (;;) {
      // Whatever a dead worker held is lowered again here, where an exception becomes that file's problem.
      for (const worker of workers.filter((candidate) => !candidate.alive)) {
        for (const index of worker.sources.splice(0)) await lowerHere(index);
      }
      const shards: ShardHandle[] = [...workers.filter((worker) => worker.alive), localShard(local)];
      const lowered = sources.filter((_, index) => !failures.has(index));
      try {
        const result = await analyzeShards(shards, lowered, config, options);
        const reportedFailures = [...failures].filter(([index]) => !added.has(sources[index].path));
        return { result, failures: reportedFailures.sort((a, b) => a[0] - b[0]).map(([index, message]) => ({ source: sources[index], message })) };
      } catch (error) {
        if (!(error instanceof WorkerLost)) throw error;
      }
    }
  } finally {
    options.signal?.removeEventListener("abort", stopAll);
    stopAll();
  }
}
