// Lowering a file again takes its unchanged functions over from the last lowering, moved by the
// lines they moved (frontends/c/kept-functions.ts). What a function's IR depends on outside its own
// text (the file's macros, typedefs, function names, constants, role declarations, included
// headers) must still reach it: after each such change elsewhere in the file, the unchanged
// function's IR must be a fresh lowering's, and differ from what it was.
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadCFrontend, type CFrontendOptions } from "../../../../server/src/frontends/c/index";
import type { IrFile, IrFunction } from "../../../../server/src/ir/ir";
import { sameShiftedFunction } from "../../../../server/src/ir/shift";

let files = 0;

/** Lowers `before` then `after` as the same file (an editor's two versions), and `after` as a new file. */
async function lowerTwice(before: string, after: string, options: CFrontendOptions = {}, afterOptions: CFrontendOptions = options): Promise<{ earlier: IrFile; later: IrFile; fresh: IrFile }> {
  const frontend = await loadCFrontend();
  const name = `/kept-${files++}.c`;
  const earlier = frontend.lower(name, before, options);
  const later = frontend.lower(name, after, afterOptions);
  const freshName = `/fresh-${files++}.c`;
  const fresh = frontend.lower(freshName, after, afterOptions);
  return { earlier, later, fresh: JSON.parse(JSON.stringify(fresh).replaceAll(freshName, name)) as IrFile };
}

function named(file: IrFile, name: string): IrFunction {
  const fn = file.functions.find((candidate) => candidate.name === name);
  assert.ok(fn, `${name} is lowered`);
  return fn;
}

const user = `
VOID User(VMBCHANNEL Channel)
{
    VMBPACKET packet = VmbPacketAllocate(Channel);
    if (Enabled) {
        RELEASE(packet);
    }
    Trace(packet, Helper());
    Value = (Mode) & Mask;
}
`;

test("an unchanged function is taken over, moved by the lines inserted above it, not lowered again", async () => {
  const edited = `
VOID Other(VOID)
{
    Trace(1);
}
`;
  const { earlier, later, fresh } = await lowerTwice(`${edited}${user}`, `// a comment\n\n${edited.replace("Trace(1)", "Trace(2)")}${user}`);
  assert.deepStrictEqual(JSON.parse(JSON.stringify(later)), fresh);
  assert.equal(named(later, "User").range.start.line, named(earlier, "User").range.start.line + 2);
  assert.ok(sameShiftedFunction(named(earlier, "User"), named(later, "User"), 2), "User is the earlier IR, moved");
  assert.ok(!sameShiftedFunction(named(earlier, "Other"), named(later, "Other"), 2), "Other changed: lowered again");
});

test("a function in the same place is the same IR object", async () => {
  const { earlier, later, fresh } = await lowerTwice(`${user}\nVOID Tail(VOID) { Trace(1); }\n`, `${user}\nVOID Tail(VOID) { Trace(2); }\n`);
  assert.deepStrictEqual(JSON.parse(JSON.stringify(later)), fresh);
  assert.equal(named(later, "User"), named(earlier, "User"));
});

/** Changes outside `User` that change what `User` lowers to. */
const changesElsewhere: { name: string; before: string; after: string; options?: [CFrontendOptions, CFrontendOptions] }[] = [
  { name: "a function-like macro defined below it", before: "", after: "#define RELEASE(p) VmbPacketFree(p)\n" },
  { name: "a function-like macro redefined", before: "#define RELEASE(p) Trace(p)\n", after: "#define RELEASE(p) VmbPacketFree(p)\n" },
  { name: "a constant defined", before: "", after: "#define Enabled 0\n" },
  { name: "a static constant written by another function", before: "static BOOLEAN Enabled = FALSE;\n", after: "static BOOLEAN Enabled = FALSE;\nVOID Arm(VOID) { Enabled = TRUE; }\n" },
  { name: "a function made constant-returning", before: "static ULONG Helper(VOID) { return Compute(); }\n", after: "static ULONG Helper(VOID) { return 0; }\n" },
  { name: "a typedef that makes a parenthesized name a type", before: "", after: "typedef int Mode;\n" },
  { name: "a prototype that makes a name a function", before: "", after: "VOID Enabled(VOID);\n" },
  { name: "a role declaration", before: "", after: "EVT_VMB_CHANNEL_PROCESS_PACKET User;\n" },
  {
    name: "an included header's macro",
    before: "",
    after: "",
    options: [{ includedDefinitions: [] }, { includedDefinitions: [{ functionMacros: [{ name: "RELEASE", parameters: ["p"], body: "VmbPacketFree(p)" }], constants: [] }] }],
  },
  {
    name: "an included header's constant",
    before: "",
    after: "",
    options: [{ includedDefinitions: [] }, { includedDefinitions: [{ functionMacros: [], constants: [{ name: "Enabled", value: 1 }] }] }],
  },
];

for (const change of changesElsewhere) {
  test(`an unchanged function is lowered as new after ${change.name}`, async () => {
    const [options, afterOptions] = change.options ?? [{}, {}];
    const { earlier, later, fresh } = await lowerTwice(`${user}\n${change.before}`, `${user}\n${change.after}`, options, afterOptions);
    assert.deepStrictEqual(JSON.parse(JSON.stringify(later)), fresh);
    assert.notDeepStrictEqual(named(later, "User"), named(earlier, "User"), "the change matters to User");
  });
}

test("a function with a syntax error inside is lowered again, not taken over", async () => {
  const broken = user.replace("Trace(packet, Helper());", "Trace(packet, Helper();");
  const { earlier, later, fresh } = await lowerTwice(`${broken}\nVOID Tail(VOID) { Trace(1); }\n`, `${broken}\nVOID Tail(VOID) { Trace(2); }\n`);
  assert.deepStrictEqual(JSON.parse(JSON.stringify(later)), fresh);
  assert.ok(later.problems.length > 0, "the syntax error is reported");
  assert.notEqual(named(later, "User"), named(earlier, "User"), "lowered again");
});
