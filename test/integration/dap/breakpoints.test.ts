// Line, conditional, hit-count, log and function breakpoints, locals and stepping, against the
// bundled adapter and a TypeScript program (test/fixtures/sim/locals.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { fixture, launch, locals, nextStop, scope, startSession, terminated, variables } from "./dapSession";

const program = fixture("locals.ts");

test("a line breakpoint in a .ts program stops on its line; locals, objects and evaluate read the program's values", async () => {
  const session = await startSession();
  try {
    await launch(session, { launch: { program }, breakpoints: [{ path: program, breakpoints: [{ line: 14 }] }] });
    const stop = await nextStop(session);
    assert.equal(stop.reason, "breakpoint");
    assert.equal(stop.frame.name, "sendOne");
    assert.equal(stop.frame.source?.path, program);
    assert.equal(stop.frame.line, 14);
    assert.deepEqual(
      stop.frames.map((frame) => [frame.name, frame.line]),
      [
        ["sendOne", 14],
        ["<anonymous>", 20],
      ],
    );
    const names = await locals(session, stop.frame.id);
    assert.equal(names.get("total")?.value, "26");
    assert.equal(names.get("round")?.value, "1");
    const request = names.get("request")!;
    assert.equal(request.value, '{round: 1, total: 26, tag: "request-1"}');
    assert.equal((await variables(session, request.variablesReference)).get("tag")?.value, '"request-1"');
    const evaluated = await session.client.evaluateRequest({ expression: "request.total * 2", frameId: stop.frame.id, context: "repl" });
    assert.equal(evaluated.body.result, "52");
    await assert.rejects(session.client.evaluateRequest({ expression: "noSuchName", frameId: stop.frame.id, context: "repl" }), /ReferenceError: noSuchName is not defined/);
    assert.equal((await session.client.evaluateRequest({ expression: "request.tag", frameId: stop.frame.id, context: "hover" })).body.result, '"request-1"');
    await assert.rejects(session.client.evaluateRequest({ expression: "request.round = 5", frameId: stop.frame.id, context: "hover" }), /EvalError: Possible side-effect in debug-evaluate/);

    const vmbus = await scope(session, stop.frame.id, "VMBus");
    const simulation = vmbus.get("simulation #1")!;
    assert.equal(simulation.value, "seed 0, strict, t=0 ms, 1 channel, 0 violations");
    const channel = (await variables(session, simulation.variablesReference)).get("channel #1")!;
    assert.equal(channel.value, "allocated, 1 live packet");
    const packet = (await variables(session, channel.variablesReference)).get("packet #2")!;
    assert.equal(packet.value, `allocated, age 0 ms, allocated at sendOne (${program}:11:35)`);

    await session.client.setBreakpointsRequest({ source: { path: program }, breakpoints: [] });
    await session.client.continueRequest({ threadId: 1 });
    await terminated(session);
    assert.match(session.output(), /round 3: 46 bytes/);
  } finally {
    await session.client.stop();
  }
});

test("step into, over and out land on the right lines, and stepping into a KMCL call stays in the program", async () => {
  const session = await startSession();
  try {
    await launch(session, { launch: { program }, breakpoints: [{ path: program, breakpoints: [{ line: 10 }] }] });
    assert.equal((await nextStop(session)).frame.line, 10);
    const lines: [string, string, number][] = [];
    for (const [request, action] of [
      ["stepIn", () => session.client.stepInRequest({ threadId: 1 })],
      ["next", () => session.client.nextRequest({ threadId: 1 })],
      ["stepOut", () => session.client.stepOutRequest({ threadId: 1 })],
      ["stepIn", () => session.client.stepInRequest({ threadId: 1 })],
      ["next", () => session.client.nextRequest({ threadId: 1 })],
    ] as const) {
      const [stop] = await Promise.all([nextStop(session), action()]);
      assert.equal(stop.reason, "step");
      lines.push([request, stop.frame.name, stop.frame.line]);
    }
    assert.deepEqual(lines, [
      ["stepIn", "packetSize", 5],
      ["next", "packetSize", 6],
      // V8 resumes after the call's statement: `const total = packetSize(...)` has nothing left to run.
      ["stepOut", "sendOne", 11],
      // Into VmbPacketAllocate: the simulator's code is skipped.
      ["stepIn", "sendOne", 12],
      ["next", "sendOne", 13],
    ]);
  } finally {
    await session.client.stop();
  }
});

test("a conditional breakpoint stops only when its condition holds, a hit count on the nth hit, and a logpoint prints without stopping", async () => {
  const session = await startSession();
  try {
    await launch(session, {
      launch: { program },
      breakpoints: [{ path: program, breakpoints: [{ line: 12, hitCondition: "3" }, { line: 14, condition: "round === 2" }, { line: 15, logMessage: "logged {request.tag} of {request.total} bytes" }] }],
    });
    const conditional = await nextStop(session);
    assert.equal(conditional.frame.line, 14);
    assert.equal((await locals(session, conditional.frame.id)).get("round")?.value, "2");
    assert.match(session.output(), /logged request-1 of 26 bytes\n/);
    assert.doesNotMatch(session.output(), /request-2/);
    const logpoint = session.outputEvents.find((event) => event.body.output.startsWith("logged request-1"))!;
    assert.equal(logpoint.body.source?.path, program);
    assert.equal(logpoint.body.line, 15);

    const [counted] = await Promise.all([nextStop(session), session.client.continueRequest({ threadId: 1 })]);
    assert.equal(counted.frame.line, 12);
    assert.equal((await locals(session, counted.frame.id)).get("round")?.value, "3");
    await Promise.all([terminated(session), session.client.continueRequest({ threadId: 1 })]);
    assert.match(session.output(), /logged request-3 of 46 bytes\n/);
  } finally {
    await session.client.stop();
  }
});

test("a function breakpoint on VmbPacketFree stops at every call, in the calling driver code, and steps on from there", async () => {
  const session = await startSession();
  try {
    await launch(session, { launch: { program }, functionBreakpoints: ["VmbPacketFree"] });
    const first = await nextStop(session);
    assert.equal(first.reason, "function breakpoint");
    assert.deepEqual([first.frame.name, first.frame.line], ["sendOne", 14]);
    assert.equal((await locals(session, first.frame.id)).get("round")?.value, "1");
    const [stepped] = await Promise.all([nextStop(session), session.client.nextRequest({ threadId: 1 })]);
    assert.deepEqual([stepped.reason, stepped.frame.line], ["step", 15]);
    for (const round of ["2", "3"]) {
      const [again] = await Promise.all([nextStop(session), session.client.continueRequest({ threadId: 1 })]);
      assert.deepEqual([again.reason, again.frame.line], ["function breakpoint", 14]);
      assert.equal((await locals(session, again.frame.id)).get("round")?.value, round);
    }
    await Promise.all([terminated(session), session.client.continueRequest({ threadId: 1 })]);

    const unknown = await startSession();
    try {
      const answer = await unknown.client.setFunctionBreakpointsRequest({ breakpoints: [{ name: "sendOne" }] });
      assert.equal(answer.body.breakpoints[0]?.verified, false);
      assert.match(answer.body.breakpoints[0]?.message ?? "", /^not a KMCL function: function breakpoints stop at calls of the simulated KMCL API \(VmbPacketAllocate, /);
    } finally {
      await unknown.client.stop();
    }
  } finally {
    await session.client.stop();
  }
});

test("stopOnEntry stops on the program's first line", async () => {
  const session = await startSession();
  try {
    await launch(session, { launch: { program, stopOnEntry: true } });
    const stop = await nextStop(session);
    assert.equal(stop.reason, "entry");
    assert.deepEqual([stop.frame.source?.path, stop.frame.line], [program, 2]);
  } finally {
    await session.client.stop();
  }
});

test("stepping into a run of the simulation lands in the driver's completion routine, the simulator's frames hidden", async () => {
  const completion = fixture("completion.ts");
  const session = await startSession();
  try {
    await launch(session, { launch: { program: completion }, breakpoints: [{ path: completion, breakpoints: [{ line: 15 }] }] });
    assert.equal((await nextStop(session)).frame.line, 15);
    const [into] = await Promise.all([nextStop(session), session.client.stepInRequest({ threadId: 1 })]);
    assert.deepEqual(
      into.frames.map((frame) => [frame.name, frame.line]),
      [
        ["onSendComplete", 5],
        ["<anonymous>", 15],
      ],
    );
    assert.equal((await locals(session, into.frame.id)).get("status")?.value, "0");
    const [out] = await Promise.all([nextStop(session), session.client.stepOutRequest({ threadId: 1 })]);
    assert.deepEqual([out.frame.name, out.frame.line], ["<anonymous>", 16]);
  } finally {
    await session.client.stop();
  }
});

test("a breakpoint in a TypeScript module the program imports (Node16 style, ./release.js) is hit, and so is a violation in it", async () => {
  const program = fixture("helperUser.ts");
  const helper = fixture("helpers/release.ts");
  const session = await startSession();
  try {
    await launch(session, { launch: { program }, breakpoints: [{ path: helper, breakpoints: [{ line: 7 }] }] });
    const stop = await nextStop(session);
    assert.deepEqual(
      stop.frames.map((frame) => [frame.name, frame.source?.path, frame.line]),
      [
        ["releaseTwice", helper, 7],
        ["<anonymous>", program, 4],
      ],
    );
    const [violation] = await Promise.all([nextStop(session), session.client.continueRequest({ threadId: 1 })]);
    assert.deepEqual([violation.reason, violation.frame.source?.path, violation.frame.line], ["exception", helper, 9]);
  } finally {
    await session.client.stop();
  }
});
