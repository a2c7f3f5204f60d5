// The `vmbguard` command (bundled as dist/cli.js). Subcommands are dispatched here.
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import * as path from "node:path";
import type { LspTransport } from "../lsp/main";
import { parseCommandLine, UsageError } from "./args";
import { runCheck } from "./runCheck";
import { checkUsage, generalUsage, lspUsage } from "./usage";
import { toolVersion } from "./version";

async function main(argv: readonly string[]): Promise<number> {
  let command;
  try {
    command = parseCommandLine(argv, availableParallelism());
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    const helpCommand = argv[0] === "check" || argv[0] === "lsp" ? `vmbguard ${argv[0]} --help` : "vmbguard --help";
    process.stderr.write(`vmbguard: ${error.message} (see ${helpCommand})\n`);
    return 2;
  }
  switch (command.kind) {
    case "help":
      process.stdout.write({ general: generalUsage, check: checkUsage, lsp: lspUsage }[command.topic]);
      return 0;
    case "version":
      process.stdout.write(`${toolVersion()}\n`);
      return 0;
    case "dap": {
      // The adapter is its own bundle beside this one (dist/dap.js); it runs until the editor lets go.
      const adapter = createRequire(__filename)(path.join(__dirname, "dap.js")) as { runDebugAdapter(): void };
      adapter.runDebugAdapter();
      return 0;
    }
    case "lsp": {
      // The server is its own bundle beside this one (dist/server.js); it serves until the client exits.
      const server = createRequire(__filename)(path.join(__dirname, "server.js")) as { runLanguageServer(transport: LspTransport): void };
      server.runLanguageServer(command.transport);
      return 0;
    }
    case "check": {
      // The first Ctrl-C stops the workers and the analysis cleanly; a second one kills the process.
      const interruption = new AbortController();
      process.once("SIGINT", () => interruption.abort());
      return runCheck(command.options, {
        cwd: process.cwd(),
        env: process.env,
        stdout: process.stdout,
        stderr: process.stderr,
        signal: interruption.signal,
      });
    }
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`vmbguard: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 2;
  },
);
