#!/usr/bin/env node
// The language server's own benchmark (a measurement, not a test): how long after a didChange
// the diagnostics arrive in a 5,000-line driver file (p50/p95 over 200 edits, target p95 <= 50 ms),
// and how long the first index and check of a 1,000-file workspace takes (target <= 10 s), with
// the server's resident memory after it. Run after `npm run build`:
//   node bench/lsp.mjs [--edits N] [--files N] [--lines-per-file N] [--debounce MS] [--work DIR]
import { spawn } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath, pathToFileURL } from "node:url";
import protocol from "vscode-languageserver-protocol/node";
import { generateCorpus } from "./generate-corpus.mjs";

const { createProtocolConnection, StreamMessageReader, StreamMessageWriter } = protocol;
const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..");
const cli = join(repoRoot, "dist", "cli.js");

export function parseOptions(argv) {
  const options = { edits: 200, files: 1000, linesPerFile: 200, debounce: undefined, work: join(repoRoot, "bench", "work", "lsp") };
  for (let index = 0; index < argv.length; index += 2) {
    const [flag, value] = [argv[index], argv[index + 1]];
    if (flag === "--edits") options.edits = Number(value);
    else if (flag === "--files") options.files = Number(value);
    else if (flag === "--lines-per-file") options.linesPerFile = Number(value);
    else if (flag === "--debounce") options.debounce = Number(value);
    else if (flag === "--work") options.work = resolve(value);
    else throw new Error(`unknown option ${flag}`);
  }
  return options;
}

/** The server's resident set in MB, from /proc (Linux). */
function residentMegabytes(pid) {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Math.round(Number(match[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

async function startServer(root, debounceMillis) {
  const child = spawn(process.execPath, [cli, "lsp", "--stdio"], { stdio: ["pipe", "pipe", "inherit"] });
  const connection = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const published = [];
  const statusWaiters = [];
  const publishWaiters = [];
  connection.onNotification("textDocument/publishDiagnostics", (params) => {
    published.push({ ...params, at: performance.now() });
    for (const waiter of publishWaiters.splice(0)) waiter();
  });
  connection.onNotification("vmbguard/status", (params) => {
    for (const waiter of statusWaiters.splice(0)) waiter(params);
  });
  connection.onNotification("window/logMessage", () => undefined);
  connection.onNotification("$/progress", () => undefined);
  connection.onRequest("window/workDoneProgress/create", () => null);
  connection.onRequest("client/registerCapability", () => null);
  connection.listen();
  const uri = pathToFileURL(root).href;
  await connection.sendRequest("initialize", {
    processId: process.pid,
    rootUri: uri,
    workspaceFolders: [{ uri, name: "bench" }],
    capabilities: { window: { workDoneProgress: true }, textDocument: { publishDiagnostics: { versionSupport: true } } },
    // Without --debounce the server's own default applies, as in an editor.
    initializationOptions: debounceMillis === undefined ? {} : { debounceMillis },
  });
  await connection.sendNotification("initialized", {});
  const nextStatus = () => new Promise((resolveStatus) => statusWaiters.push(resolveStatus));
  const publication = async (documentUri, version) => {
    for (;;) {
      const found = published.find((params) => params.uri === documentUri && params.version === version);
      if (found) return found;
      await new Promise((resolveWait) => publishWaiters.push(resolveWait));
    }
  };
  const stop = async () => {
    await connection.sendRequest("shutdown");
    await connection.sendNotification("exit");
    connection.dispose();
  };
  return { child, connection, nextStatus, publication, stop };
}

function percentile(sorted, fraction) {
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)];
}

/**
 * The edits, in a cycle of four: a comment line added at the top and removed again (every function
 * of the file moves), then a statement added inside a function in the middle of the file and removed
 * again (that function changes, the ones below it move).
 */
function editCycle(text) {
  const lines = text.split("\n");
  const middle = Math.floor(lines.length / 2);
  let statement = lines.findIndex((line, index) => index >= middle && /^ {4,}\w.*;\s*$/.test(line));
  if (statement < 0) statement = middle;
  const indentation = /^\s*/.exec(lines[statement])[0];
  const lineRange = (line, text) => ({ add: { range: { start: { line, character: 0 }, end: { line, character: 0 } }, text }, remove: { range: { start: { line, character: 0 }, end: { line: line + 1, character: 0 } }, text: "" } });
  const top = lineRange(1, "// edited\n");
  const inside = lineRange(statement + 1, `${indentation}KeStallExecutionProcessor(1);\n`);
  return [top.add, top.remove, inside.add, inside.remove];
}

/** Edits one file `edits` times (see editCycle), each after the last one's diagnostics. */
async function measureEdits(server, file, edits) {
  const uri = pathToFileURL(file).href;
  const text = readFileSync(file, "utf8");
  const cycle = editCycle(text);
  await server.connection.sendNotification("textDocument/didOpen", { textDocument: { uri, languageId: "c", version: 1, text } });
  await server.publication(uri, 1);
  const latencies = [];
  for (let edit = 0; edit < edits; edit++) {
    const version = edit + 2;
    const sent = performance.now();
    await server.connection.sendNotification("textDocument/didChange", { textDocument: { uri, version }, contentChanges: [cycle[edit % cycle.length]] });
    const params = await server.publication(uri, version);
    latencies.push(params.at - sent);
  }
  latencies.sort((a, b) => a - b);
  return { edits, p50: percentile(latencies, 0.5), p95: percentile(latencies, 0.95), max: latencies[latencies.length - 1] };
}

const round = (value) => Math.round(value * 10) / 10;

/**
 * The three measurements, with `options` as parseOptions gives them: the edit latency in one
 * 5,000-line file, the first index of a `files`-file workspace with the server's memory after it,
 * and the edit latency in that workspace.
 */
export async function measureLanguageServer(options) {
  // 1. Latency in one 5,000-line driver file (its folder holds only it and the driver header).
  const single = generateCorpus(join(options.work, "single"), { files: 1, lines: 5000, seed: 5 });
  const singleFile = join(single.dir, single.files[0]);
  const lineCount = readFileSync(singleFile, "utf8").split("\n").length;
  let server = await startServer(single.dir, options.debounce);
  const latency = { ...(await measureEdits(server, singleFile, options.edits)), lines: lineCount };
  await server.stop();

  // 2. The first index and check of a large workspace, its memory, and an edit in it.
  const corpus = generateCorpus(join(options.work, "workspace"), { files: options.files, lines: options.files * options.linesPerFile, seed: 7 });
  const started = performance.now();
  server = await startServer(corpus.dir, options.debounce);
  let index;
  for (;;) {
    const status = await server.nextStatus();
    if (status.state === "idle" || status.state === "failed") {
      index = { state: status.state, files: status.files, lines: corpus.lines, seconds: (performance.now() - started) / 1000, findings: status.findings, rssMb: residentMegabytes(server.child.pid) };
      break;
    }
  }
  const workspaceEdits = { ...(await measureEdits(server, join(corpus.dir, corpus.files[0]), Math.min(20, options.edits))), rssMb: residentMegabytes(server.child.pid) };
  await server.stop();
  rmSync(options.work, { recursive: true, force: true });
  return { debounce: options.debounce ?? "server default", latency, index, workspaceEdits };
}

async function main() {
  const options = parseOptions(process.argv.slice(2));
  const { latency, index, workspaceEdits } = await measureLanguageServer(options);
  console.log(`didChange to diagnostics, ${latency.lines}-line file, ${latency.edits} edits, debounce ${options.debounce === undefined ? "the server's default" : `${options.debounce} ms`}: p50 ${round(latency.p50)} ms, p95 ${round(latency.p95)} ms, max ${round(latency.max)} ms (target p95 <= 50 ms)`);
  console.log(`index and first check of ${index.files} files (${index.lines} lines): ${round(index.seconds)} s, ${index.findings} findings, server RSS ${index.rssMb} MB (target <= 10 s)`);
  console.log(`didChange to diagnostics in that workspace, ${workspaceEdits.edits} edits: p50 ${round(workspaceEdits.p50)} ms, p95 ${round(workspaceEdits.p95)} ms; server RSS ${workspaceEdits.rssMb} MB`);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
