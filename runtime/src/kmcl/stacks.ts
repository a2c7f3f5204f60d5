// Call-site capture for lifecycle tracking. V8 formats a captured stack only when `.stack` is read,
// so a capture costs one stack walk; the text (source-mapped when source maps are enabled) and its
// parsed frames are produced on demand, i.e. only when a violation or a debugger asks.

export interface StackFrame {
  /** The file as V8 (or its source maps) reports it: a path or a `file:` / `node:` URL. */
  file: string;
  /** One-based line and column. */
  line: number;
  column: number;
  /** `<anonymous>` for top-level code and anonymous functions. */
  functionName: string;
}

/** A captured call stack, formatted and parsed lazily. */
export class CapturedStack {
  private parsed: StackFrame[] | undefined;
  private readonly holder: { stack?: string };

  constructor(holder: { stack?: string }) {
    this.holder = holder;
  }

  get text(): string {
    const stack = this.holder.stack ?? "";
    const firstFrame = stack.indexOf("\n");
    return firstFrame < 0 ? "" : stack.slice(firstFrame + 1);
  }

  get frames(): StackFrame[] {
    this.parsed ??= parseStackFrames(this.text);
    return this.parsed;
  }

  /** `file:line:column` of the innermost frame: the caller of the KMCL function. */
  get site(): string {
    const top = this.frames[0];
    return top ? `${shortFile(top.file)}:${top.line}:${top.column}` : "<unknown>";
  }

  toJSON(): StackFrame[] {
    return this.frames;
  }
}

/** A function whose frame, and every frame above it, a capture leaves out. */
export type StackCutPoint = (...args: never[]) => unknown;

/**
 * Captures the stack of the caller of `callee` (frames above and including `callee` are cut),
 * keeping at most `depth` frames. Returns undefined when `depth` is 0 (stacks disabled).
 */
export function captureStack(callee: StackCutPoint, depth: number): CapturedStack | undefined {
  if (depth <= 0) return undefined;
  const previousLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = depth;
  const holder: { stack?: string } = {};
  Error.captureStackTrace(holder, callee);
  Error.stackTraceLimit = previousLimit;
  return new CapturedStack(holder);
}

// `    at functionName (location)` or `    at location`; location is `file:line:column`, possibly
// wrapped as `eval at f (file:line:column), <anonymous>:l:c`, in which case the outer site is kept.
const framePattern = /^\s*at (?:(.+?) \()?(.+?):(\d+):(\d+)\)?$/;

export function parseStackFrames(text: string): StackFrame[] {
  const frames: StackFrame[] = [];
  for (const line of text.split("\n")) {
    const match = framePattern.exec(line);
    if (!match) continue;
    const [, name, location, lineText, columnText] = match;
    const evalSite = /\(([^()]+):(\d+):(\d+)\)/.exec(location ?? "");
    frames.push({
      functionName: name?.trim() || "<anonymous>",
      file: evalSite ? evalSite[1]! : location!,
      line: Number(evalSite ? evalSite[2] : lineText),
      column: Number(evalSite ? evalSite[3] : columnText),
    });
  }
  return frames;
}

/** The last two path segments: enough to recognise a file in a one-line report. */
export function shortFile(file: string): string {
  const withoutScheme = file.replace(/^file:\/\//, "");
  const parts = withoutScheme.split(/[\\/]/);
  return parts.slice(-2).join("/");
}

/** Source maps map `Error.stack` to the TypeScript sources; Node 20 offers a switch at run time. */
export function enableSourceMaps(): void {
  const nodeProcess = process as unknown as { setSourceMapsEnabled?: (enabled: boolean) => void };
  nodeProcess.setSourceMapsEnabled?.(true);
}
