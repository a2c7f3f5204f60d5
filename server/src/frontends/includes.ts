// Resolves `#include` directives as the driver's compiler does: `"x.h"` in the including file's
// folder first, then the include folders; `<x.h>` through the include folders only; and so on into
// the headers found. Whether a candidate exists is asked of an IncludeGraph, so the same walk runs
// over the disk (the workspace, which reads what it finds) and over the headers already read (lowering).
import * as path from "node:path";

export interface IncludeDirective {
  /** As written between the quotes or brackets (`..\inc\pool.h`). */
  name: string;
  /** `"..."` rather than `<...>`. */
  quoted: boolean;
}

export interface IncludeGraph {
  /** The key of the header at `candidate` (an absolute path), or undefined when there is none. */
  locate(candidate: string): string | undefined;
  /** The directives of a located header. */
  includesOf(key: string): readonly IncludeDirective[];
}

/** Headers reached from one file at most: a driver's own headers are a few dozen. */
export const maxReachedHeaders = 256;

const includeDirective = /^[ \t]*#[ \t]*include[ \t]*([<"])([^>"\r\n]+)[>"]/gm;

export function includeDirectives(text: string): IncludeDirective[] {
  return [...text.matchAll(includeDirective)].map((match) => ({ name: match[2].trim(), quoted: match[1] === '"' }));
}

/**
 * What a header is known by: its absolute path with `/` separators, in lower case, since the
 * builds this follows run on Windows, where `#include "Driver.h"` finds `driver.h`.
 */
export function pathKey(absolute: string): string {
  return path.resolve(absolute).split(path.sep).join("/").toLowerCase();
}

/** The paths a directive may name, in the order the compiler tries them. */
export function includeCandidates(includingFolder: string, directive: IncludeDirective, includeDirectories: readonly string[]): string[] {
  const name = directive.name.replace(/\\/g, "/");
  if (path.isAbsolute(name)) return [name];
  const folders = directive.quoted ? [includingFolder, ...includeDirectories] : includeDirectories;
  return folders.map((folder) => path.join(folder, name));
}

export interface ReachedHeaders {
  /** Keys of the headers reached, the file's own includes before theirs. */
  reached: string[];
  /** The file's own directives that named no header found (matched by file name instead). */
  unresolved: IncludeDirective[];
}

/**
 * The headers a file at `file` (absolute) reaches: its forced includes (`-include`, `/FI`), then
 * its `#include`s, then theirs, breadth first, each header once. `resolutions` remembers what a
 * directive in a folder resolved to, for a caller that walks many files with the same include
 * folders and graph.
 */
export function reachHeaders(
  file: string,
  directives: readonly IncludeDirective[],
  forcedIncludes: readonly string[],
  includeDirectories: readonly string[],
  graph: IncludeGraph,
  resolutions?: Map<string, string | undefined>,
): ReachedHeaders {
  const reached: string[] = [];
  const seen = new Set<string>();
  const unresolved: IncludeDirective[] = [];
  const add = (key: string | undefined): boolean => {
    if (key === undefined) return false;
    if (!seen.has(key) && reached.length < maxReachedHeaders) {
      seen.add(key);
      reached.push(key);
    }
    return true;
  };
  for (const forced of forcedIncludes) add(graph.locate(forced));
  const search = (folder: string, directive: IncludeDirective): string | undefined => {
    for (const candidate of includeCandidates(folder, directive, includeDirectories)) {
      const key = graph.locate(candidate);
      if (key !== undefined) return key;
    }
    return undefined;
  };
  const resolve = (folder: string, directive: IncludeDirective): string | undefined => {
    if (resolutions === undefined) return search(folder, directive);
    const memo = `${folder}\n${directive.quoted ? '"' : "<"}${directive.name}`;
    if (resolutions.has(memo)) return resolutions.get(memo);
    const key = search(folder, directive);
    resolutions.set(memo, key);
    return key;
  };
  for (const directive of directives) if (!add(resolve(path.dirname(file), directive))) unresolved.push(directive);
  for (let next = 0; next < reached.length && reached.length < maxReachedHeaders; next++) {
    const header = reached[next];
    for (const directive of graph.includesOf(header)) add(resolve(path.dirname(header), directive));
  }
  return { reached, unresolved };
}
