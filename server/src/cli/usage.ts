// The text of `vmbguard --help`, `vmbguard check --help` and `vmbguard lsp --help`.

export const generalUsage = `Usage: vmbguard <command> [options]

Commands:
  check [paths...]   Check C and TypeScript sources for VMBus packet lifecycle bugs
  dap                Run the vmbus-sim debug adapter on stdin/stdout (see docs/debugging.md)
  lsp --stdio        Run the language server on stdin/stdout (see docs/editor.md)

Options:
  -h, --help         Show this help (vmbguard check --help for the check options)
  -v, --version      Print the version

Exit codes: 0 nothing to report, 1 findings, 2 usage, configuration or I/O error.
`;

export const checkUsage = `Usage: vmbguard check [options] [paths...]

Checks the given files and folders (default: the current folder). Folders are searched
recursively for .c .h .cpp .ts .tsx .js files, skipping node_modules, .git and what
.gitignore files and the config's include/exclude globs leave out.

Options:
  -f, --format <text|json|sarif>   Output format (default: text)
  -o, --output <file>              Write the report to a file instead of stdout
  -c, --config <file>              Configuration file (default: the nearest vmbguard.json
                                   above the first path, else above the current folder)
  -j, --jobs <n>                   Threads that parse and analyze (default: the CPUs, fewer
                                   for under 1 MB a thread); the output is the same for every n
      --baseline <sarif>           Report only findings whose fingerprint is not in this SARIF log
      --severity <level>           Lowest severity reported and counted for the exit code:
                                   error, warning (default) or information
      --rule <id>                  Report only this rule (repeatable)
      --model <pack>               Enable a built-in model pack: kmcl, wdk-pool, wdk-mdl, libc
                                   (repeatable; adds to the config's "models")
      --shard <i/n>                Check only the i-th of n stable slices of the file set
      --exit-zero                  Exit 0 even when there are findings (2 still means an error)
      --no-color                   No colours in text output (also: NO_COLOR environment variable)
      --list-functions             With --format json: list every file checked and the functions
                                   analyzed in it (name, first and last line)
  -h, --help                       Show this help

Exit codes: 0 nothing at or above the severity threshold, 1 findings, 2 usage,
configuration or I/O error.
`;

export const lspUsage = `Usage: vmbguard lsp --stdio | --node-ipc

Runs the VmbGuard language server: diagnostics as you type, quick fixes, suppressions and
hovers for any LSP client. It checks the workspace folders the client opens, with their
vmbguard.json (see docs/editor.md).

Options:
  --stdio      Speak LSP over stdin and stdout (Neovim, Helix, Emacs, Sublime...)
  --node-ipc   Speak LSP over the Node IPC channel (the VS Code extension)
  -h, --help   Show this help
`;
