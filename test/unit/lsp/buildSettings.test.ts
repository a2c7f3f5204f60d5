// The editor and `vmbguard check` read the project's build settings the same way
// (workspace/buildSettings): the same include folders, definitions and configuration give the
// same findings, including through a header outside the checked folder.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parseCommandLine } from "../../../server/src/cli/args";
import { runCheck } from "../../../server/src/cli/runCheck";
import { Project } from "../../../server/src/lsp/project";
import { resolveConfig } from "../../../server/src/lsp/settings";

const project = `<Project>
  <ItemGroup><ProjectConfiguration Include="Debug|x64" /><ProjectConfiguration Include="Release|x64" /></ItemGroup>
  <ItemDefinitionGroup Condition="'$(Configuration)|$(Platform)'=='Debug|x64'">
    <ClCompile>
      <AdditionalIncludeDirectories>%(AdditionalIncludeDirectories);..\\inc</AdditionalIncludeDirectories>
      <PreprocessorDefinitions>%(PreprocessorDefinitions);NVL_FREE_ON_SEND</PreprocessorDefinitions>
    </ClCompile>
  </ItemDefinitionGroup>
  <ItemDefinitionGroup Condition="'$(Configuration)|$(Platform)'=='Release|x64'">
    <ClCompile>
      <AdditionalIncludeDirectories>%(AdditionalIncludeDirectories);..\\inc</AdditionalIncludeDirectories>
    </ClCompile>
  </ItemDefinitionGroup>
</Project>
`;

const send = `#include <ntddk.h>
#include "nvltrace.h"

VOID
NvlSendOne(
    VOID
    )
{
    PVOID buffer = ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, 'dneS');
    if (buffer == NULL) {
        return;
    }
    NVL_TRACE_BUFFER(buffer);
#ifdef NVL_FREE_ON_SEND
    ExFreePoolWithTag(buffer, 'dneS');
#endif
}
`;
const leakLine = 17;

/** Findings as `file:line rule`, the file relative to the tree. */
type Found = string[];

async function cliFindings(tree: string, folder: string): Promise<Found> {
  const command = parseCommandLine(["check", folder, "-f", "json", "--jobs", "1", "--exit-zero"], 1);
  assert.equal(command.kind, "check");
  let output = "";
  const code = await runCheck(command.options, { cwd: tree, env: {}, stdout: { write: (text: string) => (output += text) }, stderr: { write: () => undefined } });
  assert.equal(code, 0);
  // The JSON report counts lines from 1.
  const report = JSON.parse(output) as { findings: { file: string; range: { start: { line: number } }; ruleId: string }[] };
  return report.findings.map((finding) => `${finding.file}:${finding.range.start.line} ${finding.ruleId}`).sort();
}

async function editorFindings(tree: string, folder: string): Promise<Found> {
  const root = path.join(tree, folder);
  const editor = new Project(root, resolveConfig(root, {}));
  await editor.index(new AbortController().signal);
  const checked = await editor.check(new AbortController().signal);
  return checked.result.findings.map((finding) => `${path.relative(tree, finding.file).split(path.sep).join("/")}:${finding.range.start.line + 1} ${finding.ruleId}`).sort();
}

test("the editor and the CLI read the same include folders, definitions and configuration", async () => {
  const tree = mkdtempSync(path.join(tmpdir(), "vmbguard-build-lsp-"));
  try {
    mkdirSync(path.join(tree, "drv"));
    mkdirSync(path.join(tree, "inc"));
    writeFileSync(path.join(tree, "drv", "drv.vcxproj"), project);
    writeFileSync(path.join(tree, "drv", "send.c"), send);
    // Tracing keeps nothing: without this header the macro is an unknown call, which takes the buffer over.
    writeFileSync(path.join(tree, "inc", "nvltrace.h"), "#define NVL_TRACE_BUFFER(_Buffer) ((void)(_Buffer))\n");
    const leak = [`drv/send.c:${leakLine} leak`];
    const cases: { build?: object; expected: Found }[] = [
      // Debug|x64 defines NVL_FREE_ON_SEND: the buffer is freed on the only path.
      { expected: [] },
      // Release|x64 does not define it, and a header may: both branches, one leaks.
      { build: { configuration: "Release|x64" }, expected: leak },
      { build: { undefines: ["NVL_FREE_ON_SEND"] }, expected: leak },
      // Without the include folder the trace macro is unknown, a call that keeps the buffer.
      { build: { vcxproj: false }, expected: [] },
      { build: { vcxproj: false, includeDirectories: ["inc"] }, expected: leak },
    ];
    for (const { build, expected } of cases) {
      writeFileSync(path.join(tree, "vmbguard.json"), JSON.stringify({ models: ["kmcl", "wdk-pool"], ...(build === undefined ? {} : { build }) }));
      const cli = await cliFindings(tree, "drv");
      assert.deepEqual(cli, expected, `vmbguard check with build ${JSON.stringify(build)}`);
      assert.deepEqual(await editorFindings(tree, "drv"), cli, `the editor with build ${JSON.stringify(build)}`);
    }
  } finally {
    rmSync(tree, { recursive: true, force: true });
  }
});

test("the editor lowers every file again when the build settings change under it", async () => {
  const tree = mkdtempSync(path.join(tmpdir(), "vmbguard-build-lsp-"));
  try {
    mkdirSync(path.join(tree, "drv"));
    mkdirSync(path.join(tree, "inc"));
    writeFileSync(path.join(tree, "vmbguard.json"), JSON.stringify({ models: ["kmcl", "wdk-pool"] }));
    writeFileSync(path.join(tree, "drv", "drv.vcxproj"), project);
    writeFileSync(path.join(tree, "drv", "send.c"), send);
    writeFileSync(path.join(tree, "inc", "nvltrace.h"), "#define NVL_TRACE_BUFFER(_Buffer) ((void)(_Buffer))\n");
    const root = path.join(tree, "drv");
    const editor = new Project(root, resolveConfig(root, {}));
    const findings = async (): Promise<string[]> => {
      await editor.index(new AbortController().signal);
      const checked = await editor.check(new AbortController().signal);
      return checked.result.findings.map((finding) => `${finding.range.start.line + 1} ${finding.ruleId}`);
    };
    assert.deepEqual(await findings(), []);
    // The Debug configuration stops defining NVL_FREE_ON_SEND; send.c itself is unchanged.
    writeFileSync(path.join(tree, "drv", "drv.vcxproj"), project.replace(";NVL_FREE_ON_SEND", ""));
    assert.deepEqual(await findings(), [`${leakLine} leak`]);
  } finally {
    rmSync(tree, { recursive: true, force: true });
  }
});

test("the editor and the CLI both read the declarations of a header found through an include folder, and report nothing in it", async () => {
  const tree = mkdtempSync(path.join(tmpdir(), "vmbguard-build-lsp-"));
  try {
    mkdirSync(path.join(tree, "drv"));
    mkdirSync(path.join(tree, "inc"));
    writeFileSync(path.join(tree, "drv", "drv.vcxproj"), project);
    // The tracing library's prototype says it only reads the buffer; its inline helper leaks, unreported.
    writeFileSync(
      path.join(tree, "inc", "nvltrace.h"),
      "VOID NvlTraceBuffer(_In_reads_bytes_(64) PVOID Buffer);\n#define NVL_TRACE_BUFFER(_Buffer) NvlTraceBuffer(_Buffer)\n" +
        "VOID NvlTraceLeak(VOID) { PVOID p = ExAllocatePool2(POOL_FLAG_NON_PAGED, 8, 'kaeL'); if (p != NULL) { NvlTraceBuffer(p); } }\n",
    );
    writeFileSync(path.join(tree, "drv", "send.c"), send);
    writeFileSync(path.join(tree, "vmbguard.json"), JSON.stringify({ models: ["kmcl", "wdk-pool"], build: { configuration: "Release|x64" } }));
    const cli = await cliFindings(tree, "drv");
    assert.deepEqual(cli, [`drv/send.c:${leakLine} leak`]);
    assert.deepEqual(await editorFindings(tree, "drv"), cli);
  } finally {
    rmSync(tree, { recursive: true, force: true });
  }
});
