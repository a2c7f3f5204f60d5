// Runs a command under GNU time (`/usr/bin/time -v`) for wall time, CPU time and peak RSS.
import { Buffer } from "node:buffer";
import { spawn } from "node:child_process";
import { closeSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { clearTimeout, setTimeout } from "node:timers";

export const gnuTime = "/usr/bin/time";

/** Parses the report of `time -v`. Wall time is `h:mm:ss` or `m:ss.cc`. */
export function parseTimeReport(text) {
  const field = (label) => {
    const line = text.split("\n").find((candidate) => candidate.trim().startsWith(label));
    // The value is the last token after ": "; labels may contain colons themselves ("(h:mm:ss or m:ss)").
    return line?.match(/.*:\s+(\S+)\s*$/)?.[1];
  };
  const wall = field("Elapsed (wall clock) time");
  const wallSeconds = wall === undefined
    ? Number.NaN
    : wall.split(":").reduce((total, part) => total * 60 + Number(part), 0);
  return {
    wallSeconds,
    userSeconds: Number(field("User time (seconds)") ?? Number.NaN),
    systemSeconds: Number(field("System time (seconds)") ?? Number.NaN),
    maxRssKb: Number(field("Maximum resident set size (kbytes)") ?? Number.NaN),
    exitStatus: Number(field("Exit status") ?? Number.NaN),
  };
}

/**
 * Runs `command args` and resolves with its exit code, captured output and, when `measure` is
 * set, the `time -v` figures. stdout goes to `stdoutFile` when given (large JSON reports).
 */
export function run(command, args, { cwd, measure = false, stdoutFile, timeoutSeconds, env } = {}) {
  const timeFile = measure ? join(tmpdir(), `vmbguard-bench-time-${process.pid}-${Math.random().toString(36).slice(2)}.txt`) : undefined;
  const [program, programArgs] = measure ? [gnuTime, ["-v", "-o", timeFile, command, ...args]] : [command, args];
  const stdoutFd = stdoutFile === undefined ? undefined : openSync(stdoutFile, "w");
  return new Promise((resolvePromise) => {
    const child = spawn(program, programArgs, {
      cwd,
      env: env ?? process.env,
      stdio: ["ignore", stdoutFd ?? "pipe", "pipe"],
    });
    const stdout = [];
    const stderr = [];
    child.stdout?.on("data", (chunk) => stdout.push(chunk));
    child.stderr.on("data", (chunk) => stderr.push(chunk));
    let timedOut = false;
    const timer = timeoutSeconds === undefined ? undefined : setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutSeconds * 1000);
    const finish = (exitCode, spawnError) => {
      if (timer !== undefined) clearTimeout(timer);
      if (stdoutFd !== undefined) closeSync(stdoutFd);
      let timing;
      if (timeFile !== undefined) {
        try {
          timing = parseTimeReport(readFileSync(timeFile, "utf8"));
        } catch {
          timing = undefined;
        }
        rmSync(timeFile, { force: true });
      }
      resolvePromise({
        exitCode,
        timedOut,
        spawnError: spawnError?.message,
        stdout: Buffer.concat(stdout).toString("utf8"),
        stderr: Buffer.concat(stderr).toString("utf8"),
        timing,
      });
    };
    child.on("error", (error) => finish(-1, error));
    child.on("close", (code, signal) => finish(code ?? (signal ? 128 : -1)));
  });
}

/** Runs `task(item)` over `items` with at most `parallelism` at a time, keeping the input order. */
export async function mapPool(items, parallelism, task) {
  const results = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallelism, items.length) }, worker));
  return results;
}
