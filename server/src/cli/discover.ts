// Expands the command line's files and folders into the sorted list of sources to check.
import { existsSync, promises as fs, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { isIgnored, parseGitignore, type IgnoreLevel } from "./gitignore";
import { compilePattern, matchesAnyOrParent, type PathPattern } from "./glob";

export const sourceExtensions: readonly string[] = [".c", ".h", ".cpp", ".cc", ".cxx", ".hpp", ".hh", ".hxx", ".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs"];
const alwaysSkippedFolders = new Set(["node_modules", ".git"]);

export interface DiscoveryOptions {
  /** Folder that `include` and `exclude` are relative to (the config file's folder, else the cwd). */
  patternBase: string;
  include: readonly string[];
  exclude: readonly string[];
}

export interface DiscoveredFiles {
  /** Absolute paths, without duplicates, in a stable order. */
  files: string[];
  /** Paths named on the command line that are not checkable sources, with the reason. */
  skipped: { file: string; reason: string }[];
  /**
   * Command-line paths that do not exist, as given: an error for the run (unlike problems found
   * inside a walked folder), which still checks the paths that do.
   */
  missing: string[];
  /** The .vcxproj files in the walked folders (ignore files and excludes apply), sorted: the build settings' projects. */
  projectFiles: string[];
}

export function hasSourceExtension(file: string): boolean {
  return sourceExtensions.includes(path.extname(file).toLowerCase());
}

function toSlashes(relativePath: string): string {
  return relativePath.split(path.sep).join("/");
}

/** The folder holding `.git` above `dir`, so .gitignore files above a checked sub-folder still apply. */
function repositoryTop(dir: string): string | undefined {
  for (let current = dir; ; current = path.dirname(current)) {
    if (existsSync(path.join(current, ".git"))) return current;
    if (path.dirname(current) === current) return undefined;
  }
}

function readGitignore(dir: string, base: string): IgnoreLevel | undefined {
  try {
    return parseGitignore(readFileSync(path.join(dir, ".gitignore"), "utf8"), base);
  } catch {
    return undefined;
  }
}

class FileCollector {
  readonly found = new Set<string>();
  readonly projectFiles = new Set<string>();
  private readonly include: PathPattern[];
  private readonly exclude: PathPattern[];

  constructor(private readonly options: DiscoveryOptions) {
    const compileAll = (globs: readonly string[]): PathPattern[] =>
      globs.map(compilePattern).filter((pattern): pattern is PathPattern => pattern !== undefined);
    this.include = compileAll(options.include);
    this.exclude = compileAll(options.exclude);
  }

  private patternPath(absolute: string): string | undefined {
    const relative = path.relative(this.options.patternBase, absolute);
    if (relative.startsWith("..") || path.isAbsolute(relative)) return undefined;
    return toSlashes(relative);
  }

  isExcluded(absolute: string): boolean {
    const relative = this.patternPath(absolute);
    return relative !== undefined && relative !== "" && matchesAnyOrParent(this.exclude, relative);
  }

  isIncluded(absolute: string): boolean {
    if (this.include.length === 0) return true;
    const relative = this.patternPath(absolute);
    return relative !== undefined && matchesAnyOrParent(this.include, relative);
  }

  async walk(root: string): Promise<void> {
    const top = repositoryTop(root) ?? root;
    const levels: IgnoreLevel[] = [];
    // .gitignore files between the repository top and the walked folder (the folder's own is read by visit).
    const between = toSlashes(path.relative(top, root)).split("/").filter((segment) => segment !== "");
    for (let depth = 0; depth < between.length; depth++) {
      const base = between.slice(0, depth).join("/");
      const level = readGitignore(path.join(top, ...between.slice(0, depth)), base);
      if (level !== undefined) levels.push(level);
    }
    await this.visit(root, toSlashes(path.relative(top, root)), levels);
  }

  private async visit(dir: string, relativeDir: string, outerLevels: readonly IgnoreLevel[]): Promise<void> {
    const own = readGitignore(dir, relativeDir);
    const levels = own === undefined ? outerLevels : [...outerLevels, own];
    let entries;
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch {
      // An unreadable folder is reported by name when it was given; inside a tree it is skipped like git does.
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const absolute = path.join(dir, entry.name);
      const relative = relativeDir === "" ? entry.name : `${relativeDir}/${entry.name}`;
      let isDirectory = entry.isDirectory();
      if (entry.isSymbolicLink()) {
        // Linked folders are not followed (they can form cycles); linked files are, and a dangling
        // link with a source extension is kept so that reading it reports the problem.
        try {
          isDirectory = statSync(absolute).isDirectory();
          if (isDirectory) continue;
        } catch {
          isDirectory = false;
        }
      }
      if (isDirectory) {
        if (alwaysSkippedFolders.has(entry.name) || isIgnored(levels, relative, true) || this.isExcluded(absolute)) continue;
        await this.visit(absolute, relative, levels);
      } else if (hasSourceExtension(entry.name) && !isIgnored(levels, relative, false) && !this.isExcluded(absolute) && this.isIncluded(absolute)) {
        this.found.add(absolute);
      } else if (entry.name.toLowerCase().endsWith(".vcxproj") && !isIgnored(levels, relative, false) && !this.isExcluded(absolute)) {
        this.projectFiles.add(absolute);
      }
    }
  }
}

/**
 * Folders are walked recursively, honouring .gitignore files and the include/exclude globs.
 * Files named explicitly are always checked when they have a source extension.
 */
export async function discoverFiles(paths: readonly string[], cwd: string, options: DiscoveryOptions): Promise<DiscoveredFiles> {
  const collector = new FileCollector(options);
  const skipped: DiscoveredFiles["skipped"] = [];
  const missing: string[] = [];
  for (const given of paths) {
    const absolute = path.resolve(cwd, given);
    let stats;
    try {
      stats = statSync(absolute);
    } catch {
      missing.push(given);
      continue;
    }
    if (stats.isDirectory()) {
      await collector.walk(absolute);
    } else if (hasSourceExtension(absolute)) {
      collector.found.add(absolute);
    } else {
      skipped.push({ file: absolute, reason: `not a C, C++ or TypeScript source (expected one of ${sourceExtensions.join(" ")}); skipped` });
    }
  }
  const files = [...collector.found].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return { files, skipped, missing, projectFiles: [...collector.projectFiles].sort() };
}
