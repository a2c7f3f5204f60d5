// cppcheck, told about the allocators by the <resource>/<memory> pairs of bench/peers/kmcl.cfg.
import { parseDiagnostics } from "./diagnostics.mjs";

const ruleById = new Map([
  ["memleak", "leak"],
  ["resourceLeak", "leak"],
  ["leakReturnValNotUsed", "leak"],
  ["leakNoVarFunctionCall", "leak"],
  ["leakUnsafeArgAlloc", "leak"],
  ["memleakOnRealloc", "leak"],
  ["doubleFree", "double-free"],
  ["deallocuse", "use-after-free"],
  ["deallocret", "use-after-free"],
  ["nullPointerOutOfMemory", "unchecked-allocation"],
  ["nullPointerOutOfResources", "unchecked-allocation"],
  ["ctunullpointerOutOfMemory", "unchecked-allocation"],
  ["ctunullpointerOutOfResources", "unchecked-allocation"],
  ["nullPointerArithmeticOutOfMemory", "unchecked-allocation"],
  ["mismatchAllocDealloc", "free-unowned"],
  ["autovarInvalidDeallocation", "free-unowned"],
  ["invalidFree", "free-unowned"],
]);

/** Ids that mean cppcheck could not make sense of the file. */
const failureIds = new Set(["syntaxError", "internalAstError", "unknownMacro", "internalError", "cppcheckError", "preprocessorErrorDirective"]);

export const cppcheckPeer = {
  id: "cppcheck",
  label: "cppcheck",
  binary: "cppcheck",
  expressibleRules: ["leak", "double-free", "use-after-free", "unchecked-allocation", "free-unowned"],
  command(file, { stubHeader, includeDir, libraryFile }) {
    return {
      command: "cppcheck",
      args: [
        "--quiet",
        "--enable=warning",
        `--library=${libraryFile}`,
        `--include=${stubHeader}`,
        `-I${includeDir}`,
        // One configuration (the stub's cppcheck branch), not every #if combination.
        "-D__CPPCHECK__",
        "--suppress=missingIncludeSystem",
        "--template={file}:{line}:{column}: {severity}: {message} [{id}]",
        file,
      ],
    };
  },
  parse(output) {
    return parseDiagnostics(output).flatMap((diagnostic) => {
      if (failureIds.has(diagnostic.id)) return [{ ...diagnostic, kind: "error" }];
      return [{ ...diagnostic, kind: "report", rule: ruleById.get(diagnostic.id) }];
    });
  },
};
