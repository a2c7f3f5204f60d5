// Lowers every source to IR, on up to `jobs` worker threads. Results come back in input
// order whatever the scheduling, so the analysis (and the output) does not depend on --jobs.
import { existsSync } from "node:fs";
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import { lowerSource, type LoweringContext, type SourceInput } from "../analysis/check";
import type { Config } from "../config/config";
import type { LowerOutcome, LowerReply } from "./lowerProtocol";

const filesPerWorker = 4;

/** The worker script: `lower-worker.js` beside the bundled cli.js, `lowerWorker.js` beside the compiled module. */
function workerScript(): string | undefined {
  for (const name of ["lower-worker.js", "lowerWorker.js"]) {
    const candidate = path.join(__dirname, name);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

function failureMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function lowerInProcess(source: SourceInput, config: Config, context: LoweringContext): Promise<LowerOutcome> {
  try {
    return { ok: true, file: await lowerSource(source, config, context) };
  } catch (error) {
    return { ok: false, message: failureMessage(error) };
  }
}

async function lowerSequentially(
  sources: readonly SourceInput[],
  config: Config,
  context: LoweringContext,
  outcomes: (LowerOutcome | undefined)[],
  signal: AbortSignal | undefined,
): Promise<void> {
  for (const [index, source] of sources.entries()) {
    signal?.throwIfAborted();
    if (outcomes[index] === undefined) outcomes[index] = await lowerInProcess(source, config, context);
  }
}

/** Rejects with the signal's reason when it is aborted (Ctrl-C); the workers are stopped first. */
export async function lowerAll(
  sources: readonly SourceInput[],
  config: Config,
  context: LoweringContext,
  jobs: number,
  signal?: AbortSignal,
): Promise<LowerOutcome[]> {
  const outcomes: (LowerOutcome | undefined)[] = new Array(sources.length).fill(undefined);
  const script = workerScript();
  // A worker costs a parser start-up, so each one should get a few files.
  const workerCount = Math.min(jobs, Math.ceil(sources.length / filesPerWorker));
  if (workerCount <= 1 || script === undefined) {
    await lowerSequentially(sources, config, context, outcomes, signal);
    return outcomes as LowerOutcome[];
  }

  let next = 0;
  const workers: Worker[] = [];
  const stopAll = (): void => {
    for (const worker of workers) void worker.terminate();
  };
  signal?.addEventListener("abort", stopAll, { once: true });
  // The main thread lowers files too (it would only wait otherwise): one worker fewer to start,
  // and its files need no copying back.
  const mainShare = async (): Promise<void> => {
    while (next < sources.length && signal?.aborted !== true) {
      const index = next++;
      outcomes[index] = await lowerInProcess(sources[index], config, context);
      // Let the workers' replies in, so they get their next file without waiting for ours.
      await new Promise((resume) => setImmediate(resume));
    }
  };
  const workersDone = new Promise<void>((resolve) => {
    let running = 0;
    const start = (): void => {
      const worker = new Worker(script, { workerData: { config, context } });
      workers.push(worker);
      running++;
      let current: number | undefined;
      const feed = (): void => {
        if (next >= sources.length || signal?.aborted === true) {
          current = undefined;
          void worker.terminate();
          return;
        }
        current = next++;
        worker.postMessage({ id: current, source: sources[current] });
      };
      worker.on("message", (reply: LowerReply) => {
        outcomes[reply.id] = reply.ok ? { ok: true, file: reply.file } : { ok: false, message: reply.message };
        feed();
      });
      worker.on("error", () => {
        // The file a crashed worker held is lowered again below, in the main thread, where an
        // exception becomes that file's problem; the other files go to the remaining workers.
        current = undefined;
      });
      worker.on("exit", () => {
        running--;
        if (running === 0) resolve();
      });
      feed();
    };
    for (let count = 1; count < workerCount; count++) start();
  });
  await Promise.all([workersDone, mainShare()]);
  signal?.removeEventListener("abort", stopAll);
  // Anything a crashed worker left behind.
  await lowerSequentially(sources, config, context, outcomes, signal);
  return outcomes as LowerOutcome[];
}
