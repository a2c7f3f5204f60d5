// The analysis in this thread, in slices: between two slices pending messages (a newer edit, a
// cancellation) get in, and an aborted check stops there. The functions of one wave do not depend
// on each other, so analyzing a wave slice by slice gives the same summaries and findings.
import { localShard, type ShardHandle } from "../analysis/check";
import type { AnalysisShard } from "../analysis/shard";

/** Functions analyzed between two looks at the event queue: a few milliseconds of work. */
const functionsPerSlice = 64;

const yieldToEvents = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export function interruptibleShard(shard: AnalysisShard, signal: AbortSignal): ShardHandle {
  const local = localShard(shard);
  return {
    ...local,
    analyze: async (indexes, updates) => {
      const summaries = [];
      for (let start = 0; start < indexes.length; start += functionsPerSlice) {
        await yieldToEvents();
        signal.throwIfAborted();
        // The wave's new summaries go in once, with the first slice.
        summaries.push(...(await local.analyze(indexes.slice(start, start + functionsPerSlice), start === 0 ? updates : [])));
      }
      return summaries;
    },
  };
}
