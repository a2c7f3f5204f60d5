// bench/lib/triage.mjs: findings of a real tree matched to committed verdicts, on made-up data.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { pathToFileURL } from "node:url";

interface Verdict {
  repository: string;
  commit: string;
  file: string;
  line: number;
  rule: string;
  verdict: boolean;
  reason: string;
}

interface ReportFinding {
  ruleId: string;
  severity: string;
  message: string;
  file: string;
  range: { start: { line: number; column: number }; end: { line: number; column: number } };
}

interface Placed {
  file: string;
  line: number;
  rule: string;
  message: string;
}

interface Triage {
  repository: string;
  commit: string;
  findings: number;
  triagedTrue: number;
  triagedFalse: number;
  untriaged: Placed[];
  precision: number | undefined;
  verdicts: number;
  withoutFinding: (Omit<Placed, "message"> & { verdict: boolean; reason: string })[];
}

interface TriageModule {
  triageFindings(input: { repository: string; commit: string; findings: ReportFinding[]; verdicts: Verdict[]; reportRoot?: string; snapshotRoot?: string }): Triage;
  sameCommit(a: string, b: string): boolean;
  canonicalRule(ruleId: string): string;
  describeUntriaged(finding: Placed): string;
}

// Compiled to out/test/unit/bench/: the repository root is four folders up.
const triageModule = path.join(__dirname, "..", "..", "..", "..", "bench", "lib", "triage.mjs");
const load = async (): Promise<TriageModule> => (await import(pathToFileURL(triageModule).href)) as TriageModule;

const repository = "example/drivers";
const commit = "0123abcd";

function finding(file: string, line: number, ruleId: string, severity = "error", message = `${ruleId} at ${line}`): ReportFinding {
  return { ruleId, severity, message, file, range: { start: { line, column: 5 }, end: { line, column: 9 } } };
}

function verdict(file: string, line: number, rule: string, isReal: boolean, overrides: Partial<Verdict> = {}): Verdict {
  return { repository, commit, file, line, rule, verdict: isReal, reason: isReal ? "freed on no path" : "stored into the context", ...overrides };
}

test("each finding takes the verdict of its file, line and rule; precision is true over triaged", async () => {
  const { triageFindings } = await load();
  const result = triageFindings({
    repository,
    commit,
    findings: [finding("src/a.c", 10, "double-free"), finding("src/a.c", 20, "unchecked-allocation", "warning"), finding("src/b.cpp", 7, "use-after-free"), finding("src/b.cpp", 9, "free-unowned")],
    verdicts: [verdict("src/a.c", 10, "double-free", true), verdict("src/a.c", 20, "unchecked-allocation", false), verdict("src/b.cpp", 7, "use-after-free", true)],
  });
  assert.equal(result.findings, 4);
  assert.equal(result.triagedTrue, 2);
  assert.equal(result.triagedFalse, 1);
  assert.deepEqual(result.untriaged, [{ file: "src/b.cpp", line: 9, rule: "free-unowned", message: "free-unowned at 9" }]);
  assert.equal(result.precision, 2 / 3);
  assert.deepEqual(result.withoutFinding, []);
});

test("a verdict on another line, rule, file, repository or commit does not match", async () => {
  const { triageFindings } = await load();
  const result = triageFindings({
    repository,
    commit,
    findings: [finding("a.c", 10, "double-free")],
    verdicts: [
      verdict("a.c", 11, "double-free", true),
      verdict("a.c", 10, "use-after-free", true),
      verdict("b.c", 10, "double-free", true),
      verdict("a.c", 10, "double-free", true, { repository: "other/drivers" }),
      verdict("a.c", 10, "double-free", true, { commit: "99999999" }),
    ],
  });
  assert.equal(result.triagedTrue + result.triagedFalse, 0);
  assert.equal(result.untriaged.length, 1);
  assert.equal(result.precision, undefined);
  // The verdicts of this tree that judge no finding: the other repository's and commit's are not this tree's.
  assert.equal(result.verdicts, 3);
  assert.deepEqual(result.withoutFinding.map((entry) => `${entry.file}:${entry.line}:${entry.rule}`), ["a.c:10:use-after-free", "a.c:11:double-free", "b.c:10:double-free"]);
});

test("packet-leak and leak are one rule, whichever side uses which", async () => {
  const { triageFindings, canonicalRule } = await load();
  assert.equal(canonicalRule("packet-leak"), canonicalRule("leak"));
  assert.notEqual(canonicalRule("double-free"), canonicalRule("leak"));
  const result = triageFindings({
    repository,
    commit,
    findings: [finding("a.c", 30, "leak"), finding("a.c", 40, "packet-leak")],
    verdicts: [verdict("a.c", 30, "packet-leak", true), verdict("a.c", 40, "leak", false)],
  });
  assert.equal(result.triagedTrue, 1);
  assert.equal(result.triagedFalse, 1);
  assert.equal(result.untriaged.length, 0);
});

test("a short commit in the triage matches the full hash of the snapshot, and back", async () => {
  const { triageFindings, sameCommit } = await load();
  assert.ok(sameCommit("0123abcd", "0123ABCD99887766"));
  assert.ok(sameCommit("0123abcd99887766", "0123abcd"));
  assert.ok(!sameCommit("0123abcd", "0123abce"));
  assert.ok(!sameCommit("", "0123abcd"));
  const result = triageFindings({ repository, commit: "0123abcd55554444", findings: [finding("a.c", 1, "double-free")], verdicts: [verdict("a.c", 1, "double-free", true)] });
  assert.equal(result.triagedTrue, 1);
});

test("information findings need no verdict", async () => {
  const { triageFindings } = await load();
  const result = triageFindings({ repository, commit, findings: [finding("a.c", 3, "analysis-incomplete", "information"), finding("a.c", 5, "unchecked-allocation", "warning")], verdicts: [] });
  assert.equal(result.findings, 1);
  assert.deepEqual(result.untriaged.map((entry) => entry.rule), ["unchecked-allocation"]);
});

test("several findings on one line and rule take as many verdicts; extra findings are untriaged, extra verdicts have no finding", async () => {
  const { triageFindings } = await load();
  const twoHandles = [finding("a.c", 8, "leak", "error", "'first' leaks"), finding("a.c", 8, "leak", "error", "'second' leaks")];
  const two = [verdict("a.c", 8, "packet-leak", true), verdict("a.c", 8, "packet-leak", false)];
  const both = triageFindings({ repository, commit, findings: twoHandles, verdicts: two });
  assert.deepEqual([both.triagedTrue, both.triagedFalse, both.untriaged.length, both.withoutFinding.length], [1, 1, 0, 0]);

  const oneVerdict = triageFindings({ repository, commit, findings: twoHandles, verdicts: two.slice(0, 1) });
  assert.deepEqual([oneVerdict.triagedTrue, oneVerdict.untriaged.length], [1, 1]);
  // Findings take a place's verdicts in message order, so the one left over is the same on every run.
  assert.equal(oneVerdict.untriaged[0].message, "'second' leaks");

  const oneFinding = triageFindings({ repository, commit, findings: twoHandles.slice(0, 1), verdicts: two });
  assert.deepEqual([oneFinding.triagedTrue, oneFinding.triagedFalse, oneFinding.untriaged.length], [1, 0, 0]);
  assert.deepEqual(oneFinding.withoutFinding.map((entry) => entry.verdict), [false]);
});

test("paths of a report made elsewhere are placed relative to the snapshot's root", async () => {
  const { triageFindings, describeUntriaged } = await load();
  const snapshotRoot = path.resolve("/corpora/drivers");
  const findings = [finding(path.join(snapshotRoot, "src", "a.c"), 10, "double-free"), finding("drivers/src/b.c", 12, "double-free")];
  const result = triageFindings({ repository, commit, findings, verdicts: [verdict("src/a.c", 10, "double-free", true)], reportRoot: path.resolve("/corpora"), snapshotRoot });
  assert.equal(result.triagedTrue, 1);
  assert.deepEqual(result.untriaged.map(describeUntriaged), ["src/b.c:12:double-free: double-free at 12"]);
});

interface CommittedData {
  loadVerdicts(file: string): Verdict[];
  triageFile: string[];
}

interface KmclManifest {
  loadKmclManifest(file: string): { repository: string; commit: string; folder: string }[];
  kmclManifestFile: string[];
}

test("the committed triage and KMCL manifest read, and every KMCL snapshot's verdicts are of its commit", async () => {
  const repoRoot = path.join(__dirname, "..", "..", "..", "..");
  const { loadVerdicts, triageFile } = (await import(pathToFileURL(triageModule).href)) as CommittedData;
  const { loadKmclManifest, kmclManifestFile } = (await import(pathToFileURL(path.join(repoRoot, "bench", "lib", "kmcl-trees.mjs")).href)) as KmclManifest;
  const { sameCommit } = await load();
  const verdicts = loadVerdicts(path.join(repoRoot, ...triageFile));
  const snapshots = loadKmclManifest(path.join(repoRoot, ...kmclManifestFile));
  assert.ok(snapshots.length > 0);
  for (const snapshot of snapshots) {
    const ofRepository = verdicts.filter((entry) => entry.repository === snapshot.repository);
    assert.ok(ofRepository.every((entry) => sameCommit(entry.commit, snapshot.commit)), `${snapshot.repository}: verdicts of another commit than ${snapshot.commit}`);
  }
});
