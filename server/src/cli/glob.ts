// Glob patterns with .gitignore semantics, used for .gitignore files and for the
// include/exclude lists of vmbguard.json, so both read the same way.

export interface PathPattern {
  /** The pattern as written, for messages. */
  source: string;
  /** `!pattern` in a .gitignore re-includes what an earlier pattern excluded. */
  negated: boolean;
  /** `pattern/` matches directories only. */
  directoryOnly: boolean;
  /** Matches a whole path relative to the pattern's base folder, with `/` separators. */
  regex: RegExp;
}

function escapeRegexChar(char: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(char) ? `\\${char}` : char;
}

/** Translates `[...]` starting at `start`; returns undefined when the class is not closed (then `[` is literal). */
function characterClass(glob: string, start: number): { regex: string; end: number } | undefined {
  let index = start + 1;
  let negate = false;
  if (glob[index] === "!" || glob[index] === "^") {
    negate = true;
    index++;
  }
  let body = "";
  let first = true;
  for (; index < glob.length; index++) {
    const char = glob[index];
    if (char === "]" && !first) return { regex: `[${negate ? "^" : ""}${body}]`, end: index };
    if (char === "\\" && index + 1 < glob.length) {
      index++;
      body += `\\${glob[index]}`;
    } else if (char === "[" || char === "^") {
      body += `\\${char}`;
    } else {
      body += char === "/" ? "" : char;
    }
    first = false;
  }
  return undefined;
}

/** The regular expression body for a glob already anchored at its base folder. */
function globBody(glob: string): string {
  let regex = "";
  for (let index = 0; index < glob.length; index++) {
    const char = glob[index];
    if (char === "*" && glob[index + 1] === "*") {
      const atSegmentStart = index === 0 || glob[index - 1] === "/";
      const afterStars = glob[index + 2];
      if (atSegmentStart && afterStars === "/") {
        regex += "(?:.*/)?";
        index += 2;
        continue;
      }
      if (atSegmentStart && afterStars === undefined) {
        regex += ".*";
        index += 1;
        continue;
      }
      // `a**b` is two plain stars, as in git.
      regex += "[^/]*";
      index += 1;
    } else if (char === "*") {
      regex += "[^/]*";
    } else if (char === "?") {
      regex += "[^/]";
    } else if (char === "[") {
      const charClass = characterClass(glob, index);
      if (charClass === undefined) {
        regex += "\\[";
      } else {
        regex += charClass.regex;
        index = charClass.end;
      }
    } else if (char === "\\" && index + 1 < glob.length) {
      index++;
      regex += escapeRegexChar(glob[index]);
    } else {
      regex += escapeRegexChar(char);
    }
  }
  return regex;
}

/**
 * Compiles one pattern line. A pattern with no `/` except a trailing one matches a name at
 * any depth; otherwise it is anchored at the base folder. Returns undefined for blank and
 * comment lines.
 */
export function compilePattern(line: string): PathPattern | undefined {
  // Trailing spaces are dropped unless escaped.
  let pattern = line.replace(/(?<!\\)\s+$/, "");
  if (pattern === "" || pattern.startsWith("#")) return undefined;
  let negated = false;
  if (pattern.startsWith("!")) {
    negated = true;
    pattern = pattern.slice(1);
  } else if (pattern.startsWith("\\!") || pattern.startsWith("\\#")) {
    pattern = pattern.slice(1);
  }
  const directoryOnly = pattern.endsWith("/");
  if (directoryOnly) pattern = pattern.replace(/\/+$/, "");
  if (pattern === "") return undefined;
  const anchored = pattern.includes("/");
  if (pattern.startsWith("/")) pattern = pattern.slice(1);
  if (!anchored && !pattern.startsWith("**")) pattern = `**/${pattern}`;
  return { source: line, negated, directoryOnly, regex: new RegExp(`^${globBody(pattern)}$`) };
}

export function matchesPattern(pattern: PathPattern, relativePath: string, isDirectory: boolean): boolean {
  if (pattern.directoryOnly && !isDirectory) return false;
  return pattern.regex.test(relativePath);
}

/** True when `relativePath` or one of its parent folders matches one of `patterns` (negations are not meaningful here). */
export function matchesAnyOrParent(patterns: readonly PathPattern[], relativePath: string): boolean {
  const segments = relativePath.split("/");
  for (let length = segments.length; length > 0; length--) {
    const prefix = segments.slice(0, length).join("/");
    const isDirectory = length < segments.length;
    if (patterns.some((pattern) => matchesPattern(pattern, prefix, isDirectory))) return true;
  }
  return false;
}
