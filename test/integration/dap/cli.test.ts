// `vmbguard dap` runs the same adapter as dist/dap.js, over stdin and stdout.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as path from "node:path";
import { repoRoot } from "./dapSession";

test("vmbguard dap answers initialize with one exception filter per violation kind", async () => {
  const adapter = spawn(process.execPath, [path.join(repoRoot, "dist", "cli.js"), "dap"], { stdio: ["pipe", "pipe", "inherit"] });
  const request = JSON.stringify({ seq: 1, type: "request", command: "initialize", arguments: { adapterID: "vmbus-sim", pathFormat: "path", linesStartAt1: true, columnsStartAt1: true } });
  adapter.stdin.write(`Content-Length: ${Buffer.byteLength(request)}\r\n\r\n${request}`);
  let received = "";
  const response = await new Promise<{ success: boolean; body: { exceptionBreakpointFilters: { filter: string }[] } }>((resolve) => {
    adapter.stdout.on("data", (chunk: Buffer) => {
      received += chunk.toString("utf8");
      const body = /\r\n\r\n(\{.*\})$/s.exec(received);
      if (body) resolve(JSON.parse(body[1]!));
    });
  });
  const exited = new Promise((resolve) => adapter.on("exit", resolve));
  adapter.stdin.end();
  assert.equal(response.success, true);
  assert.deepEqual(
    response.body.exceptionBreakpointFilters.map((filter) => filter.filter),
    ["double-free", "use-after-free", "free-in-flight", "free-unowned", "double-completion", "packet-leak", "completion-leak", "channel-leak", "use-after-cleanup", "use-in-flight", "invalid-state", "gpadl-leak", "uncaught"],
  );
  assert.equal(await exited, 0);
});
