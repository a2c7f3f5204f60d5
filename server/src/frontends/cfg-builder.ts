// Builds the basic blocks of one function. `current` is the block statements are appended to;
// it is undefined right after a jump, until the next block is started (code there is unreachable).
import type { BasicBlock, Expr, Instr, SourceRange, Terminator } from "../ir/ir";

/** A `case` of a switch: the block it starts and the value it is tested against. */
export interface CaseTest {
  value: Expr;
  range: SourceRange;
  block: number;
}

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

  /**
   * A switch's dispatch: from `dispatch`, `value` is tested against each case in order; when none
   * matches, control goes to `fallback` (the default clause, or after the switch).
   */
  chainCaseTests(dispatch: number, value: Expr, cases: readonly CaseTest[], fallback: number): void {
    if (cases.length === 0) this.setTerminator(dispatch, { kind: "goto", target: fallback });
    let from = dispatch;
    cases.forEach((entry, index) => {
      const next = index === cases.length - 1 ? fallback : this.newBlock();
      const cond: Expr = { kind: "binary", op: "==", left: value, right: entry.value, range: entry.range };
      this.setTerminator(from, { kind: "branch", cond, then: entry.block, else: next, range: entry.range });
      from = next;
    });
  }

  /**
   * After a do-while's condition (block `condition`, then the blocks from `firstConditionBlock` on):
   * the body is a loop only if the condition can jump back to it (`do { } while (0)` cannot).
   */
  markDoWhileLoop(body: number, condition: number, firstConditionBlock: number): void {
    const conditionBlocks = [this.blocks[condition], ...this.blocks.slice(firstConditionBlock)];
    const loops = conditionBlocks.some(
      (block) => (block.terminator.kind === "goto" && block.terminator.target === body) || (block.terminator.kind === "branch" && (block.terminator.then === body || block.terminator.else === body)),
    );
    if (loops) this.markLoopHeader(body);
  }
}
