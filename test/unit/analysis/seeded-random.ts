// Test helper: a small deterministic generator (mulberry32), so seeded tests make the same
// inputs on every run and machine.
export function seededRandom(seed: number): () => number {
  let state = seed | 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `text` with one seeded edit: a few characters deleted somewhere (30%), or one of `insertions` put in. */
export function randomEdit(text: string, random: () => number, insertions: readonly string[]): string {
  const at = Math.floor(random() * (text.length + 1));
  return random() < 0.3 ? text.slice(0, at) + text.slice(at + 1 + Math.floor(random() * 12)) : text.slice(0, at) + insertions[Math.floor(random() * insertions.length)] + text.slice(at);
}
