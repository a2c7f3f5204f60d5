// Parses a TypeScript or JavaScript file, from the syntax tree of its last version when there is one:
// TypeScript's incremental parser (the one tsserver uses as you type) re-parses only around what
// changed. A result with syntax errors is parsed afresh, as the C frontend does: error recovery may
// differ after an incremental parse, and what is reported must never depend on the edits that led
// to a text.
import ts from "typescript";
import { editBetween } from "../text-edit";

/** Files whose last tree is kept: an editor's next version of one of them parses incrementally. */
const KEPT_FILES = 8;

/** By file name, most recently used last. */
const kept = new Map<string, ts.SourceFile>();

function scriptKindOf(file: string): ts.ScriptKind {
  const extension = file.slice(file.lastIndexOf(".")).toLowerCase();
  if (extension === ".tsx") return ts.ScriptKind.TSX;
  if (extension === ".jsx") return ts.ScriptKind.JSX;
  if (extension === ".js" || extension === ".mjs" || extension === ".cjs") return ts.ScriptKind.JS;
  return ts.ScriptKind.TS;
}

/** The parser's syntax errors (a SourceFile keeps them, though its type does not say so). */
export function syntaxErrorsOf(file: ts.SourceFile): readonly ts.DiagnosticWithLocation[] {
  return (file as unknown as { parseDiagnostics?: readonly ts.DiagnosticWithLocation[] }).parseDiagnostics ?? [];
}

function fresh(fileName: string, text: string): ts.SourceFile {
  return ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, scriptKindOf(fileName));
}

export function parseTypeScript(fileName: string, text: string): ts.SourceFile {
  const previous = kept.get(fileName);
  kept.delete(fileName);
  let file: ts.SourceFile | undefined;
  if (previous !== undefined && previous.text === text) {
    file = previous;
  } else if (previous !== undefined) {
    const { start, oldEnd, newEnd } = editBetween(previous.text, text);
    // The old tree is handed over: its nodes become the new tree's, it is not used again.
    const updated = ts.updateSourceFile(previous, text, { span: { start, length: oldEnd - start }, newLength: newEnd - start });
    if (syntaxErrorsOf(updated).length === 0) file = updated;
  }
  file ??= fresh(fileName, text);
  kept.set(fileName, file);
  if (kept.size > KEPT_FILES) kept.delete(kept.keys().next().value as string);
  return file;
}

/** Forgets the file's kept tree (its lowering failed: the next one starts afresh). */
export function forgetTypeScript(fileName: string): void {
  kept.delete(fileName);
}
