// The `vmbguard` command (bundled as dist/cli.js). Subcommands are dispatched here; `lsp`
// and `dap` join `check` when their issues land.
import { availableParallelism } from "node:os";
import { parseCommandLine, UsageError } from "./args";
import { runCheck } from "./runCheck";
import { checkUsage, generalUsage } from "./usage";
import { toolVersion } from "./version";

async function main(argv: readonly string[]): Promise<number> {
  let command;
  try {
    command = parseCommandLine(argv, availableParallelism());
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    const helpCommand = argv[0] === "check" ? "vmbguard check --help" : "vmbguard --help";
    process.stderr.write(`vmbguard: ${error.message} (see ${helpCommand})\n`);
    return 2;
  }
  switch (command.kind) {
    case "help":
      process.stdout.write(command.topic === "check" ? checkUsage : generalUsage);
      return 0;
    case "version":
      process.stdout.write(`${toolVersion()}\n`);
      return 0;
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
