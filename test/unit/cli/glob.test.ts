import { test } from "node:test";
import assert from "node:assert/strict";
import { compilePattern, matchesAnyOrParent, matchesPattern, type PathPattern } from "../../../server/src/cli/glob";
import { isIgnored, parseGitignore } from "../../../server/src/cli/gitignore";

function pattern(text: string): PathPattern {
  const compiled = compilePattern(text);
  assert.ok(compiled, `${text} compiles`);
  return compiled;
}

test("a pattern without a slash matches a name at any depth", () => {
  const objects = pattern("*.obj");
  assert.ok(matchesPattern(objects, "a.obj", false));
  assert.ok(matchesPattern(objects, "x/y/a.obj", false));
  assert.ok(!matchesPattern(objects, "a.objx", false));
  assert.ok(!matchesPattern(objects, "a.c", false));
});

test("a slash anchors the pattern at its base folder", () => {
  assert.ok(matchesPattern(pattern("/build"), "build", true));
  assert.ok(!matchesPattern(pattern("/build"), "src/build", true));
  assert.ok(matchesPattern(pattern("src/*.c"), "src/a.c", false));
  assert.ok(!matchesPattern(pattern("src/*.c"), "src/sub/a.c", false));
  assert.ok(!matchesPattern(pattern("src/*.c"), "lib/src/a.c", false));
});

test("double stars cross folders", () => {
  const anyDepth = pattern("src/**/*.c");
  assert.ok(matchesPattern(anyDepth, "src/a.c", false));
  assert.ok(matchesPattern(anyDepth, "src/x/y/a.c", false));
  assert.ok(!matchesPattern(anyDepth, "lib/a.c", false));
  assert.ok(matchesPattern(pattern("**/gen/*.h"), "gen/a.h", false));
  assert.ok(matchesPattern(pattern("**/gen/*.h"), "a/b/gen/a.h", false));
  assert.ok(matchesPattern(pattern("third_party/**"), "third_party/x/y.c", false));
  assert.ok(!matchesPattern(pattern("third_party/**"), "third_party", true));
});

test("character classes, question marks and escapes", () => {
  assert.ok(matchesPattern(pattern("file[0-9].c"), "file7.c", false));
  assert.ok(!matchesPattern(pattern("file[!0-9].c"), "file7.c", false));
  assert.ok(matchesPattern(pattern("file[!0-9].c"), "fileX.c", false));
  assert.ok(matchesPattern(pattern("?.c"), "a.c", false));
  assert.ok(!matchesPattern(pattern("?.c"), "ab.c", false));
  assert.ok(matchesPattern(pattern("a[b"), "a[b", false), "an unclosed bracket is literal");
  assert.ok(matchesPattern(pattern("\\#notes"), "#notes", false));
  assert.ok(matchesPattern(pattern("a+b(1).c"), "a+b(1).c", false), "regex characters are literal");
});

test("comments and blank lines are not patterns; a trailing slash means folders only", () => {
  assert.equal(compilePattern("# comment"), undefined);
  assert.equal(compilePattern("   "), undefined);
  const folder = pattern("out/");
  assert.ok(folder.directoryOnly);
  assert.ok(matchesPattern(folder, "out", true));
  assert.ok(!matchesPattern(folder, "out", false));
  assert.ok(matchesPattern(folder, "x/out", true));
});

test("include and exclude also match through parent folders", () => {
  const patterns = [pattern("generated"), pattern("src/legacy")];
  assert.ok(matchesAnyOrParent(patterns, "generated/a.c"));
  assert.ok(matchesAnyOrParent(patterns, "x/generated/y/a.c"));
  assert.ok(matchesAnyOrParent(patterns, "src/legacy/a.c"));
  assert.ok(!matchesAnyOrParent(patterns, "src/new/a.c"));
});

test(".gitignore: the last matching line wins and deeper files override", () => {
  const root = parseGitignore("# build output\n*.gen.c\n!keep.gen.c\nbuild/\n", "");
  const nested = parseGitignore("!*.gen.c\n", "drivers");
  assert.ok(isIgnored([root], "a.gen.c", false));
  assert.ok(!isIgnored([root], "keep.gen.c", false));
  assert.ok(isIgnored([root], "x/build", true));
  assert.ok(!isIgnored([root], "x/build", false));
  assert.ok(isIgnored([root, nested], "other/a.gen.c", false));
  assert.ok(!isIgnored([root, nested], "drivers/a.gen.c", false));
  const anchored = parseGitignore("/local.c\n", "drivers");
  assert.ok(isIgnored([anchored], "drivers/local.c", false));
  assert.ok(!isIgnored([anchored], "drivers/sub/local.c", false));
  assert.ok(!isIgnored([anchored], "local.c", false));
});
