// Lowers one parsed translation unit to an IrFile: functions (with their CFG), prototypes,
// role declarations, annotations, suppressions and problems.
import type { Node, Tree } from "web-tree-sitter";
import type { IrDeclaration, IrFile, IrFunction, IrGlobal, Parameter, ParseProblem, SourceLanguage, SourceRange } from "../../ir/ir";
import { shiftFunction, shiftRange } from "../../ir/shift";
import { AnnotationIndex, attachAnnotations } from "./annotations";
import { declaredName, functionShape, parametersOf, typeSpelling, type FunctionShape, type ParameterWithSpan } from "./declarators";
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
import { functionTypedNames } from "./function-types";

const MAX_CONTAINER_DEPTH = 64;
const MAX_SYNTAX_PROBLEMS = 100;
/** `EVT_VMB_CHANNEL_PROCESS_PACKET MyProcessPacket;` declares a function in a role. */
const ROLE_TYPEDEF = /^[A-Z][A-Z0-9_]*$/;
const FUNCTION_CLASS = /^_Function_class_\((\w+)\)$/;

export interface PendingFunction {
  definition: Node;
  shape: FunctionShape;
  body: Node;
  declarationStart: number;
  /** C++: the class whose member it is (defined in the class body, or `Class::Method` outside it). */
  owner?: string;
}

/** How a function is known: by its callers (`name`) and in reports (`qualifiedName`). */
export interface FunctionIdentity {
  name: string;
  qualifiedName?: string;
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

export class TranslationUnitLowerer {
  protected readonly language: SourceLanguage = "c";
  protected readonly problems: ParseProblem[] = [];
  protected readonly declarations: IrDeclaration[] = [];
  private readonly globals: IrGlobal[] = [];
  private readonly roles: RoleEntry[] = [];
  protected readonly pending: PendingFunction[] = [];
  protected readonly typedefNames = new Set<string>();
  private readonly constants: FileConstants;
  protected readonly macros: FunctionMacros;
  private readonly annotations: AnnotationIndex;
  protected readonly text: string;
  protected previousEnd = 0;

  constructor(
    protected readonly file: string,
    private readonly preprocessed: PreprocessedSource,
    protected readonly lines: LineIndex,
    parseSnippet: SnippetParser,
    included: readonly SharedDefinitions[],
    modelNames: RegExp | undefined,
    private readonly roleTypedefs: ReadonlySet<string> | undefined,
    private readonly functionTypes?: ReadonlyMap<string, string>,
  ) {
    this.constants = new FileConstants(modelNames);
    this.macros = new FunctionMacros(parseSnippet);
    // Definitions from included headers come first; the file's own replace them.
    for (const definitions of included) {
      for (const macro of definitions.functionMacros) this.macros.defineIncluded(macro.name, macro.parameters, macro.body);
      for (const constant of definitions.constants) this.constants.defineIncluded(constant.name, constant.value);
      for (const typed of definitions.functionTypedNames ?? []) this.constants.defineCallee(typed.name, typed.api);
    }
    this.annotations = new AnnotationIndex(preprocessed.annotations);
    this.text = preprocessed.text;
  }

  lower(tree: Tree, previous: KeptFunctions | undefined): LoweredTranslationUnit {
    for (const problem of this.preprocessed.problems) this.problems.push({ message: problem.message, range: this.lines.rangeOf(problem.start, problem.end) });
    this.syntaxProblems(tree.rootNode);
    this.visitContainer(tree.rootNode, 0);
    for (const typed of functionTypedNames(tree.rootNode, this.text, this.functionTypes)) this.constants.defineCallee(typed.name, typed.api);
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
      language: this.language,
      functions,
      declarations: this.declarations,
      globals: this.globals,
      roles: this.roles,
      suppressions: suppressionsIn(this.text, this.preprocessed.comments, this.lines),
      problems: this.problems,
    };
  }

  protected visitContainer(container: Node, depth: number): void {
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
          this.visitOther(child, type, depth);
          break;
      }
      this.previousEnd = child.endIndex;
    }
  }

  /** A file-scope node C has no use for (C++ adds namespaces, classes, templates). */
  protected visitOther(_node: Node, _type: string, _depth: number): void {}

  protected functionDefinition(definition: Node, declarationStart = this.previousEnd, owner?: string): void {
    const shape = functionShape(fieldChild(definition, "declarator"));
    const body = fieldChild(definition, "body");
    if (shape === undefined || body === null) return;
    this.pending.push(owner === undefined ? { definition, shape, body, declarationStart } : { definition, shape, body, declarationStart, owner });
  }

  /** The name callers use; C++ qualifies and resolves it (a method is `Class::Method`). */
  protected functionIdentity(entry: PendingFunction): FunctionIdentity {
    return { name: entry.shape.name };
  }

  /** A C++ method's implicit `this` comes first. */
  protected implicitParameters(_entry: PendingFunction): Parameter[] {
    return [];
  }

  /** The lowerers of one function's expressions and statements (C++ extends both). */
  protected createLowerers(
    _entry: PendingFunction,
    functionNames: ReadonlySet<string>,
    typeNames: TypeNames,
    problems: ParseProblem[],
    locals: LocalNames,
  ): { expressions: ExpressionLowerer; body: FunctionBodyLowerer } {
    const expressions = new ExpressionLowerer(this.text, this.lines, functionNames, typeNames, problems, this.macros, undefined, locals);
    return { expressions, body: new FunctionBodyLowerer(expressions, problems, locals) };
  }

  /** Functions lowered with a function (C++ lambdas), lowered after it; none in C. */
  protected extraFunctions(_expressions: ExpressionLowerer): IrFunction[] {
    return [];
  }

  protected declaration(node: Node): void {
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
    for (const entry of this.pending) functionNames.add(this.functionIdentity(entry).name);
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
      const { definition } = entry;
      const identity = this.functionIdentity(entry);
      // Definitions under different #if branches (or C++ overloads) share a name; ids stay unique.
      const seen = (definitionsSeen.get(identity.name) ?? 0) + 1;
      definitionsSeen.set(identity.name, seen);
      const id = seen === 1 ? identity.name : `${identity.name}@${seen}`;
      const key = keptFunctionKey(this.text, id, Math.min(entry.declarationStart, definition.startIndex), definition.endIndex);
      const earlier = reusable?.get(key);
      let placedFunction: PlacedFunction;
      let lowered: ReturnType<TranslationUnitLowerer["lowerFunction"]> | undefined;
      if (earlier !== undefined && !definition.hasError) {
        placedFunction = { kept: earlier, lines: definition.startPosition.row - earlier.ir.range.start.line };
        kept.functions.set(key, earlier);
      } else {
        lowered = this.lowerFunction(entry, id, identity, functionNames, typeNames);
        placedFunction = { kept: lowered.kept, lines: 0 };
        // A function with nested definitions found them while lowered: it is lowered every time.
        if (!lowered.hasNestedDefinitions) kept.functions.set(key, lowered.kept);
      }
      const { ir, problems } = placedFunction.kept;
      this.functionClassRoles(identity.name, ir.annotations, shiftRange(ir.nameRange, placedFunction.lines));
      for (const problem of problems) this.problems.push(placedFunction.lines === 0 ? problem : { ...problem, range: shiftRange(problem.range, placedFunction.lines) });
      placed.push(placedFunction);
      for (const extra of lowered?.extra ?? []) placed.push({ kept: { ir: extra, namesUsed: placedFunction.kept.namesUsed, problems: [] }, lines: 0 });
    }
    return { placed, kept };
  }

  private lowerFunction(
    entry: PendingFunction,
    id: string,
    identity: FunctionIdentity,
    functionNames: ReadonlySet<string>,
    typeNames: TypeNames,
  ): { kept: KeptFunction; hasNestedDefinitions: boolean; extra: IrFunction[] } {
    const { definition, shape, body } = entry;
    const parameters: ParameterWithSpan[] = parametersOf(shape.parameterList, this.text);
    const annotations = attachAnnotations(
      this.annotations,
      { from: entry.declarationStart, parameterListStart: shape.parameterList.startIndex, parameterListEnd: shape.parameterList.endIndex, to: body.startIndex },
      parameters,
      this.text,
    );
    const problems: ParseProblem[] = [];
    const locals = new LocalNames();
    const implicit = this.implicitParameters(entry);
    for (const parameter of implicit) locals.declare(parameter.name);
    for (const { parameter } of parameters) if (parameter.name) locals.declare(parameter.name);
    const lowerers = this.createLowerers(entry, functionNames, typeNames, problems, locals);
    const { expressions } = lowerers;
    const { blocks, entry: entryBlock, nestedDefinitions } = lowerers.body.lower(body);
    for (const nested of nestedDefinitions) this.functionDefinition(nested, nested.startIndex, entry.owner);
    const ir: IrFunction = {
      id,
      name: identity.name,
      ...(identity.qualifiedName !== undefined && identity.qualifiedName !== identity.name ? { qualifiedName: identity.qualifiedName } : {}),
      file: this.file,
      language: this.language,
      params: [...implicit, ...parameters.map((parameter) => parameter.parameter)],
      annotations,
      blocks,
      entry: entryBlock,
      range: rangeOf(definition),
      nameRange: rangeOf(shape.nameNode),
    };
    const returnType = typeSpelling(fieldChild(definition, "type"), this.text, shape.returnIndirections);
    if (returnType !== undefined) ir.returnType = returnType;
    const extra = this.extraFunctions(expressions);
    return { kept: { ir, namesUsed: expressions.namesUsed, problems }, hasNestedDefinitions: nestedDefinitions.length > 0 || extra.length > 0, extra };
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
  /** Typedef names of API function types, with the function each is the type of (`PFN_VMB_PACKET_ALLOCATE`). */
  functionTypes?: ReadonlyMap<string, string>;
  /** The functions of the file's last lowering: those unchanged are taken over. */
  previous?: KeptFunctions;
}

export type TranslationUnitLowering = (tree: Tree, file: string, preprocessed: PreprocessedSource, lines: LineIndex, parseSnippet: SnippetParser, options?: TranslationUnitOptions) => LoweredTranslationUnit;

export function lowerTranslationUnit(tree: Tree, file: string, preprocessed: PreprocessedSource, lines: LineIndex, parseSnippet: SnippetParser, options: TranslationUnitOptions = {}): LoweredTranslationUnit {
  return new TranslationUnitLowerer(file, preprocessed, lines, parseSnippet, options.included ?? [], options.modelNames, options.roleTypedefs, options.functionTypes).lower(tree, options.previous);
}
