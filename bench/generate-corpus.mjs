#!/usr/bin/env node
// Writes a speed corpus, deterministic from a seed: driver-like C over ~400 files (the default),
// or driver-style TypeScript against vmbguard/runtime over ~100 files (`--language ts`).
//   node bench/generate-corpus.mjs [--language c|ts] [--seed N] [--files N] [--lines N] [--out DIR] [--bug-rate R]
// Seeded bugs carry `// expect: <rule>` like the fixtures, so recall on the corpus can be scored too.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { cCorpus } from "./corpus/c-templates.mjs";
import { createRandom } from "./corpus/source-writer.mjs";
import { typeScriptCorpus } from "./corpus/ts-templates.mjs";

const SUBSYSTEMS = ["Nvsp", "Rndis", "Stor", "Synth", "Kbd", "Vid", "Hvs", "Vss", "Bal", "Tim", "Shut", "Pci"];

/** Each language's corpus (templates, shared files, file layout) and default size. */
export const corpusLanguages = {
  c: { corpus: cCorpus, defaults: { seed: 20241125, files: 400, lines: 205000, bugRate: 0.06 } },
  ts: { corpus: typeScriptCorpus, defaults: { seed: 20241125, files: 100, lines: 50000, bugRate: 0.06 } },
};

export const defaultCorpusOptions = corpusLanguages.c.defaults;
export const defaultTypeScriptCorpusOptions = corpusLanguages.ts.defaults;

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

const lineCount = (text) => text.split("\n").length - 1;

/** Generates the corpus of `language` ("c" or "ts") into `outDir` and returns what was written. */
export function generateCorpus(outDir, options = {}, language = "c") {
  const { corpus, defaults } = corpusLanguages[language];
  const { seed, files, lines, bugRate } = { ...defaults, ...options };
  const random = createRandom(seed);
  const linesPerFile = Math.ceil(lines / files);
  const prefixes = Array.from({ length: files }, (_, index) => prefixOf(index));

  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(join(outDir, "src"), { recursive: true });
  writeFileSync(join(outDir, "vmbguard.json"), `${JSON.stringify(corpus.config, null, 2)}\n`);
  let totalLines = 0;
  for (const shared of corpus.sharedFiles(prefixes)) {
    writeFileSync(join(outDir, "src", shared.name), shared.text);
    totalLines += lineCount(shared.text);
  }

  let seededBugs = 0;
  const fileNames = [];
  for (let fileIndex = 0; fileIndex < files; fileIndex++) {
    const prefix = prefixes[fileIndex];
    // Helpers come from the next files, so calls cross file boundaries and wrap around.
    const other = (distance) => prefixes[(fileIndex + distance * random.between(1, 7)) % files];
    const file = corpus.startFile({ prefix, fileIndex, seed });
    const { writer } = file;
    let templateIndex = 0;
    const contextOf = () => ({ ...file.context, prefix, index: templateIndex++, other, random });
    for (const template of corpus.fixedTemplates) seededBugs += emitTemplate(writer, template, contextOf(), random, bugRate);
    while (writer.lineCount < linesPerFile) {
      seededBugs += emitTemplate(writer, pickWeighted(random, corpus.fillerTemplates), contextOf(), random, bugRate);
    }
    const fileName = corpus.sourceFileName(prefix);
    const text = file.text();
    writeFileSync(join(outDir, "src", fileName), text);
    fileNames.push(join("src", fileName));
    totalLines += lineCount(text);
  }
  return { dir: outDir, language, languageName: corpus.languageName, files: fileNames, sourceFiles: files, lines: totalLines, seededBugs, seed };
}

function parseArguments(argv) {
  const options = { language: "c" };
  for (let index = 0; index < argv.length; index += 2) {
    const [flag, value] = [argv[index], argv[index + 1]];
    if (flag === "--language") options.language = value;
    else if (flag === "--seed") options.seed = Number(value);
    else if (flag === "--files") options.files = Number(value);
    else if (flag === "--lines") options.lines = Number(value);
    else if (flag === "--bug-rate") options.bugRate = Number(value);
    else if (flag === "--out") options.out = value;
    else throw new Error(`unknown option ${flag}`);
  }
  if (!(options.language in corpusLanguages)) throw new Error(`--language must be one of ${Object.keys(corpusLanguages).join(", ")}`);
  options.out ??= options.language === "c" ? "bench/work/corpus" : `bench/work/corpus-${options.language}`;
  return options;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const { language, out, ...options } = parseArguments(process.argv.slice(2));
  const result = generateCorpus(resolve(out), options, language);
  console.log(`wrote ${result.sourceFiles} files, ${result.lines} lines, ${result.seededBugs} seeded bugs into ${result.dir}`);
}
