// `vmbguard dap` and dist/dap.js: the vmbus-sim debug adapter over stdin/stdout.
import { VmbusSimSession } from "./session";

export function runDebugAdapter(): void {
  const session = new VmbusSimSession();
  // However the editor lets go of the adapter, the program goes with it.
  const shutdown = () => {
    void session.killDebuggee().finally(() => process.exit(0));
  };
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);
  process.stdin.on("end", shutdown);
  session.start(process.stdin, process.stdout);
}

if (require.main === module) runDebugAdapter();
