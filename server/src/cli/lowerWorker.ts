// A worker thread that lowers sources to IR for the CLI's --jobs. IrFile is plain data,
// so it crosses back to the main thread by structured clone.
import { parentPort, workerData } from "node:worker_threads";
import { lowerSource, type LoweringContext } from "../analysis/check";
import type { Config } from "../config/config";
import type { LowerReply, LowerRequest } from "./lowerProtocol";

const { config, context } = workerData as { config: Config; context: LoweringContext };

parentPort?.on("message", (request: LowerRequest) => {
  lowerSource(request.source, config, context).then(
    (file) => parentPort?.postMessage({ id: request.id, ok: true, file } satisfies LowerReply),
    (error: unknown) =>
      parentPort?.postMessage({ id: request.id, ok: false, message: error instanceof Error ? error.message : String(error) } satisfies LowerReply),
  );
});
