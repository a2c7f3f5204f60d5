// Fault decisions, reproducible from the seed: the Nth call, or a seeded coin per call.
import { type FallibleFunction, type ResolvedFaults, type ResolvedTrigger, fallibleFunctions } from "./options";
import { SeededRandom, randomStreams } from "./random";
import type { NTSTATUS } from "./status";

class TriggerCounter {
  private calls = 0;

  constructor(
    private readonly trigger: ResolvedTrigger | undefined,
    private readonly random: SeededRandom,
  ) {}

  /** Counts one call and says whether it fails. */
  fires(): boolean {
    const trigger = this.trigger;
    if (trigger === undefined) return false;
    this.calls++;
    if (trigger.nth.has(this.calls)) return true;
    return this.random.chance(trigger.probability);
  }
}

export class FaultInjector {
  private readonly allocation: TriggerCounter;
  private readonly send: TriggerCounter;
  private readonly calls = new Map<FallibleFunction, TriggerCounter>();
  private readonly externalData: TriggerCounter;
  private readonly orderRandom: SeededRandom;

  constructor(
    private readonly faults: ResolvedFaults,
    seed: number,
  ) {
    this.allocation = new TriggerCounter(faults.failAllocation, new SeededRandom(seed, randomStreams.allocationFaults));
    this.send = new TriggerCounter(faults.failSend, new SeededRandom(seed, randomStreams.sendFaults));
    this.orderRandom = new SeededRandom(seed, randomStreams.completionOrder);
    for (const [name, trigger] of faults.failCalls) {
      this.calls.set(name, new TriggerCounter(trigger, new SeededRandom(seed, randomStreams.callFaults + fallibleFunctions.indexOf(name))));
    }
    this.externalData = new TriggerCounter(faults.externalDataPending, new SeededRandom(seed, randomStreams.externalDataPending));
  }

  /** The failure status this call of `name` must return (failCalls), or undefined to let it through. */
  callFailure(name: FallibleFunction): NTSTATUS | undefined {
    const counter = this.calls.get(name);
    return counter?.fires() ? this.faults.failCalls.get(name)!.status : undefined;
  }

  /** The delay until the external data is paged in when this VmbChannelPacketGetExternalData must pend, else undefined. */
  externalDataDelay(): number | undefined {
    return this.externalData.fires() ? this.faults.externalDataPending!.delayMs : undefined;
  }

  /** True when this VmbPacketAllocate must return NULL. */
  failsAllocation(): boolean {
    return this.allocation.fires();
  }

  /** The failure status this send must return, or undefined to let it through. */
  sendFailure(): NTSTATUS | undefined {
    return this.send.fires() ? this.faults.failSend!.status : undefined;
  }

  get completionDelayMs(): number {
    return this.faults.completionDelayMs;
  }

  /** A scheduler order for a completion: shuffled among those due together when reordering is on. */
  completionOrder(fifoOrder: number): number {
    return this.faults.reorderCompletions ? this.orderRandom.below(2 ** 31) : fifoOrder;
  }
}
