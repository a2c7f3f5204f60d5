// Lowers one C++ translation unit: the C lowering, plus namespaces, classes (methods defined in the
// class or as `Class::Method`, with an implicit `this` first parameter), templates (lowered once,
// generically) and lambdas (closures lowered after their creator).
import type { Node, Tree } from "web-tree-sitter";
import type { IrFunction, Parameter, ParseProblem, SourceRange } from "../../ir/ir";
import { parametersOf } from "../c/declarators";
import type { ExpressionLowerer } from "../c/expressions";
import { fieldChild } from "../c/fields";
import type { FunctionBodyLowerer } from "../c/function-body";
import type { KeptFunctions } from "../c/kept-functions";
import { TranslationUnitLowerer, type FunctionIdentity, type LoweredTranslationUnit, type PendingFunction, type TranslationUnitOptions } from "../c/lower";
import type { SnippetParser } from "../c/function-macros";
import type { PreprocessedSource } from "../c/preprocess";
import { rangeOf, significantChildren } from "../c/syntax";
import type { TypeNames } from "../c/type-names";
import { LocalNames } from "../local-names";
import type { LineIndex } from "../positions";
import { ClassIndex, classesOf, parameterTypes, simpleName, type ClassShape } from "./classes";
import { CppExpressionLowerer, type CppFunctionContext } from "./expressions";
import { CppFunctionBodyLowerer } from "./function-body";

const MAX_CONTAINER_DEPTH = 64;
const CLASS_TYPES = new Set(["class_specifier", "struct_specifier", "union_specifier"]);

interface MethodOf {
  className: string;
  method: string;
  isStatic: boolean;
}

class CppTranslationUnitLowerer extends TranslationUnitLowerer {
  protected override readonly language = "cpp";
  private classes = new ClassIndex([]);
  private readonly namespaces = new Set<string>();
  private readonly lambdaIds = new Set<string>();
  private readonly snippetTrees: Tree[] = [];

  constructor(
    file: string,
    preprocessed: PreprocessedSource,
    lines: LineIndex,
    parseSnippet: SnippetParser,
    private readonly options: TranslationUnitOptions,
    private readonly parseCppSnippet: SnippetParser,
  ) {
    super(file, preprocessed, lines, parseSnippet, options.included ?? [], options.modelNames, options.roleTypedefs, options.functionTypes);
  }

  override lower(tree: Tree, previous: KeptFunctions | undefined): LoweredTranslationUnit {
    const included: ClassShape[] = (this.options.included ?? []).flatMap((definitions) => definitions.classes ?? []);
    this.classes = new ClassIndex([...included, ...classesOf(tree.rootNode, this.text)]);
    try {
      return super.lower(tree, previous);
    } finally {
      for (const snippet of this.snippetTrees.splice(0)) snippet.delete();
    }
  }

  protected override visitOther(node: Node, type: string, depth: number): void {
    if (depth > MAX_CONTAINER_DEPTH) return;
    switch (type) {
      case "namespace_definition": {
        const name = fieldChild(node, "name");
        if (name !== null) for (const part of this.text.slice(name.startIndex, name.endIndex).split("::")) this.namespaces.add(part.trim());
        const body = fieldChild(node, "body");
        if (body !== null) this.visitContainer(body, depth + 1);
        return;
      }
      case "template_declaration":
        // Lowered once for every instantiation: what a template does to a handle does not depend on `T`.
        this.visitContainer(node, depth + 1);
        return;
      case "class_specifier":
      case "struct_specifier":
      case "union_specifier":
        this.visitClass(node, depth + 1);
        return;
      default:
        return;
    }
  }

  protected override declaration(node: Node): void {
    super.declaration(node);
    const type = fieldChild(node, "type");
    if (type !== null && CLASS_TYPES.has(type.type)) this.visitClass(type, 1);
  }

  /** The methods a class body defines (and those of the classes nested in it). */
  private visitClass(node: Node, depth: number): void {
    const nameNode = fieldChild(node, "name");
    const body = fieldChild(node, "body");
    if (nameNode === null || body === null || depth > MAX_CONTAINER_DEPTH) return;
    const className = simpleName(this.text.slice(nameNode.startIndex, nameNode.endIndex));
    for (const member of significantChildren(body)) {
      const definition = member.type === "template_declaration" ? significantChildren(member).find((child) => child.type === "function_definition") : member;
      if (definition?.type === "function_definition") this.functionDefinition(definition, definition.startIndex, className);
      else if (CLASS_TYPES.has(member.type)) this.visitClass(member, depth + 1);
      else if (member.type === "field_declaration") {
        const type = fieldChild(member, "type");
        if (type !== null && CLASS_TYPES.has(type.type)) this.visitClass(type, depth + 1);
      }
    }
  }

  /** Which class a definition belongs to: the class it is defined in, or the class part of `Class::Method`. */
  private methodOf(entry: PendingFunction): MethodOf | undefined {
    const name = entry.shape.name;
    const method = simpleName(name);
    let className = entry.owner;
    if (className === undefined) {
      const separator = name.lastIndexOf("::");
      if (separator <= 0) return undefined;
      const scope = simpleName(name.slice(0, separator));
      // `ns::Function` defines a function of a namespace; `Class::Method` a method, even of a class declared elsewhere.
      if (this.namespaces.has(scope) && !this.classes.has(scope)) return undefined;
      className = this.classes.canonical(scope);
    }
    return { className, method, isStatic: this.classes.methodOwner(className, method)?.method.isStatic === true };
  }

  protected override functionIdentity(entry: PendingFunction): FunctionIdentity {
    const method = this.methodOf(entry);
    const qualifiedName = entry.owner === undefined ? entry.shape.name : `${entry.owner}::${entry.shape.name}`;
    if (method !== undefined) return { name: this.classes.methodName(method.className, method.method, parameterTypes(entry.shape.parameterList, this.text)), qualifiedName };
    return { name: simpleName(entry.shape.name), qualifiedName };
  }

  protected override implicitParameters(entry: PendingFunction): Parameter[] {
    const method = this.methodOf(entry);
    if (method === undefined || method.isStatic) return [];
    return [{ name: "this", typeName: `${method.className}*`, annotations: [], range: rangeOf(entry.shape.nameNode) }];
  }

  protected override createLowerers(
    entry: PendingFunction,
    functionNames: ReadonlySet<string>,
    typeNames: TypeNames,
    problems: ParseProblem[],
    locals: LocalNames,
  ): { expressions: ExpressionLowerer; body: FunctionBodyLowerer } {
    const method = this.methodOf(entry);
    const localClasses = new Map<string, string>();
    for (const { parameter } of parametersOf(entry.shape.parameterList, this.text)) {
      const className = parameter.typeName === undefined ? undefined : simpleName(parameter.typeName.replace(/[*&\s]|\bconst\b/g, ""));
      if (parameter.name && className !== undefined && this.classes.has(className)) localClasses.set(parameter.name, this.classes.canonical(className));
    }
    const context = this.functionContext(this.functionIdentity(entry).name, method, localClasses, functionNames, typeNames, undefined);
    for (const { parameter } of parametersOf(entry.shape.parameterList, this.text)) {
      if (parameter.name && localClasses.has(parameter.name) && !parameter.typeName?.includes("*")) context.objectLocals.add(parameter.name);
    }
    return this.lowerersFor(context, functionNames, typeNames, problems, locals);
  }

  private functionContext(
    ownerId: string,
    method: MethodOf | undefined,
    localClasses: Map<string, string>,
    functionNames: ReadonlySet<string>,
    typeNames: TypeNames,
    outerNames: ReadonlyMap<string, string> | undefined,
    shared?: { lambdas: IrFunction[]; temporaries: { count: number } },
  ): CppFunctionContext {
    const lambdas = shared?.lambdas ?? [];
    const temporaries = shared?.temporaries ?? { count: 0 };
    const context: CppFunctionContext = {
      classes: this.classes,
      owner: method?.className,
      hasThis: method !== undefined && !method.isStatic,
      localClasses,
      objectLocals: new Set(),
      lambdas,
      outerNames,
      nextTemporary: () => temporaries.count++,
      parseSnippet: (text) => {
        const snippet = this.parseCppSnippet(text);
        if (snippet !== null) this.snippetTrees.push(snippet);
        return snippet;
      },
      lambda: (node, captures, names, variable) => this.lowerLambda(node, ownerId, variable, captures, names, method, functionNames, typeNames, { lambdas, temporaries }),
    };
    return context;
  }

  private lowerersFor(context: CppFunctionContext, functionNames: ReadonlySet<string>, typeNames: TypeNames, problems: ParseProblem[], locals: LocalNames): { expressions: CppExpressionLowerer; body: CppFunctionBodyLowerer } {
    const expressions = new CppExpressionLowerer(this.text, this.lines, functionNames, typeNames, problems, this.macros, undefined, locals, context);
    return { expressions, body: new CppFunctionBodyLowerer(expressions, problems, locals) };
  }

  /** A lambda's body as a function of its own: a closure over `captures`, named by the variable it initializes. */
  private lowerLambda(
    node: Node,
    ownerId: string,
    variable: string | undefined,
    captures: string[],
    outerNames: ReadonlyMap<string, string>,
    method: MethodOf | undefined,
    functionNames: ReadonlySet<string>,
    typeNames: TypeNames,
    shared: { lambdas: IrFunction[]; temporaries: { count: number } },
  ): string {
    let id = variable === undefined ? `${ownerId}#1` : `${ownerId}.${variable}`;
    for (let count = 2; this.lambdaIds.has(id); count++) id = variable === undefined ? `${ownerId}#${count}` : `${ownerId}.${variable}@${count}`;
    this.lambdaIds.add(id);
    const body = fieldChild(node, "body");
    const declarator = fieldChild(node, "declarator");
    const parameterList = declarator === null ? null : fieldChild(declarator, "parameters");
    const parameters = parameterList === null ? [] : parametersOf(parameterList, this.text).map((entry) => entry.parameter);
    const range: SourceRange = rangeOf(node);
    const fn: IrFunction = { id, name: variable ?? id, qualifiedName: id, file: this.file, language: "cpp", params: parameters, annotations: [], blocks: [], entry: 0, range, nameRange: { start: range.start, end: range.start }, isClosure: true };
    if (captures.length > 0) fn.captures = captures;
    if (body === null) return id;
    const locals = new LocalNames();
    for (const parameter of parameters) if (parameter.name) locals.declare(parameter.name);
    const context = this.functionContext(id, method, new Map(), functionNames, typeNames, outerNames, shared);
    const problems: ParseProblem[] = [];
    const lowered = this.lowerersFor(context, functionNames, typeNames, problems, locals).body.lower(body);
    fn.blocks = lowered.blocks;
    fn.entry = lowered.entry;
    shared.lambdas.push(fn);
    return id;
  }

  protected override extraFunctions(expressions: ExpressionLowerer): IrFunction[] {
    return expressions instanceof CppExpressionLowerer ? expressions.cpp.lambdas : [];
  }
}

export function lowerCppTranslationUnit(tree: Tree, file: string, preprocessed: PreprocessedSource, lines: LineIndex, parseSnippet: SnippetParser, options: TranslationUnitOptions = {}): LoweredTranslationUnit {
  return new CppTranslationUnitLowerer(file, preprocessed, lines, parseSnippet, options, parseSnippet).lower(tree, options.previous);
}
