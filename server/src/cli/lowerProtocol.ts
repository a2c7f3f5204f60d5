// Messages between the CLI and its lowering workers.
import type { SourceInput } from "../analysis/check";
import type { IrFile } from "../ir/ir";

export interface LowerRequest {
  id: number;
  source: SourceInput;
}

export type LowerReply = { id: number; ok: true; file: IrFile } | { id: number; ok: false; message: string };

export type LowerOutcome = { ok: true; file: IrFile } | { ok: false; message: string };
