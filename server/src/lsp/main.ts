// The language server's entry (bundled as dist/server.js): `vmbguard lsp --stdio`, or the VS
// Code extension starting this file over Node IPC.
import { createConnection, IPCMessageReader, IPCMessageWriter, ProposedFeatures, StreamMessageReader, StreamMessageWriter } from "vscode-languageserver/node";
import { startServer } from "./server";

/** How the server talks to its client: stdin/stdout (any editor) or Node IPC (the VS Code extension). */
export type LspTransport = "stdio" | "node-ipc";

export function runLanguageServer(transport: LspTransport): void {
  const connection =
    transport === "stdio"
      ? createConnection(ProposedFeatures.all, new StreamMessageReader(process.stdin), new StreamMessageWriter(process.stdout))
      : createConnection(ProposedFeatures.all, new IPCMessageReader(process), new IPCMessageWriter(process));
  // stdout is the protocol channel: a stray console.log from anywhere must not corrupt it.
  console.log = (...args: unknown[]) => connection.console.log(args.map(String).join(" "));
  console.info = console.log;
  // A failed promise nobody awaited must not end the editor's session: it is logged, and serving goes on.
  process.on("unhandledRejection", (reason) => connection.console.error(`internal error: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`));
  startServer(connection);
}

// Run directly (`node dist/server.js --stdio`, or by the extension with --node-ipc) rather than through the CLI.
if (require.main === module) runLanguageServer(process.argv.includes("--stdio") ? "stdio" : "node-ipc");
