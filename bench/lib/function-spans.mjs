// Line spans of the top-level brace blocks of a C file (function bodies, in practice), for
// matching a leak to its expectation: tools disagree on where a leak "happens" (the last
// use, the leaking return, the closing brace), but they agree on the function.

/** Returns [{ start, end }] with one-based lines, for each `{ ... }` at file scope. */
export function topLevelBlocks(text) {
  const blocks = [];
  let depth = 0;
  let line = 1;
  let openedAt = 0;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    const next = text[index + 1];
    if (char === "\n") {
      line++;
    } else if (char === "/" && next === "/") {
      while (index + 1 < text.length && text[index + 1] !== "\n") index++;
    } else if (char === "/" && next === "*") {
      index += 2;
      while (index < text.length && !(text[index] === "*" && text[index + 1] === "/")) {
        if (text[index] === "\n") line++;
        index++;
      }
      index++;
    } else if (char === '"' || char === "'") {
      index++;
      while (index < text.length && text[index] !== char && text[index] !== "\n") {
        if (text[index] === "\\") index++;
        index++;
      }
    } else if (char === "#" && depth === 0) {
      // Preprocessor lines (with continuations) hold no blocks.
      while (index + 1 < text.length && !(text[index + 1] === "\n" && text[index] !== "\\")) index++;
    } else if (char === "{") {
      if (depth === 0) openedAt = line;
      depth++;
    } else if (char === "}") {
      depth--;
      if (depth === 0) blocks.push({ start: openedAt, end: line });
      if (depth < 0) depth = 0;
    }
  }
  return blocks;
}

/** The block holding `line`, or undefined outside every block. */
export function blockOf(blocks, line) {
  return blocks.find((block) => block.start <= line && line <= block.end);
}
