// The `vmbus-sim` debug adapter: DAP requests from the editor, turned into inspector protocol
// requests to the program's process (debuggee.ts), plus what the simulation adds: violation stops,
// KMCL function breakpoints, the VMBus scope, the event stream and the end-of-run report.
import * as path from "node:path";
import {
  BreakpointEvent,
  DebugSession,
  ExitedEvent,
  Handles,
  InitializedEvent,
  OutputEvent,
  Scope,
  Source,
  StackFrame,
  StoppedEvent,
  TerminatedEvent,
  Thread,
} from "@vscode/debugadapter";
import type { DebugProtocol } from "@vscode/debugprotocol";
import { violationKinds, type ViolationRecord } from "../kmcl/violations";
import { Breakpoints, type SourceBreakpoint } from "./breakpoints";
import { Debuggee } from "./debuggee";
import { InspectorClient, type ProtocolParams } from "./inspectorClient";
import { LaunchConfigError, type LaunchSettings, resolveLaunchConfig, type VmbusSimLaunchArguments } from "./launchConfig";
import { programSyntaxErrors } from "./programCheck";
import { consoleMarker, type DebuggeeMessage, debugHookGlobal, type VmbusSnapshot } from "./protocol";
import { isExpandable, type PropertyDescriptor, type RemoteObject, remoteObjectText } from "./remoteObjects";
import { formatReportedViolation, frameText, reportHeadline, violationLocation, violationStackTrace } from "./reportFormat";
import { RunBudget } from "./runBudget";
import { ScriptRegistry, type ScriptLocation } from "./scripts";
import { fileUrl } from "./sourceMap";
import { loadTranspiler, type Transpiler } from "./transpilerBundle";
import { type ViewNode, vmbusView } from "./vmbusView";

const threadId = 1;
const uncaughtFilter = "uncaught";
/** Steps through code the compiler added (no source mapping) give up after this many. */
const maxAutomaticSteps = 50;
const attachTimeoutMs = 15_000;
/** The bundles beside the adapter that run in the debuggee: their frames are hidden and stepped over. */
const debuggeeBundles = ["dap-preload.js", "runtime.js", "dap-transpiler.js"];

interface CallFrame {
  callFrameId: string;
  functionName: string;
  location: ScriptLocation;
  scopeChain: { type: string; name?: string; object: RemoteObject }[];
  this: RemoteObject;
}

interface PausedParams {
  callFrames: CallFrame[];
  reason: string;
  data?: RemoteObject;
  hitBreakpoints?: string[];
}

type StepKind = "over" | "into" | "out";

interface PendingStep {
  /** `entry` and `pause` run on to the program's first statement, to stop there for that reason. */
  kind: StepKind | "entry" | "pause";
  /** `leave-internal`: first out of the simulator's frames the user does not see. */
  phase: "leave-internal" | "user";
  automaticSteps: number;
  /** Frames up to the program's and its line when the user asked (for a step that starts in the simulator's frames). */
  from?: { depth: number; line: number };
}

interface Pause {
  callFrames: CallFrame[];
  /** Indexes into callFrames of the frames the user sees (the program's, not the simulator's). */
  visible: number[];
  /** False when every frame is Node's or the simulator's (then all are visible). */
  inProgram: boolean;
  violation?: ViolationRecord;
  exception?: RemoteObject;
}

type VariableContainer = { kind: "object"; objectId: string } | { kind: "vmbus" } | { kind: "view"; nodes: ViewNode[] };

export class VmbusSimSession extends DebugSession {
  private settings: LaunchSettings | undefined;
  private debuggee: Debuggee | undefined;
  private inspector: InspectorClient | undefined;
  private readonly scripts: ScriptRegistry;
  private readonly bundleDirectory: string;
  private transpiler: Transpiler | undefined;
  private readonly breakpoints: Breakpoints;
  private defaultContextId: number | undefined;

  private noDebug = false;
  private hooksReady = false;
  private entryHandled = false;
  private pause: Pause | undefined;
  private pendingStep: PendingStep | undefined;
  private pauseRequested = false;
  private pauseQueue: Promise<void> = Promise.resolve();
  private readonly frames = new Handles<{ index: number }>();
  private readonly variables = new Handles<VariableContainer>();

  private violationBreakpointId: string | undefined;
  private exceptionFilters: string[] = [...violationKinds];

  private budget: RunBudget | undefined;
  private endMessage: string | undefined;
  private ended = false;

  constructor(bundleDirectory: string = __dirname) {
    super();
    this.bundleDirectory = bundleDirectory;
    this.scripts = new ScriptRegistry(debuggeeBundles.map((file) => path.join(bundleDirectory, file)));
    this.breakpoints = new Breakpoints({
      inspector: () => this.inspector,
      scripts: this.scripts,
      transpiler: () => this.loadTranspiler(),
      noDebug: () => this.noDebug,
    });
    this.setDebuggerLinesStartAt1(true);
    this.setDebuggerColumnsStartAt1(true);
  }

  // ---- lifecycle ----

  protected override initializeRequest(response: DebugProtocol.InitializeResponse): void {
    response.body = {
      supportsConfigurationDoneRequest: true,
      supportsFunctionBreakpoints: true,
      supportsConditionalBreakpoints: true,
      supportsHitConditionalBreakpoints: true,
      supportsLogPoints: true,
      supportsEvaluateForHovers: true,
      supportsExceptionInfoRequest: true,
      supportsTerminateRequest: true,
      exceptionBreakpointFilters: [
        ...violationKinds.map((kind) => ({ filter: kind, label: `Violation: ${kind}`, description: `Stop at the KMCL call that commits a ${kind}`, default: true })),
        { filter: uncaughtFilter, label: "Uncaught Exceptions", default: false },
      ],
    };
    this.sendResponse(response);
  }

  protected override async launchRequest(response: DebugProtocol.LaunchResponse, args: DebugProtocol.LaunchRequestArguments & VmbusSimLaunchArguments): Promise<void> {
    try {
      const settings = resolveLaunchConfig(args, process.cwd());
      // Run Without Debugging: the same run, reports and all, that never pauses.
      if (args.noDebug === true) {
        this.noDebug = true;
        Object.assign(settings, { stopOnEntry: false, stopOnViolation: false });
      }
      const errors = programSyntaxErrors(settings.program, () => this.loadTranspiler());
      if (errors.length > 0) throw new LaunchConfigError(`cannot compile ${settings.program}:\n${errors.join("\n")}`);
      this.settings = settings;
      if (settings.timeoutMs !== undefined) {
        this.budget = new RunBudget(settings.timeoutMs, () => {
          this.endMessage = `the program ran for ${settings.timeoutMs} ms without finishing (launch option "timeout"); it was terminated`;
          this.debuggee?.kill();
        });
      }
      const debuggee = new Debuggee(
        { program: settings.program, args: settings.args, cwd: settings.cwd, preload: path.join(this.bundleDirectory, "dap-preload.js"), simulation: settings.simulation },
        { output: (category, text) => this.sendEvent(new OutputEvent(text, category)), exited: (code, signal) => this.debuggeeExited(code, signal) },
      );
      this.debuggee = debuggee;
      const url = await withTimeout(debuggee.inspectorUrl, attachTimeoutMs, "the program's inspector did not open");
      await this.connect(url);
      this.sendResponse(response);
      const processEvent: DebugProtocol.ProcessEvent = {
        seq: 0,
        type: "event",
        event: "process",
        body: { name: settings.program, isLocalProcess: true, startMethod: "launch", ...(debuggee.pid !== undefined ? { systemProcessId: debuggee.pid } : {}) },
      };
      this.sendEvent(processEvent);
      this.sendEvent(new InitializedEvent());
    } catch (error) {
      this.debuggee?.kill();
      const message = error instanceof Error ? error.message : String(error);
      this.sendErrorResponse(response, { id: 1001, format: message.replace(/[{}]/g, (brace) => (brace === "{" ? "{{" : "}}")), showUser: true });
    }
  }

  protected override async configurationDoneRequest(response: DebugProtocol.ConfigurationDoneResponse): Promise<void> {
    this.sendResponse(response);
    await this.inspector?.send("Runtime.runIfWaitingForDebugger").catch(() => undefined);
  }

  protected override terminateRequest(response: DebugProtocol.TerminateResponse): void {
    this.endMessage ??= "program terminated";
    this.debuggee?.kill();
    this.sendResponse(response);
  }

  protected override async disconnectRequest(response: DebugProtocol.DisconnectResponse): Promise<void> {
    await this.killDebuggee();
    this.sendResponse(response);
    this.shutdown();
  }

  /** Kills the program (and what it started) and waits, briefly, for it to be gone. */
  async killDebuggee(): Promise<void> {
    const debuggee = this.debuggee;
    if (debuggee === undefined || debuggee.hasExited) return;
    this.endMessage ??= "program terminated";
    debuggee.kill();
    const deadline = Date.now() + 3000;
    while (!debuggee.hasExited && Date.now() < deadline) await delay(20);
  }

  private debuggeeExited(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.ended) return;
    this.ended = true;
    this.budget?.stop();
    this.inspector?.close();
    const how = this.endMessage ?? (signal !== null ? `program killed by ${signal}` : `program exited with code ${code}`);
    this.sendEvent(new OutputEvent(`${how}\n`, "console"));
    this.sendEvent(new ExitedEvent(code ?? 1));
    this.sendEvent(new TerminatedEvent());
  }

  // ---- the inspector connection ----

  private async connect(url: string): Promise<void> {
    const inspector = await InspectorClient.connect(url);
    this.inspector = inspector;
    inspector.on("Debugger.scriptParsed", (params) => this.scriptParsed(params));
    inspector.on("Debugger.paused", (params) => {
      // A pause the adapter cannot make sense of must not leave the program stopped with no one told.
      this.pauseQueue = this.pauseQueue
        .then(() => this.paused(params as unknown as PausedParams))
        .catch(async (error: unknown) => {
          this.report(`vmbus-sim: internal error at a pause, the program goes on: ${error instanceof Error ? error.message : String(error)}`);
          await this.resume();
        });
    });
    inspector.on("Debugger.breakpointResolved", (params) => this.breakpointResolved(params));
    inspector.on("Runtime.consoleAPICalled", (params) => this.consoleMessage(params));
    inspector.on("Runtime.executionContextCreated", (params) => {
      const context = params.context as { id: number; auxData?: { isDefault?: boolean } };
      if (context.auxData?.isDefault !== false) this.defaultContextId ??= context.id;
    });
    // Node holds an ending process open for a connected debugger: let it go.
    inspector.on("Runtime.executionContextDestroyed", (params) => {
      if (params.executionContextId === this.defaultContextId) inspector.close();
    });
    await inspector.send("Runtime.enable");
    await inspector.send("Debugger.enable");
    const internalPatterns = [String.raw`^node:`, ...debuggeeBundles.map((file) => `^${escapeRegExp(fileUrl(path.join(this.bundleDirectory, file)))}$`)];
    await inspector.send("Debugger.setBlackboxPatterns", { patterns: internalPatterns });
  }

  private scriptParsed(params: ProtocolParams): void {
    const script = this.scripts.add(String(params.scriptId), String(params.url ?? ""), String(params.sourceMapURL ?? ""));
    void this.breakpoints.scriptLoaded(script).then((moved) => {
      for (const breakpoint of moved) this.sendEvent(new BreakpointEvent("changed", this.dapBreakpoint(breakpoint)));
    });
  }

  private breakpointResolved(params: ProtocolParams): void {
    const location = params.location as ScriptLocation | undefined;
    const moved = location && this.breakpoints.resolved(String(params.breakpointId), location);
    if (moved) this.sendEvent(new BreakpointEvent("changed", this.dapBreakpoint(moved)));
  }

  private consoleMessage(params: ProtocolParams): void {
    const args = params.args as RemoteObject[] | undefined;
    if (args?.[0]?.value !== consoleMarker || typeof args[1]?.value !== "string") return;
    const message = JSON.parse(args[1].value) as DebuggeeMessage;
    switch (message.type) {
      case "event":
      case "warning":
        this.report(message.text);
        return;
      case "events-suppressed":
        this.report(`(the first ${message.count} simulation events are shown above; later ones are not, except violations)`);
        return;
      case "logpoint": {
        const where = this.breakpoints.logpoint(message.id);
        const event = new OutputEvent(`${message.text}\n`, "stdout") as DebugProtocol.OutputEvent;
        if (where) {
          event.body.source = new Source(path.basename(where.path), where.path);
          event.body.line = this.convertDebuggerLineToClient(where.line);
        }
        this.sendEvent(event);
        return;
      }
      case "report":
        this.reportSimulation(message.simulationId, message.seed, message.violationCount, message.violations);
        return;
    }
  }

  /** The end-of-run report: a headline, then each violation with its sites, pointing the editor at the first one. */
  private reportSimulation(simulationId: number, seed: number, violationCount: number, violations: ViolationRecord[]): void {
    this.report(reportHeadline(simulationId, seed, violationCount));
    for (const violation of violations) {
      const event = new OutputEvent(`${formatReportedViolation(violation)}\n`, "console") as DebugProtocol.OutputEvent;
      const location = violationLocation(violation);
      if (location) {
        event.body.source = new Source(path.basename(location.path), location.path);
        event.body.line = this.convertDebuggerLineToClient(location.line);
        event.body.column = this.convertDebuggerColumnToClient(location.column);
      }
      this.sendEvent(event);
    }
  }

  private report(text: string): void {
    this.sendEvent(new OutputEvent(`${text}\n`, "console"));
  }

  // ---- pauses ----

  private async paused(params: PausedParams): Promise<void> {
    const visible = this.visibleFrames(params.callFrames);
    const pause: Pause = { callFrames: params.callFrames, visible, inProgram: !this.scripts.get(params.callFrames[visible[0]!]!.location.scriptId)?.internal };
    const hits = params.hitBreakpoints ?? [];
    if (!this.entryHandled && params.reason === "Break on start") {
      await this.programStarting(pause, hits);
      return;
    }
    if (this.violationBreakpointId !== undefined && hits.includes(this.violationBreakpointId)) {
      pause.violation = await this.pausedViolation(params.callFrames[0]!);
      this.stopAt(pause, "exception", `Paused on ${pause.violation.kind}`, pause.violation.message);
      return;
    }
    const functionHits = this.breakpoints.functionHits(hits);
    if (functionHits.length > 0) {
      this.stopAt(pause, "function breakpoint", `Paused on ${functionHits[0]!.name}`, undefined, functionHits.map((breakpoint) => breakpoint.dapId));
      return;
    }
    const sourceHits = this.breakpoints.sourceHits(hits);
    if (sourceHits.length > 0) {
      this.stopAt(pause, "breakpoint", "Paused on breakpoint", undefined, sourceHits.map((breakpoint) => breakpoint.dapId));
      return;
    }
    if (params.reason === "exception" || params.reason === "promiseRejection") {
      pause.exception = params.data;
      this.stopAt(pause, "exception", "Paused on exception", params.data ? remoteObjectText(params.data).split("\n")[0] : undefined);
      return;
    }
    if (this.pendingStep !== undefined) {
      await this.stepped(pause, this.pendingStep);
      return;
    }
    if (this.pauseRequested) {
      // Paused inside Node or the simulator (loading a module, say): run on to the program's next statement.
      if (!pause.inProgram) await this.step(pause, "pause");
      else this.stopAt(pause, "pause", "Paused");
      return;
    }
    this.stopAt(pause, "breakpoint", "Paused on debugger statement");
  }

  /** The first pause, on the program's first line: the preload is in place, so the simulation's hooks can be set. */
  private async programStarting(pause: Pause, hits: string[]): Promise<void> {
    this.entryHandled = true;
    const inspector = this.inspector!;
    const hook = await inspector.send<{ result: RemoteObject }>("Runtime.evaluate", { expression: `globalThis.${debugHookGlobal}.violationBreak` });
    if (hook.result.objectId === undefined) throw new Error("the debuggee's preload did not install its hooks");
    this.violationBreakpointId = (await inspector.send<{ breakpointId: string }>("Debugger.setBreakpointOnFunctionCall", { objectId: hook.result.objectId })).breakpointId;
    this.hooksReady = true;
    await this.applyExceptionFilters();
    await this.breakpoints.placeFunctionBreakpoints();
    if (this.settings?.stopOnEntry) {
      const top = pause.callFrames[0]!.location;
      if (this.scripts.displayPosition(top.scriptId, top.lineNumber, top.columnNumber).mapped) this.stopAt(pause, "entry", "Paused on entry");
      else await this.step(pause, "entry");
      return;
    }
    // A breakpoint on the program's very first statement is hit by this same pause.
    const sourceHits = this.breakpoints.sourceHits(hits);
    if (sourceHits.length > 0) {
      this.stopAt(pause, "breakpoint", "Paused on breakpoint", undefined, sourceHits.map((breakpoint) => breakpoint.dapId));
      return;
    }
    await this.resume();
  }

  private async pausedViolation(top: CallFrame): Promise<ViolationRecord> {
    const answer = await this.inspector!.send<{ result: RemoteObject }>("Debugger.evaluateOnCallFrame", { callFrameId: top.callFrameId, expression: "JSON.stringify(violation)", returnByValue: true });
    return JSON.parse(String(answer.result.value)) as ViolationRecord;
  }

  private visibleFrames(callFrames: CallFrame[]): number[] {
    const visible = callFrames.map((_, index) => index).filter((index) => !this.scripts.get(callFrames[index]!.location.scriptId)?.internal);
    // A pause with no program frame at all (inside Node) still shows where it is.
    return visible.length > 0 ? visible : callFrames.map((_, index) => index);
  }

  private stopAt(pause: Pause, reason: string, description: string, text?: string, hitBreakpointIds?: number[]): void {
    this.pause = pause;
    this.pendingStep = undefined;
    this.pauseRequested = false;
    this.budget?.stop();
    const event = new StoppedEvent(reason, threadId, text) as DebugProtocol.StoppedEvent;
    event.body.description = description;
    if (hitBreakpointIds) event.body.hitBreakpointIds = hitBreakpointIds;
    this.sendEvent(event);
  }

  /** A step ended: leave the simulator's frames, skip code the compiler added, or show where it landed. */
  private async stepped(pause: Pause, pending: PendingStep): Promise<void> {
    const automaticSteps = pending.automaticSteps + 1;
    if (automaticSteps <= maxAutomaticSteps) {
      if (!pause.inProgram) {
        await this.sendStep("into", { ...pending, automaticSteps });
        return;
      }
      if (pause.visible[0] !== 0) {
        await this.sendStep("out", { ...pending, phase: "leave-internal", automaticSteps });
        return;
      }
      if (pending.phase === "leave-internal") {
        // Back in the program: a step over or into is done if the call's statement is (V8 resumes at the next one).
        const top = pause.callFrames[0]!.location;
        const line = this.scripts.displayPosition(top.scriptId, top.lineNumber, top.columnNumber).line;
        const from = pending.from ?? { depth: pause.callFrames.length, line };
        const leftTheFrame = pause.callFrames.length < from.depth;
        if (!leftTheFrame && (pending.kind === "out" || line === from.line)) {
          await this.sendStep(pending.kind === "entry" || pending.kind === "pause" ? "over" : pending.kind, { ...pending, phase: "user", automaticSteps });
          return;
        }
      }
      const top = pause.callFrames[0]!.location;
      if (!this.scripts.displayPosition(top.scriptId, top.lineNumber, top.columnNumber).mapped) {
        await this.sendStep(pending.kind === "into" ? "into" : "over", { ...pending, automaticSteps });
        return;
      }
    }
    const reason = pending.kind === "entry" || pending.kind === "pause" ? pending.kind : "step";
    this.stopAt(pause, reason, reason === "entry" ? "Paused on entry" : reason === "pause" ? "Paused" : "Paused after step");
  }

  private async step(pause: Pause, kind: PendingStep["kind"]): Promise<void> {
    this.pause = undefined;
    this.resetPauseState();
    // Stopped inside the simulator (a violation, a KMCL function breakpoint): first back out to the program's frame.
    const visibleTop = pause.callFrames[pause.visible[0]!]!;
    if (pause.visible[0] !== 0) {
      const line = this.scripts.displayPosition(visibleTop.location.scriptId, visibleTop.location.lineNumber, visibleTop.location.columnNumber).line;
      await this.sendStep("out", { kind, phase: "leave-internal", automaticSteps: 0, from: { depth: pause.callFrames.length - pause.visible[0]!, line } });
      return;
    }
    if (!pause.inProgram) {
      await this.sendStep("into", { kind, phase: "user", automaticSteps: 0 });
      return;
    }
    await this.sendStep(kind === "entry" || kind === "pause" ? "over" : kind, { kind, phase: "user", automaticSteps: 0 });
  }

  private async sendStep(kind: StepKind, pending: PendingStep): Promise<void> {
    this.pendingStep = pending;
    if (!this.ended) this.budget?.start();
    const method = kind === "over" ? "Debugger.stepOver" : kind === "into" ? "Debugger.stepInto" : "Debugger.stepOut";
    await this.inspector!.send(method);
  }

  private async resume(): Promise<void> {
    this.pause = undefined;
    this.pendingStep = undefined;
    this.resetPauseState();
    if (!this.ended) this.budget?.start();
    await this.inspector?.send("Debugger.resume").catch(() => undefined);
  }

  private resetPauseState(): void {
    this.frames.reset();
    this.variables.reset();
    void this.inspector?.send("Runtime.releaseObjectGroup", { objectGroup: "dap" }).catch(() => undefined);
  }

  // ---- execution control ----

  protected override threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    response.body = { threads: [new Thread(threadId, "main")] };
    this.sendResponse(response);
  }

  protected override async continueRequest(response: DebugProtocol.ContinueResponse): Promise<void> {
    this.sendResponse(response);
    await this.resume();
  }

  protected override async nextRequest(response: DebugProtocol.NextResponse): Promise<void> {
    await this.stepRequest(response, "over");
  }

  protected override async stepInRequest(response: DebugProtocol.StepInResponse): Promise<void> {
    await this.stepRequest(response, "into");
  }

  protected override async stepOutRequest(response: DebugProtocol.StepOutResponse): Promise<void> {
    await this.stepRequest(response, "out");
  }

  private async stepRequest(response: DebugProtocol.Response, kind: StepKind): Promise<void> {
    const pause = this.pause;
    if (pause === undefined) return this.fail(response, "the program is not paused");
    this.sendResponse(response);
    await this.step(pause, kind);
  }

  protected override async pauseRequest(response: DebugProtocol.PauseResponse): Promise<void> {
    this.pauseRequested = true;
    this.sendResponse(response);
    await this.inspector?.send("Debugger.pause").catch(() => undefined);
  }

  // ---- breakpoints ----

  protected override async setBreakPointsRequest(response: DebugProtocol.SetBreakpointsResponse, args: DebugProtocol.SetBreakpointsArguments): Promise<void> {
    const file = args.source.path;
    if (file === undefined) return this.fail(response, "breakpoints need a source file path");
    const requested = (args.breakpoints ?? []).map((breakpoint) => ({ ...breakpoint, line: this.convertClientLineToDebugger(breakpoint.line) }));
    const placed = await this.breakpoints.setSourceBreakpoints(path.resolve(file), requested);
    response.body = { breakpoints: placed.map((breakpoint) => this.dapBreakpoint(breakpoint)) };
    this.sendResponse(response);
  }

  private loadTranspiler(): Transpiler {
    this.transpiler ??= loadTranspiler(this.bundleDirectory);
    return this.transpiler;
  }

  private dapBreakpoint(breakpoint: SourceBreakpoint): DebugProtocol.Breakpoint {
    return {
      id: breakpoint.dapId,
      verified: breakpoint.verified,
      line: this.convertDebuggerLineToClient(breakpoint.line),
      source: new Source(path.basename(breakpoint.path), breakpoint.path),
      ...(breakpoint.message !== undefined ? { message: breakpoint.message } : {}),
    };
  }

  protected override async setFunctionBreakPointsRequest(response: DebugProtocol.SetFunctionBreakpointsResponse, args: DebugProtocol.SetFunctionBreakpointsArguments): Promise<void> {
    response.body = { breakpoints: await this.breakpoints.setFunctionBreakpoints(args.breakpoints, this.hooksReady) };
    this.sendResponse(response);
  }

  protected override async setExceptionBreakPointsRequest(response: DebugProtocol.SetExceptionBreakpointsResponse, args: DebugProtocol.SetExceptionBreakpointsArguments): Promise<void> {
    this.exceptionFilters = args.filters;
    if (this.hooksReady) await this.applyExceptionFilters();
    this.sendResponse(response);
  }

  private async applyExceptionFilters(): Promise<void> {
    const settings = this.settings!;
    const kinds = settings.stopOnViolation ? this.exceptionFilters.filter((filter) => (violationKinds as readonly string[]).includes(filter) && !(settings.ignoredViolations as string[]).includes(filter)) : [];
    await this.inspector!.send("Runtime.evaluate", { expression: `globalThis.${debugHookGlobal}.setBreakOnViolations(${JSON.stringify(kinds)})` });
    await this.inspector!.send("Debugger.setPauseOnExceptions", { state: this.exceptionFilters.includes(uncaughtFilter) && !this.noDebug ? "uncaught" : "none" });
  }

  // ---- what a pause shows ----

  protected override stackTraceRequest(response: DebugProtocol.StackTraceResponse, args: DebugProtocol.StackTraceArguments): void {
    const pause = this.pause;
    if (pause === undefined) return this.fail(response, "the program is not paused");
    const start = args.startFrame ?? 0;
    const count = args.levels === undefined || args.levels === 0 ? pause.visible.length : args.levels;
    const frames = pause.visible.slice(start, start + count).map((index) => {
      const callFrame = pause.callFrames[index]!;
      const position = this.scripts.displayPosition(callFrame.location.scriptId, callFrame.location.lineNumber, callFrame.location.columnNumber);
      const frame = new StackFrame(
        this.frames.create({ index }),
        callFrame.functionName || "<anonymous>",
        position.path === undefined ? undefined : new Source(path.basename(position.path), position.path),
        this.convertDebuggerLineToClient(position.line),
        this.convertDebuggerColumnToClient(position.column),
      );
      return frame;
    });
    response.body = { stackFrames: frames, totalFrames: pause.visible.length };
    this.sendResponse(response);
  }

  protected override scopesRequest(response: DebugProtocol.ScopesResponse, args: DebugProtocol.ScopesArguments): void {
    const callFrame = this.callFrame(args.frameId);
    if (callFrame === undefined) return this.fail(response, "no such frame");
    const scopes: DebugProtocol.Scope[] = [];
    for (const scope of callFrame.scopeChain) {
      if (scope.object.objectId === undefined) continue;
      if (scope.type === "global") scopes.push(new Scope("VMBus", this.variables.create({ kind: "vmbus" }), false));
      scopes.push(new Scope(scopeTitle(scope.type), this.variables.create({ kind: "object", objectId: scope.object.objectId }), scope.type === "global"));
    }
    if (!scopes.some((scope) => scope.name === "VMBus")) scopes.push(new Scope("VMBus", this.variables.create({ kind: "vmbus" }), false));
    response.body = { scopes };
    this.sendResponse(response);
  }

  protected override async variablesRequest(response: DebugProtocol.VariablesResponse, args: DebugProtocol.VariablesArguments): Promise<void> {
    const container = this.variables.get(args.variablesReference);
    if (container === undefined || this.inspector === undefined) return this.fail(response, "no such variables reference");
    try {
      response.body = { variables: await this.variablesOf(container) };
      this.sendResponse(response);
    } catch (error) {
      this.fail(response, (error as Error).message);
    }
  }

  private async variablesOf(container: VariableContainer): Promise<DebugProtocol.Variable[]> {
    switch (container.kind) {
      case "view":
        return container.nodes.map((node) => this.viewVariable(node));
      case "vmbus": {
        const answer = await this.inspector!.send<{ result: RemoteObject }>("Runtime.evaluate", { expression: `globalThis.${debugHookGlobal}.snapshot()`, returnByValue: true, silent: true });
        const nodes = vmbusView(JSON.parse(String(answer.result.value)) as VmbusSnapshot);
        return nodes.length > 0 ? nodes.map((node) => this.viewVariable(node)) : [{ name: "simulations", value: "none yet", variablesReference: 0 }];
      }
      case "object": {
        const answer = await this.inspector!.send<{ result: PropertyDescriptor[] }>("Runtime.getProperties", { objectId: container.objectId, ownProperties: true, generatePreview: true, objectGroup: "dap" });
        return answer.result
          .filter((property) => property.value !== undefined || property.get !== undefined)
          .map((property) => (property.value === undefined ? { name: property.name, value: "(getter)", variablesReference: 0 } : this.valueVariable(property.name, property.value)));
      }
    }
  }

  private viewVariable(node: ViewNode): DebugProtocol.Variable {
    return { name: node.name, value: node.value, variablesReference: node.children ? this.variables.create({ kind: "view", nodes: node.children }) : 0 };
  }

  private valueVariable(name: string, value: RemoteObject): DebugProtocol.Variable {
    return { name, value: remoteObjectText(value), variablesReference: isExpandable(value) ? this.variables.create({ kind: "object", objectId: value.objectId! }) : 0 };
  }

  private callFrame(frameId: number | undefined): CallFrame | undefined {
    if (frameId === undefined || this.pause === undefined) return undefined;
    const frame = this.frames.get(frameId);
    return frame === undefined ? undefined : this.pause.callFrames[frame.index];
  }

  protected override async evaluateRequest(response: DebugProtocol.EvaluateResponse, args: DebugProtocol.EvaluateArguments): Promise<void> {
    const inspector = this.inspector;
    if (inspector === undefined || !inspector.isOpen) return this.fail(response, "the program is not running");
    const callFrame = this.callFrame(args.frameId) ?? (this.pause ? this.pause.callFrames[this.pause.visible[0]!] : undefined);
    // Hovering must not change the program: V8 refuses expressions with side effects then.
    const options = { expression: args.expression, objectGroup: "dap", generatePreview: true, ...(args.context === "hover" ? { throwOnSideEffect: true } : {}) };
    try {
      const answer = callFrame
        ? await inspector.send<EvaluateAnswer>("Debugger.evaluateOnCallFrame", { callFrameId: callFrame.callFrameId, ...options })
        : await inspector.send<EvaluateAnswer>("Runtime.evaluate", { ...options, ...(this.defaultContextId !== undefined ? { contextId: this.defaultContextId } : {}) });
      if (answer.exceptionDetails) return this.fail(response, answer.exceptionDetails.exception?.description ?? answer.exceptionDetails.text);
      const variable = this.valueVariable("result", answer.result);
      response.body = { result: variable.value, variablesReference: variable.variablesReference };
      this.sendResponse(response);
    } catch (error) {
      this.fail(response, (error as Error).message);
    }
  }

  protected override exceptionInfoRequest(response: DebugProtocol.ExceptionInfoResponse): void {
    const pause = this.pause;
    if (pause?.violation) {
      const violation = pause.violation;
      const atFrames = pause.visible.map((index) => {
        const callFrame = pause.callFrames[index]!;
        const position = this.scripts.displayPosition(callFrame.location.scriptId, callFrame.location.lineNumber, callFrame.location.columnNumber);
        return frameText({ functionName: callFrame.functionName || "<anonymous>", file: position.path ?? "<unknown>", line: position.line, column: position.column });
      });
      response.body = {
        exceptionId: violation.kind,
        description: `${violation.kind} ${violation.family} #${violation.handleId}: ${violation.message}`,
        breakMode: "always",
        details: { message: violation.message, typeName: "KmclViolation", fullTypeName: `KmclViolation (${violation.kind})`, stackTrace: violationStackTrace(violation, atFrames) },
      };
    } else if (pause?.exception) {
      const description = pause.exception.description ?? remoteObjectText(pause.exception);
      response.body = { exceptionId: pause.exception.className ?? "Error", description: description.split("\n")[0], breakMode: "unhandled", details: { stackTrace: description } };
    } else {
      return this.fail(response, "not stopped on an exception");
    }
    this.sendResponse(response);
  }

  private fail(response: DebugProtocol.Response, message: string): void {
    this.sendErrorResponse(response, { id: 1002, format: message.replace(/[{}]/g, (brace) => (brace === "{" ? "{{" : "}}")) });
  }
}

interface EvaluateAnswer {
  result: RemoteObject;
  exceptionDetails?: { text: string; exception?: RemoteObject };
}

function scopeTitle(type: string): string {
  const titles: Record<string, string> = { local: "Locals", closure: "Closure", block: "Block", script: "Script", module: "Module", catch: "Catch", with: "With", global: "Global", eval: "Eval" };
  return titles[type] ?? type;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${message} within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
