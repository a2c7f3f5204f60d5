// Reads an MSBuild C/C++ project (.vcxproj): the `<ClCompile>` settings of its
// `<ItemDefinitionGroup>`s for one configuration (include folders, definitions, forced includes),
// and the files it compiles. Enough XML for the shape Visual Studio writes; no MSBuild evaluation
// beyond `$(Property)` macros it can know and `'$(Configuration)|$(Platform)'=='...'` conditions.
import * as path from "node:path";
import type { CompilerSettings } from "./commandLine";
import { parseDefinition } from "./commandLine";

export interface ProjectSettings {
  /** The project file, absolute. */
  file: string;
  /** The configuration read, `Debug|x64`. */
  configuration: string;
  /** Absolute paths of the files its `<ClCompile Include>` items name. */
  compiled: string[];
  settings: CompilerSettings;
}

/** Used when the project lists it, else the project's first configuration. */
export const defaultConfiguration = "Debug|x64";

function decodeXml(text: string): string {
  return text
    .replace(/&#x([0-9a-fA-F]+);/g, (_, hex: string) => String.fromCodePoint(Number.parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_, decimal: string) => String.fromCodePoint(Number.parseInt(decimal, 10)))
    .replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, "&");
}

function attribute(tag: string, name: string): string | undefined {
  const match = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`, "i").exec(tag);
  return match === null ? undefined : decodeXml(match[1] ?? match[2]);
}

/** The elements named `name` (not self-closing): their opening tag and inner text. */
function elements(xml: string, name: string): { tag: string; inner: string }[] {
  const pattern = new RegExp(`<${name}(\\s[^>]*)?>([\\s\\S]*?)</${name}\\s*>`, "g");
  return [...xml.matchAll(pattern)].filter((match) => !(match[1] ?? "").trimEnd().endsWith("/")).map((match) => ({ tag: match[1] ?? "", inner: match[2] }));
}

/** The text of the direct `<name>` children of `xml` (simple elements, no attributes needed). */
function childTexts(xml: string, name: string): string[] {
  return [...xml.matchAll(new RegExp(`<${name}(?:\\s[^>]*)?>([^<]*)</${name}\\s*>`, "g"))].map((match) => decodeXml(match[1]).trim());
}

/** `$(Name)` expanded from `properties` (case-insensitive, as MSBuild); undefined when one is unknown. */
function expand(text: string, properties: ReadonlyMap<string, string>): string | undefined {
  let unknown = false;
  const expanded = text.replace(/\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (whole, name: string) => {
    const value = properties.get(name.toLowerCase());
    if (value === undefined) unknown = true;
    return value ?? whole;
  });
  return unknown ? undefined : expanded;
}

/** Whether a `Condition` holds: `'A'=='B'` / `'A'!='B'` with known properties; an unreadable condition does not. */
function conditionHolds(condition: string | undefined, properties: ReadonlyMap<string, string>): boolean {
  if (condition === undefined || condition.trim() === "") return true;
  const match = /^\s*'([^']*)'\s*(==|!=)\s*'([^']*)'\s*$/.exec(condition);
  if (match === null) return false;
  const left = expand(match[1], properties);
  const right = expand(match[3], properties);
  if (left === undefined || right === undefined) return false;
  return (left.toLowerCase() === right.toLowerCase()) === (match[2] === "==");
}

function splitList(text: string): string[] {
  return text.split(";").map((item) => item.trim()).filter((item) => item !== "" && !/^%\(.*\)$/.test(item));
}

/** The configurations a project lists (`<ProjectConfiguration Include="Debug|x64">`), in order. */
export function projectConfigurations(xml: string): string[] {
  return [...xml.matchAll(/<ProjectConfiguration\s[^>]*>/g)].map((match) => attribute(match[0], "Include")).filter((name): name is string => name !== undefined);
}

/**
 * The settings of the project at `file` (text `text`) for `configuration` (`Debug|x64`; default:
 * `defaultConfiguration` when the project has it, else its first). Include folders that name a
 * property it cannot know (`$(DDK_INC_PATH)`, the WDK's) are left out; `%(...)` inheritance is dropped.
 */
export function parseVcxproj(text: string, file: string, configuration?: string): ProjectSettings {
  const xml = text.replace(/<!--[\s\S]*?-->/g, "");
  const listed = projectConfigurations(xml);
  const chosen = configuration ?? (listed.some((name) => name.toLowerCase() === defaultConfiguration.toLowerCase()) ? defaultConfiguration : (listed[0] ?? defaultConfiguration));
  const [configurationName, platform = ""] = chosen.split("|");
  const folder = path.dirname(path.resolve(file));
  const projectName = path.basename(file, path.extname(file));
  const properties = new Map<string, string>([
    ["configuration", configurationName],
    ["platform", platform],
    ["projectdir", `${folder}${path.sep}`],
    ["msbuildthisfiledirectory", `${folder}${path.sep}`],
    ["msbuildprojectdirectory", folder],
    ["projectname", projectName],
    ["msbuildprojectname", projectName],
    ["targetname", projectName],
  ]);
  // The project's own properties, in document order, as far as their conditions can be read.
  for (const group of elements(xml, "PropertyGroup")) {
    if (!conditionHolds(attribute(group.tag, "Condition"), properties)) continue;
    for (const match of group.inner.matchAll(/<([A-Za-z_][A-Za-z0-9_.-]*)(?:\s[^>]*)?>([^<]*)<\/\1\s*>/g)) {
      if (!conditionHolds(attribute(match[0].slice(0, match[0].indexOf(">") + 1), "Condition"), properties)) continue;
      const key = match[1].toLowerCase();
      if (properties.has(key) && ["projectdir", "msbuildthisfiledirectory", "msbuildprojectdirectory", "configuration", "platform"].includes(key)) continue;
      const value = expand(decodeXml(match[2]).trim(), properties);
      if (value !== undefined) properties.set(key, value);
    }
  }
  const toPath = (item: string): string | undefined => {
    const expanded = expand(item, properties);
    return expanded === undefined || expanded.includes("*") ? undefined : path.resolve(folder, expanded.replace(/\\/g, "/"));
  };
  const settings: CompilerSettings = { includeDirectories: [], forcedIncludes: [], defines: {}, undefines: [] };
  for (const group of elements(xml, "ItemDefinitionGroup")) {
    if (!conditionHolds(attribute(group.tag, "Condition"), properties)) continue;
    for (const compile of elements(group.inner, "ClCompile")) {
      for (const list of childTexts(compile.inner, "AdditionalIncludeDirectories")) {
        for (const item of splitList(list)) {
          const folderPath = toPath(item);
          if (folderPath !== undefined && !settings.includeDirectories.includes(folderPath)) settings.includeDirectories.push(folderPath);
        }
      }
      for (const list of childTexts(compile.inner, "ForcedIncludeFiles")) {
        for (const item of splitList(list)) {
          const forced = toPath(item);
          if (forced !== undefined && !settings.forcedIncludes.includes(forced)) settings.forcedIncludes.push(forced);
        }
      }
      for (const list of childTexts(compile.inner, "PreprocessorDefinitions")) {
        for (const item of splitList(list)) {
          const definition = parseDefinition(expand(item, properties) ?? item);
          if (definition === undefined) continue;
          settings.defines[definition.name] = definition.value;
          settings.undefines = settings.undefines.filter((name) => name !== definition.name);
        }
      }
      for (const list of childTexts(compile.inner, "UndefinePreprocessorDefinitions")) {
        for (const name of splitList(list)) {
          delete settings.defines[name];
          if (!settings.undefines.includes(name)) settings.undefines.push(name);
        }
      }
    }
  }
  const compiled: string[] = [];
  for (const match of xml.matchAll(/<ClCompile\s[^>]*>/g)) {
    const include = attribute(match[0], "Include");
    for (const item of splitList(include ?? "")) {
      const source = toPath(item);
      if (source !== undefined) compiled.push(source);
    }
  }
  return { file: path.resolve(file), configuration: chosen, compiled, settings };
}
