// The one-line diagnostic format gcc, clang and cppcheck (with our --template) all print:
//   path:line:column: severity: message [id]

const diagnosticLine = /^(.+?):(\d+):(\d+): (warning|error|fatal error|note|style|performance|portability|information): (.*?)(?: \[([^\]]+)\])?$/;

export function parseDiagnostics(text) {
  const diagnostics = [];
  for (const line of text.split("\n")) {
    const match = diagnosticLine.exec(line.trimEnd());
    if (match === null) continue;
    diagnostics.push({
      file: match[1],
      line: Number(match[2]),
      column: Number(match[3]),
      severity: match[4],
      message: match[5],
      id: match[6] ?? "",
    });
  }
  return diagnostics;
}

/** Diagnostics that mean the tool could not analyse the file at all. */
export function isToolError(diagnostic) {
  return diagnostic.severity === "error" || diagnostic.severity === "fatal error";
}
