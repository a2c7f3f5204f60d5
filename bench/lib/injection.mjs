// Bug injection on a real driver tree: in functions that allocate pool into a local and free it
// (ExAllocatePool* ... ExFreePool*), remove one free (an injected leak) or repeat it (an injected
// double free) in a copy of the file's folder, check that folder, and count how often a finding
// of that kind, new against the unchanged folder, lands in that function. The tree is never
// modified and nothing of it is kept: only counts and the reasons of misses are reported.
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve, sep } from "node:path";
import { topLevelBlocks } from "./function-spans.mjs";
import { run } from "./measure.mjs";
import { cliPath } from "./ours.mjs";

/** The kinds of injected bug, each with the rules that count as finding it. */
export const injectionKinds = {
  leak: { rules: ["packet-leak", "leak"], target: 0.9 },
  doubleFree: { rules: ["double-free"], target: 0.98 },
};

const models = ["wdk-pool", "wdk-mdl"];
const sourceExtensions = /\.(c|cpp|cxx)$/i;
const copiedExtensions = /\.(c|cpp|cxx|cc|h|hpp|hxx|inl|vcxproj)$/i;
const allocation = /\b([A-Za-z_]\w*)\s*=\s*(?:\([^();]*\)\s*)*ExAllocatePool\w*\s*\(/g;

/** The source files of the tree, relative with `/`, sorted. */
function sources(root) {
  const found = [];
  const walk = (folder) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const full = join(folder, entry.name);
      if (entry.isDirectory() && entry.name !== ".git") walk(full);
      else if (entry.isFile() && sourceExtensions.test(entry.name)) found.push(relative(root, full).split(sep).join("/"));
    }
  };
  walk(root);
  return found.sort();
}

/** Offsets of line starts, so that a block's one-based lines map to text offsets. */
function lineStarts(text) {
  const starts = [0];
  for (let index = 0; index < text.length; index++) if (text[index] === "\n") starts.push(index + 1);
  return starts;
}

/** The end (exclusive) of the call whose `(` is at `open`, with its `;`, or -1 when it is not a statement. */
function statementEnd(text, open) {
  let depth = 0;
  for (let index = open; index < text.length; index++) {
    const char = text[index];
    if (char === "(") depth++;
    else if (char === ")" && --depth === 0) {
      const rest = /^\s*;/.exec(text.slice(index + 1, index + 64));
      return rest === null ? -1 : index + 1 + rest[0].length;
    }
  }
  return -1;
}

/**
 * The injection sites of one file: per function (top-level block), the first variable declared
 * in it that receives an ExAllocatePool* result, and the first statement freeing it.
 */
export function injectionSites(text) {
  const starts = lineStarts(text);
  const sites = [];
  for (const block of topLevelBlocks(text)) {
    const from = starts[block.start - 1];
    const to = block.end < starts.length ? starts[block.end] : text.length;
    const body = text.slice(from, to);
    for (const match of body.matchAll(allocation)) {
      const variable = match[1];
      // A local: declared in the function before its allocation.
      const declared = new RegExp(`\\b[A-Za-z_]\\w*[\\s*]+${variable}\\s*(?:[=;,\\[)]|$)`, "m").test(body.slice(0, match.index));
      if (!declared) continue;
      const free = new RegExp(`\\bExFreePool\\w*\\s*\\(\\s*(?:\\([^();]*\\)\\s*)*${variable}\\s*[,)]`, "g");
      free.lastIndex = match.index;
      let site;
      for (const freeMatch of body.matchAll(free)) {
        if (freeMatch.index < match.index) continue;
        const open = from + freeMatch.index + freeMatch[0].indexOf("(");
        const end = statementEnd(text, open);
        if (end < 0) continue;
        site = { start: from + freeMatch.index, end };
        break;
      }
      if (site === undefined) continue;
      sites.push({ block, variable, free: site, line: text.slice(0, site.start).split("\n").length });
      break;
    }
  }
  return sites;
}

/** The text with the free removed (an empty statement, so an unbraced `if` keeps its body) or doubled. */
export function inject(text, site, kind) {
  const statement = text.slice(site.free.start, site.free.end);
  const replacement = kind === "leak" ? ";" : `{ ${statement} ${statement} }`;
  return text.slice(0, site.free.start) + replacement + text.slice(site.free.end);
}

/** Copies the sources and headers of `folder` (and below) into a fresh temporary folder. */
function copyFolder(folder) {
  const copy = mkdtempSync(join(tmpdir(), "vmbguard-injection-"));
  cpSync(folder, copy, { recursive: true, filter: (source) => !/\.git$/.test(source) && (copiedExtensions.test(source) || !/\.[^/\\]+$/.test(source.split(sep).pop() ?? "")) });
  return copy;
}

/** Checks `target` (the folder copy, or one file of it) with the WDK models; the findings, with absolute file paths. */
async function check(repoRoot, folder, target) {
  const args = [cliPath(repoRoot), "check", ...models.flatMap((model) => ["--model", model]), "--format", "json", "--exit-zero", target];
  const result = await run(process.execPath, args, { cwd: folder, timeoutSeconds: 600 });
  if (result.exitCode !== 0 || result.timedOut) throw new Error(`check of ${target} failed: exit ${result.exitCode}${result.timedOut ? " (timed out)" : ""}`);
  return (JSON.parse(result.stdout).findings ?? []).map((finding) => ({ ...finding, file: resolve(folder, finding.file) }));
}

function key(finding) {
  return `${finding.ruleId}|${finding.range.start.line}|${finding.message}`;
}

/**
 * Runs the injections over the tree at `root`. `limit` caps the functions (the first ones in
 * file order); `scope` "folder" checks the whole folder copy (helpers in other files of it are
 * summarized), "file" only the changed file (its headers still come from the copy; faster);
 * `log` reports progress. Returns the counts per kind and one line per miss.
 */
export async function measureInjection({ repoRoot, root, limit = Infinity, scope = "folder", log = () => {} }) {
  const started = Date.now();
  const candidates = [];
  for (const file of sources(root)) {
    const text = readFileSync(join(root, file), "latin1");
    if (!text.includes("ExAllocatePool") || !text.includes("ExFreePool")) continue;
    for (const site of injectionSites(text)) if (candidates.length < limit) candidates.push({ file, text, site });
  }
  log(`injection: ${candidates.length} functions allocate pool into a local and free it`);
  const results = Object.fromEntries(Object.keys(injectionKinds).map((kind) => [kind, { injected: 0, found: 0, misses: [] }]));
  const byFolder = new Map();
  for (const candidate of candidates) {
    const folder = dirname(candidate.file);
    if (!byFolder.has(folder)) byFolder.set(folder, []);
    byFolder.get(folder).push(candidate);
  }
  for (const [folder, list] of byFolder) {
    const copy = copyFolder(join(root, folder));
    try {
      const baselines = new Map();
      for (const { file, text, site } of list) {
        const copied = join(copy, relative(folder, file));
        const target = scope === "file" ? copied : copy;
        if (!baselines.has(target)) baselines.set(target, new Set((await check(repoRoot, copy, target)).map((finding) => `${relative(copy, finding.file)}|${key(finding)}`)));
        const baseline = baselines.get(target);
        for (const [kind, { rules }] of Object.entries(injectionKinds)) {
          writeFileSync(copied, inject(text, site, kind), "latin1");
          const findings = await check(repoRoot, copy, target);
          const fresh = findings.filter((finding) => !baseline.has(`${relative(copy, finding.file)}|${key(finding)}`));
          const inFunction = (finding) => finding.file === copied && finding.range.start.line >= site.block.start && finding.range.start.line <= site.block.end;
          const found = fresh.some((finding) => rules.includes(finding.ruleId) && inFunction(finding));
          const tally = results[kind];
          tally.injected++;
          if (found) tally.found++;
          else tally.misses.push({ file, line: site.line, variable: site.variable, other: fresh.filter(inFunction).map((finding) => finding.ruleId) });
        }
        writeFileSync(copied, text, "latin1");
      }
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
    log(`injection: ${folder}: ${Object.entries(results).map(([kind, tally]) => `${kind} ${tally.found}/${tally.injected}`).join(", ")}`);
  }
  return {
    functions: candidates.length,
    models,
    scope,
    seconds: Math.round((Date.now() - started) / 1000),
    kinds: Object.fromEntries(Object.entries(results).map(([kind, tally]) => [kind, { ...tally, share: tally.injected === 0 ? 0 : tally.found / tally.injected, target: injectionKinds[kind].target }])),
  };
}

/** The issue's targets for injected bugs (none when the injection did not run). */
export function injectionTargets(injection) {
  if (injection === undefined) return [];
  const names = { leak: "injected leaks found", doubleFree: "injected double frees found" };
  return Object.entries(injection.kinds).map(([kind, tally]) => ({
    name: names[kind] ?? kind,
    target: `>= ${Math.round(tally.target * 100)}% of the functions of the real tree that allocate pool into a local and free it`,
    measured: `${tally.found}/${tally.injected} (${(tally.share * 100).toFixed(1)}%, ${injection.scope} scope)`,
    pass: tally.injected > 0 && tally.share >= tally.target,
  }));
}
