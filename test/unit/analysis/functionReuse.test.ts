// Reusing the analysis of unchanged functions between checks (analysis/functionResultCache.ts),
// as the language server does after every edit: the result must be exactly that of a check from
// scratch. Seeded random edits (lines inserted and deleted, a release turned into a comment, a
// function renamed, the edits undone) on every fixture unit and sample, each edit checked both ways.
import { test } from "node:test";
import assert from "node:assert/strict";
import { analyzeShards, checkSources, localShard, lowerSource, prepareLowering, type CheckResult, type SourceInput } from "../../../server/src/analysis/check";
import { FunctionResultCache } from "../../../server/src/analysis/functionResultCache";
import { AnalysisShard } from "../../../server/src/analysis/shard";
import { defaultConfig, type Config } from "../../../server/src/config/config";
import type { IrFile } from "../../../server/src/ir/ir";
import { cFixturesRoot, discoverUnits, loadSampleUnit, tsFixturesRoot, type CheckUnit } from "./fixture-corpus";
import { seededRandom } from "./seeded-random";

/** Checks like the language server's project: files lowered again only when their text changed, results reused. */
class ReusingChecker {
  readonly results = new FunctionResultCache();
  private readonly lowered = new Map<string, { text: string; ir: IrFile }>();

  constructor(
    private readonly config: Config,
    private readonly root: string,
  ) {}

  async check(sources: SourceInput[]): Promise<CheckResult> {
    // An edited header changes what its includers lower to: lower everything again, as the server does for its includers.
    if (sources.some((source) => source.path.endsWith(".h") && this.lowered.get(source.path)?.text !== source.text)) this.lowered.clear();
    const context = await prepareLowering(sources, this.config);
    const shard = new AnalysisShard(this.config, this.results);
    for (const source of sources) {
      let known = this.lowered.get(source.path);
      if (known?.text !== source.text) {
        known = { text: source.text, ir: await lowerSource(source, this.config, context) };
        this.lowered.set(source.path, known);
      }
      shard.add(known.ir);
    }
    const result = await analyzeShards([localShard(shard)], sources, this.config, { root: this.root });
    this.results.sweep();
    return result;
  }
}

/** What must be identical: everything but the time taken. */
function comparable(result: CheckResult): unknown {
  return { findings: result.findings, problems: result.problems, stats: { ...result.stats, millis: 0 } };
}

type Edit = (text: string, random: () => number) => string;

function pick<T>(items: readonly T[], random: () => number): T | undefined {
  return items.length === 0 ? undefined : items[Math.floor(random() * items.length)];
}

const insertLines: Edit = (text, random) => {
  const lines = text.split("\n");
  const at = Math.floor(random() * (lines.length + 1));
  lines.splice(at, 0, ...Array.from({ length: 1 + Math.floor(random() * 3) }, () => ""));
  return lines.join("\n");
};

const deleteLine: Edit = (text, random) => {
  const lines = text.split("\n");
  lines.splice(Math.floor(random() * lines.length), 1);
  return lines.join("\n");
};

/** A release call (or a completion) turned into a comment: a leak appears, summaries change. */
const commentOutRelease: Edit = (text, random) => {
  const lines = text.split("\n");
  const releases = lines.flatMap((line, index) => (/(Free|Release|Complete|Cleanup|Delete)\w*\s*\(/.test(line) && !line.trimStart().startsWith("//") ? [index] : []));
  const at = pick(releases, random) ?? Math.floor(random() * lines.length);
  lines[at] = `// ${lines[at]}`;
  return lines.join("\n");
};

/** Every occurrence of a called name in the file renamed: its callers elsewhere lose its summary. */
const renameFunction: Edit = (text, random) => {
  const names = [...new Set([...text.matchAll(/\b([A-Za-z_]\w{2,})\s*\(/g)].map((match) => match[1]))].filter((name) => !/^(if|for|while|switch|return|sizeof)$/.test(name));
  const name = pick(names, random);
  return name === undefined ? text : text.replace(new RegExp(`\\b${name}\\b`, "g"), `${name}Renamed`);
};

const edits: readonly Edit[] = [insertLines, insertLines, deleteLine, commentOutRelease, renameFunction];

async function checkBothWays(checker: ReusingChecker, sources: SourceInput[], config: Config, root: string, label: string): Promise<void> {
  let fresh: CheckResult;
  try {
    fresh = await checkSources(sources, config, { root });
  } catch (error) {
    await assert.rejects(checker.check(sources), `${label}: the check with reuse succeeded where a fresh one failed (${String(error)})`);
    return;
  }
  const reused = await checker.check(sources);
  assert.deepStrictEqual(comparable(reused), comparable(fresh), `${label}: the check with reuse differs from a fresh check`);
}

async function editAndCompare(unit: CheckUnit, seed: number, rounds: number): Promise<{ reused: number; analyzed: number }> {
  const random = seededRandom(seed);
  const checker = new ReusingChecker(unit.config, unit.root);
  const original = unit.files.map((file) => ({ path: file.absolutePath, text: file.text }));
  let sources = original;
  const totals = { reused: 0, analyzed: 0 };
  await checkBothWays(checker, sources, unit.config, unit.root, `${unit.root} as written`);
  for (let round = 0; round < rounds; round++) {
    const target = Math.floor(random() * sources.length);
    const edit = round === rounds - 1 ? undefined : pick(edits, random)!;
    // The last round undoes every edit: the results kept from before them must not stick.
    sources = edit === undefined ? original : sources.map((source, index) => (index === target ? { path: source.path, text: edit(source.text, random) } : source));
    await checkBothWays(checker, sources, unit.config, unit.root, `${unit.root}, seed ${seed}, edit ${round + 1} (${edit?.name ?? "undo"})`);
    totals.reused += checker.results.lastCheck.reused;
    totals.analyzed += checker.results.lastCheck.analyzed;
  }
  return totals;
}

const units: CheckUnit[] = [...discoverUnits(cFixturesRoot), ...discoverUnits(tsFixturesRoot), loadSampleUnit("netvsc-lite"), loadSampleUnit("sim-nic")];

test("random edits of every fixture unit and sample: a check reusing earlier results equals a check from scratch", async () => {
  const totals = { reused: 0, analyzed: 0 };
  for (const [index, unit] of units.entries()) {
    const counts = await editAndCompare(unit, 1000 + index, 6);
    totals.reused += counts.reused;
    totals.analyzed += counts.analyzed;
  }
  // Not a vacuous comparison: both ways are taken often (the fixtures are small, so an edit hits about every other function).
  assert.ok(totals.reused > 1000 && totals.analyzed > 1000, `reused ${totals.reused}, analyzed ${totals.analyzed}`);
});

const movedSource = `
VOID Release(VMBPACKET Packet)
{
    VmbPacketFree(Packet);
    VmbPacketFree(Packet);
}

VOID Leak(VMBCHANNEL Channel)
{
    VMBPACKET packet = VmbPacketAllocate(Channel);
    if (packet == NULL) {
        return;
    }
    Release(packet);
    VmbPacketFree(packet);
}
`;

test("a function moved down by lines inserted above it reuses its findings, shifted by as many lines", async () => {
  const config = defaultConfig();
  const checker = new ReusingChecker(config, "/");
  const before = await checker.check([{ path: "/driver.c", text: movedSource }]);
  assert.deepEqual(checker.results.lastCheck, { reused: 0, analyzed: 2 });
  const inserted = 7;
  const movedText = "\n".repeat(inserted) + movedSource;
  const after = await checker.check([{ path: "/driver.c", text: movedText }]);
  assert.deepEqual(checker.results.lastCheck, { reused: 2, analyzed: 0 });
  assert.ok(before.findings.length >= 2, "the source has findings to move");
  assert.deepEqual(
    after.findings.map((finding) => [finding.ruleId, finding.range.start.line, finding.acquiredAt?.range.start.line, finding.path.map((step) => step.range.start.line)]),
    before.findings.map((finding) => [finding.ruleId, finding.range.start.line + inserted, finding.acquiredAt && finding.acquiredAt.range.start.line + inserted, finding.path.map((step) => step.range.start.line + inserted)]),
  );
  // Messages name the lines where the code now is ("already released ... at line N").
  const doubleFree = after.findings.find((finding) => finding.ruleId === "double-free");
  assert.match(doubleFree?.message ?? "", new RegExp(`at line ${4 + inserted}\\b`));
  assert.deepStrictEqual(comparable(after), comparable(await checkSources([{ path: "/driver.c", text: movedText }], config, { root: "/" })));
});
