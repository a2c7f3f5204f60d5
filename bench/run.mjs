#!/usr/bin/env node
// `npm run bench`: accuracy on the fixture corpus and speed on a generated C corpus, for
// VmbGuard and three peers (gcc -fanalyzer, clang --analyze, cppcheck), and VmbGuard's speed on a
// generated TypeScript corpus (no peer analyzes TypeScript), and the language server's latency and
// first index (bench/lsp.mjs), and a check of a real driver tree (a pinned Windows-driver-samples
// snapshot, given by path), of the public KMCL research drivers (a folder of snapshots), their
// findings scored against the committed triage (bench/realworld/triage.json), and of the Juliet suite's
// CWE-401/415/416 C cases (given by path). Results go to bench/results/latest.{md,json}. See bench/README.md.
//   node bench/run.mjs [--skip-accuracy] [--skip-speed] [--skip-c-speed] [--skip-ts-speed] [--skip-lsp] [--skip-runtime]
//     [--real-tree PATH] [--real-tree-commit LABEL] [--real-tree-list N] [--skip-real-tree] [--only-real-tree]
//     [--kmcl-trees DIR] [--skip-kmcl-trees] [--juliet PATH] [--skip-juliet] [--only-juliet]
//     [--injection] [--injection-scope folder|file] [--injection-limit N] (bug injection in the real tree, bench/lib/injection.mjs)
//     [--lines N] [--files N] [--ts-lines N] [--ts-files N] [--repeats N] [--cooldown S] [--work DIR] [--results DIR]
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { availableParallelism, cpus, totalmem } from "node:os";
import { dirname, join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { defaultCorpusOptions, defaultTypeScriptCorpusOptions, generateCorpus } from "./generate-corpus.mjs";
import { measureLanguageServer } from "./lsp.mjs";
import { loadFixtureReader, loadFixtureUnits, measureAccuracy, oursAsTool, peerAsTool } from "./lib/accuracy.mjs";
import { run } from "./lib/measure.mjs";
import { oursAvailable } from "./lib/ours.mjs";
import { peerInputs, peers } from "./lib/peers/index.mjs";
import { measureJuliet } from "./lib/juliet.mjs";
import { measureKmclTrees } from "./lib/kmcl-trees.mjs";
import { measureInjection } from "./lib/injection.mjs";
import { measureRealTree } from "./lib/real-tree.mjs";
import { evaluateTargets, writeResults } from "./lib/report.mjs";
import { scoreUnit } from "./lib/score.mjs";
import { loadVerdicts, triageFile } from "./lib/triage.mjs";
import { corpusUnit, describeCorpus, measurePeer, OursMeasurement } from "./lib/speed.mjs";
import { ensureTools, isInstalled, toolVersions } from "./lib/tools.mjs";

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..");
const benchDir = join(repoRoot, "bench");

/** Wall-time budget of each peer over the corpus before it is measured on a sample instead. */
const peerBudgetSeconds = { gcc: 240, clang: 300, cppcheck: 240 };
const perFileTimeoutSeconds = 60;

const log = (message) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);

function parseOptions(argv) {
  const options = {
    accuracy: true,
    cSpeed: true,
    typeScriptSpeed: true,
    languageServer: true,
    runtime: true,
    realTree: true,
    // The snapshot is never committed: its path comes from the command line or the environment.
    realTreePath: process.env.VMBGUARD_REAL_TREE || undefined,
    realTreeCommit: process.env.VMBGUARD_REAL_TREE_COMMIT || undefined,
    realTreeListLimit: 200,
    juliet: true,
    julietPath: process.env.VMBGUARD_JULIET || undefined,
    kmclTrees: true,
    kmclTreesPath: process.env.VMBGUARD_KMCL_TREES || undefined,
    injection: false,
    injectionScope: "folder",
    injectionLimit: Infinity,
    lines: defaultCorpusOptions.lines,
    files: defaultCorpusOptions.files,
    typeScriptLines: defaultTypeScriptCorpusOptions.lines,
    typeScriptFiles: defaultTypeScriptCorpusOptions.files,
    repeats: 3,
    cooldownSeconds: 30,
    workDir: join(benchDir, "work"),
    resultsDir: join(benchDir, "results"),
  };
  for (let index = 0; index < argv.length; index++) {
    const flag = argv[index];
    if (flag === "--skip-accuracy") options.accuracy = false;
    else if (flag === "--skip-speed") options.cSpeed = options.typeScriptSpeed = false;
    else if (flag === "--skip-c-speed") options.cSpeed = false;
    else if (flag === "--skip-ts-speed") options.typeScriptSpeed = false;
    else if (flag === "--skip-lsp") options.languageServer = false;
    else if (flag === "--skip-runtime") options.runtime = false;
    else if (flag === "--skip-real-tree") options.realTree = false;
    else if (flag === "--skip-kmcl-trees") options.kmclTrees = false;
    else if (flag === "--only-real-tree") {
      options.accuracy = options.cSpeed = options.typeScriptSpeed = options.languageServer = options.runtime = options.juliet = false;
      options.realTree = options.kmclTrees = true;
    } else if (flag === "--skip-juliet") options.juliet = false;
    else if (flag === "--only-juliet") {
      options.accuracy = options.cSpeed = options.typeScriptSpeed = options.languageServer = options.runtime = options.realTree = options.kmclTrees = false;
      options.juliet = true;
    } else if (flag === "--juliet") options.julietPath = resolve(argv[++index]);
    else if (flag === "--kmcl-trees") options.kmclTreesPath = resolve(argv[++index]);
    else if (flag === "--real-tree") options.realTreePath = resolve(argv[++index]);
    else if (flag === "--real-tree-commit") options.realTreeCommit = argv[++index];
    else if (flag === "--real-tree-list") options.realTreeListLimit = Math.max(0, Number(argv[++index]));
    else if (flag === "--injection") options.injection = true;
    else if (flag === "--injection-scope") options.injectionScope = argv[++index] === "file" ? "file" : "folder";
    else if (flag === "--injection-limit") options.injectionLimit = Math.max(1, Number(argv[++index]));
    else if (flag === "--lines") options.lines = Number(argv[++index]);
    else if (flag === "--files") options.files = Number(argv[++index]);
    else if (flag === "--ts-lines") options.typeScriptLines = Number(argv[++index]);
    else if (flag === "--ts-files") options.typeScriptFiles = Number(argv[++index]);
    else if (flag === "--repeats") options.repeats = Math.max(1, Number(argv[++index]));
    else if (flag === "--cooldown") options.cooldownSeconds = Math.max(0, Number(argv[++index]));
    else if (flag === "--work") options.workDir = resolve(argv[++index]);
    else if (flag === "--results") options.resultsDir = resolve(argv[++index]);
    else throw new Error(`unknown option ${flag}`);
  }
  return options;
}

/** Each peer, and VmbGuard, must find the two bugs of bench/peers/known-leak.c. */
async function selfCheck(tools) {
  const file = "known-leak.c";
  const text = readFileSync(join(benchDir, "peers", file), "utf8");
  const expected = [...text.matchAll(/^.*\/\/ expect: ([a-z-]+)$/gm)].map((match) => ({
    file,
    line: text.slice(0, match.index).split("\n").length,
    ruleId: match[1],
  }));
  const checks = [];
  for (const tool of tools) {
    const outcome = await tool.check({ root: join(benchDir, "peers"), files: [{ name: file, text }] });
    const score = scoreUnit({ files: [{ name: file, text }], expected, reports: outcome.reports });
    checks.push({
      tool: tool.id,
      understood: score.outcomes.every((item) => item.found) && outcome.errors.length === 0,
      missed: score.outcomes.filter((item) => !item.found).map((item) => `${item.expectation.ruleId} at line ${item.expectation.line}`),
      errors: outcome.errors,
    });
  }
  return checks;
}

async function runtimeThroughput(resultsDir) {
  const script = join(benchDir, "runtime", "throughput.mjs");
  if (!existsSync(script)) return undefined;
  log("runtime: bench/runtime/throughput.mjs");
  const result = await run(process.execPath, [script], { cwd: repoRoot, timeoutSeconds: 300 });
  if (result.exitCode !== 0) return { error: `throughput.mjs exited ${result.exitCode}: ${result.stderr.trim().split("\n").slice(-2).join(" | ")}` };
  const resultFile = join(resultsDir, "runtime.json");
  return existsSync(resultFile) ? JSON.parse(readFileSync(resultFile, "utf8")) : undefined;
}

async function main() {
  const options = parseOptions(process.argv.slice(2));
  const { workDir, resultsDir } = options;
  const started = Date.now();
  mkdirSync(workDir, { recursive: true });
  mkdirSync(resultsDir, { recursive: true });
  // The peers are C tools: they take part in accuracy and in the C speed phase only.
  const withPeers = options.accuracy || options.cSpeed;
  const warnings = ensureTools(log, { withPeers });
  const inputs = peerInputs(repoRoot);
  const availablePeers = withPeers ? peers.filter((peer) => isInstalled(peer.binary)) : [];
  const haveOurs = oursAvailable(repoRoot);
  if (!haveOurs) warnings.push("dist/cli.js is missing (npm run build): VmbGuard was not measured");

  const tools = [...(haveOurs ? [oursAsTool(repoRoot)] : []), ...availablePeers.map((peer) => peerAsTool(peer, inputs))];
  const selfChecks = await selfCheck(tools);
  for (const check of selfChecks) {
    if (!check.understood) {
      warnings.push(`${check.tool} did not report the known bugs of bench/peers/known-leak.c (missed: ${check.missed.join(", ") || "none"}${check.errors.length ? `; errors: ${check.errors.join(" | ")}` : ""}): its numbers below are not trustworthy`);
    }
  }
  log(`self-check: ${selfChecks.map((check) => `${check.tool} ${check.understood ? "ok" : "FAILED"}`).join(", ")}`);

  let accuracy;
  if (options.accuracy) {
    const units = loadFixtureUnits(repoRoot);
    log(`accuracy: ${units.length} fixture units`);
    accuracy = {
      unitCount: units.length,
      patternCount: new Set(units.map((unit) => unit.pattern)).size,
      tools: await measureAccuracy(units, tools, log),
    };
  }

  let speed;
  let typeScriptSpeed;
  if (options.cSpeed || options.typeScriptSpeed) {
    const { parseExpectations } = loadFixtureReader(repoRoot);
    // VmbGuard's rounds take turns with the peers (ours, gcc, ours, clang, ours, ...), and every
    // measurement starts after a rest: on this shared host, memory-heavy work runs slower for a
    // while after sustained load, which would penalize whichever tool comes right after another.
    const rest = async () => {
      if (options.cooldownSeconds > 0) await sleep(options.cooldownSeconds * 1000);
    };
    const prepare = (language, sizes) => {
      const corpus = describeCorpus(generateCorpus(join(workDir, language === "c" ? "corpus" : `corpus-${language}`), sizes, language));
      log(`speed: ${corpus.languageName} corpus of ${corpus.sourceFiles} files, ${corpus.lines} lines, ${corpus.seededBugs} seeded bugs`);
      const wholeCorpus = corpusUnit(corpus, corpus.files, parseExpectations);
      return { corpus, ours: haveOurs ? new OursMeasurement(repoRoot, corpus, workDir, [1, undefined], wholeCorpus, log, rest) : undefined };
    };
    const c = options.cSpeed ? prepare("c", { lines: options.lines, files: options.files }) : undefined;
    const typeScript = options.typeScriptSpeed ? prepare("ts", { lines: options.typeScriptLines, files: options.typeScriptFiles }) : undefined;
    // A round of VmbGuard measures both corpora back to back, so both languages meet the same spells of the host.
    const ourMeasurements = [c?.ours, typeScript?.ours].filter((measurement) => measurement !== undefined);
    const oursRound = async () => {
      for (const measurement of ourMeasurements) if (measurement.roundsDone < options.repeats) await measurement.runRound();
    };
    const peerRows = [];
    await oursRound();
    for (const peer of c === undefined ? [] : availablePeers) {
      log(`speed: ${peer.label}`);
      await rest();
      peerRows.push(await measurePeer(peer, inputs, c.corpus, {
        parallelism: availableParallelism(),
        budgetSeconds: peerBudgetSeconds[peer.id],
        timeoutSeconds: perFileTimeoutSeconds,
        parseExpectations,
        log,
      }));
      await oursRound();
    }
    while (ourMeasurements.some((measurement) => measurement.roundsDone < options.repeats)) await oursRound();
    const summary = ({ corpus, ours }, otherRows) => ({
      corpus: { language: corpus.language, seed: corpus.seed, sourceFiles: corpus.sourceFiles, files: corpus.files.length, lines: corpus.lines, seededBugs: corpus.seededBugs },
      rows: [...(ours?.rows() ?? []), ...otherRows],
    });
    speed = c && summary(c, peerRows);
    typeScriptSpeed = typeScript && summary(typeScript, []);
  }

  let languageServer;
  if (options.languageServer && haveOurs) {
    languageServer = { runs: [] };
    for (let round = 0; round < options.repeats; round++) {
      if (options.cooldownSeconds > 0) await sleep(options.cooldownSeconds * 1000);
      log(`language server: round ${round + 1} of ${options.repeats}`);
      languageServer.runs.push(await measureLanguageServer({ edits: 200, files: 1000, linesPerFile: 200, debounce: undefined, work: join(workDir, "lsp") }));
    }
  }

  const verdicts = loadVerdicts(join(repoRoot, ...triageFile));
  let realTree;
  if (options.realTree && haveOurs) {
    if (options.realTreePath !== undefined && (options.accuracy || options.cSpeed || options.typeScriptSpeed || options.languageServer) && options.cooldownSeconds > 0) {
      await sleep(options.cooldownSeconds * 1000);
    }
    realTree = await measureRealTree({
      repoRoot,
      root: options.realTreePath === undefined ? undefined : resolve(options.realTreePath),
      commitLabel: options.realTreeCommit,
      workDir,
      listLimit: options.realTreeListLimit,
      verdicts,
      log,
    });
    if (realTree.skipped !== undefined) log(`real tree: skipped: ${realTree.skipped}`);
    else if (realTree.error !== undefined) log(`real tree: ${realTree.error}`);
    for (const warning of realTree.warnings ?? []) warnings.push(`real tree: ${warning}`);
  }

  let juliet;
  if (options.juliet && haveOurs) {
    juliet = await measureJuliet({ repoRoot, root: options.julietPath === undefined ? undefined : resolve(options.julietPath), workDir, log });
    if (juliet.skipped !== undefined) log(`juliet: skipped: ${juliet.skipped}`);
    for (const error of juliet.errors ?? []) warnings.push(`juliet: ${error}`);
  }
  let kmclTrees;
  if (options.kmclTrees && haveOurs) {
    kmclTrees = await measureKmclTrees({ repoRoot, dir: options.kmclTreesPath, workDir, verdicts, log });
    if (kmclTrees.skipped !== undefined) log(`KMCL trees: skipped: ${kmclTrees.skipped}`);
    for (const tree of kmclTrees.trees ?? []) {
      if (tree.error !== undefined) log(`KMCL tree ${tree.repository}: ${tree.error}`);
      for (const warning of tree.warnings) warnings.push(`KMCL tree: ${warning}`);
    }
    for (const absent of kmclTrees.absent ?? []) warnings.push(`KMCL tree not found: ${absent}`);
  }
  // Bug injection needs the real tree's path; it runs after the tree's own check.
  let injection;
  if (options.injection && haveOurs) {
    if (options.realTreePath === undefined) warnings.push("injection: skipped: no --real-tree path");
    else injection = await measureInjection({ repoRoot, root: resolve(options.realTreePath), limit: options.injectionLimit, scope: options.injectionScope, log });
  }

  const runtime = options.runtime ? await runtimeThroughput(join(benchDir, "results")) : undefined;
  const results = {
    generatedAt: new Date().toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? "unknown", memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version },
    toolVersions: toolVersions(),
    commands: Object.fromEntries([
      ["vmbguard", `node dist/cli.js check --format json --severity information --exit-zero [--config <pattern>/vmbguard.json] [--jobs N] <files>`],
      ...availablePeers.map((peer) => {
        const { command, args } = peer.command("<file>", inputs);
        const quoted = [command, ...args].map((arg) => (/[\s{}[\]]/.test(arg) && arg !== "<file>" ? `'${arg}'` : arg));
        return [peer.id, quoted.join(" ").replaceAll(`${repoRoot}/`, "")];
      }),
    ]),
    warnings,
    selfChecks,
    accuracy,
    speed,
    typeScriptSpeed,
    languageServer,
    realTree,
    juliet,
    kmclTrees,
    injection,
    runtime,
    benchSeconds: (Date.now() - started) / 1000,
  };
  results.targets = evaluateTargets(results);
  writeResults(resultsDir, results);
  log(`wrote ${join(resultsDir, "latest.md")} and latest.json in ${results.benchSeconds.toFixed(0)} s`);
  for (const target of results.targets) log(`target ${target.pass ? "PASS" : "FAIL"}: ${target.name}: ${target.measured}`);
}

await main();
