// The scripts V8 has parsed in the debuggee, each with its file and source map, and whether it is
// ours (Node's internals, the runtime, the preload): those frames are hidden and stepped over.
import { loadSourceMap, type OriginalPosition, samePath, scriptPath, type SourceMap } from "./sourceMap";

/** A zero-based position in a script, as the inspector protocol gives them. */
export interface ScriptLocation {
  scriptId: string;
  lineNumber: number;
  columnNumber: number;
}

export interface LoadedScript {
  id: string;
  url: string;
  /** The file, for scripts loaded from one. */
  path: string | undefined;
  internal: boolean;
  sourceMap: SourceMap | undefined;
}

export interface DisplayPosition {
  /** Absolute path, when the code comes from a file. */
  path: string | undefined;
  /** One-based. */
  line: number;
  column: number;
  /** False when the position is code a compiler added (no mapping of its own). */
  mapped: boolean;
}

export class ScriptRegistry {
  private readonly scripts = new Map<string, LoadedScript>();

  constructor(private readonly internalFiles: readonly string[]) {}

  add(id: string, url: string, sourceMapUrl: string): LoadedScript {
    const path = scriptPath(url);
    const internal = url.startsWith("node:") || (path !== undefined && this.internalFiles.some((file) => samePath(file, path)));
    const sourceMap = internal || path === undefined ? undefined : loadSourceMap(sourceMapUrl, path);
    const script: LoadedScript = { id, url, path, internal, sourceMap };
    this.scripts.set(id, script);
    return script;
  }

  get(id: string): LoadedScript | undefined {
    return this.scripts.get(id);
  }

  /** The newest script whose source map covers `source`. */
  mappedScriptFor(source: string): LoadedScript | undefined {
    let found: LoadedScript | undefined;
    for (const script of this.scripts.values()) if (script.sourceMap?.includesSource(source)) found = script;
    return found;
  }

  /** A zero-based position in a script, as the editor should show it (one-based). */
  displayPosition(scriptId: string, line: number, column: number): DisplayPosition {
    const script = this.scripts.get(scriptId);
    const original: OriginalPosition | undefined = script?.sourceMap?.originalPositionFor(line, column);
    if (original) return { path: original.source, line: original.line + 1, column: original.column + 1, mapped: script!.sourceMap!.hasMappingAt(line, column) };
    return { path: script?.path, line: line + 1, column: column + 1, mapped: true };
  }
}
