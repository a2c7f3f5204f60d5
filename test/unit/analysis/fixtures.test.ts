// The fixture corpora, C and TypeScript, checked exactly.
//
// Layout and convention (test/fixtures/c, test/fixtures/ts):
// - One folder per pattern: test/fixtures/<language>/<pattern>/. It holds `bad.c` and `good.c`
//   (`bad.ts`/`good.ts`, or `.js`), each checked alone, or, for cases that span files, `bad/` and
//   `good/` folders whose sources are checked together as one unit (cross-file summaries, SAL headers). An optional
//   `<pattern>/vmbguard.json` (plain JSON, a subset of Config keys) applies to both twins; it is
//   read by the CLI's own loader, so keys left out keep their defaults.
//   A unit's build settings are read as the CLI reads them (workspace/buildSettings): a .vcxproj
//   in a twin's folder gives its sources their include folders and definitions.
// - Every expected finding is written on the line where it must be reported, as a trailing
//   comment `// expect: rule-id` (several: `// expect: double-free, use-after-free`). Only where
//   the line's own `//` comment is under test (a suppression comment) is it written as a
//   block comment before it: `/* expect: unused-suppression */ // vmbguard-disable-...`.
// - The check is exact: no missing finding, no extra one; same rule, same file, same line
//   (one-based in messages). A good unit carries no expectation and must produce no finding;
//   every bad unit carries at least one expectation. Every pattern has both twins.
// - Where findings are reported: leaks at the statement where the last handle dies (the
//   `return`, the closing `}` a function falls off or of the block whose local was the only
//   holder, or the assignment that overwrites the last handle); double-free, double-completion,
//   free-in-flight and free-unowned at the offending release call; use-after-free at the use;
//   unchecked-allocation at the first use before a null check; analysis-incomplete at the
//   function's name; unused-suppression at the suppression comment.
import { test } from "node:test";
import assert from "node:assert/strict";
import { checkSources } from "../../../server/src/analysis/check";
import { ruleById } from "../../../server/src/analysis/rules";
import { defaultMaxFileBytes } from "../../../server/src/cli/readSource";
import { ProjectBuild } from "../../../server/src/workspace/buildSettings/projectBuild";
import {
  compareFindings,
  discoverUnits,
  expectationsOf,
  formatComparison,
  listPatterns,
  loadSampleUnit,
  readSampleExpectations,
  tsFixturesRoot,
  cFixturesRoot,
  cppFixturesRoot,
  unitFileName,
  type CheckUnit,
  type ExpectedFinding,
  type FixtureUnit,
} from "./fixture-corpus";

const corpora = [
  { prefix: "", root: cFixturesRoot },
  { prefix: "ts/", root: tsFixturesRoot },
  { prefix: "cpp/", root: cppFixturesRoot },
];
const units: (FixtureUnit & { label: string })[] = corpora.flatMap(({ prefix, root }) => discoverUnits(root).map((unit) => ({ ...unit, label: `${prefix}${unit.pattern}/${unit.twin}` })));

test("every fixture pattern has a bad and a good twin", () => {
  for (const { prefix, root } of corpora) {
    const patterns = listPatterns(root);
    assert.ok(patterns.length > 0, `no fixture patterns found in ${root}`);
    for (const pattern of patterns) {
      const twinsFound = units.filter((unit) => unit.label.startsWith(`${prefix}${pattern}/`)).map((unit) => unit.twin);
      assert.deepEqual(twinsFound, ["bad", "good"], `${prefix}${pattern}: expected bad and good twins, found ${twinsFound.join(", ") || "none"}`);
    }
  }
});

test("bad twins expect findings, good twins expect none, and only known rules are named", () => {
  for (const unit of units) {
    const expected = expectationsOf(unit);
    if (unit.twin === "bad") assert.ok(expected.length > 0, `${unit.label} has no expect: comment`);
    else assert.deepEqual(expected, [], `${unit.label} must not expect findings`);
    for (const finding of expected) assert.ok(ruleById.has(finding.ruleId), `${unit.label}: unknown rule ${finding.ruleId} at ${finding.file}:${finding.line}`);
  }
});

async function assertFindings(label: string, unit: CheckUnit, expected: ExpectedFinding[]): Promise<void> {
  const sources = unit.files.map((file) => ({ path: file.absolutePath, text: file.text }));
  // The unit's build settings as `vmbguard check <unit>` reads them (its .vcxproj files, include folders).
  const build = new ProjectBuild({ config: unit.config, base: unit.root, roots: [unit.root], projectFiles: [], maxFileBytes: defaultMaxFileBytes });
  const result = await checkSources(sources, unit.config, { lowering: build.loweringInputs(sources, unit.root) });
  const actual: ExpectedFinding[] = result.findings.map((finding) => ({
    file: unitFileName(unit, finding.file),
    line: finding.range.start.line + 1,
    ruleId: finding.ruleId,
  }));
  const comparison = compareFindings(expected, actual);
  const clean = comparison.missing.length === 0 && comparison.unexpected.length === 0;
  const problems = result.problems.length > 0 ? `\n  problems: ${JSON.stringify(result.problems)}` : "";
  assert.ok(clean, formatComparison(label, comparison) + problems);
}

for (const unit of units) {
  test(`fixture ${unit.label}`, () => assertFindings(unit.label, unit, expectationsOf(unit)));
}

test("samples/sim-nic (TypeScript) reports exactly the findings samples/README.md lists", async () => {
  const expected = readSampleExpectations("sim-nic");
  assert.equal(expected.length, 1, `samples/README.md lists ${expected.length} findings for sim-nic`);
  await assertFindings("samples/sim-nic", loadSampleUnit("sim-nic"), expected);
});

test("samples/kmdf-guard (C++) reports exactly the findings samples/README.md lists", async () => {
  const expected = readSampleExpectations("kmdf-guard");
  assert.equal(expected.length, 3, `samples/README.md lists ${expected.length} findings for kmdf-guard`);
  await assertFindings("samples/kmdf-guard", loadSampleUnit("kmdf-guard"), expected);
});

test("samples/netvsc-lite reports exactly the findings samples/README.md lists", async () => {
  const expected = readSampleExpectations("netvsc-lite");
  assert.ok(expected.length >= 4 && expected.length <= 6, `samples/README.md lists ${expected.length} findings for netvsc-lite`);
  await assertFindings("samples/netvsc-lite", loadSampleUnit("netvsc-lite"), expected);
});
