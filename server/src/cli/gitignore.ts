// The .gitignore files seen on the way down a folder tree: deeper files override
// shallower ones and, within a file, the last matching line wins (as in git).
import type { PathPattern } from "./glob";
import { compilePattern, matchesPattern } from "./glob";

export interface IgnoreLevel {
  /** The folder holding the .gitignore, relative to the walk's root with `/` separators ("" for the root). */
  base: string;
  patterns: PathPattern[];
}

export function parseGitignore(text: string, base: string): IgnoreLevel {
  const patterns: PathPattern[] = [];
  for (const line of text.split(/\r?\n/)) {
    const pattern = compilePattern(line);
    if (pattern !== undefined) patterns.push(pattern);
  }
  return { base, patterns };
}

/**
 * Whether `relativePath` (relative to the walk's root) is ignored by `levels`, outermost first.
 * Callers do not descend into ignored folders, so a file below one is never asked about.
 */
export function isIgnored(levels: readonly IgnoreLevel[], relativePath: string, isDirectory: boolean): boolean {
  let ignored = false;
  for (const level of levels) {
    let pathInLevel: string;
    if (level.base === "") {
      pathInLevel = relativePath;
    } else if (relativePath.startsWith(`${level.base}/`)) {
      pathInLevel = relativePath.slice(level.base.length + 1);
    } else {
      continue;
    }
    for (const pattern of level.patterns) {
      if (matchesPattern(pattern, pathInLevel, isDirectory)) ignored = !pattern.negated;
    }
  }
  return ignored;
}
