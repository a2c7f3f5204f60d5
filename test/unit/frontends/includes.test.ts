import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { includeCandidates, includeDirectives, pathKey, reachHeaders, type IncludeDirective, type IncludeGraph } from "../../../server/src/frontends/includes";

const root = path.resolve("/project");
const at = (...parts: string[]) => path.join(root, ...parts);

test("include directives: quoted and bracketed, backslashes kept as written", () => {
  assert.deepEqual(includeDirectives('#include "driver.h"\n  #  include <wdf.h>\n#include "..\\inc\\pool.h" // shared\n#define X 1\n'), [
    { name: "driver.h", quoted: true },
    { name: "wdf.h", quoted: false },
    { name: "..\\inc\\pool.h", quoted: true },
  ]);
});

test('"x.h" is looked for beside the including file first, then in the include folders; <x.h> only there', () => {
  const folders = [at("inc"), at("shared")];
  assert.deepEqual(includeCandidates(at("drv"), { name: "x.h", quoted: true }, folders), [at("drv", "x.h"), at("inc", "x.h"), at("shared", "x.h")]);
  assert.deepEqual(includeCandidates(at("drv"), { name: "x.h", quoted: false }, folders), [at("inc", "x.h"), at("shared", "x.h")]);
  assert.deepEqual(includeCandidates(at("drv"), { name: "..\\inc\\x.h", quoted: true }, []), [at("inc", "x.h")]);
});

test("headers are reached transitively, once each, forced includes first; what names no header is unresolved", () => {
  const files: Record<string, IncludeDirective[]> = {
    [pathKey(at("drv", "precomp.h"))]: [{ name: "trace.h", quoted: true }, { name: "ntddk.h", quoted: false }],
    [pathKey(at("inc", "trace.h"))]: [{ name: "precomp.h", quoted: true }, { name: "pool.h", quoted: false }],
    [pathKey(at("inc", "pool.h"))]: [],
    [pathKey(at("inc", "forced.h"))]: [],
  };
  const graph: IncludeGraph = {
    locate: (candidate) => (Object.hasOwn(files, pathKey(candidate)) ? pathKey(candidate) : undefined),
    includesOf: (key) => files[key] ?? [],
  };
  const reached = reachHeaders(at("drv", "driver.c"), [{ name: "Precomp.h", quoted: true }, { name: "missing.h", quoted: true }], [at("inc", "forced.h")], [at("inc")], graph);
  assert.deepEqual(reached.reached, [pathKey(at("inc", "forced.h")), pathKey(at("drv", "precomp.h")), pathKey(at("inc", "trace.h")), pathKey(at("inc", "pool.h"))]);
  assert.deepEqual(reached.unresolved, [{ name: "missing.h", quoted: true }]);
});
