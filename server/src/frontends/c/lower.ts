// Lowers one parsed translation unit to an IrFile: functions (with their CFG), prototypes,
// role declarations, annotations, suppressions and problems.
import type { Node, Tree } from "web-tree-sitter";
import type { IrDeclaration, IrFile, IrFunction, IrGlobal, ParseProblem, SourceRange } from "../../ir/ir";
import { shiftFunction, shiftRange } from "../../ir/shift";
import { AnnotationIndex, attachAnnotations } from "./annotations";
import { declaredName, functionShape, parametersOf, typeSpelling, type FunctionShape } from "./declarators";
import { ExpressionLowerer } from "./expressions";
import { fieldChild } from "./fields";
import { constantMacroOf, functionMacroOf, type SharedDefinitions } from "./definitions";
import { FileConstants, literalValue } from "./file-constants";
import { finishedFunction, keptFunctionKey, type KeptFunction, type KeptFunctions } from "./kept-functions";
import { FunctionMacros, type SnippetParser } from "./function-macros";
import { FunctionBodyLowerer } from "./function-body";
import type { LineIndex } from "../positions";
import type { PreprocessedSource } from "./preprocess";
import { suppressionsIn } from "../suppressions";
import { collapseWhitespace, namedChildList, rangeOf, significantChildren } from "./syntax";
import { LocalNames } from "../local-names";
import { TypeNames } from "./type-names";

const MAX_CONTAINER_DEPTH = 64;
const MAX_SYNTAX_PROBLEMS = 100;
/** `EVT_VMB_CHANNEL_PROCESS_PACKET MyProcessPacket;` declares a function in a role. */
const ROLE_TYPEDEF = /^[A-Z][A-Z0-9_]*$/;
const FUNCTION_CLASS = /^_Function_class_\((\w+)\)$/;

interface PendingFunction {
  definition: Node;
  shape: FunctionShape;
  body: Node;
  declarationStart: number;
}

/** A function of the file: lowered now, or kept from the last lowering and `lines` below where it was then. */
interface PlacedFunction {
  kept: KeptFunction;
  lines: number;
}

interface RoleEntry {
  functionName: string;
  role: string;
  range: SourceRange;
}

class TranslationUnitLowerer {
  private readonly problems: ParseProblem[] = [];
  private readonly declarations: IrDeclaration[] = [];
  private readonly globals: IrGlobal[] = [];
  private readonly roles: RoleEntry[] = [];
  private readonly pending: PendingFunction[] = [];
  private readonly typedefNames = new Set<string>();
  private readonly constants: FileConstants;
  private readonly macros: FunctionMacros;
  private readonly annotations: AnnotationIndex;
  private readonly text: string;
  private previousEnd = 0;

  constructor(
    private readonly file: string,
    private readonly preprocessed: PreprocessedSource,
    private readonly lines: LineIndex,
    parseSnippet: SnippetParser,
    included: readonly SharedDefinitions[],
    modelNames: RegExp | undefined,
    private readonly roleTypedefs: ReadonlySet<string> | undefined,
  ) {
    this.constants = new FileConstants(modelNames);
    this.macros = new FunctionMacros(parseSnippet);
    // Definitions from included headers come first; the file's own replace them.
    for (const definitions of included) {
      for (const macro of definitions.functionMacros) this.macros.defineIncluded(macro.name, macro.parameters, macro.body);
      for (const constant of definitions.constants) this.constants.defineIncluded(constant.name, constant.value);
    }
    this.annotations = new AnnotationIndex(preprocessed.annotations);
    this.text = preprocessed.text;
  }

  lower(tree: Tree, previous: KeptFunctions | undefined): LoweredTranslationUnit {
    for (const problem of this.preprocessed.problems) this.problems.push({ message: problem.message, range: this.lines.rangeOf(problem.start, problem.end) });
    this.syntaxProblems(tree.rootNode);
    this.visitContainer(tree.rootNode, 0);
    let placed: PlacedFunction[];
    let kept: KeptFunctions;
    try {
      ({ placed, kept } = this.lowerFunctions(previous));
    } finally {
      this.macros.dispose();
    }
    const tables = this.constants.tablesFor(placed.map((entry) => entry.kept.ir));
    const rolesByFunction = this.rolesByFunction();
    const functions = placed.map((entry) => {
      const own = entry.kept.ir.annotations;
      const roles = [...new Set(rolesByFunction.get(entry.kept.ir.name))].filter((role) => !own.includes(role));
      return shiftFunction(finishedFunction(entry.kept, tables, roles), entry.lines);
    });
    return { ir: this.fileOf(functions), kept };
  }

  private fileOf(functions: IrFunction[]): IrFile {
    return {
      file: this.file,
      language: "c",
      functions,
      declarations: this.declarations,
      globals: this.globals,
      roles: this.roles,
      suppressions: suppressionsIn(this.text, this.preprocessed.comments, this.lines),
      problems: this.problems,
    };
  }

  private visitContainer(container: Node, depth: number): void {
    if (depth > MAX_CONTAINER_DEPTH) {
      this.problems.push({ message: "Preprocessor groups nested too deeply; the inner ones are skipped", range: rangeOf(container) });
      return;
    }
    for (const child of namedChildList(container)) {
      const type = child.type;
      // A comment between an annotation and its declaration must not separate them.
      if (type === "comment") continue;
      switch (type) {
        case "function_definition":
          this.functionDefinition(child);
          break;
        case "declaration":
          this.declaration(child);
          break;
        case "preproc_def": {
          const constant = constantMacroOf(child, this.text);
          if (constant !== undefined) this.constants.define(constant.name, constant.value);
          break;
        }
        case "preproc_function_def": {
          const macro = functionMacroOf(child, this.text);
          if (macro !== undefined) this.macros.define(macro.name, macro.parameters, macro.body);
          break;
        }
        case "type_definition":
          for (const declarator of child.childrenForFieldName("declarator")) {
            const declared = declaredName(declarator);
            if (declared.name !== undefined) this.typedefNames.add(declared.name);
          }
          break;
        case "linkage_specification": {
          const body = fieldChild(child, "body");
          if (body === null) break;
          if (body.type === "declaration_list") this.visitContainer(body, depth + 1);
          else if (body.type === "function_definition") this.functionDefinition(body);
          else if (body.type === "declaration") this.declaration(body);
          break;
        }
        case "preproc_if":
        case "preproc_ifdef":
        case "preproc_elif":
        case "preproc_elifdef":
        case "preproc_else":
        case "declaration_list":
        case "ERROR":
          // Every alternative is lowered: which one is compiled is not known here.
          this.visitContainer(child, depth + 1);
          break;
        default:
          break;
      }
      this.previousEnd = child.endIndex;
    }
  }

  private functionDefinition(definition: Node, declarationStart = this.previousEnd): void {
    const shape = functionShape(fieldChild(definition, "declarator"));
    const body = fieldChild(definition, "body");
    if (shape === undefined || body === null) return;
    this.pending.push({ definition, shape, body, declarationStart });
  }

  private declaration(node: Node): void {
    const declarators = node.childrenForFieldName("declarator");
    const typeNode = fieldChild(node, "type");
    let from = this.previousEnd;
    let declaredFunction = false;
    for (const declarator of declarators) {
      const shape = functionShape(declarator);
      if (shape === undefined) continue;
      declaredFunction = true;
      const parameters = parametersOf(shape.parameterList, this.text);
      const annotations = attachAnnotations(
        this.annotations,
        { from, parameterListStart: shape.parameterList.startIndex, parameterListEnd: shape.parameterList.endIndex, to: declarator.endIndex },
        parameters,
        this.text,
      );
      from = declarator.endIndex;
      const declaration: IrDeclaration = {
        name: shape.name,
        file: this.file,
        params: parameters.map((entry) => entry.parameter),
        annotations,
        range: rangeOf(node),
      };
      const returnType = typeSpelling(typeNode, this.text, shape.returnIndirections);
      if (returnType !== undefined) declaration.returnType = returnType;
      this.declarations.push(declaration);
      this.functionClassRoles(shape.name, annotations, rangeOf(shape.nameNode));
    }
    if (!declaredFunction) this.fileScopeVariables(node, declarators);
    if (declaredFunction || typeNode === null || typeNode.type !== "type_identifier") return;
    const role = this.text.slice(typeNode.startIndex, typeNode.endIndex);
    if (!ROLE_TYPEDEF.test(role)) return;
    for (const declarator of declarators) {
      if (declarator.type !== "identifier") continue;
      this.roles.push({ functionName: declarator.text, role, range: rangeOf(declarator) });
    }
  }

  /**
   * File-scope variables. `static const BOOLEAN KeepBuffer = FALSE;` and `static ULONG Mode = 2;`
   * (never written in the file) are constants of the file; every definition also goes to the IR,
   * for constants across files (`const int GLOBAL_CONST_TRUE = 1;` in another file).
   */
  private fileScopeVariables(node: Node, declarators: Node[]): void {
    let isStatic = false;
    let isConst = false;
    for (const child of significantChildren(node)) {
      const type = child.type;
      if (type !== "storage_class_specifier" && type !== "type_qualifier") continue;
      const spelling = this.text.slice(child.startIndex, child.endIndex);
      if (spelling === "extern" || spelling === "typedef") return;
      if (spelling === "static") isStatic = true;
      else if (spelling === "const") isConst = true;
    }
    for (const declarator of declarators) {
      if (declarator.type === "identifier") {
        // Without an initializer only a static matters: it hides namesakes of other files.
        if (isStatic) this.globals.push({ name: this.text.slice(declarator.startIndex, declarator.endIndex), isConst, isStatic });
        continue;
      }
      if (declarator.type !== "init_declarator") continue;
      const name = fieldChild(declarator, "declarator");
      const value = fieldChild(declarator, "value");
      if (name === null || value === null || name.type !== "identifier") continue;
      const spelling = this.text.slice(name.startIndex, name.endIndex);
      const constant = literalValue(this.text.slice(value.startIndex, value.endIndex));
      this.globals.push(constant === undefined ? { name: spelling, isConst, isStatic } : { name: spelling, value: constant, isConst, isStatic });
      if (constant === undefined) continue;
      if (isConst) this.constants.define(spelling, constant);
      else if (isStatic) this.constants.defineStatic(spelling, constant);
    }
  }

  /** `_Function_class_(EVT_...)` on a function puts it in that role, like a role declaration. */
  private functionClassRoles(functionName: string, annotations: string[], range: SourceRange): void {
    for (const annotation of annotations) {
      const match = FUNCTION_CLASS.exec(annotation);
      if (match !== null) this.roles.push({ functionName, role: match[1], range });
    }
  }

  /** What lowering a function reads besides its own text (see KeptFunctions.definitions). */
  private definitionsSignature(functionNames: ReadonlySet<string>): string {
    return JSON.stringify([[...functionNames].sort(), [...this.typedefNames].sort(), this.macros.signature]);
  }

  /**
   * Lowers each function, or takes it over from `previous` (the file's last lowering) when its text
   * and the file's definitions are unchanged and its syntax tree has no error (error recovery could
   * read the same text another way).
   */
  private lowerFunctions(previous: KeptFunctions | undefined): { placed: PlacedFunction[]; kept: KeptFunctions } {
    const functionNames = new Set<string>();
    for (const entry of this.pending) functionNames.add(entry.shape.name);
    for (const declaration of this.declarations) functionNames.add(declaration.name);
    // `BOOLEAN TraceEnabled;` is a variable: only a role typedef the model knows declares a function.
    for (const role of this.roles) if (this.roleTypedefs === undefined || this.roleTypedefs.has(role.role)) functionNames.add(role.functionName);
    const definitions = this.definitionsSignature(functionNames);
    const reusable = previous?.definitions === definitions ? previous.functions : undefined;
    const kept: KeptFunctions = { definitions, functions: new Map() };
    const definitionsSeen = new Map<string, number>();
    const typeNames = new TypeNames(this.typedefNames);
    const placed: PlacedFunction[] = [];
    for (const entry of this.pending) {
      const { definition, shape } = entry;
      // Definitions under different #if branches share a name; ids stay unique.
      const seen = (definitionsSeen.get(shape.name) ?? 0) + 1;
      definitionsSeen.set(shape.name, seen);
      const id = seen === 1 ? shape.name : `${shape.name}@${seen}`;
      const key = keptFunctionKey(this.text, id, Math.min(entry.declarationStart, definition.startIndex), definition.endIndex);
      const earlier = reusable?.get(key);
      let placedFunction: PlacedFunction;
      if (earlier !== undefined && !definition.hasError) {
        placedFunction = { kept: earlier, lines: definition.startPosition.row - earlier.ir.range.start.line };
        kept.functions.set(key, earlier);
      } else {
        const lowered = this.lowerFunction(entry, id, functionNames, typeNames);
        placedFunction = { kept: lowered.kept, lines: 0 };
        // A function with nested definitions found them while lowered: it is lowered every time.
        if (!lowered.hasNestedDefinitions) kept.functions.set(key, lowered.kept);
      }
      const { ir, problems } = placedFunction.kept;
      this.functionClassRoles(shape.name, ir.annotations, shiftRange(ir.nameRange, placedFunction.lines));
      for (const problem of problems) this.problems.push(placedFunction.lines === 0 ? problem : { ...problem, range: shiftRange(problem.range, placedFunction.lines) });
      placed.push(placedFunction);
    }
    return { placed, kept };
  }

  private lowerFunction(entry: PendingFunction, id: string, functionNames: ReadonlySet<string>, typeNames: TypeNames): { kept: KeptFunction; hasNestedDefinitions: boolean } {
    const { definition, shape, body } = entry;
    const parameters = parametersOf(shape.parameterList, this.text);
    const annotations = attachAnnotations(
      this.annotations,
      { from: entry.declarationStart, parameterListStart: shape.parameterList.startIndex, parameterListEnd: shape.parameterList.endIndex, to: body.startIndex },
      parameters,
      this.text,
    );
    const problems: ParseProblem[] = [];
    const locals = new LocalNames();
    for (const { parameter } of parameters) if (parameter.name) locals.declare(parameter.name);
    const expressions = new ExpressionLowerer(this.text, this.lines, functionNames, typeNames, problems, this.macros, undefined, locals);
    const { blocks, entry: entryBlock, nestedDefinitions } = new FunctionBodyLowerer(expressions, problems, locals).lower(body);
    for (const nested of nestedDefinitions) this.functionDefinition(nested, nested.startIndex);
    const ir: IrFunction = {
      id,
      name: shape.name,
      file: this.file,
      language: "c",
      params: parameters.map((parameter) => parameter.parameter),
      annotations,
      blocks,
      entry: entryBlock,
      range: rangeOf(definition),
      nameRange: rangeOf(shape.nameNode),
    };
    const returnType = typeSpelling(fieldChild(definition, "type"), this.text, shape.returnIndirections);
    if (returnType !== undefined) ir.returnType = returnType;
    return { kept: { ir, namesUsed: expressions.namesUsed, problems }, hasNestedDefinitions: nestedDefinitions.length > 0 };
  }

  /** The roles role declarations and `_Function_class_` annotations give, by function name. */
  private rolesByFunction(): Map<string, string[]> {
    const rolesByFunction = new Map<string, string[]>();
    for (const role of this.roles) rolesByFunction.set(role.functionName, [...(rolesByFunction.get(role.functionName) ?? []), role.role]);
    return rolesByFunction;
  }

  /** ERROR and MISSING nodes, found by descending only where `hasError` says there are some. */
  private syntaxProblems(root: Node): void {
    const found: { offset: number; problem: ParseProblem }[] = [];
    const pending: Node[] = [root];
    while (pending.length > 0 && found.length < MAX_SYNTAX_PROBLEMS) {
      const node = pending.pop() as Node;
      if (!node.hasError) continue;
      const count = node.childCount;
      for (let index = 0; index < count && found.length < MAX_SYNTAX_PROBLEMS; index++) {
        const child = node.child(index);
        if (child === null) continue;
        if (child.isMissing) {
          found.push({ offset: child.startIndex, problem: { message: `Syntax error: missing ${child.type}`, range: rangeOf(child) } });
        } else if (child.isError) {
          const near = collapseWhitespace(this.text.slice(child.startIndex, Math.min(child.endIndex, child.startIndex + 40)));
          found.push({ offset: child.startIndex, problem: { message: `Syntax error near "${near}"`, range: rangeOf(child) } });
        } else if (child.hasError) {
          pending.push(child);
        }
      }
    }
    found.sort((left, right) => left.offset - right.offset);
    for (const entry of found) this.problems.push(entry.problem);
  }
}

export interface LoweredTranslationUnit {
  ir: IrFile;
  /** Its functions, for the next lowering of the file. */
  kept: KeptFunctions;
}

export interface TranslationUnitOptions {
  included?: readonly SharedDefinitions[];
  modelNames?: RegExp;
  roleTypedefs?: ReadonlySet<string>;
  /** The functions of the file's last lowering: those unchanged are taken over. */
  previous?: KeptFunctions;
}

export function lowerTranslationUnit(tree: Tree, file: string, preprocessed: PreprocessedSource, lines: LineIndex, parseSnippet: SnippetParser, options: TranslationUnitOptions = {}): LoweredTranslationUnit {
  return new TranslationUnitLowerer(file, preprocessed, lines, parseSnippet, options.included ?? [], options.modelNames, options.roleTypedefs).lower(tree, options.previous);
}
