// The three peers and how one of them checks the C files of a fixture unit.
import { join } from "node:path";
import { run } from "../measure.mjs";
import { clangPeer } from "./clang.mjs";
import { cppcheckPeer } from "./cppcheck.mjs";
import { gccPeer } from "./gcc.mjs";

export const peers = [gccPeer, clangPeer, cppcheckPeer];

/** Where the stub header, the WDK stand-in headers and cppcheck's library file are. */
export function peerInputs(repoRoot) {
  const peersDir = join(repoRoot, "bench", "peers");
  return {
    stubHeader: join(peersDir, "kmcl_stub.h"),
    includeDir: join(peersDir, "include"),
    libraryFile: join(peersDir, "kmcl.cfg"),
  };
}

/**
 * Runs `peer` on each `.c` file (relative to `cwd`) separately, as a build would compile them,
 * and returns its reports (mapped to our rule ids where it has a counterpart) and its errors.
 */
export async function checkWithPeer(peer, inputs, cwd, files, timeoutSeconds = 120) {
  const reports = [];
  const errors = [];
  for (const file of files.filter((name) => name.endsWith(".c"))) {
    const { command, args } = peer.command(file, inputs);
    const result = await run(command, args, { cwd, timeoutSeconds });
    if (result.timedOut) errors.push(`${file}: timed out after ${timeoutSeconds} s`);
    if (result.spawnError !== undefined) errors.push(`${file}: ${result.spawnError}`);
    for (const diagnostic of peer.parse(`${result.stdout}\n${result.stderr}`)) {
      if (diagnostic.kind === "error") errors.push(`${diagnostic.file}:${diagnostic.line}: ${diagnostic.message}`);
      else reports.push({ file: diagnostic.file, line: diagnostic.line, rule: diagnostic.rule, message: diagnostic.message, native: diagnostic.id });
    }
    if (result.exitCode !== 0 && !result.timedOut && !errors.some((error) => error.startsWith(file))) {
      errors.push(`${file}: exit ${result.exitCode}`);
    }
  }
  return { reports, errors };
}
