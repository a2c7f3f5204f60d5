// The user's breakpoints and where V8 holds them: line breakpoints (with conditions, hit counts and
// logpoints) placed through source maps, and function breakpoints on the simulated KMCL functions.
import { readFileSync } from "node:fs";
import { runtimeEffects } from "../kmcl/effects";
import { type BreakpointOptions, buildCondition, conditionSyntaxError } from "./breakpointConditions";
import type { InspectorClient } from "./inspectorClient";
import { isTypeScriptFile } from "./launchConfig";
import { debugHookGlobal } from "./protocol";
import type { RemoteObject } from "./remoteObjects";
import type { LoadedScript, ScriptLocation, ScriptRegistry } from "./scripts";
import { fileUrl, inlineSourceMapUrl, loadSourceMap, samePath, type SourceMap } from "./sourceMap";
import type { Transpiler } from "./transpilerBundle";

export interface SourceBreakpoint {
  dapId: number;
  cdpId: string | undefined;
  path: string;
  /** One-based; moved to where the breakpoint really is once V8 places it. */
  line: number;
  verified: boolean;
  message?: string;
}

export interface FunctionBreakpoint {
  dapId: number;
  name: string;
  condition: string | undefined;
  cdpId: string | undefined;
}

export interface FunctionBreakpointResult {
  id: number;
  verified: boolean;
  message?: string;
}

export interface BreakpointEnvironment {
  /** The connection to the debuggee, once there is one. */
  inspector(): InspectorClient | undefined;
  readonly scripts: ScriptRegistry;
  transpiler(): Transpiler;
  /** Run Without Debugging: breakpoints are kept but never placed. */
  noDebug(): boolean;
}

export class Breakpoints {
  private nextId = 1;
  private readonly byFile = new Map<string, SourceBreakpoint[]>();
  private readonly byCdpId = new Map<string, SourceBreakpoint>();
  private readonly logpoints = new Map<number, { path: string; line: number }>();
  private functions: FunctionBreakpoint[] = [];
  private readonly transpiledMaps = new Map<string, { text: string; map: SourceMap | undefined }>();

  constructor(private readonly environment: BreakpointEnvironment) {}

  /** Replaces the breakpoints of `file` with `requested` (one-based lines). */
  async setSourceBreakpoints(file: string, requested: (BreakpointOptions & { line: number })[]): Promise<SourceBreakpoint[]> {
    const inspector = this.environment.inspector();
    for (const old of this.byFile.get(file) ?? []) {
      if (old.cdpId === undefined) continue;
      this.byCdpId.delete(old.cdpId);
      this.logpoints.delete(old.dapId);
      await inspector?.send("Debugger.removeBreakpoint", { breakpointId: old.cdpId }).catch(() => undefined);
    }
    const placed: SourceBreakpoint[] = [];
    for (const request of requested) {
      const breakpoint: SourceBreakpoint = { dapId: this.nextId++, cdpId: undefined, path: file, line: request.line, verified: false };
      placed.push(breakpoint);
      const condition = this.condition(breakpoint.dapId, request);
      if (typeof condition === "object") {
        breakpoint.message = condition.error;
        continue;
      }
      const target = this.generatedLocation(file, request.line - 1);
      if (target === undefined) {
        breakpoint.message = "no code on or after this line";
        continue;
      }
      breakpoint.line = target.originalLine + 1;
      if (inspector === undefined || this.environment.noDebug()) {
        breakpoint.message = this.environment.noDebug() ? "the program runs without debugging" : "the program is not running";
        continue;
      }
      const answer = await inspector.send<{ breakpointId: string; locations: ScriptLocation[] }>("Debugger.setBreakpointByUrl", {
        url: target.url,
        lineNumber: target.line,
        ...(target.column !== undefined ? { columnNumber: target.column } : {}),
        ...(condition !== undefined ? { condition } : {}),
      });
      breakpoint.cdpId = answer.breakpointId;
      breakpoint.verified = true;
      this.byCdpId.set(answer.breakpointId, breakpoint);
      if (request.logMessage) this.logpoints.set(breakpoint.dapId, { path: file, line: breakpoint.line });
      if (answer.locations[0]) this.moveTo(breakpoint, answer.locations[0]);
    }
    this.byFile.set(file, placed);
    return placed;
  }

  /** The V8 condition, or the reason there can be none. */
  private condition(id: number, options: BreakpointOptions): string | undefined | { error: string } {
    const syntaxError = options.condition ? conditionSyntaxError(options.condition) : undefined;
    if (syntaxError !== undefined) return { error: `invalid condition: ${syntaxError}` };
    try {
      return buildCondition(id, options);
    } catch (error) {
      return { error: (error as Error).message };
    }
  }

  /** The line V8 really holds a breakpoint at; true when that moved it. */
  private moveTo(breakpoint: SourceBreakpoint, location: ScriptLocation): boolean {
    const position = this.environment.scripts.displayPosition(location.scriptId, location.lineNumber, location.columnNumber);
    if (position.path === undefined || !samePath(position.path, breakpoint.path) || position.line === breakpoint.line) return false;
    breakpoint.line = position.line;
    return true;
  }

  /**
   * Where V8 must break for a (zero-based) line of `file`: through the source map of a loaded script
   * covering it; for a TypeScript file not loaded yet, through the map of the same transpilation the
   * debuggee will make; otherwise the line itself.
   */
  private generatedLocation(file: string, line: number): { url: string; line: number; column: number | undefined; originalLine: number } | undefined {
    const script = this.environment.scripts.mappedScriptFor(file);
    let map = script?.sourceMap;
    let url = script?.url;
    if (map === undefined && isTypeScriptFile(file)) {
      map = this.transpiledMap(file);
      url = fileUrl(file);
    }
    if (map === undefined || url === undefined) return { url: fileUrl(file), line, column: undefined, originalLine: line };
    const generated = map.generatedPositionFor(file, line);
    return generated && { url, line: generated.line, column: generated.column, originalLine: generated.originalLine };
  }

  private transpiledMap(file: string): SourceMap | undefined {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      return undefined;
    }
    const cached = this.transpiledMaps.get(file);
    if (cached?.text === text) return cached.map;
    const result = this.environment.transpiler()(text, file);
    const map = result.errors.length > 0 ? undefined : loadSourceMap(inlineSourceMapUrl(result.code), file);
    this.transpiledMaps.set(file, { text, map });
    return map;
  }

  /** A compiled .js with a map to .ts files was loaded: breakpoints set in those files belong to it. Returns them, placed again. */
  async scriptLoaded(script: LoadedScript): Promise<SourceBreakpoint[]> {
    if (script.internal || script.sourceMap === undefined || script.path === undefined) return [];
    const replaced: SourceBreakpoint[] = [];
    for (const [file, breakpoints] of [...this.byFile]) {
      if (!script.sourceMap.includesSource(file) || samePath(script.path, file)) continue;
      replaced.push(...(await this.setSourceBreakpoints(file, breakpoints.map((breakpoint) => ({ line: breakpoint.line })))));
    }
    return replaced;
  }

  /** V8 bound a breakpoint in a newly parsed script: the breakpoint if that moved it. */
  resolved(cdpId: string, location: ScriptLocation): SourceBreakpoint | undefined {
    const breakpoint = this.byCdpId.get(cdpId);
    return breakpoint !== undefined && this.moveTo(breakpoint, location) ? breakpoint : undefined;
  }

  sourceHits(hits: readonly string[]): SourceBreakpoint[] {
    return hits.map((id) => this.byCdpId.get(id)).filter((breakpoint) => breakpoint !== undefined);
  }

  functionHits(hits: readonly string[]): FunctionBreakpoint[] {
    return this.functions.filter((breakpoint) => breakpoint.cdpId !== undefined && hits.includes(breakpoint.cdpId));
  }

  logpoint(id: number): { path: string; line: number } | undefined {
    return this.logpoints.get(id);
  }

  /** Replaces the function breakpoints; only KMCL function names are accepted. */
  async setFunctionBreakpoints(requests: (BreakpointOptions & { name: string })[], placeNow: boolean): Promise<FunctionBreakpointResult[]> {
    for (const old of this.functions) {
      if (old.cdpId !== undefined) await this.environment.inspector()?.send("Debugger.removeBreakpoint", { breakpointId: old.cdpId }).catch(() => undefined);
    }
    this.functions = [];
    const results: FunctionBreakpointResult[] = [];
    for (const request of requests) {
      const id = this.nextId++;
      const name = request.name.trim();
      if (!Object.hasOwn(runtimeEffects, name)) {
        results.push({ id, verified: false, message: `not a KMCL function: function breakpoints stop at calls of the simulated KMCL API (${Object.keys(runtimeEffects).join(", ")})` });
        continue;
      }
      const condition = this.condition(id, { ...(request.condition !== undefined ? { condition: request.condition } : {}), ...(request.hitCondition !== undefined ? { hitCondition: request.hitCondition } : {}) });
      if (typeof condition === "object") {
        results.push({ id, verified: false, message: condition.error });
        continue;
      }
      this.functions.push({ dapId: id, name, condition, cdpId: undefined });
      results.push({ id, verified: true });
    }
    if (placeNow) await this.placeFunctionBreakpoints();
    return results;
  }

  /** KMCL functions live in the runtime bundle the preload loaded: break on entry to the very function the program calls. */
  async placeFunctionBreakpoints(): Promise<void> {
    const inspector = this.environment.inspector();
    if (inspector === undefined || this.environment.noDebug()) return;
    for (const breakpoint of this.functions) {
      if (breakpoint.cdpId !== undefined) continue;
      const target = await inspector.send<{ result: RemoteObject }>("Runtime.evaluate", { expression: `globalThis.${debugHookGlobal}.runtime[${JSON.stringify(breakpoint.name)}]` });
      if (target.result.objectId === undefined) continue;
      const answer = await inspector.send<{ breakpointId: string }>("Debugger.setBreakpointOnFunctionCall", {
        objectId: target.result.objectId,
        ...(breakpoint.condition !== undefined ? { condition: breakpoint.condition } : {}),
      });
      breakpoint.cdpId = answer.breakpointId;
    }
  }
}
