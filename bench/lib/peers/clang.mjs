// clang --analyze, told about the allocators by ownership_returns/ownership_takes in the stub
// header, which its MallocChecker only honours with unix.DynamicMemoryModeling:Optimistic=true.
import { isToolError, parseDiagnostics } from "./diagnostics.mjs";

/** clang's checkers share ids (unix.Malloc reports leaks, double frees and more): map by message. */
const ruleByMessage = [
  [/^Potential (memory )?leak/, "leak"],
  [/^Attempt to (free|release) released memory/, "double-free"],
  [/^Use of memory after it is (freed|released)/, "use-after-free"],
  [/^Attempt to free non-owned memory|should be deallocated by|^Argument to .*(is the address of|is a constant address|is offset by)/, "free-unowned"],
  [/[Nn]ull pointer|null pointer dereference|Dereference of null pointer/, "unchecked-allocation"],
];

export const clangPeer = {
  id: "clang",
  label: "clang --analyze",
  binary: "clang",
  expressibleRules: ["leak", "double-free", "use-after-free", "unchecked-allocation", "free-unowned"],
  command(file, { stubHeader, includeDir }) {
    return {
      command: "clang",
      args: [
        "--analyze",
        // The plist report is not read: the warnings on stderr carry everything scored.
        "-o", "/dev/null",
        "-Xclang", "-analyzer-config",
        "-Xclang", "unix.DynamicMemoryModeling:Optimistic=true",
        "-fno-caret-diagnostics",
        "-Wno-everything",
        "-include", stubHeader,
        "-I", includeDir,
        file,
      ],
    };
  },
  parse(output) {
    return parseDiagnostics(output).flatMap((diagnostic) => {
      if (isToolError(diagnostic)) return [{ ...diagnostic, kind: "error" }];
      if (diagnostic.severity !== "warning") return [];
      const rule = ruleByMessage.find(([pattern]) => pattern.test(diagnostic.message))?.[1];
      return [{ ...diagnostic, kind: "report", rule }];
    });
  },
};
