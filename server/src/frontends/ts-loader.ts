// Loads the TypeScript frontend on first need: it carries the whole TypeScript compiler (10 MB of
// JavaScript), which a run over C sources never pays for. Bundled, it is dist/ts-frontend.js beside
// the bundle that loads it; unbundled (out/), it is the module itself.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";

type TypeScriptFrontend = typeof import("./ts/index");

let frontend: TypeScriptFrontend | undefined;

export function loadTypeScriptFrontend(): TypeScriptFrontend {
  if (frontend !== undefined) return frontend;
  const load = createRequire(__filename);
  const bundled = path.join(__dirname, "ts-frontend.js");
  // A computed path: the bundler must leave this require alone.
  frontend = (existsSync(bundled) ? load(bundled) : load(path.join(__dirname, "ts", "index.js"))) as TypeScriptFrontend;
  return frontend;
}
