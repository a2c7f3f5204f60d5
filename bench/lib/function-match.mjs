// Which functions Universal Ctags finds in a tree were analyzed by VmbGuard: matched on file and
// line (the line of ctags's tag lies within an analyzed function's first and last line), with the
// name as a check. Names are compared on their last component, so `CWiaDriver::Download`, ctags's
// `Download` with scope `CWiaDriver` and a frontend's `CWiaDriver.Download` all agree.

/** The kinds of source file the real-tree phase reports on, by lower-case extension. */
export const fileKinds = [
  { id: "c", label: "C (.c)", extensions: [".c"] },
  { id: "cpp", label: "C++ (.cpp .cc .cxx)", extensions: [".cpp", ".cc", ".cxx", ".c++"] },
  { id: "header", label: "headers (.h .hpp .hh .hxx .inl)", extensions: [".h", ".hpp", ".hh", ".hxx", ".h++", ".inl"] },
];

/** The kinds whose functions the ctags target covers (headers hold few definitions, mostly inline ones). */
export const kindsWithFunctionTarget = ["c", "cpp"];

export function kindOf(file) {
  const dot = file.lastIndexOf(".");
  const extension = dot === -1 ? "" : file.slice(dot).toLowerCase();
  return fileKinds.find((kind) => kind.extensions.includes(extension))?.id;
}

export function simpleName(name) {
  const parts = String(name).split(/::|\./);
  return parts[parts.length - 1].trim();
}

/** Where a ctags function stands: analyzed (by name, or at its place under another name), explained by a problem, or missing. */
export const functionStatuses = ["analyzed", "analyzedUnderAnotherName", "inProblem", "missing"];

/**
 * `tags`: [{ file, name, scope?, line, end? }] from ctags (one-based lines).
 * `listing`: the `files` of `vmbguard check --list-functions`: [{ file, functions: [{ name, qualifiedName?, line, endLine }] }].
 * `problems`: the report's problems: [{ file, message, range? }] (one-based lines).
 * Returns each tag with its status and, for a missing one, whether its file was checked at all;
 * and the analyzed functions no tag matched (`untagged`).
 */
export function matchFunctions(tags, listing, problems) {
  const analyzedIn = new Map(listing.map((entry) => [entry.file, entry.functions.map((fn) => ({ ...fn, claimed: false }))]));
  const problemsIn = new Map();
  for (const problem of problems) {
    const list = problemsIn.get(problem.file) ?? [];
    list.push(problem);
    problemsIn.set(problem.file, list);
  }
  const contains = (fn, line) => fn.line <= line && line <= fn.endLine;
  const sameName = (fn, tag) => simpleName(fn.name) === simpleName(tag.name) || (fn.qualifiedName !== undefined && simpleName(fn.qualifiedName) === simpleName(tag.name));

  // First every match by name, so that a function analyzed under another name cannot take a tag
  // that a function of the right name holds.
  const candidatesOf = tags.map((tag) => (analyzedIn.get(tag.file) ?? []).filter((fn) => contains(fn, tag.line)));
  const results = tags.map((tag, index) => {
    const named = candidatesOf[index].find((fn) => !fn.claimed && sameName(fn, tag));
    if (named === undefined) return { tag };
    named.claimed = true;
    return { tag, status: "analyzed", function: named };
  });
  for (const [index, result] of results.entries()) {
    if (result.status !== undefined) continue;
    const { tag } = result;
    const other = candidatesOf[index].find((fn) => !fn.claimed);
    if (other !== undefined) {
      other.claimed = true;
      Object.assign(result, { status: "analyzedUnderAnotherName", function: other });
      continue;
    }
    const fileChecked = analyzedIn.has(tag.file);
    const fileProblems = problemsIn.get(tag.file) ?? [];
    const last = tag.end ?? tag.line;
    // A problem explains the function when its range overlaps the function's lines; a problem
    // without a range explains every function of a file that was not analyzed (skipped, parser failed).
    const explained = fileProblems.some((problem) =>
      problem.range === undefined ? !fileChecked : problem.range.start.line <= last && tag.line <= problem.range.end.line,
    );
    Object.assign(result, explained ? { status: "inProblem" } : { status: "missing", fileChecked });
  }
  const untagged = [];
  for (const [file, functions] of analyzedIn) for (const fn of functions) if (!fn.claimed) untagged.push({ file, name: fn.qualifiedName ?? fn.name, line: fn.line });
  return { results, untagged };
}
