import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { CompileCommandsError, parseCompileCommands } from "../../../../server/src/workspace/buildSettings/compileCommands";

const database = path.resolve("/work/tree/build/compile_commands.json");

test("entries in the arguments and the command form, with absolute and relative directories", () => {
  const text = JSON.stringify([
    { directory: "/work/tree/drv", arguments: ["clang", "-I../inc", "-DNDIS_WDM=1", "-c", "send.c"], file: "send.c" },
    { directory: "..", command: "cl.exe /nologo /Iinc /DEVENT_TRACING /c lib\\util.c", file: "lib/util.c" },
    { directory: "/work/tree", file: "no-command.c" },
    { directory: "/work/tree", command: "cc -c x.c" },
    "not an entry",
  ]);
  const commands = parseCompileCommands(text, database);
  assert.deepEqual(commands, [
    {
      file: path.resolve("/work/tree/drv/send.c"),
      settings: { includeDirectories: [path.resolve("/work/tree/inc")], forcedIncludes: [], defines: { NDIS_WDM: "1" }, undefines: [] },
    },
    {
      file: path.resolve("/work/tree/lib/util.c"),
      settings: { includeDirectories: [path.resolve("/work/tree/inc")], forcedIncludes: [], defines: { EVENT_TRACING: "1" }, undefines: [] },
    },
  ]);
});

test("a database that is not a JSON array is refused, naming the file", () => {
  assert.throws(() => parseCompileCommands("{", database), (error: unknown) => error instanceof CompileCommandsError && error.message.startsWith(`${database}: invalid JSON`));
  assert.throws(() => parseCompileCommands("{}", database), /expected an array of compile commands/);
});
