// Loads the transpiler from its own bundle beside this one (dist/dap-transpiler.js), so the
// TypeScript compiler ships once for the adapter and the debuggee; unbundled (out/), it is the module.
//
// The compiler is 10 MB of JavaScript that both processes of every session load: a V8 code cache
// (written after the first transpilation, when the functions it needs are compiled) cuts that from
// most of a second to a third of it. V8 trusts a code cache as much as the code itself, so it lives
// in a folder only this user can write (and V8 rejects a cache made for other code or another V8).
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import * as path from "node:path";
import * as vm from "node:vm";
import type { TranspileResult } from "./transpiler";

export type Transpiler = (source: string, fileName: string) => TranspileResult;

type TranspilerModule = typeof import("./transpiler");

export function loadTranspiler(directory: string = __dirname): Transpiler {
  const bundled = path.join(directory, "dap-transpiler.js");
  if (!existsSync(bundled)) return (createRequire(__filename)(path.join(directory, "transpiler.js")) as TranspilerModule).transpileForDebugging;
  try {
    return loadWithCodeCache(bundled);
  } catch {
    return (createRequire(__filename)(bundled) as TranspilerModule).transpileForDebugging;
  }
}

/** The user's private cache folder, or undefined when it cannot be made private. */
function cacheFolder(): string | undefined {
  const uid = process.getuid?.();
  const folder = path.join(tmpdir(), `vmbguard-${uid ?? "user"}`);
  try {
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    const stat = statSync(folder);
    if (uid !== undefined && (stat.uid !== uid || (stat.mode & 0o077) !== 0)) return undefined;
    return folder;
  } catch {
    return undefined;
  }
}

/**
 * A CommonJS file run with `require` and, when `cacheName` is given, a V8 code cache; `saveCache`
 * writes the cache once, when it was missing or stale.
 */
function runWithCodeCache(file: string, cacheName: string | undefined, require: (id: string) => unknown): { exports: unknown; saveCache: () => void } {
  const folder = cacheName === undefined ? undefined : cacheFolder();
  const cacheFile = folder === undefined ? undefined : path.join(folder, `${cacheName}-${process.version}.v8cache`);
  let cachedData: Buffer | undefined;
  try {
    cachedData = cacheFile === undefined ? undefined : readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const source = readFileSync(file, "utf8");
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: file, ...(cachedData ? { cachedData } : {}) });
  const loaded = { exports: {} as unknown };
  (script.runInThisContext() as (...args: unknown[]) => void)(loaded.exports, require, loaded, file, path.dirname(file));
  let cacheWanted = cacheFile !== undefined && (cachedData === undefined || script.cachedDataRejected === true);
  const saveCache = (): void => {
    if (!cacheWanted) return;
    cacheWanted = false;
    try {
      const temporary = `${cacheFile!}.${process.pid}`;
      writeFileSync(temporary, script.createCachedData(), { mode: 0o600 });
      renameSync(temporary, cacheFile!);
    } catch {
      // Without a cache it is only slower.
    }
  };
  return { exports: loaded.exports, saveCache };
}

/**
 * The transpiler bundle requires the compiler from beside it (dist/typescript.js, shared with the
 * static checker's TypeScript frontend): that is the file worth a code cache.
 */
function loadWithCodeCache(bundle: string): Transpiler {
  const requireBeside = createRequire(bundle);
  const compilerFile = path.join(path.dirname(bundle), "typescript.js");
  let compiler: ReturnType<typeof runWithCodeCache> | undefined;
  const require = (id: string): unknown => {
    if (id !== "./typescript.js" || !existsSync(compilerFile)) return requireBeside(id);
    compiler ??= runWithCodeCache(compilerFile, "typescript", requireBeside);
    return compiler.exports;
  };
  // The bundle itself is small: run with the require above, without a cache of its own.
  const transpile = (runWithCodeCache(bundle, undefined, require).exports as TranspilerModule).transpileForDebugging;
  return (text, fileName) => {
    const result = transpile(text, fileName);
    // After the first transpilation, the functions it needs are compiled: now the cache holds them.
    compiler?.saveCache();
    return result;
  };
}
