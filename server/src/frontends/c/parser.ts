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

let language: Promise<Language> | undefined;

export function loadCLanguage(): Promise<Language> {
  language ??= (async () => {
    const runtimeWasm = locateWasm("web-tree-sitter.wasm", "web-tree-sitter/web-tree-sitter.wasm");
    await Parser.init({ locateFile: () => runtimeWasm });
    return Language.load(locateWasm("tree-sitter-c.wasm", "tree-sitter-c/tree-sitter-c.wasm"));
  })();
  return language;
}

export async function createCParser(): Promise<Parser> {
  const cLanguage = await loadCLanguage();
  const parser = new Parser();
  parser.setLanguage(cLanguage);
  return parser;
}
