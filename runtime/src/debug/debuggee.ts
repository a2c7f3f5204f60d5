// The program's own Node process. It starts with `--inspect-brk=127.0.0.1:0`: Node opens the V8
// inspector on a free port, prints its WebSocket URL on stderr and waits for a debugger before any
// code runs, then pauses again on the program's first line. That gives the adapter the time to set
// breakpoints (and the preload to install itself) before the program does anything.
//
// Why a WebSocket to the process's own inspector rather than a worker connected to the main thread
// from inside: a worker dies with the process on process.exit, taking undelivered messages (the
// leak report) with it, while Node holds a process with a connected inspector client open until the
// client lets go ("Waiting for the debugger to disconnect"); so every message arrives, in order.
//
// The process leads its own process group, so ending the session kills it and whatever it started.
// A pipe on fd 3 is its lifeline: if the adapter dies without a word, the preload sees the pipe close
// and kills the group.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import type { Readable } from "node:stream";
import { debuggeeOptionsVariable, type DebuggeeOptions } from "./protocol";

/** Lines Node writes on stderr for the inspector, not for the program. */
const inspectorNoise = [/^Debugger listening on ws:\/\/\S+$/, /^For help, see: https:\/\/nodejs\.org\/.*inspector.*$/, /^Debugger attached\.$/, /^Waiting for the debugger to disconnect\.\.\.$/, /^Debugger ending on ws:\/\/\S+$/];

const lifelineFd = 3;

export interface DebuggeeHandlers {
  output(category: "stdout" | "stderr", text: string): void;
  /** After the process exited and its output was read. */
  exited(code: number | null, signal: NodeJS.Signals | null): void;
}

export interface DebuggeeLaunch {
  program: string;
  args: string[];
  cwd: string;
  preload: string;
  simulation: DebuggeeOptions["simulation"];
}

export class Debuggee {
  readonly inspectorUrl: Promise<string>;
  private readonly child: ChildProcess;
  private exitedAlready = false;
  private closed = false;

  constructor(launch: DebuggeeLaunch, handlers: DebuggeeHandlers) {
    const options: DebuggeeOptions = { simulation: launch.simulation, lifelineFd };
    this.child = spawn(process.execPath, ["--inspect-brk=127.0.0.1:0", "--enable-source-maps", "-r", launch.preload, launch.program, ...launch.args], {
      cwd: launch.cwd,
      env: { ...process.env, [debuggeeOptionsVariable]: JSON.stringify(options) },
      stdio: ["ignore", "pipe", "pipe", "pipe"],
      detached: process.platform !== "win32",
    });
    let resolveUrl: (url: string) => void = () => undefined;
    let rejectUrl: (error: Error) => void = () => undefined;
    this.inspectorUrl = new Promise((resolve, reject) => {
      resolveUrl = resolve;
      rejectUrl = reject;
    });
    this.inspectorUrl.catch(() => undefined);
    this.child.stdout!.setEncoding("utf8");
    this.child.stdout!.on("data", (text: string) => handlers.output("stdout", text));
    filterLines(this.child.stderr!, (line) => {
      const listening = /^Debugger listening on (ws:\/\/\S+)$/.exec(line);
      if (listening) resolveUrl(listening[1]!);
      return !inspectorNoise.some((pattern) => pattern.test(line));
    }, (text) => handlers.output("stderr", text));
    // Only the child writes to the lifeline; reading it lets its end be noticed.
    (this.child.stdio[lifelineFd] as Readable).resume();
    this.child.on("error", (error) => rejectUrl(new Error(`cannot start ${process.execPath}: ${error.message}`)));
    let reported = false;
    const report = (code: number | null, signal: NodeJS.Signals | null) => {
      if (reported) return;
      reported = true;
      this.exitedAlready = true;
      this.closed = true;
      rejectUrl(new Error(`the program exited (${signal ?? `code ${code}`}) before its debugger could attach`));
      handlers.exited(code, signal);
    };
    // 'close' comes once the output is read; a process the program started may hold the pipes open, so not forever.
    this.child.on("close", report);
    this.child.on("exit", (code, signal) => {
      this.exitedAlready = true;
      // What the program started and left running goes with it.
      this.kill();
      setTimeout(() => report(code, signal), 1000).unref();
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get hasExited(): boolean {
    return this.exitedAlready;
  }

  /** Kills the process and everything it started; the exit handler reports the end. */
  kill(): void {
    const pid = this.child.pid;
    if (pid === undefined || this.closed) return;
    if (process.platform === "win32") {
      if (this.exitedAlready) return;
      spawnSync("taskkill", ["/pid", String(pid), "/T", "/F"], { stdio: "ignore" });
      return;
    }
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      this.child.kill("SIGKILL");
    }
  }
}

/**
 * Passes `stream`'s text on line by line, dropping the lines `keep` refuses. A partial last line
 * waits for its end only while it could still become one of the dropped lines.
 */
function filterLines(stream: Readable, keep: (line: string) => boolean, emit: (text: string) => void): void {
  let pending = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk: string) => {
    pending += chunk;
    const lines = pending.split("\n");
    pending = lines.pop()!;
    const kept = lines.filter((line) => keep(line.replace(/\r$/, "")));
    let text = kept.map((line) => `${line}\n`).join("");
    if (pending !== "" && !/^(D|F|W)/.test(pending)) {
      text += pending;
      pending = "";
    }
    if (text !== "") emit(text);
  });
  stream.on("end", () => {
    if (pending !== "" && keep(pending)) emit(pending);
    pending = "";
  });
}
