// Messages between the CLI and its analysis workers. Each request gets one reply with its id.
import type { LoweringContext, SourceInput } from "../analysis/check";
import type { ShardModel } from "../analysis/shard";
import type { SummaryUpdate } from "../analysis/summaryTable";

export type ShardRequest =
  | { id: number; kind: "context"; context: LoweringContext }
  | { id: number; kind: "lower"; source: SourceInput }
  | { id: number; kind: "digest" }
  | { id: number; kind: "configure"; model: ShardModel }
  | { id: number; kind: "analyze"; indexes: number[]; updates: SummaryUpdate[] }
  | { id: number; kind: "findings" };

export type ShardReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; message: string };
