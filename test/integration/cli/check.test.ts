// `vmbguard check` end to end: the bundled CLI as a child process on temporary trees.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, symlinkSync } from "node:fs";
import * as path from "node:path";
import { buggySource, cleanSource, leakySource, makeTree, parseJsonReport, repoRoot, runCli } from "./cliRun";

test("a clean tree exits 0 with a summary", () => {
  const tree = makeTree({ "src/clean.c": cleanSource("FreeOnce"), "README.md": "not a source" });
  try {
    const run = runCli(["check", "src"], tree.root);
    assert.equal(run.stderr, "");
    assert.equal(run.stdout, "0 problems (0 errors, 0 warnings) in 1 file\n");
    assert.equal(run.status, 0);
  } finally {
    tree.cleanup();
  }
});

test("findings print compiler-style with their paths, and exit 1; --exit-zero exits 0", () => {
  const tree = makeTree({ "bugs.c": buggySource });
  try {
    const run = runCli(["check", "."], tree.root);
    assert.equal(run.status, 1);
    const lines = run.stdout.trimEnd().split("\n");
    const headlines = lines.filter((line) => !line.startsWith("  "));
    assert.equal(headlines.length, 3);
    assert.match(headlines[0], /^bugs\.c:12:9: error: .*leaked.* \[leak\]$/);
    assert.match(headlines[1], /^bugs\.c:27:5: error: .*released twice.* \[double-free\]$/);
    assert.equal(headlines[2], "2 problems (2 errors, 0 warnings) in 1 file");
    assert.ok(lines.includes("  bugs.c:7:14: note: packet acquired here by 'VmbPacketAllocate'"), run.stdout);
    assert.ok(lines.some((line) => /^ {2}bugs\.c:26:5: note: released here/.test(line)), run.stdout);
    assert.ok(!run.stdout.includes("\u001b["), "no colour when stdout is not a terminal");

    const lenient = runCli(["check", "--exit-zero", "."], tree.root);
    assert.equal(lenient.status, 0);
    assert.equal(lenient.stdout, run.stdout);
  } finally {
    tree.cleanup();
  }
});

test("--format json has the documented shape, one-based positions and relative paths", () => {
  const tree = makeTree({ "drv/bugs.c": buggySource, "drv/clean.c": cleanSource("FreeOnce") });
  try {
    const run = runCli(["check", "--format", "json", "drv"], tree.root);
    assert.equal(run.status, 1);
    const report = parseJsonReport(run.stdout);
    assert.equal(report.version, 1);
    assert.equal(report.tool.name, "vmbguard");
    assert.equal(report.tool.version, (JSON.parse(readFileSync(path.join(repoRoot, "package.json"), "utf8")) as { version: string }).version);
    assert.deepEqual(
      report.findings.map((finding) => [finding.ruleId, finding.severity, finding.file, finding.range.start.line, finding.range.start.column, finding.functionName]),
      [
        ["leak", "error", "drv/bugs.c", 12, 9, "SendLeaky"],
        ["double-free", "error", "drv/bugs.c", 27, 5, "FreeTwice"],
      ],
    );
    for (const finding of report.findings) {
      assert.match(finding.fingerprint, /^[0-9a-f]{8,}$/);
      assert.ok(finding.path.length >= 2);
    }
    assert.deepEqual(report.problems, []);
    assert.equal(report.stats.files, 2);
    assert.equal(report.stats.functions, 3);
    assert.equal(report.stats.findings, 2);
  } finally {
    tree.cleanup();
  }
});

test("the output is identical with --jobs 1 and --jobs 4", () => {
  const files: Record<string, string> = {};
  for (let index = 0; index < 12; index++) {
    files[`mod${index % 3}/file${index}.c`] = index % 2 === 0 ? leakySource(`Send${index}`) : cleanSource(`Free${index}`);
  }
  files["mod0/bugs.c"] = buggySource;
  const tree = makeTree(files);
  try {
    const withoutTime = (text: string): unknown => {
      const report = parseJsonReport(text);
      report.stats.millis = 0;
      return report;
    };
    const oneText = runCli(["check", "--jobs", "1", "."], tree.root);
    const fourText = runCli(["check", "--jobs", "4", "."], tree.root);
    assert.equal(oneText.status, 1);
    assert.equal(fourText.stdout, oneText.stdout);
    assert.match(oneText.stdout, /8 problems \(8 errors, 0 warnings\) in 13 files\n$/);
    const oneJson = runCli(["check", "--jobs", "1", "--format", "json", "."], tree.root);
    const fourJson = runCli(["check", "--jobs", "4", "--format", "json", "."], tree.root);
    assert.deepEqual(withoutTime(fourJson.stdout), withoutTime(oneJson.stdout));
    const oneSarif = runCli(["check", "--jobs", "1", "--format", "sarif", "."], tree.root);
    const fourSarif = runCli(["check", "--jobs", "4", "--format", "sarif", "."], tree.root);
    assert.equal(fourSarif.stdout, oneSarif.stdout);
  } finally {
    tree.cleanup();
  }
});

test("the shards of --shard i/n partition the files and together find everything", () => {
  const files: Record<string, string> = {};
  for (let index = 0; index < 10; index++) files[`src/leak${index}.c`] = leakySource(`Leak${index}`);
  const tree = makeTree(files);
  try {
    const all = parseJsonReport(runCli(["check", "--format", "json", "."], tree.root).stdout);
    const shards = [1, 2, 3].map((index) => parseJsonReport(runCli(["check", "--format", "json", "--shard", `${index}/3`, "."], tree.root).stdout));
    assert.equal(shards.reduce((sum, shard) => sum + shard.stats.files, 0), all.stats.files);
    const fingerprints = shards.flatMap((shard) => shard.findings.map((finding) => finding.fingerprint)).sort();
    assert.deepEqual(fingerprints, all.findings.map((finding) => finding.fingerprint).sort());
    assert.ok(shards.filter((shard) => shard.stats.files > 0).length >= 2, "ten files spread over more than one shard");
  } finally {
    tree.cleanup();
  }
});

test("with --shard, a file still sees the macros and callback roles of a header that landed in another shard", () => {
  const files: Record<string, string> = {
    "src/driver.h": "#define RELEASE_PACKET(p) VmbPacketFree(p)\nEVT_VMB_CHANNEL_PROCESS_PACKET OnPacket0;\nEVT_VMB_CHANNEL_PROCESS_PACKET OnPacket1;\nEVT_VMB_CHANNEL_PROCESS_PACKET OnPacket2;\nEVT_VMB_CHANNEL_PROCESS_PACKET OnPacket3;\n",
  };
  // A double free only the header's macro reveals, and a completion leak only its role declaration does.
  const body = (index: number) =>
    `#include "driver.h"\nVOID Twice${index}(VMBCHANNEL Channel)\n{\n    VMBPACKET packet = VmbPacketAllocate(Channel);\n    if (packet == NULL) return;\n    RELEASE_PACKET(packet);\n    VmbPacketFree(packet);\n}\n` +
    (index < 4 ? `VOID OnPacket${index}(VMBCHANNEL Channel, VMBPACKETCOMPLETION Packet, PVOID Buffer, UINT32 Length, UINT32 Flags)\n{\n    if (Length == 0) {\n        VmbChannelPacketComplete(Packet, NULL, 0);\n    }\n}\n` : "");
  for (let index = 0; index < 8; index++) files[`src/file${index}.c`] = body(index);
  const tree = makeTree(files);
  try {
    const all = parseJsonReport(runCli(["check", "--format", "json", "."], tree.root).stdout);
    const count = (rule: string) => all.findings.filter((finding) => finding.ruleId === rule).length;
    assert.deepEqual([count("double-free"), count("completion-leak")], [8, 4]);
    const shards = [1, 2, 3].map((index) => parseJsonReport(runCli(["check", "--format", "json", "--shard", `${index}/3`, "."], tree.root).stdout));
    assert.equal(shards.reduce((sum, shard) => sum + shard.stats.files, 0), 9, "the header is counted in its own shard only");
    const lines = (findings: { file: string; range: { start: { line: number } }; ruleId: string }[]) => findings.map((finding) => `${finding.ruleId} ${finding.file}:${finding.range.start.line + 1}`).sort();
    assert.deepEqual(lines(shards.flatMap((shard) => shard.findings)), lines(all.findings));
  } finally {
    tree.cleanup();
  }
});

test("--rule and --severity select what is reported and counted", () => {
  const tree = makeTree({ "bugs.c": buggySource });
  try {
    const onlyDoubleFree = parseJsonReport(runCli(["check", "--format", "json", "--rule", "double-free", "."], tree.root).stdout);
    assert.deepEqual(onlyDoubleFree.findings.map((finding) => finding.ruleId), ["double-free"]);
    const config = JSON.stringify({ rules: { "leak": "warning", "double-free": "information" } });
    const relaxed = makeTree({ "bugs.c": buggySource, "vmbguard.json": config });
    try {
      const errorsOnly = runCli(["check", "--severity", "error", "."], relaxed.root);
      assert.equal(errorsOnly.status, 0);
      assert.equal(errorsOnly.stdout, "0 problems (0 errors, 0 warnings) in 1 file; 2 below the severity threshold not shown\n");
      const warnings = runCli(["check", "."], relaxed.root);
      assert.equal(warnings.status, 1);
      assert.match(warnings.stdout, /^bugs\.c:12:9: warning: .* \[leak\]$/m);
      assert.match(warnings.stdout, /1 problem \(0 errors, 1 warning\) in 1 file; 1 below the severity threshold not shown\n$/);
      const everything = runCli(["check", "--severity", "information", "."], relaxed.root);
      assert.match(everything.stdout, /^bugs\.c:27:5: info: .* \[double-free\]$/m);
    } finally {
      relaxed.cleanup();
    }
  } finally {
    tree.cleanup();
  }
});

test("--baseline hides findings already in an earlier SARIF log", () => {
  const tree = makeTree({ "bugs.c": buggySource });
  try {
    const first = runCli(["check", "--format", "sarif", "--output", "baseline.sarif", "."], tree.root);
    assert.equal(first.status, 1);
    assert.equal(first.stdout, "");
    const again = runCli(["check", "--baseline", "baseline.sarif", "."], tree.root);
    assert.equal(again.status, 0);
    assert.equal(again.stdout, "0 problems (0 errors, 0 warnings) in 1 file; 2 in the baseline not shown\n");
  } finally {
    tree.cleanup();
  }
});

test("--model adds a built-in pack to the configuration", () => {
  const pool = `VOID Table(VOID)
{
    PVOID table;

    table = ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, 'lbaT');
    if (table == NULL) {
        return;
    }
}
`;
  const tree = makeTree({ "pool.c": pool });
  try {
    assert.equal(runCli(["check", "."], tree.root).status, 0);
    const withPool = runCli(["check", "--model", "wdk-pool", "."], tree.root);
    assert.equal(withPool.status, 1);
    assert.match(withPool.stdout, /^pool\.c:\d+:\d+: error: .*pool allocation.* \[leak\]$/m);
  } finally {
    tree.cleanup();
  }
});

test("bad files are reported one by one and every other file is still checked", () => {
  // Unbalanced braces at the end: the intact function before them is still analyzed (line 10 leaks).
  const broken = `${leakySource("BeforeTheDamage")}\nVOID Broken(VMBCHANNEL Channel)\n{\n    if (Channel) {\n        VmbChannelDisable(Channel);\n`;
  const tree = makeTree({
    "bugs.c": buggySource,
    "blob.c": Buffer.from([0x4d, 0x5a, 0x00, 0x00, 0x01]),
    "latin1.c": Buffer.concat([Buffer.from("/* caf"), Buffer.from([0xe9]), Buffer.from(" */\n"), Buffer.from(cleanSource("Latin"))]),
    "broken.c": broken,
    "big.c": `/* ${"x".repeat(2048)} */\n`,
    "vmbguard.json": JSON.stringify({ maxFileBytes: 1500 }),
  });
  try {
    symlinkSync(path.join(tree.root, "nowhere.c"), path.join(tree.root, "dangling.c"));
    const run = runCli(["check", "."], tree.root);
    assert.equal(run.status, 1);
    const lines = run.stdout.split("\n");
    assert.ok(lines.includes("blob.c: warning: skipped: binary file (NUL bytes in the first 8 KB)"), run.stdout);
    assert.ok(lines.includes("big.c: warning: skipped: 2 KB is over the 1.5 KB limit (maxFileBytes)"), run.stdout);
    assert.ok(lines.includes("dangling.c: warning: cannot read: no such file (a dangling link?)"), run.stdout);
    assert.ok(lines.includes("latin1.c: warning: invalid UTF-8 at byte offset 6; decoded with replacement characters"), run.stdout);
    assert.ok(lines.some((line) => /^broken\.c:\d+:\d+: warning: /.test(line)), run.stdout);
    assert.match(run.stdout, /^broken\.c:10:9: error: .* \[leak\]$/m);
    assert.match(run.stdout, /^bugs\.c:12:9: error: .* \[leak\]$/m);
    assert.match(run.stdout, /^bugs\.c:27:5: error: .* \[double-free\]$/m);
    assert.match(run.stdout, /3 problems \(3 errors, 0 warnings\) in 3 files; \d+ file problems\n$/);
  } finally {
    tree.cleanup();
  }
});

test("usage, configuration and I/O errors exit 2 with one line naming the culprit", () => {
  const tree = makeTree({ "a.c": cleanSource("A"), "bad/vmbguard.json": '{ "rules": { "packet-leek": "error" } }', "bad/b.c": cleanSource("B") });
  try {
    // The paths that exist are still checked and reported; the run fails all the same.
    const missing = runCli(["check", "a.c", "no/such/dir"], tree.root);
    assert.deepEqual([missing.status, missing.stderr], [2, "vmbguard: no/such/dir: no such file or directory\n"]);
    assert.match(missing.stdout, /^no\/such\/dir: error: no such file or directory\n/m);
    assert.match(missing.stdout, /0 problems \(0 errors, 0 warnings\) in 1 file; 1 file problem\n$/);

    const badConfig = runCli(["check", "bad"], tree.root);
    assert.equal(badConfig.status, 2);
    assert.equal(badConfig.stderr, `vmbguard: ${path.join(tree.root, "bad", "vmbguard.json")}: rules.packet-leek: unknown rule id (did you mean "leak"?)\n`);

    const missingConfig = runCli(["check", "--config", "nope.json", "a.c"], tree.root);
    assert.equal(missingConfig.status, 2);
    assert.equal(missingConfig.stderr, `vmbguard: ${path.join(tree.root, "nope.json")}: cannot read the configuration: no such file\n`);

    const missingBaseline = runCli(["check", "--baseline", "old.sarif", "a.c"], tree.root);
    assert.equal(missingBaseline.status, 2);
    assert.equal(missingBaseline.stderr, `vmbguard: ${path.join(tree.root, "old.sarif")}: cannot read the baseline: no such file\n`);

    const badFormat = runCli(["check", "--format", "xml", "a.c"], tree.root);
    assert.equal(badFormat.status, 2);
    assert.equal(badFormat.stderr, 'vmbguard: --format: unknown value "xml"; expected one of text, json, sarif (see vmbguard check --help)\n');

    const unknownCommand = runCli(["lint"], tree.root);
    assert.deepEqual([unknownCommand.status, unknownCommand.stderr], [2, 'vmbguard: unknown command "lint" (see vmbguard --help)\n']);

    const unwritable = runCli(["check", "--exit-zero", "--output", "a.c/report.txt", "a.c"], tree.root);
    assert.equal(unwritable.status, 2);
    assert.match(unwritable.stderr, /^vmbguard: a\.c\/report\.txt: cannot write the report: /);
  } finally {
    tree.cleanup();
  }
});

test("--version and --help", () => {
  const version = runCli(["--version"], repoRoot);
  assert.equal(version.status, 0);
  assert.equal(version.stdout, `${(JSON.parse(readFileSync(path.join(repoRoot, "package.json"), "utf8")) as { version: string }).version}\n`);
  const help = runCli(["check", "--help"], repoRoot);
  assert.equal(help.status, 0);
  for (const option of ["--format", "--output", "--config", "--jobs", "--baseline", "--severity", "--rule", "--model", "--shard", "--exit-zero", "--no-color", "--list-functions"]) {
    assert.ok(help.stdout.includes(option), `check --help mentions ${option}`);
  }
});

test("vmbguard.json is found above the first path, else above the current folder", () => {
  const home = makeTree({ "bugs.c": buggySource, "vmbguard.json": JSON.stringify({ rules: { "double-free": "off" } }) });
  const elsewhere = makeTree({ "bugs.c": buggySource });
  const configured = makeTree({ "proj/src/bugs.c": buggySource, "proj/vmbguard.json": JSON.stringify({ rules: { "leak": "off" } }) });
  try {
    const rulesOf = (args: string[]): string[] =>
      parseJsonReport(runCli(["check", "--format", "json", ...args], home.root).stdout).findings.map((finding) => finding.ruleId);
    assert.deepEqual(rulesOf(["."]), ["leak"]);
    assert.deepEqual(rulesOf([path.join(elsewhere.root, "bugs.c")]), ["leak"], "no config above the path: the current folder's");
    assert.deepEqual(rulesOf([path.join(configured.root, "proj", "src")]), ["double-free"], "the config above the first path wins");
    assert.deepEqual(rulesOf(["--config", path.join(configured.root, "proj", "vmbguard.json"), "."]), ["double-free"]);
  } finally {
    home.cleanup();
    elsewhere.cleanup();
    configured.cleanup();
  }
});
