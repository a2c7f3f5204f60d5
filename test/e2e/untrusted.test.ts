// The packaged extension in a workspace VS Code does not trust (Restricted Mode): static checking
// goes on, since it only reads the sources, and nothing of the workspace runs, since a vmbus-sim
// session would run its code. Part of `npm run test:e2e`; the workbench is extension.test.ts's.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { installWorkbench, Workbench } from "./workbench";

const setUp = installWorkbench();
const skip = "reason" in setUp ? setUp.reason : false;

let workbench: Workbench;

before(async () => {
  if (skip !== false) return;
  // Trust on, and never asked at start: the folder opens in Restricted Mode.
  workbench = await Workbench.openOnSamplesCopy((setUp as { tools: string }).tools, { "security.workspace.trust.enabled": true, "security.workspace.trust.startupPrompt": "never" }, ["kmdf-guard"]);
});

after(async () => {
  if (skip !== false) return;
  await workbench?.close();
});

test("in Restricted Mode the findings are still listed", { skip }, async () => {
  await workbench.openFile("netvsc-lite/send.c");
  const rows = await workbench.waitForProblems("leak", (shown) => shown.some((row) => row.split("\n").includes("leak") && row.includes("[Ln 125,")));
  assert.ok(rows.length > 0);
  await workbench.screenshot("untrusted-problems");
});

test("in Restricted Mode a vmbus-sim session does not run the workspace's code unless the folder is trusted", { skip }, async () => {
  await workbench.command("Debug: Select and Start Debugging");
  const configuration = workbench.page.locator(".quick-input-list .monaco-list-row", { hasText: "sim-nic: failed send" });
  await configuration.first().waitFor();
  await configuration.first().click();
  const dialog = workbench.page.locator(".monaco-dialog-box");
  await dialog.waitFor({ timeout: 30_000 });
  await workbench.screenshot("untrusted-debug-asks-trust");
  assert.match(await dialog.innerText(), /Do you trust the authors/);
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await dialog.waitFor({ state: "hidden" });
  // Declined: no session started, nothing simulated.
  await workbench.page.waitForTimeout(3000);
  assert.equal(await workbench.page.locator(".debug-toolbar").isVisible(), false, "no debug session runs");
  assert.equal(await workbench.page.locator(".exception-widget").count(), 0);
});
