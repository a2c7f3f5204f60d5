// Reads clang's JSON compilation database (compile_commands.json): for each compiled file, the
// include folders and definitions of its command, from `arguments` or else `command`.
import * as path from "node:path";
import { compilerSettingsOf, splitCommand, type CompilerSettings } from "./commandLine";

export interface CompileCommand {
  /** The compiled file, absolute. */
  file: string;
  settings: CompilerSettings;
}

/** Why a database could not be read: its entries are skipped one by one, a malformed file as a whole. */
export class CompileCommandsError extends Error {}

/**
 * The entries of the database at `databaseFile` (its text `text`). A relative `directory` is
 * relative to the database's folder; relative paths in an entry are relative to its `directory`.
 * Entries without a file or a command are skipped.
 */
export function parseCompileCommands(text: string, databaseFile: string): CompileCommand[] {
  let entries: unknown;
  try {
    entries = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    throw new CompileCommandsError(`${databaseFile}: invalid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!Array.isArray(entries)) throw new CompileCommandsError(`${databaseFile}: expected an array of compile commands`);
  const commands: CompileCommand[] = [];
  for (const entry of entries as unknown[]) {
    if (entry === null || typeof entry !== "object") continue;
    const { directory, file, arguments: argv, command } = entry as Record<string, unknown>;
    if (typeof file !== "string") continue;
    const folder = path.resolve(path.dirname(databaseFile), typeof directory === "string" ? directory : ".");
    const words = Array.isArray(argv) && argv.every((word) => typeof word === "string") ? (argv as string[]) : typeof command === "string" ? splitCommand(command) : undefined;
    if (words === undefined) continue;
    commands.push({ file: path.resolve(folder, file), settings: compilerSettingsOf(words, folder) });
  }
  return commands;
}
