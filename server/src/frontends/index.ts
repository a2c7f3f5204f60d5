// Chooses the frontend for a source file by its extension.
import type { Config } from "../config/config";
import type { IrFile } from "../ir/ir";
import { loadCFrontend, type CFrontend } from "./c";

const cExtensions = new Set([".c", ".h", ".cpp", ".cc", ".cxx", ".hpp"]);
const tsExtensions = new Set([".ts", ".tsx", ".js", ".mjs", ".cjs", ".jsx", ".mts", ".cts"]);

let cFrontend: Promise<CFrontend> | undefined;

function extensionOf(file: string): string {
  const dot = file.lastIndexOf(".");
  return dot === -1 ? "" : file.slice(dot).toLowerCase();
}

export function isSupportedSource(file: string): boolean {
  const extension = extensionOf(file);
  return cExtensions.has(extension) || tsExtensions.has(extension);
}

export async function lowerFile(file: string, text: string, config: Config): Promise<IrFile> {
  const extension = extensionOf(file);
  if (cExtensions.has(extension)) {
    cFrontend ??= loadCFrontend();
    return (await cFrontend).lower(file, text, { macros: config.macros });
  }
  const language = tsExtensions.has(extension) ? "ts" : "c";
  const message = tsExtensions.has(extension)
    ? "TypeScript and JavaScript sources are not analyzed yet: the TypeScript frontend is still to come."
    : `'${extension || file}' is not a C or TypeScript source.`;
  const start = { line: 0, column: 0 };
  return { file, language, functions: [], declarations: [], roles: [], suppressions: [], problems: [{ message, range: { start, end: start } }] };
}
