// Chooses the frontend for a source file by its extension.
import * as path from "node:path";
import type { Config } from "../config/config";
import type { IrFile } from "../ir/ir";
import { functionTypeNames, predicateNames, roleTypedefNames, statusNamePattern } from "../model/packs";
import { loadCFrontend, type CFrontend, type KnownDefinitions, type SharedDefinitions } from "./c";
import { loadCppFrontend } from "./cpp";
import { includeDirectives, pathKey, reachHeaders, type IncludeDirective, type IncludeGraph, type ReachedHeaders } from "./includes";
import { loadTypeScriptFrontend } from "./ts-loader";

/** How the project's build compiles one file: where its `#include`s are looked for, what it defines. */
export interface FileBuildSettings {
  /** Absolute folders, searched in order after the including file's own folder. */
  includeDirectories: string[];
  /** Absolute paths of headers included before the file's first line (`-include`, `/FI`). */
  forcedIncludes: string[];
  definitions: KnownDefinitions;
}

/** A header's part in lowering the files that reach it. */
export interface HeaderEntry {
  definitions: SharedDefinitions;
  includes: IncludeDirective[];
}

/**
 * What lowering one file may know of the others: the `#define`s of the headers it reaches, and the
 * build's settings for it. Plain data: it goes to lowering workers as is.
 */
export interface LoweringContext {
  /** The checked headers' definitions by lower-case file name: what an `#include` that names no header found matches. */
  headerDefinitions: Record<string, SharedDefinitions>;
  /** The headers (by `pathKey`) that C++ sources include and C sources do not: they hold C++. */
  cppHeaders?: string[];
  /** Every header read (checked ones and those found through include folders), by `pathKey`. */
  headers?: Record<string, HeaderEntry>;
  /** The folder relative source paths are relative to (the CLI's working folder). */
  baseFolder?: string;
  /** Build settings by source path as given (an index into `settings`, which several files share). */
  build?: { settings: FileBuildSettings[]; bySource: Record<string, number> };
}

/** What the workspace adds to lowering: the headers it read through include folders, and the build's settings. */
export interface LoweringInputs {
  baseFolder: string;
  /** Headers reached through include folders that are not among the checked sources (absolute paths). */
  extraHeaders: readonly { path: string; text: string }[];
  build: NonNullable<LoweringContext["build"]>;
  /** The C++-only headers when the caller already knows them (`cppOnlyHeaders` of the same sources). */
  cppHeaders?: string[];
}

const headerExtensions = new Set([".h", ".hpp", ".hh", ".hxx", ".h++", ".inl", ".ipp"]);

const cExtensions = new Set([".c", ".h"]);
const cppExtensions = new Set([".cpp", ".cc", ".cxx", ".c++", ".hpp", ".hh", ".hxx", ".h++", ".inl", ".ipp"]);
/**
 * What only C++ has, at the start of a line or after a keyword: a `.h` holding any of it is C++
 * (`class X {`, `namespace`, `template <`, access specifiers, `Class::Method(` definitions, `nullptr`,
 * a SAL-annotated parameter with a default value: `_In_ UINT32 Flags = 0);`).
 */
const CPP_SYNTAX = /^\s*(?:(?:class|namespace)\s+\w+[^;]*$|template\s*<|(?:public|private|protected)\s*:|using\s+namespace\b|extern\s+"C\+\+")|\bnullptr\b|\bnoexcept\b|\boperator\s+(?:new|delete)\b|^\s*(?:[\w:<>*&]+\s+)*\w+::~?\w+\s*\(|^\s*_(?:In|Out|Inout)\w*_\s+[^=;()]+=\s*[^;=()]+[,)]/m;
const tsExtensions = new Set([".ts", ".tsx", ".js", ".mjs", ".cjs", ".jsx", ".mts", ".cts"]);

let cFrontend: Promise<CFrontend> | undefined;
let cppFrontend: Promise<CFrontend> | undefined;

function extensionOf(file: string): string {
  const dot = file.lastIndexOf(".");
  return dot === -1 ? "" : file.slice(dot).toLowerCase();
}

/** A header: its `#define`s reach the files that include it (collectHeaderDefinitions). */
export function isHeaderFile(file: string): boolean {
  return headerExtensions.has(extensionOf(file));
}

export function isSupportedSource(file: string): boolean {
  const extension = extensionOf(file);
  return cExtensions.has(extension) || cppExtensions.has(extension) || tsExtensions.has(extension);
}

/**
 * C++ by its extension, or a `.h` whose text holds C++ or that only C++ sources include
 * (`cppHeaders` of the lowering context: a header with default arguments is C++ without a class).
 */
export function isCppSource(file: string, text: string, cppHeaders?: ReadonlySet<string>): boolean {
  const extension = extensionOf(file);
  return cppExtensions.has(extension) || (extension === ".h" && (CPP_SYNTAX.test(text) || cppHeaders?.has(pathKey(file)) === true));
}

/**
 * The headers C++ sources include, directly or through other headers, that no C source reaches, by
 * `pathKey`. An include names the header of that name nearest the includer (the longest shared
 * folder prefix): a tree holds many `common.h`, and a C file including its own says nothing of
 * another project's.
 */
export function cppOnlyHeaders(sources: readonly { path: string; text: string }[]): string[] {
  const headerKeys = sources.filter((source) => headerExtensions.has(extensionOf(source.path))).map((source) => pathKey(source.path));
  const headersByName = new Map<string, string[]>();
  for (const key of headerKeys) {
    const name = baseName(key);
    headersByName.set(name, [...(headersByName.get(name) ?? []), key]);
  }
  const includedBy = (includer: string, text: string): string[] =>
    includeDirectives(text).flatMap((directive) => nearestHeaders(includer, directive.name.replace(/\\/g, "/").toLowerCase(), headersByName));
  const includesOfHeader = new Map<string, string[]>();
  for (const source of sources) {
    if (headerExtensions.has(extensionOf(source.path))) includesOfHeader.set(pathKey(source.path), includedBy(pathKey(source.path), source.text));
  }
  const reachedFrom = (extensions: (extension: string) => boolean): Set<string> => {
    const reached = new Set<string>();
    const pending: string[] = [];
    for (const source of sources) {
      if (extensions(extensionOf(source.path))) pending.push(...includedBy(pathKey(source.path), source.text));
    }
    while (pending.length > 0) {
      const key = pending.pop() as string;
      if (reached.has(key)) continue;
      reached.add(key);
      pending.push(...(includesOfHeader.get(key) ?? []));
    }
    return reached;
  };
  const fromC = reachedFrom((extension) => extension === ".c");
  return [...reachedFrom((extension) => cppExtensions.has(extension))].filter((key) => !fromC.has(key)).sort();
}

/** The headers named `name` (maybe with folders: `rtl/lock.h`) sharing the longest folder prefix with `includer`. */
function nearestHeaders(includer: string, name: string, headersByName: ReadonlyMap<string, string[]>): string[] {
  const all = headersByName.get(baseName(name)) ?? [];
  const besideIncluder = path.posix.join(path.posix.dirname(includer), name);
  if (all.includes(besideIncluder)) return [besideIncluder];
  const folders = name.replace(/^(?:\.\.?\/)+/, "");
  const suffixed = all.filter((key) => key.endsWith(`/${folders}`));
  const candidates = suffixed.length > 0 ? suffixed : all;
  let best: string[] = [];
  let bestShared = -1;
  for (const key of candidates) {
    const shared = sharedFolderLength(includer, key);
    if (shared > bestShared) [best, bestShared] = [[key], shared];
    else if (shared === bestShared) best.push(key);
  }
  return best;
}

function sharedFolderLength(a: string, b: string): number {
  const first = a.split("/");
  const second = b.split("/");
  let shared = 0;
  while (shared < first.length - 1 && shared < second.length - 1 && first[shared] === second[shared]) shared++;
  return shared;
}

const cppHeaderSets = new WeakMap<LoweringContext, ReadonlySet<string>>();

function cppHeadersOf(context: LoweringContext | undefined): ReadonlySet<string> | undefined {
  if (context?.cppHeaders === undefined) return undefined;
  let set = cppHeaderSets.get(context);
  if (set === undefined) {
    set = new Set(context.cppHeaders);
    cppHeaderSets.set(context, set);
  }
  return set;
}

/** The tree-sitter frontend for a C or C++ source, its grammar loaded on first need. */
function treeSitterFrontend(file: string, text: string, cppHeaders?: ReadonlySet<string>): Promise<CFrontend> {
  if (isCppSource(file, text, cppHeaders)) {
    cppFrontend ??= loadCppFrontend();
    return cppFrontend;
  }
  cFrontend ??= loadCFrontend();
  return cFrontend;
}

function baseName(file: string): string {
  return file.slice(Math.max(file.lastIndexOf("/"), file.lastIndexOf("\\")) + 1).toLowerCase();
}

/** Loads the parsers ahead of the first file (a worker does it while it waits for work). */
export async function prepareParsers(): Promise<void> {
  cFrontend ??= loadCFrontend();
  await cFrontend;
}

function buildSettingsOf(context: LoweringContext | undefined, file: string): FileBuildSettings | undefined {
  const index = context?.build?.bySource[file];
  return index === undefined ? undefined : context!.build!.settings[index];
}

export async function collectHeaderDefinitions(sources: readonly { path: string; text: string }[], config: Config, inputs?: LoweringInputs): Promise<LoweringContext> {
  const baseFolder = inputs?.baseFolder ?? process.cwd();
  const cppHeaders = inputs?.cppHeaders ?? cppOnlyHeaders(sources);
  const cppHeaderSet = new Set(cppHeaders);
  const context: LoweringContext = { headerDefinitions: {}, headers: {}, baseFolder, build: inputs?.build, cppHeaders };
  const checked = sources.filter((source) => headerExtensions.has(extensionOf(source.path)));
  for (const header of [...checked, ...(inputs?.extraHeaders ?? [])]) {
    // A header found through an include folder may be checked too (as context): read it once.
    if (Object.hasOwn(context.headers!, pathKey(path.resolve(baseFolder, header.path)))) continue;
    const frontend = await treeSitterFrontend(header.path, header.text, cppHeaderSet);
    const definitions = frontend.definitionsOf(header.text, { macros: config.macros, definitions: buildSettingsOf(context, header.path)?.definitions, functionTypes: modelKnowledgeOf(config).functionTypes });
    context.headers![pathKey(path.resolve(baseFolder, header.path))] = { definitions, includes: includeDirectives(header.text) };
  }
  for (const header of checked) context.headerDefinitions[baseName(header.path)] = context.headers![pathKey(path.resolve(baseFolder, header.path))].definitions;
  return context;
}

/** The headers a source reaches among those of `context`, and the includes that named none of them. */
function reachedIn(file: string, text: string, context: LoweringContext): ReachedHeaders {
  const headers = context.headers ?? {};
  const graph: IncludeGraph = {
    locate: (candidate) => {
      const key = pathKey(candidate);
      return Object.hasOwn(headers, key) ? key : undefined;
    },
    includesOf: (key) => headers[key]?.includes ?? [],
  };
  const settings = buildSettingsOf(context, file);
  return reachHeaders(path.resolve(context.baseFolder ?? process.cwd(), file), includeDirectives(text), settings?.forcedIncludes ?? [], settings?.includeDirectories ?? [], graph);
}

/**
 * The lower-case file names of the headers whose definitions lowering `text` reads: a change to
 * one of them lowers it again.
 */
export function includedHeaderNames(file: string, text: string, context: LoweringContext): string[] {
  const { reached, unresolved } = reachedIn(file, text, context);
  return [...reached.map(baseName), ...unresolved.map((directive) => baseName(directive.name))];
}

/** The lower-case file name that `#include` directives match a header by. */
export function headerKey(file: string): string {
  return baseName(file);
}

function includedBy(file: string, text: string, context: LoweringContext | undefined): SharedDefinitions[] {
  if (!context) return [];
  const { reached, unresolved } = reachedIn(file, text, context);
  const included = new Set(reached.map((key) => context.headers![key].definitions));
  for (const directive of unresolved) {
    const definitions = context.headerDefinitions[baseName(directive.name)];
    if (definitions) included.add(definitions);
  }
  return [...included];
}

/** What the frontend needs to know of the model, derived once per configuration rather than per file. */
interface ModelKnowledge {
  modelNames: RegExp;
  roleTypedefs: ReadonlySet<string>;
  predicates: ReadonlySet<string>;
  functionTypes: ReadonlyMap<string, string>;
}

const modelKnowledge = new WeakMap<Config, ModelKnowledge>();

function modelKnowledgeOf(config: Config): ModelKnowledge {
  let known = modelKnowledge.get(config);
  if (!known) {
    known = { modelNames: statusNamePattern(config.models), roleTypedefs: roleTypedefNames(config.models, config.roles), predicates: predicateNames(config.models, config.functions), functionTypes: functionTypeNames(config.models) };
    modelKnowledge.set(config, known);
  }
  return known;
}

export async function lowerFile(file: string, text: string, config: Config, context?: LoweringContext): Promise<IrFile> {
  const extension = extensionOf(file);
  if (cExtensions.has(extension) || cppExtensions.has(extension)) {
    const definitions = buildSettingsOf(context, file)?.definitions;
    return (await treeSitterFrontend(file, text, cppHeadersOf(context))).lower(file, text, { macros: config.macros, definitions, includedDefinitions: includedBy(file, text, context), ...modelKnowledgeOf(config) });
  }
  if (tsExtensions.has(extension)) return loadTypeScriptFrontend().lowerTypeScript(file, text, { predicates: modelKnowledgeOf(config).predicates });
  const start = { line: 0, column: 0 };
  const message = `'${extension || file}' is not a C, C++ or TypeScript source.`;
  return { file, language: "c", functions: [], declarations: [], roles: [], suppressions: [], problems: [{ message, range: { start, end: start } }] };
}
