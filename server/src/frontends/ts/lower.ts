// Lowers one TypeScript or JavaScript file: every function-like with a body becomes an IrFunction
// (declarations, arrow functions and function expressions, methods, constructors, accessors, class
// fields holding functions, object-literal methods), and so does the module's own top-level code.
// Function expressions inside a function are closures: the creator sees a `closure` expression.
import ts from "typescript";
import type { IrFile, IrFunction, IrGlobal, Parameter, ParseProblem, SourceRange } from "../../ir/ir";
import { LocalNames } from "../local-names";
import type { OffsetSpan } from "../positions";
import { suppressionsIn } from "../suppressions";
import { forwardingFunctions, hasModifier, importedNames } from "./bindings";
import { ExpressionLowerer, type ExpressionContext } from "./expressions";
import { parseTypeScript, syntaxErrorsOf } from "./parse";
import { FunctionBodyLowerer, type DeclarationScope, type LoweredBody } from "./function-body";
import { SourceText } from "./source";

type FunctionNode = ts.FunctionLikeDeclaration;

interface PendingFunction {
  node: FunctionNode | ts.SourceFile;
  id: string;
  name: string;
  nameNode?: ts.Node;
  isClosure: boolean;
  captures?: string[];
}

/** The name of the module's top-level code as a function. */
export const moduleFunctionName = "(module)";

/** Statements that run when the module loads (anything but declarations of functions, classes and types). */
function runsCode(statement: ts.Statement): boolean {
  return !(
    ts.isFunctionDeclaration(statement) ||
    ts.isClassDeclaration(statement) ||
    ts.isInterfaceDeclaration(statement) ||
    ts.isTypeAliasDeclaration(statement) ||
    ts.isImportDeclaration(statement) ||
    ts.isImportEqualsDeclaration(statement) ||
    ts.isExportDeclaration(statement) ||
    ts.isModuleDeclaration(statement) ||
    ts.isEnumDeclaration(statement) ||
    ts.isEmptyStatement(statement)
  );
}

function propertyNameText(name: ts.PropertyName | undefined): string | undefined {
  if (name === undefined) return undefined;
  if (ts.isIdentifier(name) || ts.isPrivateIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name)) return name.text;
  return undefined;
}

export class TypeScriptFileLowerer {
  private readonly source: SourceText;
  private readonly imported: Map<string, string>;
  private readonly problems: ParseProblem[] = [];
  private readonly pending: PendingFunction[] = [];
  private readonly usedIds = new Set<string>();
  private readonly closureCounts = new Map<string, number>();
  /** Function nodes already queued (a finally body lowered twice creates its closures twice). */
  private readonly queued = new Map<ts.Node, string>();

  constructor(
    private readonly fileName: string,
    text: string,
    private readonly predicates: ReadonlySet<string>,
  ) {
    const file = parseTypeScript(fileName, text);
    this.source = new SourceText(file);
    this.imported = importedNames(file);
  }

  lower(): IrFile {
    const file = this.source.file;
    this.syntaxProblems();
    if (file.statements.some(runsCode)) this.pending.push({ node: file, id: this.uniqueId(moduleFunctionName), name: moduleFunctionName, isClosure: false });
    this.declarationsIn(file.statements, undefined);
    const functions: IrFunction[] = forwardingFunctions(this.source, this.fileName, this.imported, (name) => this.uniqueId(name));
    // Lowering a function queues the functions nested in it.
    for (let index = 0; index < this.pending.length; index++) {
      const lowered = this.lowerFunction(this.pending[index]);
      if (lowered !== undefined) functions.push(lowered);
    }
    return {
      file: this.fileName,
      language: "ts",
      functions,
      declarations: [],
      globals: this.globals(),
      roles: [],
      // Only a file that names the directive has comments worth finding.
      suppressions: file.text.includes("vmbguard-disable") ? suppressionsIn(file.text, this.comments(), this.source.lines) : [],
      problems: this.problems,
    };
  }

  private syntaxProblems(): void {
    // The parser's own diagnostics: the tree is still complete, with missing nodes where it recovered.
    const diagnostics = syntaxErrorsOf(this.source.file);
    for (const diagnostic of diagnostics.slice(0, 50)) {
      const range = this.source.lines.rangeOf(diagnostic.start, diagnostic.start + diagnostic.length);
      this.problems.push({ message: `Syntax error: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, " ")}`, range });
    }
  }

  private uniqueId(wanted: string): string {
    let id = wanted;
    for (let n = 2; this.usedIds.has(id); n++) id = `${wanted}~${n}`;
    this.usedIds.add(id);
    return id;
  }

  /** Queues the functions and classes declared among `statements`; `owner` prefixes nested ids. */
  private declarationsIn(statements: readonly ts.Statement[], owner: string | undefined): void {
    for (const statement of statements) {
      if (ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) this.declaration(statement, owner);
      else if (ts.isModuleDeclaration(statement) && statement.body !== undefined && ts.isModuleBlock(statement.body)) this.declarationsIn(statement.body.statements, owner);
    }
  }

  private declaration(node: ts.FunctionDeclaration | ts.ClassDeclaration, owner: string | undefined): void {
    const name = node.name?.text ?? "default";
    if (ts.isFunctionDeclaration(node)) {
      if (node.body !== undefined) this.queue(node, owner === undefined ? name : `${owner}.${name}`, name, node.name, false);
      return;
    }
    for (const member of node.members) {
      const memberName = ts.isConstructorDeclaration(member) ? "constructor" : propertyNameText(member.name);
      if (memberName === undefined) continue;
      const id = `${owner === undefined ? "" : `${owner}.`}${name}.${memberName}`;
      if ((ts.isMethodDeclaration(member) || ts.isGetAccessor(member) || ts.isSetAccessor(member)) && member.body !== undefined) {
        this.queue(member, id, memberName, member.name, false);
      } else if (ts.isConstructorDeclaration(member) && member.body !== undefined) {
        // `new Name(...)` calls it by the class's name.
        this.queue(member, id, name, member, false);
      } else if (ts.isPropertyDeclaration(member) && member.initializer !== undefined) {
        const initializer = member.initializer;
        if (ts.isArrowFunction(initializer) || ts.isFunctionExpression(initializer)) this.queue(initializer, id, memberName, member.name, false);
      }
    }
  }

  private queue(node: FunctionNode, wantedId: string, name: string, nameNode: ts.Node | undefined, isClosure: boolean, captures?: string[]): string {
    const known = this.queued.get(node);
    if (known !== undefined) return known;
    const id = this.uniqueId(wantedId);
    this.queued.set(node, id);
    this.pending.push({ node, id, name: name === wantedId ? id : name, nameNode, isClosure, captures });
    return id;
  }

  /** A function expression inside `owner`: named by the variable or property it initializes, when it has one. */
  private closure(node: ts.ArrowFunction | ts.FunctionExpression | ts.MethodDeclaration, owner: PendingFunction, captures: string[]): string {
    const parent = node.parent;
    let name: string | undefined;
    let nameNode: ts.Node | undefined;
    if (ts.isFunctionExpression(node) && node.name !== undefined) {
      name = node.name.text;
      nameNode = node.name;
    } else if ((ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) && parent.initializer === node) {
      name = ts.isVariableDeclaration(parent) ? (ts.isIdentifier(parent.name) ? parent.name.text : undefined) : propertyNameText(parent.name);
      nameNode = parent.name;
    } else if (ts.isMethodDeclaration(node)) {
      name = propertyNameText(node.name);
      nameNode = node.name;
    }
    const count = (this.closureCounts.get(owner.id) ?? 0) + 1;
    this.closureCounts.set(owner.id, count);
    const id = name === undefined ? `${owner.id}#${count}` : `${owner.id}.${name}`;
    return this.queue(node, id, name ?? id, nameNode, true, captures);
  }

  private lowerFunction(pending: PendingFunction): IrFunction | undefined {
    const node = pending.node;
    const locals = new LocalNames();
    const context: ExpressionContext = {
      locals,
      imported: this.imported,
      closure: (closure, captures) => this.closure(closure, pending, captures),
      temporary: (range) => body.temporary(range),
      handlesExceptions: () => body.handlesExceptions,
    };
    const expressions = new ExpressionLowerer(this.source, context);
    const scope: DeclarationScope = ts.isSourceFile(node) ? "module" : "function";
    const body = new FunctionBodyLowerer(this.source, expressions, locals, this.problems, { declaration: (declaration) => this.declaration(declaration, pending.id) }, scope, this.predicates);
    body.begin();
    const params = ts.isSourceFile(node) ? [] : this.parameters(node, body, expressions);
    let lowered: LoweredBody;
    if (ts.isSourceFile(node)) {
      lowered = body.lowerStatements(node.statements, this.source.closingRangeOf(node));
    } else if (node.body === undefined) {
      return undefined;
    } else if (ts.isBlock(node.body)) {
      lowered = body.lowerStatements(node.body.statements, this.source.closingRangeOf(node.body));
    } else {
      lowered = body.lowerExpressionBody(node.body);
    }
    const range = this.source.rangeOf(node);
    const fn: IrFunction = {
      id: pending.id,
      name: pending.name,
      qualifiedName: pending.id,
      file: this.fileName,
      language: "ts",
      params,
      annotations: [],
      blocks: lowered.blocks,
      entry: lowered.entry,
      range,
      nameRange: pending.nameNode === undefined ? { start: range.start, end: range.start } : this.source.rangeOf(pending.nameNode),
    };
    if (!ts.isSourceFile(node) && node.type !== undefined) fn.returnType = this.source.textOf(node.type);
    if (pending.isClosure) fn.isClosure = true;
    if (pending.captures !== undefined && pending.captures.length > 0) fn.captures = pending.captures;
    return fn;
  }

  private parameters(node: FunctionNode, body: FunctionBodyLowerer, expressions: ExpressionLowerer): Parameter[] {
    const params: Parameter[] = [];
    const destructured: { pattern: ts.BindingName; name: string; range: SourceRange }[] = [];
    node.parameters.forEach((parameter, index) => {
      // `this: Foo` only types `this`.
      if (ts.isIdentifier(parameter.name) && parameter.name.text === "this") return;
      const range = expressions.rangeOf(parameter);
      const sourceName = ts.isIdentifier(parameter.name) ? parameter.name.text : `#param${index}`;
      const name = body.declareParameter(sourceName);
      if (!ts.isIdentifier(parameter.name)) destructured.push({ pattern: parameter.name, name, range });
      const param: Parameter = { name, annotations: [], range };
      if (parameter.type !== undefined) param.typeName = this.source.textOf(parameter.type);
      params.push(param);
    });
    for (const entry of destructured) body.destructure(entry.pattern, { kind: "var", name: entry.name, range: entry.range }, entry.range);
    return params;
  }

  /** Top-level `const X = 5` and the like: a global no function writes is the constant it starts as. */
  private globals(): IrGlobal[] {
    const globals: IrGlobal[] = [];
    for (const statement of this.source.file.statements) {
      if (!ts.isVariableStatement(statement)) continue;
      const isConst = (statement.declarationList.flags & ts.NodeFlags.Const) !== 0;
      const isExported = hasModifier(statement, ts.SyntaxKind.ExportKeyword);
      for (const declaration of statement.declarationList.declarations) {
        if (!ts.isIdentifier(declaration.name)) continue;
        const global: IrGlobal = { name: declaration.name.text, isConst, isStatic: !isExported };
        const initializer = declaration.initializer;
        if (initializer !== undefined && ts.isNumericLiteral(initializer)) global.value = Number(initializer.text);
        else if (initializer !== undefined && initializer.kind === ts.SyntaxKind.NullKeyword) global.value = null;
        globals.push(global);
      }
    }
    return globals;
  }

  /** Every comment of the file, found in the trivia before and after each node. */
  private comments(): OffsetSpan[] {
    const text = this.source.file.text;
    const seen = new Map<number, OffsetSpan>();
    const collect = (position: number) => {
      for (const comment of ts.getLeadingCommentRanges(text, position) ?? []) seen.set(comment.pos, { start: comment.pos, end: comment.end });
      for (const comment of ts.getTrailingCommentRanges(text, position) ?? []) seen.set(comment.pos, { start: comment.pos, end: comment.end });
    };
    const visit = (node: ts.Node): void => {
      collect(node.pos);
      collect(node.end);
      ts.forEachChild(node, visit);
    };
    visit(this.source.file);
    return [...seen.values()].sort((a, b) => a.start - b.start);
  }
}

export function lowerTypeScriptFile(file: string, text: string, predicates: ReadonlySet<string>): IrFile {
  return new TypeScriptFileLowerer(file, text, predicates).lower();
}
