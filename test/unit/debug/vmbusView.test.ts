// The VMBus scope built from a snapshot of the debuggee's simulations.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { VmbusSnapshot } from "../../../runtime/src/debug/protocol";
import { vmbusView } from "../../../runtime/src/debug/vmbusView";

const snapshot: VmbusSnapshot = {
  simulations: [
    {
      id: 1,
      seed: 7,
      mode: "report",
      now: 12,
      finished: false,
      violations: [{ kind: "double-free", handleId: 4, message: "packet #4 was already freed at nic/send.ts:9:3" }],
      handles: [
        { id: 1, family: "channel", state: "enabled", started: 0, allocated: [{ file: "/drv/nic/open.ts", line: 3, column: 5, functionName: "openChannel" }] },
        {
          id: 2,
          family: "packet",
          state: "in-flight",
          variant: "lookaside",
          channelId: 1,
          started: 5,
          allocated: [
            { file: "node:internal/modules/cjs/loader", line: 1, column: 1, functionName: "Module._compile" },
            { file: "file:///drv/nic/send.ts", line: 14, column: 18, functionName: "sendFrame" },
            { file: "/drv/nic/main.ts", line: 2, column: 1, functionName: "<anonymous>" },
          ],
          sent: [{ file: "/drv/nic/send.ts", line: 16, column: 3, functionName: "sendFrame" }],
        },
        { id: 3, family: "completion", state: "pending", channelId: 1, started: 10 },
      ],
    },
  ],
};

test("simulations hold their channels, channels their live packets with state, age and sites", () => {
  const [simulation] = vmbusView(snapshot);
  assert.deepEqual([simulation!.name, simulation!.value], ["simulation #1", "seed 7, report, t=12 ms, 1 channel, 1 violation"]);
  const [channel, violations] = simulation!.children!;
  assert.deepEqual([channel!.name, channel!.value], ["channel #1", "enabled, 1 live packet, 1 pending incoming packet"]);
  assert.deepEqual(
    channel!.children!.map((node) => [node.name, node.value]),
    [
      ["state", "enabled"],
      ["packet #2", "in-flight, age 7 ms, allocated at sendFrame (/drv/nic/send.ts:14:18)"],
      ["completion #3", "pending, age 2 ms"],
      ["allocated at", "openChannel (/drv/nic/open.ts:3:5)"],
    ],
  );
  const packet = channel!.children![1]!;
  assert.deepEqual(
    packet.children!.map((node) => [node.name, node.value]),
    [
      ["id", "2"],
      ["state", "in-flight"],
      ["variant", "lookaside"],
      ["age", "7 ms"],
      ["allocated at", "sendFrame (/drv/nic/send.ts:14:18)"],
      ["sent at", "sendFrame (/drv/nic/send.ts:16:3)"],
    ],
  );
  assert.deepEqual(
    packet.children![4]!.children!.map((node) => node.value),
    ["sendFrame (/drv/nic/send.ts:14:18)", "/drv/nic/main.ts:2:1"],
    "Node's own frames are left out",
  );
  assert.deepEqual(
    violations!.children!.map((node) => [node.name, node.value]),
    [["#1 double-free", "packet #4 was already freed at nic/send.ts:9:3"]],
  );
});

test("a finished simulation shows no handles", () => {
  const [simulation] = vmbusView({ simulations: [{ ...snapshot.simulations[0]!, finished: true, handles: [], violations: [] }] });
  assert.deepEqual([simulation!.value, simulation!.children], ["seed 7, report, finished, 0 channels, 0 violations", []]);
});
