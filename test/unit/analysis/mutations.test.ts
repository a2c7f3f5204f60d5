// Broken input, systematically: every C and TypeScript fixture, cut, trimmed and sprinkled with stray tokens by a
// seeded generator, must still give a result (problems and partial findings), never an exception,
// and every finding must point inside the file it is about.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { checkSources } from "../../../server/src/analysis/check";
import { defaultConfig } from "../../../server/src/config/config";
import { cFixturesRoot, tsFixturesRoot } from "./fixture-corpus";
import { seededRandom } from "./seeded-random";

/** Fragments that unbalance or confuse the grammar, the preprocessor and the CFG builder. */
const strayTokens = [
  "{", "}", "(", ")", ";", "[", "]", "\"", "'", "/*", "\\\n", "?", ":", "&&", "p->", "else", "case 1:",
  "goto out;", "do {", "} while (0);", "__try {", "__finally {", "__leave;", "\n#if 0\n", "\n#endif\n",
  "\n#ifdef X\n", "\n#else\n", "#define M(a) a(", "VmbPacketFree(", "\u0000", "\uFFFD",
  "try {", "} finally {", "} catch (e) {", "throw ", "await ", "=>", "?.", "??", "`${", "label: ", "continue label;", "yield ",
];

function mutate(text: string, random: () => number): string {
  let mutant = text;
  const edits = 1 + Math.floor(random() * 4);
  for (let edit = 0; edit < edits; edit++) {
    const at = Math.floor(random() * (mutant.length + 1));
    switch (Math.floor(random() * 4)) {
      case 0:
        mutant = mutant.slice(0, at);
        break;
      case 1:
        mutant = mutant.slice(0, at) + mutant.slice(at + 1 + Math.floor(random() * 20));
        break;
      case 2:
        mutant = mutant.slice(0, at) + strayTokens[Math.floor(random() * strayTokens.length)] + mutant.slice(at);
        break;
      default: {
        const lines = mutant.split("\n");
        lines.splice(Math.floor(random() * lines.length), 0, lines[Math.floor(random() * lines.length)]);
        mutant = lines.join("\n");
      }
    }
  }
  return mutant;
}

function fixtureSources(root: string, twins: readonly string[]): { name: string; text: string }[] {
  const sources: { name: string; text: string }[] = [];
  for (const pattern of readdirSync(root).sort()) {
    for (const twin of twins) {
      const file = join(root, pattern, twin);
      if (existsSync(file)) sources.push({ name: `${pattern}/${twin}`, text: readFileSync(file, "utf8") });
    }
  }
  return sources;
}

async function checkMutants(sources: { name: string; text: string }[], mutantPath: string): Promise<void> {
  const config = defaultConfig();
  config.models = ["kmcl", "wdk-pool", "wdk-mdl", "libc"];
  const random = seededRandom(20261125);
  let checked = 0;
  for (const source of sources) {
    for (let round = 0; round < 4; round++) {
      const mutant = mutate(source.text, random);
      const lineCount = mutant.split("\n").length;
      const result = await checkSources([{ path: mutantPath, text: mutant }], config).catch((error: unknown) => {
        assert.fail(`${source.name}, mutant ${round}: ${error instanceof Error ? error.stack : String(error)}\n--- mutant ---\n${mutant}`);
      });
      for (const finding of result.findings) {
        assert.ok(finding.range.start.line >= 0 && finding.range.end.line < lineCount, `${source.name}, mutant ${round}: ${finding.ruleId} at line ${finding.range.start.line + 1} of ${lineCount}`);
        assert.doesNotMatch(finding.message, /stopped: /, `${source.name}, mutant ${round}: ${finding.message}`);
      }
      checked++;
    }
  }
  assert.equal(checked, sources.length * 4);
}

test("mutants of every C fixture are checked without an exception, with findings inside the file", async () => {
  const sources = fixtureSources(cFixturesRoot, ["bad.c", "good.c"]);
  assert.ok(sources.length > 100, "the fixture corpus is found");
  await checkMutants(sources, "mutant.c");
});

test("mutants of every TypeScript fixture are checked without an exception, with findings inside the file", async () => {
  const sources = fixtureSources(tsFixturesRoot, ["bad.ts", "good.ts"]);
  assert.ok(sources.length > 50, "the fixture corpus is found");
  await checkMutants(sources, "mutant.ts");
});
