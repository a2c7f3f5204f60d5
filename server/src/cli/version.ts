// The tool's version, read from package.json: beside dist/ in the bundle, a few folders
// up from out/ when run from the compiled sources.
import { readFileSync } from "node:fs";
import * as path from "node:path";

let cached: string | undefined;

export function toolVersion(): string {
  if (cached !== undefined) return cached;
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    try {
      const manifest = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as { name?: unknown; version?: unknown };
      if (manifest.name === "vmbguard" && typeof manifest.version === "string") {
        cached = manifest.version;
        return cached;
      }
    } catch {
      // No manifest here: keep looking upwards.
    }
    if (path.dirname(dir) === dir) break;
  }
  cached = "0.0.0";
  return cached;
}
