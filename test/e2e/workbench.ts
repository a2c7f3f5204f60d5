// A real VS Code workbench for the end-to-end suite: code-server (installed by
// scripts/install-e2e-deps.sh, outside the project's dependencies) with the packaged VSIX installed,
// driven in Debian's headless chromium through playwright-core. Each step can save a screenshot
// under test/e2e/artifacts/ (ignored by git).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";

export const repoRoot = path.resolve(__dirname, "../../..");
const artifactsDir = path.join(repoRoot, "test", "e2e", "artifacts");
const vsixPath = path.join(repoRoot, "vmbguard.vsix");
const chromiumPath = "/usr/bin/chromium";

/** The code-server tools folder, or why there is none here (the suite then skips, saying so). */
export function installWorkbench(): { tools: string } | { reason: string } {
  if (!existsSync(vsixPath)) return { reason: `${vsixPath} is missing: run "npm run package" first (npm run test:e2e does)` };
  const install = spawnSync("bash", [path.join(repoRoot, "scripts", "install-e2e-deps.sh")], { encoding: "utf8", timeout: 30 * 60_000 });
  // What the set-up did (or why it failed), in the test log.
  process.stderr.write(install.stderr ?? "");
  if (install.status !== 0) {
    const why = `${install.stderr ?? ""}${install.error?.message ?? ""}`.trim().split("\n").slice(-6).join("\n");
    return { reason: `a real VS Code workbench cannot be set up here: scripts/install-e2e-deps.sh failed:\n${why}` };
  }
  const tools = install.stdout.trim().split("\n").pop() ?? "";
  if (!existsSync(path.join(tools, "node_modules", ".bin", "code-server"))) return { reason: `scripts/install-e2e-deps.sh named no code-server (${tools})` };
  if (!existsSync(chromiumPath)) return { reason: `${chromiumPath} is missing (Debian's chromium)` };
  return { tools };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/** Resolves when `child` writes a line matching `pattern`; rejects when it exits first or after `timeoutMillis`. */
function outputMatching(child: ChildProcess, pattern: RegExp, timeoutMillis: number, output: { text: string }): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`code-server did not say ${pattern} within ${timeoutMillis} ms:\n${output.text.slice(-2000)}`)), timeoutMillis);
    const check = (): void => {
      if (pattern.test(output.text)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on("data", check);
    child.stderr?.on("data", check);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`code-server exited (${code}) before it was ready:\n${output.text.slice(-2000)}`));
    });
  });
}

export class Workbench {
  private step = 0;
  /** A folder made for this workbench (a copy of the samples), removed with it. */
  private ownedFolder: string | undefined;

  private constructor(
    readonly page: Page,
    private readonly browser: Browser,
    private readonly server: ChildProcess,
    private readonly home: string,
    private readonly extensionsDir: string,
    /** What code-server wrote, for failures. */
    readonly serverOutput: { text: string },
  ) {}

  /**
   * Starts code-server with the VSIX installed in a fresh profile (workspace trust off: the folder is
   * trusted, so the debugger may run its code), and opens `folder` in chromium.
   */
  static async open(tools: string, folder: string, settings: Record<string, unknown> = {}): Promise<Workbench> {
    const home = mkdtempSync(path.join(tmpdir(), "vmbguard-e2e-"));
    const userData = path.join(home, "user-data");
    const extensions = path.join(home, "extensions");
    mkdirSync(path.join(userData, "User"), { recursive: true });
    writeFileSync(
      path.join(userData, "User", "settings.json"),
      JSON.stringify({
        "security.workspace.trust.enabled": false,
        "workbench.startupEditor": "none",
        "workbench.tips.enabled": false,
        "telemetry.telemetryLevel": "off",
        "extensions.autoUpdate": false,
        "extensions.autoCheckUpdates": false,
        "update.mode": "none",
        ...settings,
      }),
    );
    const codeServer = path.join(tools, "node_modules", ".bin", "code-server");
    const installed = spawnSync(codeServer, ["--install-extension", vsixPath, "--extensions-dir", extensions, "--user-data-dir", userData], { encoding: "utf8", timeout: 120_000 });
    if (installed.status !== 0) throw new Error(`code-server did not install the VSIX: ${installed.stdout}${installed.stderr}`);
    const port = await freePort();
    const output = { text: "" };
    const server = spawn(
      codeServer,
      ["--auth", "none", "--bind-addr", `127.0.0.1:${port}`, "--disable-telemetry", "--disable-update-check", "--disable-getting-started-override", "--user-data-dir", userData, "--extensions-dir", extensions, folder],
      { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, HOME: home } },
    );
    server.stdout!.on("data", (chunk: Buffer) => (output.text += chunk.toString()));
    server.stderr!.on("data", (chunk: Buffer) => (output.text += chunk.toString()));
    try {
      await outputMatching(server, /HTTP server listening/, 60_000, output);
      const browser = await chromium.launch({
        executablePath: chromiumPath,
        args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
      });
      const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
      await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(folder)}`);
      await page.locator(".monaco-workbench").waitFor({ timeout: 120_000 });
      return new Workbench(page, browser, server, home, extensions, output);
    } catch (error) {
      server.kill();
      throw error;
    }
  }

  /** Opens a copy of `samples/` (the tests edit it), removed when the workbench closes. */
  /**
   * Opens a copy of samples/ without `leftOut` samples: the Problems panel renders only the rows in
   * view, and another sample's findings listed first can push the checked ones out of it.
   */
  static async openOnSamplesCopy(tools: string, settings: Record<string, unknown> = {}, leftOut: readonly string[] = []): Promise<Workbench> {
    const folder = mkdtempSync(path.join(tmpdir(), "vmbguard-e2e-samples-"));
    const samples = path.join(repoRoot, "samples");
    cpSync(samples, folder, { recursive: true, filter: (source) => !leftOut.includes(path.relative(samples, source).split(path.sep)[0]) });
    try {
      const workbench = await Workbench.open(tools, folder, settings);
      workbench.ownedFolder = folder;
      return workbench;
    } catch (error) {
      rmSync(folder, { recursive: true, force: true });
      throw error;
    }
  }

  /** The VmbGuard language servers of this workbench's extension folder (Linux /proc, without procps). */
  languageServerProcesses(): number[] {
    const server = path.join(this.extensionsDir, "vmbguard.vmbguard-");
    return readdirSync("/proc")
      .filter((entry) => /^\d+$/.test(entry))
      .filter((pid) => {
        try {
          const commandLine = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
          return commandLine.some((argument) => argument.startsWith(server) && argument.endsWith(path.join("dist", "server.js")));
        } catch {
          return false; // gone meanwhile
        }
      })
      .map(Number);
  }

  /** Saves a screenshot of the workbench as test/e2e/artifacts/<n>-<name>.png. */
  async screenshot(name: string): Promise<string> {
    mkdirSync(artifactsDir, { recursive: true });
    const file = path.join(artifactsDir, `${String(++this.step).padStart(2, "0")}-${name}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }

  /** Runs a command from the command palette by its title. */
  async command(title: string): Promise<void> {
    // A menu or widget left open would take the keys.
    await this.page.keyboard.press("Escape");
    await this.page.keyboard.press("F1");
    const input = this.page.locator(".quick-input-widget input");
    await input.waitFor();
    await input.fill(`>${title}`);
    await this.page.locator(".quick-input-list .monaco-list-row", { hasText: title }).first().waitFor();
    await this.page.keyboard.press("Enter");
  }

  /** Opens a file of the folder through Quick Open, by its path relative to the folder. */
  async openFile(relative: string): Promise<void> {
    await this.page.keyboard.press("Control+P");
    const input = this.page.locator(".quick-input-widget input");
    await input.waitFor();
    await input.fill(relative);
    await this.page.locator(".quick-input-list .monaco-list-row", { hasText: path.basename(relative) }).first().waitFor();
    await this.page.keyboard.press("Enter");
    await this.page.locator(`.tabs-container .tab.active`, { hasText: path.basename(relative) }).waitFor();
  }

  /**
   * Applies the code action titled `title` at the cursor from the Quick Fix menu (Ctrl+.), chosen
   * with the keyboard as a user would (the menu's overlay takes the mouse).
   */
  async applyCodeAction(title: string, beforeApplying?: () => Promise<unknown>): Promise<void> {
    await this.page.keyboard.press("Control+.");
    const menu = this.page.locator(".action-widget");
    await menu.locator(".monaco-list-row", { hasText: title }).first().waitFor({ timeout: 30_000 });
    const focused = menu.locator(".monaco-list-row.focused");
    for (let tries = 0; !((await focused.innerText().catch(() => "")).includes(title)); tries++) {
      if (tries > 20) throw new Error(`the Quick Fix menu has "${title}" but it cannot be focused`);
      await this.page.keyboard.press("ArrowDown");
    }
    await beforeApplying?.();
    await this.page.keyboard.press("Enter");
    await menu.waitFor({ state: "hidden" });
  }

  /** Moves the cursor to a one-based line of the active editor. */
  async goToLine(line: number): Promise<void> {
    await this.page.keyboard.press("Control+G");
    const input = this.page.locator(".quick-input-widget input");
    await input.waitFor();
    await input.fill(`:${line}`);
    await this.page.keyboard.press("Enter");
    await this.page.locator(".quick-input-widget").waitFor({ state: "hidden" });
  }

  /** The lines the active editor shows, top to bottom (Monaco keeps its line elements in no order). */
  async visibleLines(): Promise<string[]> {
    return this.page.locator(".editor-group-container.active .editor-instance .monaco-editor .view-lines .view-line").evaluateAll((lines) =>
      lines
        // Runs in the page: its elements are typed here by what is read of them.
        .map((line) => ({ top: Number.parseFloat((line as unknown as { style: { top: string } }).style.top), text: (line.textContent ?? "").replace(/\u00a0/g, " ") }))
        .sort((a, b) => a.top - b.top)
        .map((line) => line.text),
    );
  }

  /** The cursor's place as the status bar shows it: "Ln 291, Col 16". */
  async cursorPosition(): Promise<string> {
    return (await this.page.locator("#status\\.editor\\.selection").innerText()).trim();
  }

  /**
   * The Problems panel's rows, as their text, with `filter` in its filter box (the panel's list
   * renders only the rows in view, so a filter is what makes a finding's rows all readable).
   */
  async problems(filter: string): Promise<string[]> {
    const panel = this.page.locator(".markers-panel");
    if (!(await panel.isVisible())) await this.command("View: Focus Problems");
    await panel.waitFor();
    const box = this.page.locator(".viewpane-filter input").first();
    if ((await box.inputValue()) !== filter) {
      await box.fill(filter);
      await this.page.waitForTimeout(300);
    }
    return panel.locator(".monaco-list-row").allInnerTexts();
  }

  /** Waits until the Problems panel, filtered by `filter`, satisfies `accept`; returns its rows. */
  async waitForProblems(filter: string, accept: (rows: string[]) => boolean, timeoutMillis = 60_000): Promise<string[]> {
    const deadline = Date.now() + timeoutMillis;
    let rows: string[] = [];
    while (Date.now() < deadline) {
      rows = await this.problems(filter);
      if (accept(rows)) return rows;
      await this.page.waitForTimeout(500);
    }
    throw new Error(`the Problems panel, filtered by "${filter}", did not show what was expected within ${timeoutMillis} ms; it shows:\n${rows.join("\n")}`);
  }

  async close(): Promise<void> {
    await this.browser.close().catch(() => undefined);
    const exited = new Promise<void>((resolve) => (this.server.exitCode !== null || this.server.signalCode !== null ? resolve() : this.server.once("exit", () => resolve())));
    this.server.kill();
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
    if (this.server.exitCode === null && this.server.signalCode === null) this.server.kill("SIGKILL");
    rmSync(this.home, { recursive: true, force: true });
    if (this.ownedFolder !== undefined) rmSync(this.ownedFolder, { recursive: true, force: true });
  }
}
