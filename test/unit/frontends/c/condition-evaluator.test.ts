import { test } from "node:test";
import assert from "node:assert/strict";
import { ConditionEvaluator, type KnownDefinitions } from "../../../../server/src/frontends/c/condition-evaluator";

const known: KnownDefinitions = {
  defines: { DBG: "1", NDIS_WDM: "1", EVENT_TRACING: "", NTDDI_VERSION: "0x0A000007", NTDDI_WIN10: "0x0A000000", LEVEL: "NTDDI_WIN10", LOOP_A: "LOOP_B", LOOP_B: "LOOP_A", WIDE: "10ui64", CHAR: "'a'" },
  undefines: ["_ARM64_", "DBG"],
};

test("#ifdef and #ifndef are decided for names the build defines or undefines, and only those", () => {
  const evaluator = new ConditionEvaluator(known);
  assert.equal(evaluator.decide("ifdef", " NDIS_WDM"), true);
  assert.equal(evaluator.decide("ifdef", " EVENT_TRACING // empty still defined"), true);
  assert.equal(evaluator.decide("ifndef", " NDIS_WDM"), false);
  assert.equal(evaluator.decide("ifdef", " _ARM64_"), false);
  assert.equal(evaluator.decide("elifndef", " _ARM64_"), true);
  // Defined wins over an undefine of the same name in the same settings.
  assert.equal(evaluator.decide("ifdef", " DBG"), true);
  // A name the build does not settle may come from a header: undecided.
  assert.equal(evaluator.decide("ifdef", " WPP_TRACING"), undefined);
  assert.equal(evaluator.decide("ifndef", " WPP_TRACING"), undefined);
});

test("#if expressions: defined, !, &&, ||, comparisons, arithmetic and ?: over integer literals and definitions", () => {
  const evaluator = new ConditionEvaluator(known);
  const decide = (expression: string) => evaluator.decide("if", expression);
  assert.equal(decide("defined(NDIS_WDM)"), true);
  assert.equal(decide("defined NDIS_WDM && !defined(_ARM64_)"), true);
  assert.equal(decide("!defined(NDIS_WDM)"), false);
  assert.equal(decide("NTDDI_VERSION >= NTDDI_WIN10"), true);
  assert.equal(decide("NTDDI_VERSION < 0x0A000000"), false);
  assert.equal(decide("LEVEL == 0x0A000000"), true, "a replacement naming another definition is followed");
  assert.equal(decide("(DBG + 1) * 2 == 4 && 7 % 4 == 3 && (1 << 4) == 16 && ~0 == -1"), true);
  assert.equal(decide("DBG ? 0 : 1"), false);
  assert.equal(decide("010 == 8"), true, "a leading 0 is octal");
  assert.equal(decide("_ARM64_"), false, "a name known undefined is 0");
  assert.equal(decide("WIDE == 10"), true, "MSVC's sized suffixes");
});

test("a name the build does not settle leaves the condition undecided unless && or || decide it anyway", () => {
  const evaluator = new ConditionEvaluator(known);
  const decide = (expression: string) => evaluator.decide("if", expression);
  assert.equal(decide("WINVER >= 0x0602"), undefined);
  assert.equal(decide("defined(WPP_TRACING)"), undefined);
  assert.equal(decide("defined(_ARM64_) && WINVER >= 0x0602"), false);
  assert.equal(decide("WINVER >= 0x0602 && defined(_ARM64_)"), false);
  assert.equal(decide("defined(NDIS_WDM) || WINVER"), true);
  assert.equal(decide("WINVER || defined(NDIS_WDM)"), true);
  assert.equal(decide("defined(NDIS_WDM) && WINVER"), undefined);
  assert.equal(decide("WINVER ? 1 : 1"), true, "both arms agree");
  assert.equal(decide("WINVER ? 1 : 0"), undefined);
});

test("what the evaluator does not read stays undecided: empty or cyclic replacements, calls, characters, division by zero, bad syntax", () => {
  const evaluator = new ConditionEvaluator(known);
  const decide = (expression: string) => evaluator.decide("if", expression);
  assert.equal(decide("EVENT_TRACING"), undefined);
  assert.equal(decide("LOOP_A"), undefined);
  assert.equal(decide("__has_include(<wdf.h>)"), undefined);
  assert.equal(decide("CHAR == 'a'"), undefined);
  assert.equal(decide("1 / 0"), undefined);
  assert.equal(decide("(1"), undefined);
  assert.equal(decide(""), undefined);
  assert.equal(evaluator.decide("ifdef", ""), undefined);
});

test("a name the file defines or undefines itself is no longer settled by the build", () => {
  const evaluator = new ConditionEvaluator(known);
  evaluator.forget("NDIS_WDM");
  evaluator.forget("_ARM64_");
  assert.equal(evaluator.decide("ifdef", "NDIS_WDM"), undefined);
  assert.equal(evaluator.decide("if", "defined(_ARM64_)"), undefined);
  assert.equal(new ConditionEvaluator(known).decide("ifdef", "NDIS_WDM"), true, "another file starts from the build's definitions again");
});
