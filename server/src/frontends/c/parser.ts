// Loads web-tree-sitter and the C grammar once. The WASM files are looked up beside the running
// bundle first (scripts/bundle.mjs copies them into dist/), then in node_modules (tests run from out/).
import { existsSync } from "node:fs";
import { join } from "node:path";
// `require` form on purpose: bundlers then pick the package's CommonJS build; its ES module build
// reads `import.meta.url`, which is undefined in the CommonJS bundle (scripts/bundle.mjs).
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the reason is above
import webTreeSitter = require("web-tree-sitter");

const { Language, Parser } = webTreeSitter;
/** An edit to apply to a kept syntax tree before re-parsing its file incrementally. */
export const { Edit } = webTreeSitter;
type Language = webTreeSitter.Language;
type Parser = webTreeSitter.Parser;

function locateWasm(fileName: string, packagePath: string): string {
  const beside = join(__dirname, fileName);
  return existsSync(beside) ? beside : require.resolve(packagePath);
}

let runtime: Promise<void> | undefined;
const languages = new Map<string, Promise<Language>>();

/** web-tree-sitter's runtime, initialized once for every grammar. */
function initRuntime(): Promise<void> {
  runtime ??= Parser.init({ locateFile: () => locateWasm("web-tree-sitter.wasm", "web-tree-sitter/web-tree-sitter.wasm") }).then(
    () => undefined,
    (error: unknown) => {
      runtime = undefined;
      throw error;
    },
  );
  return runtime;
}

/**
 * A grammar by its package name (`tree-sitter-c`, `tree-sitter-cpp`), loaded once and only when
 * first needed: a run over C sources never loads the C++ grammar.
 */
export function loadGrammar(packageName: string): Promise<Language> {
  let language = languages.get(packageName);
  if (language === undefined) {
    language = initRuntime().then(() => Language.load(locateWasm(`${packageName}.wasm`, `${packageName}/${packageName}.wasm`)));
    language.catch(() => languages.delete(packageName));
    languages.set(packageName, language);
  }
  return language;
}

export function loadCLanguage(): Promise<Language> {
  return loadGrammar("tree-sitter-c");
}

/** A parser for the grammar of `packageName`. */
export async function createParser(packageName: string): Promise<Parser> {
  const language = await loadGrammar(packageName);
  const parser = new Parser();
  parser.setLanguage(language);
  return parser;
}

export function createCParser(): Promise<Parser> {
  return createParser("tree-sitter-c");
}
