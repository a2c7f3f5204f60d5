// The preprocessor decides `#if` groups on the build's definitions and blanks the dead branch,
// moving no offset; without definitions (or for names they do not settle) both branches stay.
import { test } from "node:test";
import assert from "node:assert/strict";
import { preprocess } from "../../../../server/src/frontends/c/preprocess";

const source = [
  "VOID Send(VMBPACKET packet)",
  "{",
  "#ifdef NVL_FREE_ON_SEND",
  "    VmbPacketFree(packet);",
  "#else",
  "    Keep(packet);",
  "#endif",
  "#if NVL_LEVEL > 2 && !defined(_ARM64_)",
  "    Trace(packet);",
  "#endif",
  "#ifdef WPP_TRACING",
  "    Wpp(packet);",
  "#endif",
  "}",
].join("\n");

function linesOf(text: string): string[] {
  return text.split("\n").map((line) => line.trimEnd());
}

test("without definitions the groups are left to the parser", () => {
  assert.equal(preprocess(source).text, source);
});

test("a decided group keeps its live branch, blanks the rest and its directives, and moves no offset", () => {
  const { text } = preprocess(source, {}, "c", { defines: { NVL_FREE_ON_SEND: "1", NVL_LEVEL: "3" }, undefines: ["_ARM64_"] });
  assert.equal(text.length, source.length);
  assert.deepEqual(linesOf(text), [
    "VOID Send(VMBPACKET packet)",
    "{",
    "",
    "    VmbPacketFree(packet);",
    "",
    "",
    "",
    "",
    "    Trace(packet);",
    "",
    "#ifdef WPP_TRACING",
    "    Wpp(packet);",
    "#endif",
    "}",
  ]);
});

test("a false condition keeps the #else branch; a name the file #undefs is undecided again", () => {
  const undefined_ = preprocess(source, {}, "c", { defines: { NVL_LEVEL: "1" }, undefines: ["NVL_FREE_ON_SEND"] });
  assert.deepEqual(linesOf(undefined_.text).slice(2, 10), ["", "", "", "    Keep(packet);", "", "", "", ""]);
  const redefined = `#undef NVL_FREE_ON_SEND\n${source}`;
  const kept = preprocess(redefined, {}, "c", { defines: { NVL_FREE_ON_SEND: "1" }, undefines: [] });
  assert.ok(kept.text.includes("#ifdef NVL_FREE_ON_SEND") && kept.text.includes("Keep(packet);"));
});

test("#elif after a dead #if is decided too", () => {
  const text = ["#if 0", "A();", "#elif defined(NVL_FAST)", "B();", "#else", "C();", "#endif"].join("\n");
  const { text: result } = preprocess(text, {}, "c", { defines: { NVL_FAST: "" }, undefines: [] });
  assert.deepEqual(linesOf(result), ["", "", "", "B();", "", "", ""]);
});
