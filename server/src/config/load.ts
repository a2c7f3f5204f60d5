// Finds and reads vmbguard.json. Every failure is a ConfigError naming the file.
import { existsSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import type { Config } from "./config";
import { ConfigError, validateConfig } from "./validate";

export const configFileName = "vmbguard.json";

/** The nearest `vmbguard.json` in `startDir` or one of its parents. */
export function findConfigFile(startDir: string): string | undefined {
  let dir = path.resolve(startDir);
  for (;;) {
    const candidate = path.join(dir, configFileName);
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** One-based line and column of a character offset, for JSON syntax errors. */
function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  return { line, column: offset - before.lastIndexOf("\n") };
}

/** Parses JSON, reporting syntax errors with a line and column rather than an offset. */
export function parseConfigText(text: string, file: string): Config {
  let value: unknown;
  try {
    value = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const offset = /at position (\d+)/.exec(message);
    const where = offset === null ? "" : (() => {
      const { line, column } = lineAndColumn(text, Number(offset[1]));
      return ` at line ${line}, column ${column}`;
    })();
    const reason = message.replace(/ in JSON at position \d+.*$/s, "").replace(/\s*\(line \d+ column \d+\)$/, "");
    throw new ConfigError(file, "", `invalid JSON${where}: ${reason}`);
  }
  return validateConfig(value, file);
}

export function loadConfigFile(file: string): Config {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : (error as Error).message;
    throw new ConfigError(file, "", `cannot read the configuration: ${reason}`);
  }
  return parseConfigText(text, file);
}
