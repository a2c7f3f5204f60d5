// Reads what a compiler command line says about the preprocessor: include folders, definitions,
// undefinitions, forced includes. GCC/Clang spellings always; MSVC's `/I`, `/D`, `/U`, `/FI` when
// the compiler is cl or clang-cl, since elsewhere `/Users/...` is a path, not an option.
import * as path from "node:path";

export interface CompilerSettings {
  /** Absolute folders in command-line order. */
  includeDirectories: string[];
  /** Absolute paths of forced includes. */
  forcedIncludes: string[];
  /** Name to replacement text: what the last `-D`/`-U` of each name left. */
  defines: Record<string, string>;
  undefines: string[];
}

/**
 * Splits a `command` string as a shell would, closely enough for compile commands: quotes group,
 * and a backslash escapes only a quote, a space or another backslash, so `C:\src\inc` stays a path.
 */
export function splitCommand(command: string): string[] {
  const words: string[] = [];
  let current = "";
  let inWord = false;
  let quote: string | undefined;
  for (let index = 0; index < command.length; index++) {
    const char = command[index];
    if (char === "\\" && index + 1 < command.length && /["'\\ ]/.test(command[index + 1]) && quote !== "'") {
      current += command[++index];
      inWord = true;
    } else if (quote !== undefined) {
      if (char === quote) quote = undefined;
      else current += char;
    } else if (char === '"' || char === "'") {
      quote = char;
      inWord = true;
    } else if (/\s/.test(char)) {
      if (inWord) words.push(current);
      current = "";
      inWord = false;
    } else {
      current += char;
      inWord = true;
    }
  }
  if (inWord) words.push(current);
  return words;
}

function isMsvcStyle(compiler: string | undefined): boolean {
  const name = (compiler ?? "").split(/[\\/]/).pop() ?? "";
  return /^(?:cl|clang-cl)(?:\.exe)?$/i.test(name);
}

/** One `-D` / `/D` argument: `NAME`, `NAME=VALUE`, MSVC's `NAME#VALUE`, or a function-like `F(x)=...`. */
export function parseDefinition(argument: string): { name: string; value: string } | undefined {
  const match = /^([A-Za-z_][A-Za-z0-9_]*)(\([^)]*\))?(?:([=#])([\s\S]*))?$/.exec(argument.trim());
  if (match === null) return undefined;
  return { name: match[1], value: match[3] === undefined ? "1" : match[4] };
}

/** The preprocessor's part of `argv` (its first element the compiler); relative paths are relative to `directory`. */
export function compilerSettingsOf(argv: readonly string[], directory: string): CompilerSettings {
  const msvc = isMsvcStyle(argv[0]);
  const settings: CompilerSettings = { includeDirectories: [], forcedIncludes: [], defines: {}, undefines: [] };
  const undefined_ = new Set<string>();
  const define = (text: string): void => {
    const definition = parseDefinition(text);
    if (definition === undefined) return;
    settings.defines[definition.name] = definition.value;
    undefined_.delete(definition.name);
  };
  const undefine = (text: string): void => {
    const name = text.trim();
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return;
    delete settings.defines[name];
    undefined_.add(name);
  };
  const options: { spellings: string[]; apply: (value: string) => void }[] = [
    { spellings: ["-I", "-isystem", "-iquote", "-idirafter", ...(msvc ? ["/I", "-external:I", "/external:I"] : [])], apply: (value) => settings.includeDirectories.push(path.resolve(directory, value)) },
    { spellings: ["-D", ...(msvc ? ["/D"] : [])], apply: define },
    { spellings: ["-U", ...(msvc ? ["/U"] : [])], apply: undefine },
    { spellings: ["-include", ...(msvc ? ["/FI", "-FI"] : [])], apply: (value) => settings.forcedIncludes.push(path.resolve(directory, value)) },
  ];
  for (let index = 1; index < argv.length; index++) {
    const argument = argv[index];
    for (const option of options) {
      // The longest spelling that starts the argument (`-isystem`, not `-i`...); case matters: `-include` is not `-I`.
      const spelling = option.spellings.filter((candidate) => argument.startsWith(candidate)).sort((a, b) => b.length - a.length)[0];
      if (spelling === undefined) continue;
      const attached = argument.slice(spelling.length);
      const value = attached !== "" ? attached : argv[++index];
      if (value !== undefined) option.apply(value);
      break;
    }
  }
  settings.undefines = [...undefined_];
  return settings;
}
