import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { discoverFiles } from "../../../server/src/cli/discover";

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), "vmbguard-discover-"));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), text);
  }
  return root;
}

function relative(root: string, files: string[]): string[] {
  return files.map((file) => path.relative(root, file).split(path.sep).join("/"));
}

test("folders are walked for sources, skipping node_modules, .git and what .gitignore files say", async () => {
  const root = tree({
    "a.c": "", "b.h": "", "c.cpp": "", "d.ts": "", "e.tsx": "", "f.js": "", "notes.txt": "", "Makefile": "",
    "node_modules/lib/x.c": "", ".git/hooks/y.c": "",
    ".gitignore": "build/\n*.gen.c\n",
    "build/out.c": "", "src/z.gen.c": "", "src/keep.c": "",
    "src/vendor/.gitignore": "*.c\n!wanted.c\n", "src/vendor/unwanted.c": "", "src/vendor/wanted.c": "",
  });
  try {
    const found = await discoverFiles(["."], root, { patternBase: root, include: [], exclude: [] });
    assert.deepEqual(relative(root, found.files), ["a.c", "b.h", "c.cpp", "d.ts", "e.tsx", "f.js", "src/keep.c", "src/vendor/wanted.c"]);
    assert.deepEqual(found.skipped, []);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("include and exclude globs are relative to their base folder", async () => {
  const root = tree({ "src/a.c": "", "src/gen/b.c": "", "src/c.ts": "", "test/d.c": "", "tools/e.c": "" });
  try {
    const found = await discoverFiles([root], "/", { patternBase: root, include: ["src", "test/*.c"], exclude: ["gen", "*.ts"] });
    assert.deepEqual(relative(root, found.files), ["src/a.c", "test/d.c"]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("named files are kept even when ignored; non-sources are reported; duplicates collapse", async () => {
  const root = tree({ ".gitignore": "*.c\n", "x.c": "", "readme.md": "" });
  try {
    const found = await discoverFiles(["x.c", "./x.c", "readme.md", "."], root, { patternBase: root, include: [], exclude: [] });
    assert.deepEqual(relative(root, found.files), ["x.c"]);
    assert.deepEqual(found.skipped, [
      { file: path.join(root, "readme.md"), reason: "not a C, C++ or TypeScript source (expected one of .c .h .cpp .cc .cxx .hpp .hh .hxx .ts .tsx .mts .cts .js .jsx .mjs .cjs); skipped" },
    ]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("a missing command-line path is listed apart and the others are still walked; dangling links inside a tree are kept to be reported", async () => {
  const root = tree({ "a.c": "" });
  try {
    symlinkSync(path.join(root, "nowhere.c"), path.join(root, "broken.c"));
    symlinkSync(root, path.join(root, "loop"));
    const partly = await discoverFiles(["a.c", "missing/dir"], root, { patternBase: root, include: [], exclude: [] });
    assert.deepEqual([relative(root, partly.files), partly.missing], [["a.c"], ["missing/dir"]]);
    const found = await discoverFiles(["."], root, { patternBase: root, include: [], exclude: [] });
    assert.deepEqual(relative(root, found.files), ["a.c", "broken.c"]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("the walk also lists the .vcxproj files of the walked folders, honouring ignores and excludes", async () => {
  const root = tree({
    "drv/drv.vcxproj": "", "drv/drv.vcxproj.filters": "", "drv/a.c": "",
    "Tools/Tool.VCXPROJ": "", "build/old.vcxproj": "", "skipped/x.vcxproj": "", ".gitignore": "build/\n",
  });
  try {
    const found = await discoverFiles(["."], root, { patternBase: root, include: [], exclude: ["skipped/"] });
    assert.deepEqual(relative(root, found.projectFiles), ["Tools/Tool.VCXPROJ", "drv/drv.vcxproj"]);
    assert.deepEqual(relative(root, found.files), ["drv/a.c"]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
