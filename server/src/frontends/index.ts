// Chooses the frontend for a source file by its extension.
import type { Config } from "../config/config";
import type { IrFile } from "../ir/ir";
import { predicateNames, roleTypedefNames, statusNamePattern } from "../model/packs";
import { loadCFrontend, type CFrontend, type SharedDefinitions } from "./c";
import { loadCppFrontend } from "./cpp";
import { loadTypeScriptFrontend } from "./ts-loader";

/**
 * What lowering one file may know of the others: the `#define`s of the headers being checked,
 * by lower-case file name, so that a `.c` file sees the macros and constants of what it includes.
 * Plain data: it goes to lowering workers as is.
 */
export interface LoweringContext {
  headerDefinitions: Record<string, SharedDefinitions>;
  /** Lower-case names of the headers that C++ sources include and C sources do not: they hold C++. */
  cppHeaders?: string[];
}

const headerExtensions = new Set([".h", ".hpp", ".hh", ".hxx", ".h++", ".inl", ".ipp"]);
const includeDirective = /^[ \t]*#[ \t]*include[ \t]*[<"]([^>"\r\n]+)[>"]/gm;

const cExtensions = new Set([".c", ".h"]);
const cppExtensions = new Set([".cpp", ".cc", ".cxx", ".c++", ".hpp", ".hh", ".hxx", ".h++", ".inl", ".ipp"]);
/**
 * What only C++ has, at the start of a line or after a keyword: a `.h` holding any of it is C++
 * (`class X {`, `namespace`, `template <`, access specifiers, `Class::Method(` definitions, `nullptr`).
 */
const CPP_SYNTAX = /^\s*(?:(?:class|namespace)\s+\w+[^;]*$|template\s*<|(?:public|private|protected)\s*:|using\s+namespace\b|extern\s+"C\+\+")|\bnullptr\b|^\s*(?:[\w:<>*&]+\s+)*\w+::~?\w+\s*\(/m;
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
  return cppExtensions.has(extension) || (extension === ".h" && (CPP_SYNTAX.test(text) || cppHeaders?.has(baseName(file)) === true));
}

/** The headers C++ sources include (by lower-case name) that no C source includes. */
export function cppOnlyHeaders(sources: readonly { path: string; text: string }[]): string[] {
  const fromCpp = new Set<string>();
  const fromC = new Set<string>();
  for (const source of sources) {
    const extension = extensionOf(source.path);
    if (extension === ".c") for (const name of includedHeaderNames(source.text)) fromC.add(name);
    else if (cppExtensions.has(extension)) for (const name of includedHeaderNames(source.text)) fromCpp.add(name);
  }
  return [...fromCpp].filter((name) => !fromC.has(name)).sort();
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

export async function collectHeaderDefinitions(sources: readonly { path: string; text: string }[], config: Config): Promise<LoweringContext> {
  const headerDefinitions: Record<string, SharedDefinitions> = {};
  const cppHeaders = cppOnlyHeaders(sources);
  const cppHeaderSet = new Set(cppHeaders);
  for (const source of sources) {
    if (!headerExtensions.has(extensionOf(source.path))) continue;
    headerDefinitions[baseName(source.path)] = (await treeSitterFrontend(source.path, source.text, cppHeaderSet)).definitionsOf(source.text, { macros: config.macros });
  }
  return { headerDefinitions, cppHeaders };
}

/** The lower-case file names a source `#include`s: the headers whose definitions its lowering reads. */
export function includedHeaderNames(text: string): string[] {
  return [...text.matchAll(includeDirective)].map((match) => baseName(match[1]));
}

/** The lower-case file name that `#include` directives match a header by. */
export function headerKey(file: string): string {
  return baseName(file);
}

function includedBy(text: string, context: LoweringContext | undefined): SharedDefinitions[] {
  if (!context) return [];
  const included: SharedDefinitions[] = [];
  for (const name of includedHeaderNames(text)) {
    const definitions = context.headerDefinitions[name];
    if (definitions) included.push(definitions);
  }
  return included;
}

/** What the frontend needs to know of the model, derived once per configuration rather than per file. */
interface ModelKnowledge {
  modelNames: RegExp;
  roleTypedefs: ReadonlySet<string>;
  predicates: ReadonlySet<string>;
}

const modelKnowledge = new WeakMap<Config, ModelKnowledge>();

function modelKnowledgeOf(config: Config): ModelKnowledge {
  let known = modelKnowledge.get(config);
  if (!known) {
    known = { modelNames: statusNamePattern(config.models), roleTypedefs: roleTypedefNames(config.models, config.roles), predicates: predicateNames(config.models, config.functions) };
    modelKnowledge.set(config, known);
  }
  return known;
}

export async function lowerFile(file: string, text: string, config: Config, context?: LoweringContext): Promise<IrFile> {
  const extension = extensionOf(file);
  if (cExtensions.has(extension) || cppExtensions.has(extension)) {
    return (await treeSitterFrontend(file, text, cppHeadersOf(context))).lower(file, text, { macros: config.macros, includedDefinitions: includedBy(text, context), ...modelKnowledgeOf(config) });
  }
  if (tsExtensions.has(extension)) return loadTypeScriptFrontend().lowerTypeScript(file, text, { predicates: modelKnowledgeOf(config).predicates });
  const start = { line: 0, column: 0 };
  const message = `'${extension || file}' is not a C, C++ or TypeScript source.`;
  return { file, language: "c", functions: [], declarations: [], roles: [], suppressions: [], problems: [{ message, range: { start, end: start } }] };
}
