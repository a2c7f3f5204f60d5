// Loads the transpiler from its own bundle beside this one (dist/dap-transpiler.js), so the
// TypeScript compiler ships once for the adapter and the debuggee; unbundled (out/), it is the module.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import type { TranspileResult } from "./transpiler";

export type Transpiler = (source: string, fileName: string) => TranspileResult;

export function loadTranspiler(directory: string = __dirname): Transpiler {
  const bundled = path.join(directory, "dap-transpiler.js");
  const file = existsSync(bundled) ? bundled : path.join(directory, "transpiler.js");
  return (createRequire(__filename)(file) as typeof import("./transpiler")).transpileForDebugging;
}
