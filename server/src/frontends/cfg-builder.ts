// Builds the basic blocks of one function. `current` is the block statements are appended to;
// it is undefined right after a jump, until the next block is started (code there is unreachable).
import type { BasicBlock, Instr, Terminator } from "../ir/ir";

export class CfgBuilder {
  readonly blocks: BasicBlock[] = [];
  private currentBlock: BasicBlock | undefined;

  constructor() {
    this.currentBlock = this.blocks[this.newBlock()];
  }

  newBlock(label?: string): number {
    const id = this.blocks.length;
    const block: BasicBlock = { id, instrs: [], terminator: { kind: "unreachable" } };
    if (label !== undefined) block.label = label;
    this.blocks.push(block);
    return id;
  }

  get isReachable(): boolean {
    return this.currentBlock !== undefined;
  }

  /** The block being filled; code after a jump gets a fresh block with no predecessor. */
  private ensureCurrent(): BasicBlock {
    if (this.currentBlock === undefined) this.currentBlock = this.blocks[this.newBlock()];
    return this.currentBlock;
  }

  currentId(): number {
    return this.ensureCurrent().id;
  }

  emit(instr: Instr): void {
    this.ensureCurrent().instrs.push(instr);
  }

  /** Ends the current block with `terminator`; nothing is current afterwards. */
  terminate(terminator: Terminator): void {
    this.ensureCurrent().terminator = terminator;
    this.currentBlock = undefined;
  }

  /** Jumps to `target` if the current point is reachable. */
  jumpIfReachable(target: number): void {
    if (this.currentBlock !== undefined) this.terminate({ kind: "goto", target });
  }

  /** Continues in `id` (falling into it from the current block if that is reachable). */
  continueAt(id: number): void {
    this.jumpIfReachable(id);
    this.currentBlock = this.blocks[id];
  }

  /** Starts filling `id` without an edge from the current point. */
  startAt(id: number): void {
    this.currentBlock = this.blocks[id];
  }

  setTerminator(id: number, terminator: Terminator): void {
    this.blocks[id].terminator = terminator;
  }

  markLoopHeader(id: number): void {
    this.blocks[id].loopHeader = true;
  }
}
