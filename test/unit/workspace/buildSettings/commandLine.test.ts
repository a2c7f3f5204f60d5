import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { compilerSettingsOf, parseDefinition, splitCommand } from "../../../../server/src/workspace/buildSettings/commandLine";

const directory = path.resolve("/build/drv");

test("a command string splits as a shell would, keeping Windows paths whole", () => {
  assert.deepEqual(splitCommand('clang -I"C:\\Program Files\\inc" -DNAME=\\"x y\\" \'-DQ=a b\'  -c  C:\\src\\drv.c'), [
    "clang",
    "-IC:\\Program Files\\inc",
    '-DNAME="x',
    'y"',
    "-DQ=a b",
    "-c",
    "C:\\src\\drv.c",
  ]);
  assert.deepEqual(splitCommand('gcc -DMSG="\\"hi there\\"" a.c'), ["gcc", '-DMSG="hi there"', "a.c"]);
});

test("GCC/Clang options: -I, -isystem, -D, -U, -include, attached or separate; later -D/-U of a name win", () => {
  const settings = compilerSettingsOf(["clang", "-I", "inc", "-I../shared", "-isystem", "/usr/include/x", "-DDBG", "-D", "LEVEL=3", "-DEMPTY=", "-DF(x)=x", "-UDBG", "-UGONE", "-DGONE=2", "-include", "forced.h", "-c", "a.c"], directory);
  assert.deepEqual(settings.includeDirectories, [path.join(directory, "inc"), path.resolve(directory, "../shared"), path.resolve("/usr/include/x")]);
  assert.deepEqual(settings.defines, { LEVEL: "3", EMPTY: "", F: "x", GONE: "2" });
  assert.deepEqual(settings.undefines, ["DBG"]);
  assert.deepEqual(settings.forcedIncludes, [path.join(directory, "forced.h")]);
});

test("MSVC options /I /D /U /FI are read for cl and clang-cl only, where /Users... is not a path", () => {
  const cl = compilerSettingsOf(["C:\\VS\\bin\\cl.exe", "/I..\\inc", "/I", "shared", "/DPOOL_NX_OPTIN=1", "/DVALUE#2", "/UNDEBUG", "/FIprecomp.h", "drv.c"], directory);
  assert.deepEqual(cl.includeDirectories, [path.resolve(directory, "..\\inc"), path.join(directory, "shared")]);
  assert.deepEqual(cl.defines, { POOL_NX_OPTIN: "1", VALUE: "2" });
  assert.deepEqual(cl.undefines, ["NDEBUG"]);
  assert.deepEqual(cl.forcedIncludes, [path.join(directory, "precomp.h")]);
  const gcc = compilerSettingsOf(["gcc", "/Users/me/src/a.c", "/Iinc"], directory);
  assert.deepEqual(gcc, { includeDirectories: [], forcedIncludes: [], defines: {}, undefines: [] });
});

test("definitions: bare names are 1, values after = (or MSVC's #), malformed ones ignored", () => {
  assert.deepEqual(parseDefinition("DBG"), { name: "DBG", value: "1" });
  assert.deepEqual(parseDefinition("NTDDI_VERSION=0x0A000000"), { name: "NTDDI_VERSION", value: "0x0A000000" });
  assert.deepEqual(parseDefinition("X#7"), { name: "X", value: "7" });
  assert.equal(parseDefinition("1BAD"), undefined);
  assert.equal(parseDefinition(""), undefined);
});
