// The packaged extension in a real VS Code workbench (code-server in headless chromium), as a user
// sees it: the samples' findings in the Problems panel, a quick fix that makes one go away, and a
// vmbus-sim debug session that stops on the seeded double free. Screenshots of each step go to
// test/e2e/artifacts/. Run with `npm run test:e2e`.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { installWorkbench, Workbench } from "./workbench";

const setUp = installWorkbench();
const skip = "reason" in setUp ? setUp.reason : false;
if (skip !== false) console.log(`# e2e skipped: ${skip}`);

let workbench: Workbench;

before(async () => {
  if (skip !== false) return;
  // The C++ sample is checked over stdio (test/integration/lsp/diagnostics.test.ts): its findings, listed
  // first, would push the ones checked here out of the rows the Problems panel renders.
  workbench = await Workbench.openOnSamplesCopy((setUp as { tools: string }).tools, {}, ["kmdf-guard"]);
});

after(async () => {
  if (skip !== false) return;
  await workbench?.close();
});

/**
 * The Problems row of a finding of `rule` on a one-based line. VS Code prints a finding as its
 * message, source, code and place on lines of their own ("...\nvmbguard\nleak\n[Ln 125, Col 9]"),
 * then one row per related location (the path).
 */
function findingRow(rows: readonly string[], rule: string, line: number): string | undefined {
  return rows.find((row) => {
    const parts = row.split("\n");
    return parts.includes("vmbguard") && parts.includes(rule) && parts.some((part) => part.startsWith(`[Ln ${line},`));
  });
}

test("the samples' findings are listed in the Problems panel, with the rule, the line and the path", { skip }, async () => {
  await workbench.screenshot("workbench-open");
  await workbench.openFile("netvsc-lite/send.c");
  const expected: [string, number][] = [
    ["leak", 125],
    ["free-in-flight", 156],
    ["unchecked-allocation", 69],
    ["double-free", 65],
    ["completion-leak", 82],
  ];
  for (const [rule, line] of expected) await workbench.waitForProblems(rule, (rows) => findingRow(rows, rule, line) !== undefined);
  const leak = await workbench.problems("leak");
  await workbench.screenshot("problems-leak");
  assert.match(findingRow(leak, "leak", 125)!, /is leaked when the function returns without VmbPacketFree/);
  // The path, as related information: where the packet came from and where it leaks.
  assert.ok(leak.some((row) => row.includes("[Ln 114, Col 14]") && row.includes("packet acquired here by 'VmbPacketAllocate'")), leak.join("\n"));
  assert.ok(leak.some((row) => row.includes("[Ln 125, Col 9]") && row.includes("leaked here")), leak.join("\n"));
  // sim-nic's seeded double free, found statically in its TypeScript.
  await workbench.waitForProblems("driver.ts", (rows) => findingRow(rows, "double-free", 274) !== undefined);
});

test("the quick fix 'Release packet before this exit' makes the leak go away", { skip }, async () => {
  await workbench.openFile("netvsc-lite/send.c");
  await workbench.goToLine(125);
  await workbench.applyCodeAction("Release 'packet' before this exit", () => workbench.screenshot("quick-fix-menu"));
  await workbench.waitForProblems("leak", (rows) => findingRow(rows, "leak", 125) === undefined && findingRow(rows, "leak", 126) === undefined);
  await workbench.screenshot("quick-fix-applied");
  // The edit is there, and the other findings of the file stay.
  const lines = await workbench.visibleLines();
  const release = lines.indexOf("        VmbPacketFree(packet);");
  assert.ok(release >= 0 && lines[release + 1] === "        return status;", `the release goes right before the return:\n${lines.join("\n")}`);
  await workbench.waitForProblems("free-in-flight", (rows) => findingRow(rows, "free-in-flight", 157) !== undefined);
});

test("the language server killed under the editor is restarted by the extension, and checks the unsaved text again", { skip }, async () => {
  const pids = workbench.languageServerProcesses();
  assert.equal(pids.length, 1, `one VmbGuard server runs for this workbench: ${pids.join(", ")}`);
  process.kill(pids[0], "SIGKILL");
  // Restarted: a new process. vscode-languageclient drops the dead server's diagnostics when it
  // restarts it, so the findings below are the new server's: those of the unsaved, fixed send.c
  // and of the files never opened.
  const deadline = Date.now() + 60_000;
  let restarted: number[] = [];
  while (restarted.length === 0 || restarted.includes(pids[0])) {
    assert.ok(Date.now() < deadline, "the extension did not start the server again within 60 s");
    await workbench.page.waitForTimeout(500);
    restarted = workbench.languageServerProcesses();
  }
  await workbench.waitForProblems("free-in-flight", (rows) => findingRow(rows, "free-in-flight", 157) !== undefined);
  await workbench.waitForProblems("double-free", (rows) => findingRow(rows, "double-free", 65) !== undefined);
  const leaks = await workbench.problems("leak");
  assert.equal(findingRow(leaks, "leak", 125) ?? findingRow(leaks, "leak", 126), undefined, "the fixed leak stays fixed: the server got the unsaved text");
  await workbench.screenshot("server-restarted");
});

test("a vmbus-sim debug session with a failed send stops on the double free at sim-nic/driver.ts:291", { skip }, async () => {
  await workbench.command("Debug: Select and Start Debugging");
  const configuration = workbench.page.locator(".quick-input-list .monaco-list-row", { hasText: "sim-nic: failed send" });
  await configuration.first().waitFor();
  await configuration.first().click();
  // Stopped: the exception widget names the violation, in driver.ts, on the faulting line.
  const widget = workbench.page.locator(".exception-widget");
  await widget.waitFor({ timeout: 120_000 });
  await workbench.page.locator(".tabs-container .tab.active", { hasText: "driver.ts" }).waitFor();
  await workbench.screenshot("debugger-stopped");
  assert.match(await widget.innerText(), /double-free/);
  assert.match(await workbench.cursorPosition(), /^Ln 291,/);
});
