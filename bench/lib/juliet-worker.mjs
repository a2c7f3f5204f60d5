// One worker of the Juliet phase: runs `vmbguard check` (the CLI's own argument parser and
// runCheck, compiled by `npm run build` into out/) on each case it is given, in this process, so that
// 1,234 checks do not each pay a Node start-up. Reads a JSON file [{ id, folder, files }] and the
// CLI arguments to put before the files; prints one JSON line per case: { id, exitCode, report }.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

const [repoRoot, casesFile, argumentsJson] = process.argv.slice(2);
const require = createRequire(import.meta.url);
const { parseCommandLine } = require(join(repoRoot, "out", "server", "src", "cli", "args.js"));
const { runCheck } = require(join(repoRoot, "out", "server", "src", "cli", "runCheck.js"));

const cases = JSON.parse(readFileSync(casesFile, "utf8"));
const leadingArguments = JSON.parse(argumentsJson);
for (const testCase of cases) {
  let output = "";
  let errors = "";
  // One thread: the case is a few kilobytes, and the phase already runs a worker per core.
  const command = parseCommandLine([...leadingArguments, "--jobs", "1", ...testCase.files], 1);
  const exitCode = await runCheck(command.options, {
    cwd: testCase.folder,
    env: process.env,
    stdout: { write: (text) => (output += text) },
    stderr: { write: (text) => (errors += text) },
  });
  let report;
  try {
    report = JSON.parse(output);
  } catch {
    report = undefined;
  }
  process.stdout.write(`${JSON.stringify({ id: testCase.id, exitCode, report, errors: errors.trim() })}\n`);
}
