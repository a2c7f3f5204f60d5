// Violations as the debugger shows them: a stop at the faulting call with every stack of the
// packet, and the end-of-run report of leaks with their allocation sites.
import { test } from "node:test";
import assert from "node:assert/strict";
import { fixture, launch, nextStop, scope, startSession, terminated, variables } from "./dapSession";

test("a double free stops with reason exception on the second VmbPacketFree, with the allocation and first free in exceptionInfo", async () => {
  const program = fixture("doubleFree.ts");
  const session = await startSession();
  try {
    await launch(session, { launch: { program } });
    const stop = await nextStop(session);
    assert.equal(stop.reason, "exception");
    assert.equal(stop.event.body.text, `packet #2 was already freed at sim/doubleFree.ts:5:16`);
    assert.deepEqual(
      stop.frames.map((frame) => [frame.name, frame.source?.path, frame.line]),
      [
        ["sendRequest", program, 12],
        ["<anonymous>", program, 17],
      ],
    );
    const info = await session.client.exceptionInfoRequest({ threadId: 1 });
    assert.equal(info.body.exceptionId, "double-free");
    assert.equal(info.body.description, "double-free packet #2: packet #2 was already freed at sim/doubleFree.ts:5:16");
    assert.equal(
      info.body.details?.stackTrace,
      [
        "at:",
        `    at sendRequest (${program}:12:16)`,
        `    at ${program}:17:1`,
        "allocated at:",
        `    at sendRequest (${program}:9:35)`,
        `    at ${program}:17:1`,
        "freed at:",
        `    at releaseRequest (${program}:5:16)`,
        `    at sendRequest (${program}:11:3)`,
        `    at ${program}:17:1`,
      ].join("\n"),
    );
    const vmbus = await scope(session, stop.frame.id, "VMBus");
    const simulation = vmbus.get("simulation #1")!;
    assert.equal(simulation.value, "seed 0, strict, t=0 ms, 1 channel, 0 violations");
    const violations = (await variables(session, simulation.variablesReference)).get("violations");
    assert.equal(violations, undefined, "the violation is recorded once the stop is over");

    // Strict mode (the runtime's default): going on throws the KmclViolation at the call, uncaught.
    await Promise.all([terminated(session), session.client.continueRequest({ threadId: 1 })]);
    assert.match(session.output(), /KmclViolation: double-free: packet #2 was already freed at sim\/doubleFree\.ts:5:16/);
    assert.match(session.output(), /program exited with code 1\n$/);
  } finally {
    await session.client.stop();
  }
});

test("violation kinds turned off as exception filters or listed in `violations`, and Run Without Debugging, do not stop the program", async () => {
  const program = fixture("doubleFree.ts");
  const plans = [
    { filters: ["packet-leak"], launch: {} },
    { filters: ["double-free"], launch: { violations: ["double-free"] } },
    { filters: ["double-free", "uncaught"], launch: { noDebug: true }, breakpointLine: 11 },
  ];
  for (const plan of plans) {
    const session = await startSession();
    try {
      const configured = session.client.waitForEvent("initialized").then(async () => {
        if (plan.breakpointLine !== undefined) {
          const answer = await session.client.setBreakpointsRequest({ source: { path: program }, breakpoints: [{ line: plan.breakpointLine }] });
          assert.deepEqual([answer.body.breakpoints[0]?.verified, answer.body.breakpoints[0]?.message], [false, "the program runs without debugging"]);
        }
        await session.client.setExceptionBreakpointsRequest({ filters: plan.filters });
        await session.client.configurationDoneRequest();
      });
      let stopped = false;
      session.client.on("stopped", () => {
        stopped = true;
      });
      await Promise.all([configured, session.client.launch({ program, scenario: fixture("report-mode.json"), ...plan.launch }), terminated(session)]);
      assert.equal(stopped, false, JSON.stringify(plan));
      assert.match(session.output(), /VIOLATION double-free: packet #2 was already freed/);
      assert.match(session.output(), /done\n/);
    } finally {
      await session.client.stop();
    }
  }
});

test("a run to the end reports the leaked packet with its allocation line, as a clickable location", async () => {
  const program = fixture("leak.ts");
  const session = await startSession();
  try {
    await launch(session, { launch: { program, seed: 7 } });
    await terminated(session);
    const output = session.output();
    assert.match(output, /sent\n/);
    assert.match(output, /simulation #1 \(seed 7\) finished: 2 violations\n/);
    const leak = session.outputEvents.find((event) => event.body.output.startsWith("  packet-leak"));
    assert.ok(leak, output);
    assert.equal(
      leak.body.output,
      [
        "  packet-leak packet #3: packet #3 allocated at sim/leak.ts:5:35 was still owned by the driver when the simulation finished",
        `      allocated at sendSized (${program}:5:35)`,
        "",
      ].join("\n"),
    );
    assert.equal(leak.body.source?.path, program);
    assert.equal(leak.body.line, 5);
    assert.match(output, / {2}channel-leak channel #1: channel #1 was never released with VmbChannelCleanup\n {6}allocated at /);
    assert.match(output, /program exited with code 0\n$/);
  } finally {
    await session.client.stop();
  }
});

test("violations of a Simulation the program builds itself stop it too: a free in flight, then a leak at VmbChannelCleanup", async () => {
  const program = fixture("ownSimulation.ts");
  const session = await startSession();
  try {
    await launch(session, { launch: { program } });
    const inFlight = await nextStop(session);
    assert.deepEqual([inFlight.reason, inFlight.frame.line], ["exception", 9]);
    assert.equal((await session.client.exceptionInfoRequest({ threadId: 1 })).body.exceptionId, "free-in-flight");
    const vmbus = await scope(session, inFlight.frame.id, "VMBus");
    assert.equal(vmbus.get("simulation #2")?.value, "seed 5, report, t=0 ms, 1 channel, 0 violations");

    const [leak] = await Promise.all([nextStop(session), session.client.continueRequest({ threadId: 1 })]);
    assert.deepEqual([leak.reason, leak.frame.line], ["exception", 10]);
    const info = await session.client.exceptionInfoRequest({ threadId: 1 });
    assert.equal(info.body.exceptionId, "packet-leak");
    assert.equal(info.body.details?.stackTrace, ["at:", `    at ${program}:10:18`, "allocated at:", `    at ${program}:6:31`].join("\n"));
    await Promise.all([terminated(session), session.client.continueRequest({ threadId: 1 })]);
    assert.match(session.output(), /kept #2, 2 violations\n/);
  } finally {
    await session.client.stop();
  }
});
