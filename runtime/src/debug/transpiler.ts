// TypeScript to CommonJS JavaScript for the debuggee, one file at a time, with an inline source map.
// The adapter runs the same function on the same text to place breakpoints before a file is
// loaded: transpileModule is a pure function of the text and these options, so both sides agree
// on every generated position. Bundled on its own (dist/dap-transpiler.js) because it carries the
// whole TypeScript compiler, which both the adapter and the debuggee's preload load from there.
import * as ts from "typescript";

export interface TranspileResult {
  code: string;
  /** Syntax errors as `file:line:column: message` (one-based); the code is unusable when there are any. */
  errors: string[];
}

const compilerOptions: ts.CompilerOptions = {
  module: ts.ModuleKind.CommonJS,
  target: ts.ScriptTarget.ES2022,
  esModuleInterop: true,
  inlineSourceMap: true,
  jsx: ts.JsxEmit.React,
};

export function transpileForDebugging(source: string, fileName: string): TranspileResult {
  const output = ts.transpileModule(source, { compilerOptions, fileName, reportDiagnostics: true });
  const errors = (output.diagnostics ?? [])
    .filter((diagnostic) => diagnostic.category === ts.DiagnosticCategory.Error)
    .map((diagnostic) => {
      const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n");
      if (diagnostic.file === undefined || diagnostic.start === undefined) return `${fileName}: ${message}`;
      const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
      return `${fileName}:${line + 1}:${character + 1}: ${message}`;
    });
  return { code: output.outputText, errors };
}
