// The analysis in this thread, in slices: between two slices pending messages (a newer edit, a
// cancellation) get in, and an aborted check stops there. The functions of one wave do not depend
// on each other, so analyzing a wave slice by slice gives the same summaries and findings. The
// summaries it computes are kept for hovers (what a call of a user function does).
import { localShard, type ShardHandle } from "../analysis/check";
import type { AnalysisShard } from "../analysis/shard";
import type { ModelEntry } from "../model/model";

/** Functions analyzed between two looks at the event queue: a few milliseconds of work. */
const functionsPerSlice = 64;

const yieldToEvents = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** `summaries` receives each function's summary by the shard's function index (a recursive one's last). */
export function interruptibleShard(shard: AnalysisShard, signal: AbortSignal, summaries: Map<number, ModelEntry>): ShardHandle {
  const local = localShard(shard);
  return {
    ...local,
    analyze: async (indexes, updates) => {
      const computed: (ModelEntry | undefined)[] = [];
      for (let start = 0; start < indexes.length; start += functionsPerSlice) {
        await yieldToEvents();
        signal.throwIfAborted();
        // The wave's new summaries go in once, with the first slice.
        computed.push(...(await local.analyze(indexes.slice(start, start + functionsPerSlice), start === 0 ? updates : [])));
      }
      computed.forEach((entry, position) => {
        if (entry === undefined) summaries.delete(indexes[position]);
        else summaries.set(indexes[position], entry);
      });
      return computed;
    },
  };
}
