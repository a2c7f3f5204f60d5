// Lowers every source to IR, on up to `jobs` worker threads. Results come back in input
// order whatever the scheduling, so the analysis (and the output) does not depend on --jobs.
import { existsSync } from "node:fs";
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import { lowerSource, type SourceInput } from "../analysis/check";
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

async function lowerInProcess(source: SourceInput, config: Config): Promise<LowerOutcome> {
  try {
    return { ok: true, file: await lowerSource(source, config) };
  } catch (error) {
    return { ok: false, message: failureMessage(error) };
  }
}

async function lowerSequentially(sources: readonly SourceInput[], config: Config, outcomes: (LowerOutcome | undefined)[]): Promise<void> {
  for (const [index, source] of sources.entries()) {
    if (outcomes[index] === undefined) outcomes[index] = await lowerInProcess(source, config);
  }
}

export async function lowerAll(sources: readonly SourceInput[], config: Config, jobs: number): Promise<LowerOutcome[]> {
  const outcomes: (LowerOutcome | undefined)[] = new Array(sources.length).fill(undefined);
  const script = workerScript();
  // A worker costs a parser start-up, so each one should get a few files.
  const workerCount = Math.min(jobs, Math.ceil(sources.length / filesPerWorker));
  if (workerCount <= 1 || script === undefined) {
    await lowerSequentially(sources, config, outcomes);
    return outcomes as LowerOutcome[];
  }

  let next = 0;
  await new Promise<void>((resolve) => {
    let running = 0;
    const start = (): void => {
      const worker = new Worker(script, { workerData: { config } });
      running++;
      let current: number | undefined;
      const feed = (): void => {
        if (next >= sources.length) {
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
      worker.on("error", (error) => {
        // A crashed worker fails only the file it held; the others are lowered by the remaining workers or below.
        if (current !== undefined) outcomes[current] = { ok: false, message: `the parser crashed: ${failureMessage(error)}` };
        current = undefined;
      });
      worker.on("exit", () => {
        running--;
        if (running === 0) resolve();
      });
      feed();
    };
    for (let count = 0; count < workerCount; count++) start();
  });
  // Anything a crashed worker left behind.
  await lowerSequentially(sources, config, outcomes);
  return outcomes as LowerOutcome[];
}
