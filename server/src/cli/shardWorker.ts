// A worker thread of `vmbguard check --jobs`: it lowers the files it is given and keeps their IR,
// then analyzes their functions when the orchestration asks (analysis/check.ts analyzeShards).
import { parentPort, workerData } from "node:worker_threads";
import { lowerSource, prepareParsers, type LoweringContext } from "../analysis/check";
import { AnalysisShard } from "../analysis/shard";
import type { Config } from "../config/config";
import type { ShardReply, ShardRequest } from "./shardProtocol";

const { config } = workerData as { config: Config };
const shard = new AnalysisShard(config);
let context: LoweringContext = { headerDefinitions: {} };
// Compiling the grammar takes a while: start before the first file arrives.
const parsersReady = prepareParsers().catch(() => undefined);

async function handle(request: ShardRequest): Promise<unknown> {
  switch (request.kind) {
    case "context":
      context = request.context;
      return parsersReady;
    case "lower":
      shard.add(await lowerSource(request.source, config, context));
      return undefined;
    case "digest":
      return shard.digest();
    case "configure":
      return shard.configure(request.model);
    case "analyze":
      return shard.analyze(request.indexes, request.updates);
    case "findings":
      return shard.findings();
  }
}

parentPort?.on("message", (request: ShardRequest) => {
  handle(request).then(
    (value) => parentPort?.postMessage({ id: request.id, ok: true, value } satisfies ShardReply),
    (error: unknown) => parentPort?.postMessage({ id: request.id, ok: false, message: error instanceof Error ? error.message : String(error) } satisfies ShardReply),
  );
});
