// Which grammar a `.h` is read with when its text alone does not say: C++ if only C++ sources reach
// it. A tree of many projects has many headers of one name, and an include names the nearest one.
import assert from "node:assert/strict";
import { test } from "node:test";
import { defaultConfig } from "../../../../server/src/config/config";
import { prepareLowering } from "../../../../server/src/analysis/check";
import { cppOnlyHeaders, lowerFile } from "../../../../server/src/frontends";
import { pathKey } from "../../../../server/src/frontends/includes";

// C++ only by what it omits: `struct X;` then `X *` without the `struct` keyword.
const CPP_WITHOUT_CLASS = "struct MODULE_DESCRIPTOR;\ntypedef MODULE_DESCRIPTOR *PMODULE_DESCRIPTOR;\ntypedef NTSTATUS (*FN_MODULE_INIT)(_In_ const MODULE_DESCRIPTOR * Module);\n";
const C_HEADER = "typedef struct _STATE { ULONG Count; } STATE, *PSTATE;\n";

const tree = [
  { path: "/tree/audio/sim/common.h", text: CPP_WITHOUT_CLASS },
  { path: "/tree/audio/sim/driver.h", text: '#include "common.h"\n' },
  { path: "/tree/audio/sim/adapter.cpp", text: '#include "driver.h"\nNTSTATUS Start() { return 0; }\n' },
  { path: "/tree/audio/sim/sub/stream.cpp", text: "#include <driver.h>\n" },
  { path: "/tree/net/proto/common.h", text: C_HEADER },
  { path: "/tree/net/proto/proto.c", text: '#include "common.h"\nvoid Open(void) {}\n' },
];

test("a header only C++ sources reach, directly or through another header, is C++; another project's C file including its own header of that name changes nothing", () => {
  assert.deepEqual(cppOnlyHeaders(tree), [pathKey("/tree/audio/sim/common.h"), pathKey("/tree/audio/sim/driver.h")]);
});

test("a header a C source reaches stays C, even when C++ sources include it too", () => {
  const shared = [...tree, { path: "/tree/audio/sim/legacy.c", text: '#include "driver.h"\n' }];
  assert.deepEqual(cppOnlyHeaders(shared), []);
});

test("an include with folders names the header at that path", () => {
  const sources = [
    { path: "/tree/lib/rtl/lock.h", text: "" },
    { path: "/tree/lib/other/lock.h", text: "" },
    { path: "/tree/lib/code/memory.cpp", text: '#include "../rtl/lock.h"\n' },
  ];
  assert.deepEqual(cppOnlyHeaders(sources), [pathKey("/tree/lib/rtl/lock.h")]);
});

test("the C++-only header parses with the C++ grammar in a check of the whole tree", async () => {
  const config = defaultConfig();
  const context = await prepareLowering(tree, config);
  const cppHeader = await lowerFile("/tree/audio/sim/common.h", CPP_WITHOUT_CLASS, config, context);
  assert.equal(cppHeader.language, "cpp");
  assert.deepEqual(cppHeader.problems, []);
  const cHeader = await lowerFile("/tree/net/proto/common.h", C_HEADER, config, context);
  assert.equal(cHeader.language, "c");
});
