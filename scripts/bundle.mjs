// Bundles the entry points that exist into dist/ and ships the tree-sitter WASM files beside them.
import { build } from "esbuild";
import { copyFileSync, existsSync, mkdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);
const root = join(dirname(new URL(import.meta.url).pathname), "..");
const dist = join(root, "dist");
// From scratch: a file left by an earlier build (a renamed entry, a map no longer made) would be packaged.
rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

const entries = [
  { in: "server/src/cli/main.ts", out: "cli", banner: "#!/usr/bin/env node" },
  { in: "server/src/cli/shardWorker.ts", out: "analysis-worker" },
  { in: "server/src/lsp/main.ts", out: "server" },
  { in: "client/src/extension.ts", out: "extension", external: ["vscode"] },
  // The TypeScript compiler, once, minified and without a map (the VSIX stays small): the two bundles
  // below load it from beside them.
  { in: require.resolve("typescript"), out: "typescript", minify: true, sourcemap: false },
  // The TypeScript frontend: loaded only when a TypeScript file is checked (server/src/frontends/ts-loader.ts).
  { in: "server/src/frontends/ts/index.ts", out: "ts-frontend", sharesTypeScript: true },
  { in: "runtime/src/kmcl/index.ts", out: "runtime" },
  { in: "runtime/src/debug/main.ts", out: "dap" },
  // The debuggee's preload and the TypeScript transpiler both load beside dap.js (see runtime/src/debug/debuggee.ts).
  { in: "runtime/src/debug/preload.ts", out: "dap-preload" },
  { in: "runtime/src/debug/transpiler.ts", out: "dap-transpiler", sharesTypeScript: true },
].filter((entry) => existsSync(entry.in.startsWith("/") ? entry.in : join(root, entry.in)));

/** `typescript` resolved to dist/typescript.js, beside the bundle that requires it. */
const sharedTypeScript = {
  name: "shared-typescript",
  setup(builder) {
    builder.onResolve({ filter: /^typescript$/ }, () => ({ path: "./typescript.js", external: true }));
  },
};

// web-tree-sitter's ESM build (chosen for `import` statements) reads import.meta.url, which is
// empty in a CommonJS bundle; give it the bundle file's own URL. The shim comes first in the file,
// so it restates the strict mode directive that esbuild emits after the banner.
const importMetaUrlShim = '"use strict";\nconst __bundleImportMetaUrl = require("node:url").pathToFileURL(__filename).href;';

await Promise.all(
  entries.map((entry) =>
    build({
      entryPoints: [entry.in.startsWith("/") ? entry.in : join(root, entry.in)],
      outfile: join(dist, `${entry.out}.js`),
      bundle: true,
      platform: "node",
      target: "node20",
      format: "cjs",
      sourcemap: entry.sourcemap ?? true,
      minify: entry.minify ?? false,
      external: entry.external ?? [],
      plugins: entry.sharesTypeScript ? [sharedTypeScript] : [],
      define: { "import.meta.url": "__bundleImportMetaUrl" },
      banner: { js: entry.banner ? `${entry.banner}\n${importMetaUrlShim}` : importMetaUrlShim },
      logLevel: "warning",
    }),
  ),
);

copyFileSync(require.resolve("tree-sitter-c/tree-sitter-c.wasm"), join(dist, "tree-sitter-c.wasm"));
copyFileSync(require.resolve("tree-sitter-cpp/tree-sitter-cpp.wasm"), join(dist, "tree-sitter-cpp.wasm"));
copyFileSync(require.resolve("web-tree-sitter/web-tree-sitter.wasm"), join(dist, "web-tree-sitter.wasm"));
// Editors validate vmbguard.json against it (package.json contributes.jsonValidation).
copyFileSync(join(root, "server/src/config/vmbguard.schema.json"), join(dist, "vmbguard.schema.json"));
console.log(`bundled ${entries.map((entry) => entry.out).join(", ")} into dist/`);
