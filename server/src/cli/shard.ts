// `--shard i/n`: a stable split of the file set, so a CI matrix can spread a tree over
// machines. A file's shard depends only on its path relative to the working folder, so
// adding or removing other files never moves it.

export interface Shard {
  /** One-based. */
  index: number;
  count: number;
}

/** Parses `i/n`; returns an error message for anything else. */
export function parseShard(text: string): Shard | string {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (match === null) return `--shard expects i/n (for example 2/4), got "${text}"`;
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (count < 1) return `--shard: the shard count must be at least 1, got "${text}"`;
  if (index < 1 || index > count) return `--shard: the shard index must be between 1 and ${count}, got "${text}"`;
  return { index, count };
}

/** 32-bit FNV-1a over the UTF-8 bytes: tiny, fast and the same on every platform. */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** `relativePath` uses `/` separators so that Windows and Linux runners agree. */
export function shardOf(relativePath: string, count: number): number {
  return (fnv1a32(relativePath) % count) + 1;
}

export function inShard(relativePath: string, shard: Shard): boolean {
  return shardOf(relativePath, shard.count) === shard.index;
}
