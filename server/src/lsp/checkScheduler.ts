// When a project is checked: at once after an edit that finds the project idle, else a while
// after the last edit (debounced: edits are coming faster than checks complete); one check at a time,
// and a newer edit aborts the check of the older text. A result is kept only if nothing changed
// while it ran, so a stale result can never be published.

export interface Completed<T> {
  /** The change count the result belongs to; a newer change makes it stale. */
  generation: number;
  value: T;
}

interface Waiter<T> {
  resolve(completed: Completed<T>): void;
  reject(error: unknown): void;
}

export class CheckScheduler<T> {
  private generation = 0;
  private completed: Completed<T> | undefined;
  /** The check of this generation failed: asking again gives the same error until something changes. */
  private failure: { generation: number; error: unknown } | undefined;
  private controller: AbortController | undefined;
  /** The check under way (aborted or not): the next one starts after it has unwound. */
  private running: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private waiters: Waiter<T>[] = [];
  private disposed = false;

  constructor(
    private readonly run: (signal: AbortSignal) => Promise<T>,
    private readonly options: {
      debounceMillis: number;
      /** A fresh result: publish it. */
      onCompleted(completed: Completed<T>): void;
      /** A check failed other than by being aborted. */
      onFailed(error: unknown): void;
    },
  ) {}

  /**
   * Something the check reads changed: a check under way is stale, and a new one is due. It starts
   * at once when nothing is under way or waiting (a lone edit gets its diagnostics as fast as the
   * check is), and after the debounce when a check or an earlier edit's wait is cut short (typing
   * faster than checks complete would otherwise start and abort one check per keystroke).
   */
  invalidate(options: { immediately?: boolean } = {}): void {
    if (this.disposed) return;
    const busy = this.controller !== undefined || this.timer !== undefined;
    this.generation++;
    this.controller?.abort();
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.start(), options.immediately === true || !busy ? 0 : this.options.debounceMillis);
  }

  /** The result for the current state: at once when it is known, else when its check completes. */
  current(): Promise<Completed<T>> {
    if (this.completed !== undefined && this.completed.generation === this.generation) return Promise.resolve(this.completed);
    if (this.failure !== undefined && this.failure.generation === this.generation) return Promise.reject(this.failure.error);
    // Nothing changed yet, so nothing is scheduled: the first check starts now.
    if (this.generation === 0) this.invalidate({ immediately: true });
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** The next result newer than `generation` (a long poll). */
  next(generation: number): Promise<Completed<T>> {
    if (this.completed !== undefined && this.completed.generation > generation && this.completed.generation === this.generation) return Promise.resolve(this.completed);
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  latest(): Completed<T> | undefined {
    return this.completed;
  }

  isCurrent(completed: Completed<T>): boolean {
    return completed.generation === this.generation;
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.timer);
    this.controller?.abort();
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter.reject(new Error("the server is shutting down"));
  }

  private start(): void {
    this.timer = undefined;
    const generation = this.generation;
    this.running = this.running.then(async () => {
      if (generation !== this.generation || this.disposed) return;
      const controller = new AbortController();
      this.controller = controller;
      try {
        const value = await this.run(controller.signal);
        // An edit arrived while it ran: this text is gone, its result must not be shown.
        if (generation !== this.generation || this.disposed) return;
        this.completed = { generation, value };
        const waiters = this.waiters;
        this.waiters = [];
        for (const waiter of waiters) waiter.resolve(this.completed);
        this.options.onCompleted(this.completed);
      } catch (error) {
        if (controller.signal.aborted || generation !== this.generation) return;
        this.failure = { generation, error };
        const waiters = this.waiters;
        this.waiters = [];
        for (const waiter of waiters) waiter.reject(error);
        this.options.onFailed(error);
      } finally {
        if (this.controller === controller) this.controller = undefined;
      }
    });
  }
}
