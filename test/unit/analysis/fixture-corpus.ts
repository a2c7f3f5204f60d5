// Reads the fixture corpora (test/fixtures/c, test/fixtures/ts) into checkable units and compares what the
// engine reports with the `expect:` comments written in the sources. The convention itself
// is documented at the top of fixtures.test.ts.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import { defaultConfig, type Config } from "../../../server/src/config/config";
import { loadConfigFile } from "../../../server/src/config/load";
import { checkModelReferences } from "../../../server/src/config/validate";

/** From out/test/unit/analysis back to the repository's source tree. */
const repositoryRoot = resolve(__dirname, "../../../..");
export const cFixturesRoot = join(repositoryRoot, "test/fixtures/c");
export const tsFixturesRoot = join(repositoryRoot, "test/fixtures/ts");
export const cppFixturesRoot = join(repositoryRoot, "test/fixtures/cpp");
export const samplesRoot = join(repositoryRoot, "samples");

export type Twin = "bad" | "good";

export interface FixtureFile {
  /** Path relative to the unit's folder, with forward slashes: how failures name the file. */
  name: string;
  absolutePath: string;
  text: string;
}

/** Sources checked together, with the folder their names are relative to. */
export interface CheckUnit {
  root: string;
  files: FixtureFile[];
  config: Config;
}

export interface FixtureUnit extends CheckUnit {
  pattern: string;
  twin: Twin;
}

export interface ExpectedFinding {
  file: string;
  /** One-based, as editors and failure messages show it. */
  line: number;
  ruleId: string;
}

const sourceExtensions = [".c", ".h", ".cpp", ".hpp", ".ts", ".tsx", ".js", ".mjs", ".cjs"];
const twins: Twin[] = ["bad", "good"];

/**
 * `// expect: a, b` normally; `/* expect: a *\/` is accepted for lines whose own `//` comment
 * is the subject of the test (a suppression comment cannot carry a second `//` comment).
 */
const expectationPattern = /(?:\/\/|\/\*)\s*expect:\s*([a-z][a-z0-9-]*(?:\s*,\s*[a-z][a-z0-9-]*)*)/g;

export function parseExpectations(fileName: string, text: string): ExpectedFinding[] {
  const expected: ExpectedFinding[] = [];
  text.split(/\r?\n/).forEach((lineText, index) => {
    for (const match of lineText.matchAll(expectationPattern)) {
      for (const ruleId of match[1].split(",")) expected.push({ file: fileName, line: index + 1, ruleId: ruleId.trim() });
    }
  });
  return expected;
}

export function expectationsOf(unit: FixtureUnit): ExpectedFinding[] {
  return unit.files.flatMap((file) => parseExpectations(file.name, file.text));
}

/** Through the same loader and checks as the CLI, so a fixture's vmbguard.json is a valid one. */
function loadFixtureConfig(configPath: string): Config {
  const config = loadConfigFile(configPath);
  checkModelReferences(config, configPath);
  return config;
}

function listSourceFiles(folder: string): string[] {
  return readdirSync(folder)
    .sort()
    .flatMap((entry) => {
      const full = join(folder, entry);
      if (statSync(full).isDirectory()) return listSourceFiles(full);
      return sourceExtensions.some((extension) => entry.endsWith(extension)) ? [full] : [];
    });
}

function readFixtureFile(root: string, absolutePath: string): FixtureFile {
  return { name: relative(root, absolutePath).split(sep).join("/"), absolutePath, text: readFileSync(absolutePath, "utf8") };
}

/** Every (pattern, twin) unit, sorted, so test names and order are stable. */
export function discoverUnits(root: string = cFixturesRoot): FixtureUnit[] {
  const units: FixtureUnit[] = [];
  for (const pattern of readdirSync(root).sort()) {
    const patternDir = join(root, pattern);
    if (!statSync(patternDir).isDirectory()) continue;
    const configPath = join(patternDir, "vmbguard.json");
    const config = existsSync(configPath) ? loadFixtureConfig(configPath) : defaultConfig();
    for (const twin of twins) {
      const singleFile = sourceExtensions.map((extension) => join(patternDir, `${twin}${extension}`)).find((candidate) => existsSync(candidate));
      const folder = join(patternDir, twin);
      if (singleFile !== undefined) {
        units.push({ pattern, twin, root: patternDir, files: [readFixtureFile(patternDir, singleFile)], config });
      } else if (existsSync(folder) && statSync(folder).isDirectory()) {
        units.push({ pattern, twin, root: folder, files: listSourceFiles(folder).map((file) => readFixtureFile(folder, file)), config });
      }
    }
  }
  return units;
}

/** The pattern folders, to check that each holds both twins. */
export function listPatterns(root: string = cFixturesRoot): string[] {
  return readdirSync(root)
    .sort()
    .filter((entry) => statSync(join(root, entry)).isDirectory());
}

/** How the engine's file path reads in a unit: relative to the unit's folder when it is inside it. */
export function unitFileName(unit: CheckUnit, reportedPath: string): string {
  const absolute = isAbsolute(reportedPath) ? reportedPath : resolve(unit.root, reportedPath);
  const inside = relative(unit.root, absolute);
  return inside.startsWith("..") ? reportedPath : inside.split(sep).join("/");
}

export function describeFinding(finding: ExpectedFinding): string {
  return `${finding.file}:${finding.line} ${finding.ruleId}`;
}

export interface Comparison {
  missing: ExpectedFinding[];
  unexpected: ExpectedFinding[];
}

/** Exact multiset comparison on (file, line, rule). */
export function compareFindings(expected: ExpectedFinding[], actual: ExpectedFinding[]): Comparison {
  const unmatched = new Map<string, ExpectedFinding[]>();
  for (const finding of actual) {
    const key = describeFinding(finding);
    unmatched.set(key, [...(unmatched.get(key) ?? []), finding]);
  }
  const missing: ExpectedFinding[] = [];
  for (const finding of expected) {
    const candidates = unmatched.get(describeFinding(finding));
    if (candidates !== undefined && candidates.length > 0) candidates.pop();
    else missing.push(finding);
  }
  const byPosition = (a: ExpectedFinding, b: ExpectedFinding) =>
    a.file.localeCompare(b.file) || a.line - b.line || a.ruleId.localeCompare(b.ruleId);
  return { missing: missing.sort(byPosition), unexpected: [...unmatched.values()].flat().sort(byPosition) };
}

export function formatComparison(label: string, comparison: Comparison): string {
  const lines = [`${label}: findings differ from what is expected`];
  for (const finding of comparison.missing) lines.push(`  missing     ${describeFinding(finding)}`);
  for (const finding of comparison.unexpected) lines.push(`  unexpected  ${describeFinding(finding)}`);
  return lines.join("\n");
}

/** A sample driver folder, checked as one unit with the default configuration. */
export function loadSampleUnit(sampleName: string): CheckUnit {
  const root = join(samplesRoot, sampleName);
  return { root, files: listSourceFiles(root).map((file) => readFixtureFile(root, file)), config: defaultConfig() };
}

/**
 * The expected findings of a sample, read from the `## <sampleName>` section of
 * samples/README.md: table rows whose cells hold `` `file.c:line` `` (or `.h`, `.ts`, `.js`) and `` `rule-id` ``.
 */
export function readSampleExpectations(sampleName: string): ExpectedFinding[] {
  const readme = readFileSync(join(samplesRoot, "README.md"), "utf8");
  const sections = readme.split(/^## /m);
  const section = sections.find((candidate) => candidate.startsWith(`${sampleName}\n`));
  if (section === undefined) throw new Error(`samples/README.md has no "## ${sampleName}" section`);
  const rowPattern = /^\|[^|\n]*\|\s*`([\w./-]+\.(?:[ch]|cpp|hpp|ts|js)):(\d+)`\s*\|\s*`([a-z][a-z0-9-]*)`\s*\|/gm;
  return [...section.matchAll(rowPattern)].map((match) => ({ file: match[1], line: Number(match[2]), ruleId: match[3] }));
}
