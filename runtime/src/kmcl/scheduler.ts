// The virtual clock and a deterministic scheduler: a binary heap of callbacks ordered by
// (due time, order). `order` is normally the scheduling sequence (FIFO among equal times); a
// caller may pass a seeded random order to shuffle events that are due together.

interface ScheduledTask {
  time: number;
  order: number;
  run: () => void;
}

export class Scheduler {
  private readonly heap: ScheduledTask[] = [];
  private sequence = 0;
  private clock = 0;

  get now(): number {
    return this.clock;
  }

  get pendingCount(): number {
    return this.heap.length;
  }

  /** The next scheduling sequence number, for callers that mix FIFO and shuffled orders. */
  nextSequence(): number {
    return ++this.sequence;
  }

  schedule(delayMs: number, run: () => void, order = this.nextSequence()): void {
    this.push({ time: this.clock + delayMs, order, run });
  }

  /** Runs tasks due at or before `until` (all tasks when undefined), moving the clock to each. Returns how many ran. */
  run(until: number | undefined, maxSteps: number): number {
    let steps = 0;
    while (this.heap.length > 0 && (until === undefined || this.heap[0]!.time <= until)) {
      if (steps >= maxSteps) {
        throw new Error(`the simulation did not go idle after ${maxSteps} steps (virtual time ${this.clock} ms): a host or driver keeps scheduling work; raise maxStepsPerRun if this is intended`);
      }
      const task = this.pop();
      if (task.time > this.clock) this.clock = task.time;
      steps++;
      task.run();
    }
    if (until !== undefined && until > this.clock) this.clock = until;
    return steps;
  }

  /** Runs one task if any is pending; returns whether one ran. */
  step(): boolean {
    if (this.heap.length === 0) return false;
    const task = this.pop();
    if (task.time > this.clock) this.clock = task.time;
    task.run();
    return true;
  }

  private push(task: ScheduledTask): void {
    const heap = this.heap;
    heap.push(task);
    let index = heap.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!precedes(task, heap[parent]!)) break;
      heap[index] = heap[parent]!;
      index = parent;
    }
    heap[index] = task;
  }

  private pop(): ScheduledTask {
    const heap = this.heap;
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      let index = 0;
      for (;;) {
        const left = 2 * index + 1;
        if (left >= heap.length) break;
        const right = left + 1;
        const child = right < heap.length && precedes(heap[right]!, heap[left]!) ? right : left;
        if (!precedes(heap[child]!, last)) break;
        heap[index] = heap[child]!;
        index = child;
      }
      heap[index] = last;
    }
    return top;
  }
}

function precedes(a: ScheduledTask, b: ScheduledTask): boolean {
  return a.time < b.time || (a.time === b.time && a.order < b.order);
}
