// Builds one generated C file line by line, remembering where each seeded bug must be reported.

/** A deterministic 32-bit generator (mulberry32): the corpus depends on the seed only. */
export function createRandom(seed) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    /** An integer in [low, high]. */
    between: (low, high) => low + Math.floor(next() * (high - low + 1)),
    chance: (probability) => next() < probability,
    pick: (items) => items[Math.floor(next() * items.length)],
  };
}

export class SourceWriter {
  constructor() {
    this.lines = [];
    this.depth = 0;
  }

  /** Appends lines at the current indentation; `{` at a line end opens a level, a leading `}` closes one. */
  line(...texts) {
    for (const text of texts) {
      if (text.startsWith("}")) this.depth -= 1;
      const isLabel = /^[A-Za-z_]\w*:$/.test(text) || /^(case .*|default):$/.test(text);
      const indent = isLabel ? Math.max(0, this.depth - 1) : this.depth;
      this.lines.push(text === "" ? "" : "    ".repeat(indent) + text);
      if (text.endsWith("{")) this.depth += 1;
    }
  }

  /** Appends a line that a checker must flag with `rule`, marked the way the fixtures are. */
  bug(text, rule) {
    this.line(`${text} // expect: ${rule}`);
  }

  get lineCount() {
    return this.lines.length;
  }

  toString() {
    return `${this.lines.join("\n")}\n`;
  }
}
