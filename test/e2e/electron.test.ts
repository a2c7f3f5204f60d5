// The same extension under @vscode/test-electron, for machines that can download VS Code: it starts a
// downloaded VS Code with this repository as the extension under development and runs
// electron/suite.ts in it. Where VS Code cannot be downloaded (these machines reach only the npm
// registry and Debian) or no display is there, the test is skipped, saying why.
import { test } from "node:test";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { runTests } from "@vscode/test-electron";
import { repoRoot } from "./workbench";

const updateServer = "https://update.code.visualstudio.com/api/releases/stable";

/** Why VS Code cannot be had here, or undefined when its update server answers. */
function unreachable(): Promise<string | undefined> {
  return new Promise((resolve) => {
    const probe = request(updateServer, { method: "HEAD", timeout: 5000 }, (response) => {
      response.resume();
      resolve(response.statusCode !== undefined && response.statusCode < 500 ? undefined : `${updateServer} answered ${response.statusCode}`);
    });
    probe.on("timeout", () => probe.destroy(new Error("no answer within 5 s")));
    probe.on("error", (error) => resolve(`${updateServer} is unreachable (${error.message})`));
    probe.end();
  });
}

async function skipReason(): Promise<string | false> {
  const network = await unreachable();
  if (network !== undefined) return `VS Code cannot be downloaded here: ${network}. The code-server suite (extension.test.ts) covers the workbench.`;
  if (process.platform === "linux" && !process.env.DISPLAY) return "no X display for VS Code's window: run under xvfb-run";
  return false;
}

test("@vscode/test-electron: the extension activates on a sample C file and publishes its findings", async (context) => {
  const skip = await skipReason();
  if (skip !== false) {
    context.skip(skip);
    return;
  }
  const folder = mkdtempSync(path.join(tmpdir(), "vmbguard-electron-samples-"));
  cpSync(path.join(repoRoot, "samples"), folder, { recursive: true });
  try {
    await runTests({
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: path.join(__dirname, "electron", "suite.js"),
      launchArgs: [folder, "--disable-extensions", "--disable-workspace-trust"],
    });
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});
