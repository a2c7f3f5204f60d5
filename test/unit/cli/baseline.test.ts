import { test } from "node:test";
import assert from "node:assert/strict";
import { baselineFingerprints, BaselineError, fingerprintKey, withoutBaseline } from "../../../server/src/cli/baseline";
import type { Finding } from "../../../server/src/analysis/findings";

function finding(fingerprint: string, line: number): Finding {
  const position = { line, column: 0 };
  return {
    ruleId: "leak",
    severity: "error",
    message: "leak",
    file: "a.c",
    range: { start: position, end: position },
    functionName: "F",
    path: [],
    fixes: [],
    fingerprint,
  };
}

test("fingerprints are collected from every run of a (merged) log", () => {
  const log = {
    version: "2.1.0",
    runs: [
      { results: [{ partialFingerprints: { [fingerprintKey]: "aaa" } }, { partialFingerprints: { other: "zzz" } }, {}] },
      { results: [{ partialFingerprints: { [fingerprintKey]: "bbb" } }] },
      {},
    ],
  };
  assert.deepEqual([...baselineFingerprints(log, "base.sarif")].sort(), ["aaa", "bbb"]);
});

test("only findings new since the baseline are kept, in order", () => {
  const findings = [finding("aaa", 1), finding("ccc", 2), finding("bbb", 3), finding("ddd", 4)];
  assert.deepEqual(
    withoutBaseline(findings, new Set(["aaa", "bbb"])).map((kept) => kept.fingerprint),
    ["ccc", "ddd"],
  );
});

test("a file that is not a SARIF log is an error naming it", () => {
  assert.throws(() => baselineFingerprints({ findings: [] }, "base.json"), (error: unknown) =>
    error instanceof BaselineError && error.message === 'base.json: not a SARIF log (no "runs" array)',
  );
});
