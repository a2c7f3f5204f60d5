// gcc -fanalyzer, told about the allocators by __attribute__((malloc(Deallocator, 1))) in the stub header.
import { isToolError, parseDiagnostics } from "./diagnostics.mjs";

const ruleByOption = new Map([
  ["-Wanalyzer-malloc-leak", "leak"],
  ["-Wanalyzer-double-free", "double-free"],
  ["-Wanalyzer-use-after-free", "use-after-free"],
  ["-Wanalyzer-possible-null-dereference", "unchecked-allocation"],
  ["-Wanalyzer-null-dereference", "unchecked-allocation"],
  ["-Wanalyzer-possible-null-argument", "unchecked-allocation"],
  ["-Wanalyzer-null-argument", "unchecked-allocation"],
  ["-Wanalyzer-mismatching-deallocation", "free-unowned"],
  ["-Wanalyzer-free-of-non-heap", "free-unowned"],
]);

export const gccPeer = {
  id: "gcc",
  label: "gcc -fanalyzer",
  binary: "gcc",
  /** Ours that it has a counterpart for; the others count as missed. */
  expressibleRules: ["leak", "double-free", "use-after-free", "unchecked-allocation", "free-unowned"],
  /** One compiler run per translation unit: -fanalyzer does not look across files without LTO. */
  command(file, { stubHeader, includeDir }) {
    return {
      command: "gcc",
      args: [
        "-fanalyzer",
        // The analyzer runs with code generation only: compile, and throw the object away.
        "-c",
        "-o", "/dev/null",
        // Report at the macro's use, not inside the stub header where STATUS_* is defined.
        "-ftrack-macro-expansion=0",
        "-fdiagnostics-plain-output",
        "-fdiagnostics-path-format=none",
        "-Wanalyzer-too-complex",
        "-include", stubHeader,
        "-I", includeDir,
        file,
      ],
    };
  },
  parse(output) {
    return parseDiagnostics(output).flatMap((diagnostic) => {
      if (isToolError(diagnostic)) return [{ ...diagnostic, kind: "error" }];
      if (!diagnostic.id.startsWith("-Wanalyzer-")) return [];
      return [{ ...diagnostic, kind: "report", rule: ruleByOption.get(diagnostic.id) }];
    });
  },
};
