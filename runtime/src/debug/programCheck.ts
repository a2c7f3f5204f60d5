// Compiles the program once in the adapter before launching it, so a syntax error in the file the
// user pressed F5 on fails the launch with the file, line and message instead of a crash trace.
import { readFileSync } from "node:fs";
import * as vm from "node:vm";
import { isTypeScriptFile } from "./launchConfig";
import type { Transpiler } from "./transpilerBundle";

/** The syntax errors of `program` as `file:line[:column]: message` lines; empty when it compiles. */
export function programSyntaxErrors(program: string, transpiler: () => Transpiler): string[] {
  const source = readFileSync(program, "utf8");
  if (isTypeScriptFile(program)) return transpiler()(source, program).errors;
  try {
    // The CommonJS wrapper's parameters, so top-level `return` and `require` parse as Node sees them.
    vm.compileFunction(source.replace(/^#!.*/, ""), ["exports", "require", "module", "__filename", "__dirname"], { filename: program });
    return [];
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    const line = /^[^\n]*:(\d+)\n/.exec(error.stack ?? "")?.[1];
    return [`${program}${line === undefined ? "" : `:${line}`}: SyntaxError: ${error.message}`];
  }
}
