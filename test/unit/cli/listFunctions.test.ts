import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parseCommandLine } from "../../../server/src/cli/args";
import { runCheck } from "../../../server/src/cli/runCheck";

/** `vmbguard check -f json --list-functions` over a folder: its `files` listing, parsed. */
async function listing(files: Record<string, string>): Promise<unknown> {
  const folder = mkdtempSync(path.join(tmpdir(), "vmbguard-list-"));
  try {
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(folder, name)), { recursive: true });
      writeFileSync(path.join(folder, name), text);
    }
    const command = parseCommandLine(["check", "-f", "json", "--list-functions", "--jobs", "1", "."], 1);
    if (command.kind !== "check") throw new Error("not a check command");
    let written = "";
    const exitCode = await runCheck(command.options, { cwd: folder, env: {}, stdout: { write: (text: string) => (written += text) }, stderr: { write: () => undefined } });
    assert.equal(exitCode, 0);
    return (JSON.parse(written) as { files: unknown }).files;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

test("the listing gives each function's first line (the return type's) and its closing brace's, methods with their class", async () => {
  const files = await listing({
    "drv/send.c": [
      "#include \"defs.h\"",
      "",
      "NTSTATUS",
      "SendFrame(",
      "    VMBCHANNEL Channel",
      "    )",
      "{",
      "    return STATUS_SUCCESS;",
      "}",
      "",
      "VOID Reset(VOID) { }",
      "",
    ].join("\n"),
    "drv/defs.h": "#define FRAME_SIZE 64\n",
    "sim/nic.ts": ["export class Nic {", "  open(): number {", "    return 1;", "  }", "}", ""].join("\n"),
  });
  assert.deepEqual(files, [
    { file: "drv/defs.h", functions: [] },
    {
      file: "drv/send.c",
      functions: [
        { name: "SendFrame", line: 3, endLine: 9 },
        { name: "Reset", line: 11, endLine: 11 },
      ],
    },
    { file: "sim/nic.ts", functions: [{ name: "open", qualifiedName: "Nic.open", line: 2, endLine: 4 }] },
  ]);
});
