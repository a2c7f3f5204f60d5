// A header found only through an include folder is analyzed for its declarations, never reported.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parseCommandLine } from "../../../server/src/cli/args";
import { runCheck } from "../../../server/src/cli/runCheck";

const header = `
void trace_line(const char *line);
void trace_broken(const char *line)
{
    char *copy = malloc(8);
}
`;

const source = `
#include <stdlib.h>
#include "trace.h"

int announce(void)
{
    char *text = malloc(32);
    if (text == NULL) {
        return -1;
    }
    trace_line(text);
    return 0;
}

void announce_freed(void)
{
    char *text = malloc(32);
    if (text == NULL) {
        return;
    }
    free(text);
    trace_line(text);
}
`;

async function checkFolder(jobs: string) {
  const folder = mkdtempSync(path.join(tmpdir(), "vmbguard-included-"));
  try {
    mkdirSync(path.join(folder, "support"));
    mkdirSync(path.join(folder, "src"));
    writeFileSync(path.join(folder, "support", "trace.h"), header);
    writeFileSync(path.join(folder, "src", "announce.c"), source);
    writeFileSync(path.join(folder, "vmbguard.json"), JSON.stringify({ models: ["libc"], build: { includeDirectories: ["support"] } }));
    let written = "";
    const command = parseCommandLine(["check", "--format", "json", "--exit-zero", "--jobs", jobs, "src"], 1);
    assert.equal(command.kind, "check");
    if (command.kind !== "check") return undefined;
    const exitCode = await runCheck(command.options, { cwd: folder, env: {}, stdout: { write: (text: string) => (written += text) }, stderr: { write: () => undefined } });
    assert.equal(exitCode, 0);
    return JSON.parse(written) as { findings: { ruleId: string; file: string; range: { start: { line: number } } }[]; problems: unknown[]; stats: { files: number } };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

for (const jobs of ["1", "2"]) {
  test(`a const parameter declared in a header of an include folder borrows: the leak and the use after free are found (--jobs ${jobs})`, async () => {
    const report = await checkFolder(jobs);
    assert.deepEqual(
      report?.findings.map((finding) => [finding.ruleId, finding.file, finding.range.start.line]),
      [
        ["leak", "src/announce.c", 12],
        ["use-after-free", "src/announce.c", 22],
      ],
    );
    // The header's own leak is not reported: it is read for what it declares.
    assert.deepEqual(report?.problems, []);
    assert.equal(report?.stats.files, 1);
  });
}
