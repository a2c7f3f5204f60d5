// The build settings of a checked tree, read once for the CLI and the language server alike: each
// source's include folders and definitions (its compile_commands.json entry, else the .vcxproj that
// compiles it, else the nearest .vcxproj above it; vmbguard.json "build" on top), and the headers its
// `#include`s reach on disk, read through the same bounded reader as the sources.
import { readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import type { BuildConfig, Config } from "../../config/config";
import type { FileBuildSettings, LoweringInputs } from "../../frontends";
import { includeDirectives, pathKey, reachHeaders, type IncludeDirective, type IncludeGraph } from "../../frontends/includes";
import { readSourceFile } from "../../cli/readSource";
import { compilePattern, matchesAnyOrParent } from "../../cli/glob";
import type { CompilerSettings } from "./commandLine";
import { CompileCommandsError, parseCompileCommands, type CompileCommand } from "./compileCommands";
import { parseVcxproj, type ProjectSettings } from "./vcxproj";

export const compileCommandsFileName = "compile_commands.json";
const projectExtension = ".vcxproj";
const cFamilyExtensions = new Set([".c", ".h", ".cpp", ".cc", ".cxx", ".c++", ".hpp", ".hh", ".hxx", ".h++", ".inl", ".ipp"]);

export interface BuildSettingsOptions {
  config: Config;
  /** The configuration file's folder (else the working folder): `build` paths are relative to it. */
  base: string;
  /** Folders checked: a compile_commands.json in one of them (or in `base`) is read. */
  roots: readonly string[];
  /** .vcxproj files the walk of the checked folders found (discoverFiles). */
  projectFiles: readonly string[];
  maxFileBytes: number;
}

/** A build file that could not be read: reported as a warning on that file. */
export interface BuildProblem {
  file: string;
  message: string;
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

const noSettings: CompilerSettings = { includeDirectories: [], forcedIncludes: [], defines: {}, undefines: [] };

/** The build's settings with the configuration's overrides on top. */
function withOverrides(build: CompilerSettings, overrides: BuildConfig | undefined, base: string): FileBuildSettings {
  const includeDirectories = [...(overrides?.includeDirectories ?? []).map((folder) => path.resolve(base, folder)), ...build.includeDirectories];
  const defines = { ...build.defines, ...overrides?.defines };
  const undefines = new Set([...build.undefines.filter((name) => overrides?.defines[name] === undefined), ...(overrides?.undefines ?? [])]);
  for (const name of undefines) delete defines[name];
  return { includeDirectories: [...new Set(includeDirectories)], forcedIncludes: build.forcedIncludes, definitions: { defines, undefines: [...undefines] } };
}

export class ProjectBuild {
  readonly problems: BuildProblem[] = [];
  private readonly commands = new Map<string, CompileCommand>();
  /** Compile commands by the key of their file's folder, for files the database does not list. */
  private readonly commandsByFolder = new Map<string, CompileCommand>();
  private readonly projects: ProjectSettings[] = [];
  /** Which project compiles a file (`<ClCompile Include>`), by key. */
  private readonly claims = new Map<string, ProjectSettings>();
  /** Projects by the key of their folder; filled as folders are looked at when projects are found by walking up. */
  private readonly projectsByFolder = new Map<string, ProjectSettings[]>();
  private readonly walkUp: boolean;
  private readonly settingsCache = new Map<string, FileBuildSettings>();
  /** One FileBuildSettings per project or compile command, so that the files sharing it share one in the lowering context. */
  private readonly withOverrides = new Map<CompilerSettings, FileBuildSettings>();
  /** Case-insensitive lookups: a folder's entries by lower-case name. */
  private readonly listings = new Map<string, Map<string, string> | undefined>();
  private readonly located = new Map<string, string | undefined>();
  /** The real path of each header key located. */
  private readonly realPaths = new Map<string, string>();
  /** Headers read from disk (not among the checked sources), by real path. */
  private readonly diskTexts = new Map<string, string>();
  /** The include directives of each text seen, by key: most texts are the same from one check to the next. */
  private readonly directives = new Map<string, { text: string; directives: IncludeDirective[] }>();
  /** What each directive resolved to, per include folders (the language server checks again and again). */
  private readonly resolutions = new Map<FileBuildSettings, Map<string, string | undefined>>();

  constructor(private readonly options: BuildSettingsOptions) {
    const build = options.config.build;
    this.readCompileCommands(build);
    this.walkUp = build?.vcxproj === undefined;
    for (const file of this.projectFilesToRead(build)) this.readProject(file);
  }

  private readCompileCommands(build: BuildConfig | undefined): void {
    if (build?.compileCommands === false) return;
    const named = build?.compileCommands === undefined ? undefined : path.resolve(this.options.base, build.compileCommands);
    const candidates = named !== undefined ? [named] : [...new Set([this.options.base, ...this.options.roots])].map((folder) => path.join(folder, compileCommandsFileName));
    const database = candidates.find(isFile);
    if (database === undefined) {
      if (named !== undefined) this.problems.push({ file: named, message: "build.compileCommands: no such file" });
      return;
    }
    try {
      for (const command of parseCompileCommands(readFileSync(database, "utf8"), database)) {
        const key = pathKey(command.file);
        if (!this.commands.has(key)) this.commands.set(key, command);
        const folder = path.dirname(key);
        if (!this.commandsByFolder.has(folder)) this.commandsByFolder.set(folder, command);
      }
    } catch (error) {
      this.problems.push({ file: database, message: error instanceof CompileCommandsError ? error.message : `cannot read: ${(error as Error).message}` });
    }
  }

  private projectFilesToRead(build: BuildConfig | undefined): string[] {
    if (build?.vcxproj === false) return [];
    if (build?.vcxproj === undefined) return [...this.options.projectFiles];
    const files: string[] = [];
    const globs: string[] = [];
    for (const entry of build.vcxproj) {
      if (/[*?[]/.test(entry)) globs.push(entry);
      else if (isFile(path.resolve(this.options.base, entry))) files.push(path.resolve(this.options.base, entry));
      else this.problems.push({ file: path.resolve(this.options.base, entry), message: "build.vcxproj: no such file" });
    }
    const patterns = globs.map(compilePattern).filter((pattern) => pattern !== undefined);
    if (patterns.length > 0) {
      for (const file of this.options.projectFiles) {
        const relative = path.relative(this.options.base, file).split(path.sep).join("/");
        if (!relative.startsWith("..") && matchesAnyOrParent(patterns, relative)) files.push(file);
      }
    }
    return [...new Set(files)].sort();
  }

  private readProject(file: string): ProjectSettings | undefined {
    let project: ProjectSettings;
    try {
      project = parseVcxproj(readFileSync(file, "utf8"), file, this.options.config.build?.configuration);
    } catch (error) {
      this.problems.push({ file, message: `cannot read: ${(error as Error).message}` });
      return undefined;
    }
    this.projects.push(project);
    for (const compiled of project.compiled) {
      const key = pathKey(compiled);
      if (!this.claims.has(key)) this.claims.set(key, project);
    }
    const folder = pathKey(path.dirname(file));
    this.projectsByFolder.set(folder, [...(this.projectsByFolder.get(folder) ?? []), project]);
    return project;
  }

  /** The projects in `folder` (absolute): those read, and when walking up, the ones found there now. */
  private projectsIn(folder: string): ProjectSettings[] {
    const key = pathKey(folder);
    if (!this.walkUp || this.projectsByFolder.has(key)) return this.projectsByFolder.get(key) ?? [];
    this.projectsByFolder.set(key, []);
    let names: string[];
    try {
      names = readdirSync(folder).filter((name) => name.toLowerCase().endsWith(projectExtension)).sort();
    } catch {
      names = [];
    }
    for (const name of names) this.readProject(path.join(folder, name));
    return this.projectsByFolder.get(key) ?? [];
  }

  private buildSettingsOf(file: string): CompilerSettings {
    const key = pathKey(file);
    const command = this.commands.get(key);
    if (command !== undefined) return command.settings;
    const claimed = this.claims.get(key);
    if (claimed !== undefined) return claimed.settings;
    for (let folder = path.dirname(file); ; folder = path.dirname(folder)) {
      const nearest = this.projectsIn(folder)[0] ?? this.commandsByFolder.get(pathKey(folder));
      if (nearest !== undefined) return nearest.settings;
      if (path.dirname(folder) === folder) return noSettings;
    }
  }

  /** How the build compiles `file` (absolute), with the configuration's overrides. */
  settingsFor(file: string): FileBuildSettings {
    const key = pathKey(file);
    let settings = this.settingsCache.get(key);
    if (settings === undefined) {
      const build = this.buildSettingsOf(path.resolve(file));
      settings = this.withOverrides.get(build) ?? withOverrides(build, this.options.config.build, this.options.base);
      this.withOverrides.set(build, settings);
      this.settingsCache.set(key, settings);
    }
    return settings;
  }

  /** The real path of `candidate`, whatever the case of its name's letters (the builds read are Windows'). */
  private locate(candidate: string): string | undefined {
    const normalized = path.resolve(candidate);
    if (this.located.has(normalized)) return this.located.get(normalized);
    let found: string | undefined;
    if (isFile(normalized)) {
      found = normalized;
    } else {
      const folder = this.realFolder(path.dirname(normalized));
      const name = folder === undefined ? undefined : this.listing(folder)?.get(path.basename(normalized).toLowerCase());
      found = name !== undefined && isFile(path.join(folder!, name)) ? path.join(folder!, name) : undefined;
    }
    this.located.set(normalized, found);
    if (found !== undefined) this.realPaths.set(pathKey(found), found);
    return found;
  }

  private realFolder(folder: string): string | undefined {
    const parent = path.dirname(folder);
    if (parent === folder) return folder;
    const realParent = this.realFolder(parent);
    if (realParent === undefined) return undefined;
    const name = this.listing(realParent)?.get(path.basename(folder).toLowerCase());
    return name === undefined ? undefined : path.join(realParent, name);
  }

  private listing(folder: string): Map<string, string> | undefined {
    if (this.listings.has(folder)) return this.listings.get(folder);
    let entries: Map<string, string> | undefined;
    try {
      entries = new Map(readdirSync(folder).map((name) => [name.toLowerCase(), name]));
    } catch {
      entries = undefined;
    }
    this.listings.set(folder, entries);
    return entries;
  }

  /** A header read from disk changed or vanished (the language server's watched files). */
  forget(file: string): void {
    this.diskTexts.delete(path.resolve(file));
    this.located.clear();
    this.listings.clear();
    this.resolutions.clear();
  }

  /**
   * What lowering `sources` needs from the build: each one's settings, and the headers their
   * `#include`s reach on disk that are not among them. `baseFolder` is what relative source paths are relative to.
   */
  loweringInputs(sources: readonly { path: string; text: string }[], baseFolder: string): LoweringInputs {
    const settings: FileBuildSettings[] = [];
    const settingsIndex = new Map<FileBuildSettings, number>();
    const bySource: Record<string, number> = {};
    const assign = (given: string, absolute: string): void => {
      const fileSettings = this.settingsFor(absolute);
      let index = settingsIndex.get(fileSettings);
      if (index === undefined) {
        index = settings.push(fileSettings) - 1;
        settingsIndex.set(fileSettings, index);
      }
      bySource[given] = index;
    };
    const checked = new Map<string, string>();
    for (const source of sources) checked.set(pathKey(path.resolve(baseFolder, source.path)), source.text);
    const extraHeaders = new Map<string, { path: string; text: string }>();
    const graph: IncludeGraph = {
      locate: (candidate) => {
        const real = this.locate(candidate);
        return real === undefined ? undefined : pathKey(real);
      },
      includesOf: (key) => this.directivesOf(key, checked.get(key) ?? this.readHeader(this.realPaths.get(key)!, extraHeaders)),
    };
    for (const source of sources) {
      const absolute = path.resolve(baseFolder, source.path);
      if (!cFamilyExtensions.has(path.extname(absolute).toLowerCase())) continue;
      assign(source.path, absolute);
      const fileSettings = settings[bySource[source.path]];
      let resolutions = this.resolutions.get(fileSettings);
      if (resolutions === undefined) this.resolutions.set(fileSettings, (resolutions = new Map()));
      const { reached } = reachHeaders(absolute, this.directivesOf(pathKey(absolute), source.text), fileSettings.forcedIncludes, fileSettings.includeDirectories, graph, resolutions);
      // Past maxReachedHeaders the walk stops expanding; what it reached is still read, as lowering will look for it.
      for (const key of reached) if (!checked.has(key)) graph.includesOf(key);
    }
    for (const header of extraHeaders.values()) assign(header.path, header.path);
    return { baseFolder, extraHeaders: [...extraHeaders.values()], build: { settings, bySource } };
  }

  private directivesOf(key: string, text: string): IncludeDirective[] {
    const known = this.directives.get(key);
    if (known !== undefined && known.text === text) return known.directives;
    const directives = includeDirectives(text);
    this.directives.set(key, { text, directives });
    return directives;
  }

  private readHeader(real: string, extraHeaders: Map<string, { path: string; text: string }>): string {
    let text = this.diskTexts.get(real);
    if (text === undefined) {
      const outcome = readSourceFile(real, this.options.maxFileBytes);
      text = outcome.kind === "text" ? outcome.text : "";
      this.diskTexts.set(real, text);
    }
    extraHeaders.set(real, { path: real, text });
    return text;
  }
}
