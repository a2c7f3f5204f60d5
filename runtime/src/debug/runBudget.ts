// The launch option `timeout`: how long the program may run. The clock stops while the program is
// paused in the debugger, so a user reading variables is never cut off.
export class RunBudget {
  private remainingMs: number;
  private runningSince: number | undefined;
  private timer: NodeJS.Timeout | undefined;

  /** `expired` is called once the program has run `totalMs` in all. */
  constructor(
    readonly totalMs: number,
    private readonly expired: () => void,
  ) {
    this.remainingMs = totalMs;
  }

  /** The program runs (again). */
  start(): void {
    if (this.runningSince !== undefined) return;
    this.runningSince = Date.now();
    this.timer = setTimeout(this.expired, this.remainingMs);
  }

  /** The program is paused or gone. */
  stop(): void {
    if (this.runningSince === undefined) return;
    clearTimeout(this.timer);
    this.remainingMs = Math.max(0, this.remainingMs - (Date.now() - this.runningSince));
    this.runningSince = undefined;
  }
}
