// A small seeded generator (SplitMix32 for seeding, Mulberry32 for draws). Each fault kind draws from
// its own stream, so enabling one fault does not shift the decisions of another for the same seed.

function splitMix32(state: number): number {
  let z = (state + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

export class SeededRandom {
  private state: number;

  constructor(seed: number, stream: number) {
    this.state = splitMix32(splitMix32(seed | 0) ^ Math.imul(stream + 1, 0x27d4eb2f));
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** True with probability `p`; draws nothing when the answer is certain, so p = 0 costs no entropy. */
  chance(p: number): boolean {
    if (p <= 0) return false;
    if (p >= 1) return true;
    return this.next() < p;
  }

  /** An integer in [0, bound). */
  below(bound: number): number {
    return Math.floor(this.next() * bound);
  }
}

/** Seeds for runs that do not give one: still deterministic, documented as 0. */
export const defaultSeed = 0;

/** Stream numbers: one per independent source of randomness in a simulation. */
export const randomStreams = {
  allocationFaults: 1,
  sendFaults: 2,
  completionOrder: 3,
  host: 4,
  externalDataPending: 5,
  /** The failCalls fault of the function at index i of fallibleFunctions draws from stream callFaults + i. */
  callFaults: 16,
} as const;
