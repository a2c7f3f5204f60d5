// Every way a program ends closes the session with a clear message and leaves no process behind.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import type { DebugProtocol } from "@vscode/debugprotocol";
import { fixture, launch, nextStop, processExists, startSession, terminated } from "./dapSession";

test("a program that throws ends the session with its error and exit code", async () => {
  const session = await startSession();
  try {
    await Promise.all([launch(session, { launch: { program: fixture("throws.ts") } }), terminated(session)]);
    const output = session.output();
    assert.match(output, /Error: cannot open adapter nic0: no VMBus channel offered\n\s+at openAdapter \(.*throws\.ts:3:9\)/);
    assert.match(output, /program exited with code 1\n$/);
  } finally {
    await session.client.stop();
  }
});

test("with the Uncaught Exceptions filter on, a crash first stops where it was thrown", async () => {
  const program = fixture("throws.ts");
  const session = await startSession();
  try {
    const configured = session.client.waitForEvent("initialized").then(async () => {
      await session.client.setExceptionBreakpointsRequest({ filters: ["uncaught"] });
      await session.client.configurationDoneRequest();
    });
    const [, , stop] = await Promise.all([configured, session.client.launch({ program }), nextStop(session)]);
    assert.deepEqual([stop.reason, stop.event.body.text, stop.frame.name, stop.frame.line], ["exception", "Error: cannot open adapter nic0: no VMBus channel offered", "openAdapter", 3]);
    const info = await session.client.exceptionInfoRequest({ threadId: 1 });
    assert.deepEqual([info.body.exceptionId, info.body.breakMode, info.body.description], ["Error", "unhandled", "Error: cannot open adapter nic0: no VMBus channel offered"]);
    await Promise.all([terminated(session), session.client.continueRequest({ threadId: 1 })]);
    assert.match(session.output(), /program exited with code 1\n$/);
  } finally {
    await session.client.stop();
  }
});

test("a program that hangs can be paused in its loop, then terminated; its process is gone", async () => {
  const program = fixture("hangs.ts");
  const session = await startSession();
  try {
    await launch(session, { launch: { program } });
    const pid = session.pid();
    assert.ok(pid !== undefined && processExists(pid));
    while (!session.output().includes("spinning\n")) await new Promise((resolve) => setTimeout(resolve, 20));
    const [stop] = await Promise.all([nextStop(session), session.client.pauseRequest({ threadId: 1 })]);
    assert.equal(stop.reason, "pause");
    assert.equal(stop.frame.source?.path, program);
    assert.ok([4, 5].includes(stop.frame.line), `paused at line ${stop.frame.line}`);
    const spins = await session.client.evaluateRequest({ expression: "spins > 0", frameId: stop.frame.id, context: "repl" });
    assert.equal(spins.body.result, "true");
    await Promise.all([terminated(session), session.client.terminateRequest()]);
    assert.match(session.output(), /program terminated\n$/);
    assert.equal(processExists(pid), false, `process ${pid} is still running`);
  } finally {
    await session.client.stop();
  }
});

test("disconnecting from a running program kills it", async () => {
  const session = await startSession();
  await launch(session, { launch: { program: fixture("hangs.ts") } });
  const pid = session.pid()!;
  await session.client.disconnectRequest({ terminateDebuggee: true });
  assert.equal(processExists(pid), false, `process ${pid} is still running`);
  await session.client.stop();
});

test("process.exit ends the session with the program's exit code, after the report of what it left behind", async () => {
  const session = await startSession();
  try {
    let exited: DebugProtocol.ExitedEvent | undefined;
    session.client.on("exited", (event: DebugProtocol.ExitedEvent) => {
      exited = event;
    });
    await Promise.all([launch(session, { launch: { program: fixture("exits.ts") } }), terminated(session)]);
    assert.equal(exited?.body.exitCode, 3);
    assert.match(session.output(), /simulation #1 \(seed 0\) finished: 2 violations\n {2}packet-leak packet #2: .*\n[^]*program exited with code 3\n$/);
  } finally {
    await session.client.stop();
  }
});

test("the timeout ends a program that runs too long", async () => {
  const session = await startSession();
  try {
    await Promise.all([launch(session, { launch: { program: fixture("hangs.ts"), timeout: 300 } }), terminated(session)]);
    assert.match(session.output(), /the program ran for 300 ms without finishing \(launch option "timeout"\); it was terminated\n$/);
    assert.equal(processExists(session.pid()!), false);
  } finally {
    await session.client.stop();
  }
});

test("time paused in the debugger does not count against the timeout", async () => {
  const session = await startSession();
  try {
    await launch(session, { launch: { program: fixture("hangs.ts"), timeout: 1000 } });
    while (!session.output().includes("spinning\n")) await new Promise((resolve) => setTimeout(resolve, 20));
    // Most of the budget is spent before the pause, so what is left after it is clearly less than all of it.
    await new Promise((resolve) => setTimeout(resolve, 600));
    await Promise.all([nextStop(session), session.client.pauseRequest({ threadId: 1 })]);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.doesNotMatch(session.output(), /it was terminated/);
    const resumed = Date.now();
    await Promise.all([terminated(session), session.client.continueRequest({ threadId: 1 })]);
    assert.ok(Date.now() - resumed < 1000, "the budget left when paused was used up, not renewed");
    assert.match(session.output(), /the program ran for 1000 ms without finishing \(launch option "timeout"\); it was terminated\n$/);
  } finally {
    await session.client.stop();
  }
});

test("a missing program, a syntax error and a bad launch option fail the launch with a clear message", async () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ program: fixture("noSuchProgram.ts") }, new RegExp(`^program not found: ${fixture("noSuchProgram.ts")}$`)],
    [{ program: fixture("syntaxError.ts") }, new RegExp(`^cannot compile ${fixture("syntaxError.ts")}:\n${fixture("syntaxError.ts")}:2:22: Expression expected\\.$`)],
    [{ program: fixture("syntaxError.js") }, new RegExp(`^cannot compile ${fixture("syntaxError.js")}:\n${fixture("syntaxError.js")}:3: SyntaxError: Unexpected token '\\)'$`)],
    [{ program: fixture("locals.ts"), violations: ["double-fre"] }, /^"violations": unknown violation kind "double-fre" \(known: double-free, /],
  ];
  for (const [args, message] of cases) {
    const session = await startSession();
    try {
      await session.client.initializeRequest();
      await assert.rejects(session.client.launchRequest(args as DebugProtocol.LaunchRequestArguments), (error: Error) => {
        assert.match(error.message, message);
        return true;
      });
    } finally {
      await session.client.stop();
    }
  }
});

test("an adapter that dies without a word takes the program with it, even one spinning in a loop", async () => {
  const session = await startSession();
  await launch(session, { launch: { program: fixture("hangs.ts") } });
  const pid = session.pid()!;
  while (!session.output().includes("spinning\n")) await new Promise((resolve) => setTimeout(resolve, 20));
  // No disconnect and no stop: the adapter is gone for good, as when its host crashes.
  const adapter = (session.client as unknown as { _adapterProcess: ChildProcess })._adapterProcess;
  adapter.kill("SIGKILL");
  const deadline = Date.now() + 5000;
  while (processExists(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(processExists(pid), false, `process ${pid} outlived its adapter`);
});

test("a process the program started and left running ends with the session", async () => {
  const session = await startSession();
  try {
    await Promise.all([launch(session, { launch: { program: fixture("spawnsChild.ts") } }), terminated(session)]);
    const started = /started (\d+)\n/.exec(session.output());
    assert.ok(started, session.output());
    const deadline = Date.now() + 3000;
    while (processExists(Number(started[1])) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(processExists(Number(started[1])), false, `process ${started[1]} outlived the session`);
  } finally {
    await session.client.stop();
  }
});
