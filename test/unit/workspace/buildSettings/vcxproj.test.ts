import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { parseVcxproj, projectConfigurations } from "../../../../server/src/workspace/buildSettings/vcxproj";

const projectFile = path.resolve("/tree/net/miniport/sys/miniport.vcxproj");
const folder = path.dirname(projectFile);

const project = `<?xml version="1.0" encoding="utf-8"?>
<Project DefaultTargets="Build" ToolsVersion="12.0" xmlns="http://schemas.microsoft.com/developer/msbuild/2003">
  <ItemGroup Label="ProjectConfigurations">
    <ProjectConfiguration Include="Release|ARM64"><Configuration>Release</Configuration><Platform>ARM64</Platform></ProjectConfiguration>
    <ProjectConfiguration Include="Debug|x64"><Configuration>Debug</Configuration><Platform>x64</Platform></ProjectConfiguration>
    <ProjectConfiguration Include="Release|x64"><Configuration>Release</Configuration><Platform>x64</Platform></ProjectConfiguration>
  </ItemGroup>
  <PropertyGroup Label="Globals">
    <SharedRoot>$(MSBuildThisFileDirectory)..\\..\\shared</SharedRoot>
  </PropertyGroup>
  <PropertyGroup Condition="'$(Configuration)'=='Release'">
    <TraceFolder>trace\\release</TraceFolder>
  </PropertyGroup>
  <!-- <ItemDefinitionGroup><ClCompile><PreprocessorDefinitions>COMMENTED_OUT</PreprocessorDefinitions></ClCompile></ItemDefinitionGroup> -->
  <ItemDefinitionGroup>
    <ClCompile>
      <PreprocessorDefinitions>%(PreprocessorDefinitions);NDIS_MINIPORT_DRIVER=1</PreprocessorDefinitions>
    </ClCompile>
  </ItemDefinitionGroup>
  <ItemDefinitionGroup Condition="'$(Configuration)|$(Platform)'=='Debug|x64'">
    <ClCompile>
      <AdditionalIncludeDirectories>%(AdditionalIncludeDirectories);$(DDK_INC_PATH);..\\inc;$(ProjectDir)private;$(SharedRoot)</AdditionalIncludeDirectories>
      <PreprocessorDefinitions>%(PreprocessorDefinitions);DBG_TRACE;NDIS630=1;LIMIT=$(UnknownLimit)</PreprocessorDefinitions>
      <UndefinePreprocessorDefinitions>_ARM64_</UndefinePreprocessorDefinitions>
      <ForcedIncludeFiles>precomp.h</ForcedIncludeFiles>
    </ClCompile>
    <Midl>
      <AdditionalIncludeDirectories>midl-only</AdditionalIncludeDirectories>
    </Midl>
  </ItemDefinitionGroup>
  <ItemDefinitionGroup Condition="'$(Configuration)|$(Platform)'=='Release|x64'">
    <ClCompile>
      <AdditionalIncludeDirectories>%(AdditionalIncludeDirectories);..\\inc;$(TraceFolder)</AdditionalIncludeDirectories>
      <PreprocessorDefinitions>%(PreprocessorDefinitions);NDIS630=1;RELEASE_ONLY &amp;amp;</PreprocessorDefinitions>
    </ClCompile>
  </ItemDefinitionGroup>
  <ItemGroup>
    <ClCompile Include="miniport.c" />
    <ClCompile Include="..\\common\\ring.c;$(SharedRoot)\\util.c">
      <PreprocessorDefinitions>PER_FILE</PreprocessorDefinitions>
    </ClCompile>
    <ClCompile Include="gen\\*.c" />
  </ItemGroup>
</Project>
`;

test("the configurations a project lists, in order", () => {
  assert.deepEqual(projectConfigurations(project), ["Release|ARM64", "Debug|x64", "Release|x64"]);
});

test("Debug|x64 by default: its ClCompile settings and the unconditional ones, macros expanded, unknown folders and %(...) dropped", () => {
  const settings = parseVcxproj(project, projectFile);
  assert.equal(settings.configuration, "Debug|x64");
  assert.deepEqual(settings.settings.includeDirectories, [path.resolve(folder, "../inc"), path.join(folder, "private"), path.resolve(folder, "../../shared")]);
  assert.deepEqual(settings.settings.defines, { NDIS_MINIPORT_DRIVER: "1", DBG_TRACE: "1", NDIS630: "1", LIMIT: "$(UnknownLimit)" });
  assert.deepEqual(settings.settings.undefines, ["_ARM64_"]);
  assert.deepEqual(settings.settings.forcedIncludes, [path.join(folder, "precomp.h")]);
  assert.deepEqual(settings.compiled, [path.join(folder, "miniport.c"), path.resolve(folder, "../common/ring.c"), path.resolve(folder, "../../shared/util.c")]);
});

test("another configuration when asked; the project's first when it has no Debug|x64", () => {
  const release = parseVcxproj(project, projectFile, "Release|x64");
  assert.deepEqual(release.settings.includeDirectories, [path.resolve(folder, "../inc"), path.join(folder, "trace/release")]);
  assert.deepEqual(release.settings.defines, { NDIS_MINIPORT_DRIVER: "1", NDIS630: "1" });
  const armOnly = project.replace(/<ProjectConfiguration Include="(Debug|Release)\|x64">.*?<\/ProjectConfiguration>/g, "");
  const arm = parseVcxproj(armOnly, projectFile);
  assert.equal(arm.configuration, "Release|ARM64");
  assert.deepEqual(arm.settings.defines, { NDIS_MINIPORT_DRIVER: "1" });
  assert.deepEqual(arm.settings.includeDirectories, []);
});
