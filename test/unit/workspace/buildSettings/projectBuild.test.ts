import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { defaultConfig, type BuildConfig } from "../../../../server/src/config/config";
import { pathKey } from "../../../../server/src/frontends/includes";
import { ProjectBuild } from "../../../../server/src/workspace/buildSettings/projectBuild";

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), "vmbguard-build-"));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), text);
  }
  return root;
}

function vcxproj(includeDirectories: string, definitions: string, compiled: string[] = []): string {
  return `<Project>
  <ItemGroup><ProjectConfiguration Include="Debug|x64" /><ProjectConfiguration Include="Release|x64" /></ItemGroup>
  <ItemDefinitionGroup Condition="'$(Configuration)|$(Platform)'=='Debug|x64'">
    <ClCompile>
      <AdditionalIncludeDirectories>%(AdditionalIncludeDirectories);${includeDirectories}</AdditionalIncludeDirectories>
      <PreprocessorDefinitions>%(PreprocessorDefinitions);${definitions}</PreprocessorDefinitions>
    </ClCompile>
  </ItemDefinitionGroup>
  <ItemGroup>${compiled.map((file) => `<ClCompile Include="${file}" />`).join("")}</ItemGroup>
</Project>`;
}

function load(root: string, build?: BuildConfig, projectFiles: string[] = []): ProjectBuild {
  const config = defaultConfig();
  if (build !== undefined) config.build = build;
  return new ProjectBuild({ config, base: root, roots: [root], projectFiles, maxFileBytes: 1 << 20 });
}

test("each file's settings: its compile_commands.json entry, else the project that compiles it, else the nearest project above it", () => {
  const root = tree({
    "compile_commands.json": JSON.stringify([{ directory: ".", arguments: ["clang", "-Icc-inc", "-DFROM_DATABASE", "-c", "listed/a.c"], file: "listed/a.c" }]),
    "listed/a.c": "",
    "listed/other.c": "",
    "bus/wdk/bus.vcxproj": vcxproj("..\\inc", "FROM_CLAIM", ["..\\fdo.c"]),
    "bus/fdo.c": "",
    "bus/sys/deep/pdo.c": "",
    "bus/sys/sys.vcxproj": vcxproj("..\\..\\sys-inc", "FROM_NEAREST"),
  });
  try {
    const build = load(root, undefined, [path.join(root, "bus/wdk/bus.vcxproj")]);
    assert.deepEqual(build.settingsFor(path.join(root, "listed/a.c")).definitions.defines, { FROM_DATABASE: "1" });
    assert.deepEqual(build.settingsFor(path.join(root, "listed/a.c")).includeDirectories, [path.join(root, "cc-inc")]);
    assert.deepEqual(build.settingsFor(path.join(root, "listed/other.c")).definitions.defines, { FROM_DATABASE: "1" }, "a file the database does not list: its folder's entry");
    assert.deepEqual(build.settingsFor(path.join(root, "bus/fdo.c")).definitions.defines, { FROM_CLAIM: "1" });
    assert.deepEqual(build.settingsFor(path.join(root, "bus/fdo.c")).includeDirectories, [path.join(root, "bus/inc")]);
    assert.deepEqual(build.settingsFor(path.join(root, "bus/sys/deep/pdo.c")).definitions.defines, { FROM_NEAREST: "1" });
    assert.deepEqual(build.settingsFor(path.join(root, "elsewhere.c")), { includeDirectories: [], forcedIncludes: [], definitions: { defines: {}, undefines: [] } });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("vmbguard.json build: include folders searched first, defines replace, undefines remove, configuration chosen, sources turned off", () => {
  const root = tree({
    "drv/drv.vcxproj": vcxproj("..\\inc", "LEVEL=1;TRACE"),
    "drv/a.c": "",
    "compile_commands.json": JSON.stringify([{ directory: ".", arguments: ["cc", "-DCC"], file: "drv/a.c" }]),
  });
  try {
    const overridden = load(root, { compileCommands: false, includeDirectories: ["extra"], defines: { LEVEL: "4", NEW: "" }, undefines: ["TRACE"] });
    assert.deepEqual(overridden.settingsFor(path.join(root, "drv/a.c")), {
      includeDirectories: [path.join(root, "extra"), path.join(root, "inc")],
      forcedIncludes: [],
      definitions: { defines: { LEVEL: "4", NEW: "" }, undefines: ["TRACE"] },
    });
    assert.deepEqual(load(root, { compileCommands: false, configuration: "Release|x64", includeDirectories: [], defines: {}, undefines: [] }).settingsFor(path.join(root, "drv/a.c")).definitions.defines, {});
    assert.deepEqual(load(root, { compileCommands: false, vcxproj: false, includeDirectories: [], defines: {}, undefines: [] }).settingsFor(path.join(root, "drv/a.c")).definitions.defines, {});
    assert.deepEqual(load(root).settingsFor(path.join(root, "drv/a.c")).definitions.defines, { CC: "1" });
    const missing = load(root, { compileCommands: "out/compile_commands.json", vcxproj: ["nope.vcxproj"], includeDirectories: [], defines: {}, undefines: [] });
    assert.deepEqual(missing.problems.map((problem) => [path.relative(root, problem.file), problem.message]), [
      [path.join("out", "compile_commands.json"), "build.compileCommands: no such file"],
      ["nope.vcxproj", "build.vcxproj: no such file"],
    ]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("the headers a source reaches through its include folders are read from disk, whatever the case of their names", () => {
  const root = tree({
    "drv/drv.vcxproj": vcxproj("$(ProjectDir)..\\Shared", ""),
    "drv/send.c": '#include "NvlLog.h"\n#include <wdm.h>\n',
    "shared/nvllog.h": '#include "nvlcommon.h"\n#define NVL_LOG(x) ((void)(x))\n',
    "shared/nvlcommon.h": "#define NVL_COMMON 1\n",
    "unrelated/unused.h": "#define UNUSED 1\n",
  });
  try {
    const build = load(root);
    const sources = [{ path: "drv/send.c", text: '#include "NvlLog.h"\n#include <wdm.h>\n' }];
    const inputs = build.loweringInputs(sources, root);
    assert.deepEqual(inputs.extraHeaders.map((header) => pathKey(header.path)).sort(), [pathKey(path.join(root, "shared/nvlcommon.h")), pathKey(path.join(root, "shared/nvllog.h"))]);
    assert.equal(inputs.build.settings[inputs.build.bySource["drv/send.c"]].includeDirectories[0], path.join(root, "Shared"), "as the project spells it");
    assert.ok(inputs.extraHeaders.every((header) => inputs.build.bySource[header.path] !== undefined), "headers read get settings too");
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("a build read once answers later checks the same, and sees a header on disk change once told", () => {
  const root = tree({
    "drv/drv.vcxproj": vcxproj("..\\inc;..\\fallback", ""),
    "fallback/nvltrace.h": "#define NVL_TRACE_FALLBACK 1\n",
  });
  try {
    const build = load(root);
    const sources = [{ path: path.join(root, "drv/send.c"), text: '#include "nvltrace.h"\n' }];
    const headersOf = () => build.loweringInputs(sources, root).extraHeaders.map((header) => [path.relative(root, header.path), header.text]);
    assert.deepEqual(headersOf(), [[path.join("fallback", "nvltrace.h"), "#define NVL_TRACE_FALLBACK 1\n"]]);
    assert.deepEqual(headersOf(), [[path.join("fallback", "nvltrace.h"), "#define NVL_TRACE_FALLBACK 1\n"]]);
    // A header appears earlier on the include path: found once the change is reported.
    mkdirSync(path.join(root, "inc"));
    writeFileSync(path.join(root, "inc/nvltrace.h"), "#define NVL_TRACE 1\n");
    build.forget(path.join(root, "inc/nvltrace.h"));
    assert.deepEqual(headersOf(), [[path.join("inc", "nvltrace.h"), "#define NVL_TRACE 1\n"]]);
    writeFileSync(path.join(root, "inc/nvltrace.h"), "#define NVL_TRACE 2\n");
    build.forget(path.join(root, "inc/nvltrace.h"));
    assert.deepEqual(headersOf(), [[path.join("inc", "nvltrace.h"), "#define NVL_TRACE 2\n"]]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
