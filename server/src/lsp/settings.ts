// The configuration of one workspace folder: the editor's `vmbguard.*` settings, overridden key by
// key by the folder's vmbguard.json (the file is what CI reads, so it wins).
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { defaultConfig, type Config } from "../config/config";
import { configFileName, findConfigFile, loadConfigFile } from "../config/load";
import { checkModelReferences, ConfigError, topLevelKeys, validateConfig } from "../config/validate";

/** The `vmbguard` section of the client's settings, as package.json contributes it. */
export interface EditorSettings {
  models?: unknown;
  rules?: unknown;
  include?: unknown;
  exclude?: unknown;
  macros?: unknown;
  configFile?: unknown;
}

/** The settings that mirror keys of vmbguard.json (configFile only says where that file is). */
const mirroredKeys = ["models", "rules", "include", "exclude", "macros"] as const;
export const settingsSource = "settings (vmbguard.*)";

export interface ResolvedConfig {
  config: Config;
  /** The vmbguard.json in use, if any. */
  file?: string;
  /** Folder that include/exclude globs are relative to. */
  patternBase: string;
  /** Why the configuration fell back (a bad file or bad settings), to show the user. */
  error?: string;
}

function settingsConfig(settings: EditorSettings): Config {
  const raw: Record<string, unknown> = {};
  for (const key of mirroredKeys) if (settings[key] !== undefined && settings[key] !== null) raw[key] = settings[key];
  return validateConfig(raw, settingsSource);
}

/** The configuration file for `root`: the settings' `configFile` (relative to the folder), else the nearest vmbguard.json at or above it. */
export function configFileFor(root: string, settings: EditorSettings): string | undefined {
  const named = typeof settings.configFile === "string" && settings.configFile !== "" ? settings.configFile : configFileName;
  const candidate = path.resolve(root, named);
  if (existsSync(candidate)) return candidate;
  return named === configFileName ? findConfigFile(root) : undefined;
}

function topLevelKeysOf(file: string): Set<string> {
  const text = readFileSync(file, "utf8");
  const parsed = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text) as Record<string, unknown>;
  return new Set(Object.keys(parsed).filter((key) => topLevelKeys.includes(key)));
}

/** Settings first, then the file's keys; any error leaves the last good layer in force and says why. */
export function resolveConfig(root: string, settings: EditorSettings): ResolvedConfig {
  let base: Config;
  let error: string | undefined;
  try {
    base = settingsConfig(settings);
    checkModelReferences(base, settingsSource);
  } catch (caught) {
    if (!(caught instanceof ConfigError)) throw caught;
    base = defaultConfig();
    error = caught.message;
  }
  const file = configFileFor(root, settings);
  if (file === undefined) return { config: base, patternBase: root, error };
  try {
    const fromFile = loadConfigFile(file);
    const merged: Config = { ...base };
    const present = topLevelKeysOf(file);
    for (const key of Object.keys(fromFile) as (keyof Config)[]) {
      if (present.has(key)) Object.assign(merged, { [key]: fromFile[key] });
    }
    checkModelReferences(merged, file);
    return { config: merged, file, patternBase: path.dirname(file), error };
  } catch (caught) {
    if (!(caught instanceof ConfigError)) throw caught;
    return { config: base, patternBase: root, error: caught.message };
  }
}
