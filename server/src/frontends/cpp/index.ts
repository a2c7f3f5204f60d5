// The C++ frontend: tree-sitter-cpp's grammar with the C++ lowering, through the same machinery as
// the C frontend (preprocessing, incremental parsing, kept functions). Its grammar is loaded on the
// first C++ file only.
import { createTreeSitterFrontend, type CFrontend, type Dialect } from "../c";
import { classesOf } from "./classes";
import { lowerCppTranslationUnit } from "./lower";

const cppDialect: Dialect = { grammar: "tree-sitter-cpp", language: "cpp", parserName: "C++", lowerTranslationUnit: lowerCppTranslationUnit, classesOf };

let frontend: Promise<CFrontend> | undefined;

export function loadCppFrontend(): Promise<CFrontend> {
  frontend ??= createTreeSitterFrontend(cppDialect).catch((error: unknown) => {
    frontend = undefined;
    throw error;
  });
  return frontend;
}
