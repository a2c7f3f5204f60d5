// Source maps (version 3) in both directions: a paused position in generated JavaScript to the
// TypeScript line a driver author wrote, and a breakpoint line in the TypeScript to the generated
// position V8 needs. Lines and columns are zero-based here, as in the inspector protocol.
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export interface OriginalPosition {
  /** Absolute path of the source file. */
  source: string;
  line: number;
  column: number;
}

export interface GeneratedPosition {
  line: number;
  column: number;
}

interface Segment {
  generatedLine: number;
  generatedColumn: number;
  sourceIndex: number;
  originalLine: number;
  originalColumn: number;
}

interface RawSourceMap {
  version?: number;
  sources?: unknown;
  sourceRoot?: unknown;
  mappings?: unknown;
}

const base64Digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const base64Values = new Map([...base64Digits].map((digit, index) => [digit, index]));

/** The numbers of one mappings segment (base64 VLQ). */
export function decodeVlq(text: string): number[] {
  const values: number[] = [];
  let value = 0;
  let shift = 0;
  for (const digit of text) {
    const bits = base64Values.get(digit);
    if (bits === undefined) throw new Error(`invalid base64 VLQ digit "${digit}"`);
    value += (bits & 31) * 2 ** shift;
    if (bits & 32) {
      shift += 5;
      continue;
    }
    values.push(value & 1 ? -Math.floor(value / 2) : Math.floor(value / 2));
    value = 0;
    shift = 0;
  }
  if (shift !== 0) throw new Error("truncated base64 VLQ");
  return values;
}

export class SourceMap {
  /** Absolute paths, in the map's order. */
  readonly sources: string[];
  /** Segments with a source, sorted by generated position. */
  private readonly segments: Segment[];

  constructor(raw: RawSourceMap, generatedFile: string) {
    if (raw.version !== 3) throw new Error(`unsupported source map version ${String(raw.version)}`);
    if (!Array.isArray(raw.sources) || typeof raw.mappings !== "string") throw new Error("a source map needs sources and mappings");
    const root = typeof raw.sourceRoot === "string" ? raw.sourceRoot : "";
    const directory = path.dirname(generatedFile);
    this.sources = raw.sources.map((source) => resolveSource(String(source), root, directory));
    this.segments = parseMappings(raw.mappings);
  }

  /** Where a generated position came from: the segment at or before it on its line, else the next mapped one. */
  originalPositionFor(line: number, column: number): OriginalPosition | undefined {
    let low = 0;
    let high = this.segments.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      const segment = this.segments[middle]!;
      if (segment.generatedLine < line || (segment.generatedLine === line && segment.generatedColumn <= column)) low = middle + 1;
      else high = middle;
    }
    const before = this.segments[low - 1];
    // Code the compiler added (the CommonJS prologue, say) has no segment: the next mapped code stands for it.
    const chosen = before !== undefined && before.generatedLine === line ? before : this.segments[low];
    if (chosen === undefined) return undefined;
    return { source: this.sources[chosen.sourceIndex]!, line: chosen.originalLine, column: chosen.originalColumn };
  }

  /** Whether the generated line has a mapped segment at or before `column` (code the compiler added has none). */
  hasMappingAt(line: number, column: number): boolean {
    return this.segments.some((segment) => segment.generatedLine === line && segment.generatedColumn <= column);
  }

  /**
   * The generated position of the first code on `line` of `source`, or on the nearest later line
   * with code (a breakpoint on a blank line or a comment moves down, as editors expect).
   */
  generatedPositionFor(source: string, line: number): (GeneratedPosition & { originalLine: number }) | undefined {
    const sourceIndex = this.sources.findIndex((candidate) => samePath(candidate, source));
    if (sourceIndex < 0) return undefined;
    let best: Segment | undefined;
    for (const segment of this.segments) {
      if (segment.sourceIndex !== sourceIndex || segment.originalLine < line) continue;
      if (
        best === undefined ||
        segment.originalLine < best.originalLine ||
        (segment.originalLine === best.originalLine && segment.originalColumn < best.originalColumn) ||
        (segment.originalLine === best.originalLine && segment.originalColumn === best.originalColumn && isBefore(segment, best))
      ) {
        best = segment;
      }
    }
    return best && { line: best.generatedLine, column: best.generatedColumn, originalLine: best.originalLine };
  }

  includesSource(source: string): boolean {
    return this.sources.some((candidate) => samePath(candidate, source));
  }
}

function isBefore(a: Segment, b: Segment): boolean {
  return a.generatedLine < b.generatedLine || (a.generatedLine === b.generatedLine && a.generatedColumn < b.generatedColumn);
}

function parseMappings(mappings: string): Segment[] {
  const segments: Segment[] = [];
  let sourceIndex = 0;
  let originalLine = 0;
  let originalColumn = 0;
  mappings.split(";").forEach((lineText, generatedLine) => {
    let generatedColumn = 0;
    for (const segmentText of lineText.split(",")) {
      if (segmentText === "") continue;
      const fields = decodeVlq(segmentText);
      generatedColumn += fields[0]!;
      if (fields.length < 4) continue;
      sourceIndex += fields[1]!;
      originalLine += fields[2]!;
      originalColumn += fields[3]!;
      segments.push({ generatedLine, generatedColumn, sourceIndex, originalLine, originalColumn });
    }
  });
  // Mappings are ordered by line; within a line most tools order by column, but nothing requires it.
  return segments.sort((a, b) => a.generatedLine - b.generatedLine || a.generatedColumn - b.generatedColumn);
}

function resolveSource(source: string, sourceRoot: string, directory: string): string {
  const joined = sourceRoot === "" ? source : `${sourceRoot.replace(/\/?$/, "/")}${source}`;
  if (joined.startsWith("file:")) return fileURLToPath(joined);
  return path.resolve(directory, joined);
}

/** File systems of Windows and macOS ignore case; comparing case-blind there matches what the editor sends. */
export function samePath(a: string, b: string): boolean {
  const left = path.normalize(a);
  const right = path.normalize(b);
  return process.platform === "linux" ? left === right : left.toLowerCase() === right.toLowerCase();
}

/** The script's file path for a `file:` URL (what V8 reports for CommonJS modules), else undefined. */
export function scriptPath(url: string): string | undefined {
  if (url.startsWith("file:")) return fileURLToPath(url);
  if (path.isAbsolute(url)) return url;
  return undefined;
}

export function fileUrl(file: string): string {
  return pathToFileURL(file).href;
}

/**
 * The map a script's `sourceMappingURL` names: inline (`data:` URLs, as the transpiler writes them)
 * or a file beside the script (as tsc writes them). Undefined when there is none or it is unreadable:
 * the script is then shown as it runs.
 */
export function loadSourceMap(sourceMapUrl: string, generatedFile: string): SourceMap | undefined {
  if (sourceMapUrl === "") return undefined;
  try {
    let text: string;
    const inline = /^data:application\/json[^,]*?(;base64)?,(.*)$/s.exec(sourceMapUrl);
    if (inline) text = inline[1] ? Buffer.from(inline[2]!, "base64").toString("utf8") : decodeURIComponent(inline[2]!);
    else {
      const mapFile = sourceMapUrl.startsWith("file:") ? fileURLToPath(sourceMapUrl) : path.resolve(path.dirname(generatedFile), sourceMapUrl);
      text = readFileSync(mapFile, "utf8");
    }
    return new SourceMap(JSON.parse(text) as RawSourceMap, generatedFile);
  } catch {
    return undefined;
  }
}

/** The inline map at the end of generated code (`//# sourceMappingURL=data:...`). */
export function inlineSourceMapUrl(code: string): string {
  const match = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(code);
  return match ? match[1]! : "";
}
