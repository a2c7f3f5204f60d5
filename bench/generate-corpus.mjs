#!/usr/bin/env node
// Writes the speed corpus: driver-like C over ~400 files, deterministic from a seed.
//   node bench/generate-corpus.mjs [--seed N] [--files N] [--lines N] [--out DIR] [--bug-rate R]
// Seeded bugs carry `// expect: <rule>` like the fixtures, so recall on the corpus can be scored too.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { createRandom, SourceWriter } from "./corpus/source-writer.mjs";
import { driverHeader, exportedPrototypes, fillerTemplates, fixedTemplates } from "./corpus/templates.mjs";

const SUBSYSTEMS = ["Nvsp", "Rndis", "Stor", "Synth", "Kbd", "Vid", "Hvs", "Vss", "Bal", "Tim", "Shut", "Pci"];

export const defaultCorpusOptions = { seed: 20241125, files: 400, lines: 205000, bugRate: 0.06 };

function prefixOf(fileIndex) {
  return `${SUBSYSTEMS[fileIndex % SUBSYSTEMS.length]}${String(fileIndex).padStart(3, "0")}`;
}

function pickWeighted(random, entries) {
  const total = entries.reduce((sum, entry) => sum + entry.weight, 0);
  let ticket = random.next() * total;
  for (const entry of entries) {
    ticket -= entry.weight;
    if (ticket < 0) return entry.template;
  }
  return entries[entries.length - 1].template;
}

function emitTemplate(writer, template, context, random, bugRate) {
  const bug = template.bugKinds.length > 0 && random.chance(bugRate) ? random.pick(template.bugKinds) : undefined;
  template.emit(writer, { ...context, bug });
  return bug ? 1 : 0;
}

/** Generates the corpus into `outDir` and returns what was written. */
export function generateCorpus(outDir, options = defaultCorpusOptions) {
  const { seed, files, lines, bugRate } = { ...defaultCorpusOptions, ...options };
  const random = createRandom(seed);
  const linesPerFile = Math.ceil(lines / files);
  const prefixes = Array.from({ length: files }, (_, index) => prefixOf(index));

  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(join(outDir, "src"), { recursive: true });
  const headerText = driverHeader(prefixes.flatMap(exportedPrototypes));
  writeFileSync(join(outDir, "src", "driver.h"), headerText);
  writeFileSync(
    join(outDir, "vmbguard.json"),
    `${JSON.stringify({ models: ["kmcl", "wdk-pool", "wdk-mdl"] }, null, 2)}\n`,
  );

  let totalLines = headerText.split("\n").length - 1;
  let seededBugs = 0;
  const fileNames = [];
  for (let fileIndex = 0; fileIndex < files; fileIndex++) {
    const prefix = prefixes[fileIndex];
    // Helpers come from the next files, so calls cross file boundaries and wrap around.
    const other = (distance) => prefixes[(fileIndex + distance * random.between(1, 7)) % files];
    const writer = new SourceWriter();
    writer.line(`/* ${prefix}: synthetic VMBus client code (seed ${seed}, file ${fileIndex}). */`, '#include "driver.h"', "");
    let templateIndex = 0;
    for (const template of fixedTemplates) {
      seededBugs += emitTemplate(writer, template, { prefix, index: templateIndex++, other, random }, random, bugRate);
    }
    while (writer.lineCount < linesPerFile) {
      const template = pickWeighted(random, fillerTemplates);
      seededBugs += emitTemplate(writer, template, { prefix, index: templateIndex++, other, random }, random, bugRate);
    }
    const fileName = `${prefix.toLowerCase()}.c`;
    writeFileSync(join(outDir, "src", fileName), writer.toString());
    fileNames.push(join("src", fileName));
    totalLines += writer.lineCount;
  }
  return { dir: outDir, files: fileNames, sourceFiles: files, lines: totalLines, seededBugs, seed };
}

function parseArguments(argv) {
  const options = { ...defaultCorpusOptions, out: "bench/work/corpus" };
  for (let index = 0; index < argv.length; index += 2) {
    const [flag, value] = [argv[index], argv[index + 1]];
    if (flag === "--seed") options.seed = Number(value);
    else if (flag === "--files") options.files = Number(value);
    else if (flag === "--lines") options.lines = Number(value);
    else if (flag === "--bug-rate") options.bugRate = Number(value);
    else if (flag === "--out") options.out = value;
    else throw new Error(`unknown option ${flag}`);
  }
  return options;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const options = parseArguments(process.argv.slice(2));
  const result = generateCorpus(resolve(options.out), options);
  console.log(`wrote ${result.sourceFiles} files, ${result.lines} lines, ${result.seededBugs} seeded bugs into ${result.dir}`);
}
