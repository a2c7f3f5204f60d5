// Learns model entries from declarations found in the workspace, SAL annotations first:
// `__drv_allocatesMem(Kind)` on a return is an allocator, on an out parameter (or in
// `_At_(*p, __drv_allocatesMem(Kind))`) it allocates through the pointer, `__drv_freesMem(Kind)` on a
// parameter releases it, `__drv_aliasesMem` hands it over (a transfer). A declaration without a body
// also says which parameters the function only borrows: `_In_...`, `_Inout_...`, `_Out_...` and a
// pointer to const. The engine passes the parameters it says nothing about to unknown code.
import type { IrDeclaration, IrFunction, Parameter } from "../ir/ir";
import { anyFamily, type DeclaredParameters, type Effect, type ModelEntry } from "./model";


const allocates = /^__drv_allocatesMem\(\s*(\w+)\s*\)$/;
const frees = /^__drv_freesMem\(\s*(\w+)\s*\)$/;

function familyOf(kind: string): string {
  return `sal:${kind}`;
}

function outPointer(param: Parameter): boolean {
  return param.annotations.some((annotation) => /^_Out|^__out|_Outptr_/.test(annotation));
}

/** `_At_(*Channel, __drv_allocatesMem(Mem))`: the parameter named first receives an allocation of that kind. */
const allocatesAt = /^_At_\(\s*\*\s*(\w+)\s*,.*__drv_allocatesMem\(\s*(\w+)\s*\)/;

/** SAL that says the function only reads what the parameter points to. */
const readsOnly = /^(?:_In_|__in(?:_|$)|_Printf_format_string_|_Const_$)/;
/** SAL that says the function reads or writes what the parameter points to, and keeps no pointer to it. */
const readsOrWrites = /^(?:_Inout_|_Out_|_Outptr_|_Deref_out_|__inout(?:_|$)|__out(?:_|$))/;
const formatString = /^_Printf_format_string_/;
/** SAL that says NULL may be passed (`_In_opt_`, `_Out_writes_opt_z_(n)`, `__in_opt`). */
const optional = /^_{1,2}[A-Za-z_]*opt(?:_|$)/;
/** A declaration that says the function never returns (`__declspec(noreturn)`, `DECLSPEC_NORETURN`, `__analysis_noreturn`). */
const noReturn = /^(?:__declspec\(\s*noreturn\s*\)|DECLSPEC_NORETURN|__analysis_noreturn|_Analysis_noreturn_)$/;

/** What a declaration says a parameter is given for; undefined when it says nothing. */
function parameterUse(param: Parameter): "read" | "write" | undefined {
  if (param.annotations.some((annotation) => readsOrWrites.test(annotation))) return "write";
  if (param.pointeeConst === true || param.annotations.some((annotation) => readsOnly.test(annotation))) return "read";
  return undefined;
}

export function learnFromSal(decl: IrDeclaration | IrFunction, location: string): ModelEntry | undefined {
  const effects: Effect[] = [];
  const returnsStatus = decl.returnType !== undefined && /NTSTATUS/.test(decl.returnType);
  const acquiresThrough = (index: number, kind: string): void => {
    if (!effects.some((effect) => effect.kind === "acquire" && effect.target === index)) {
      effects.push({ kind: "acquire", family: familyOf(kind), target: index, when: returnsStatus ? "success" : "always" });
    }
  };
  const allAnnotations = [...decl.annotations, ...decl.params.flatMap((param) => param.annotations)];
  for (const annotation of decl.annotations) {
    const match = allocates.exec(annotation);
    if (match) {
      const notNull = decl.annotations.some((a) => a === "_Ret_notnull_" || a === "_Ret_valid_");
      effects.push({ kind: "acquire", family: familyOf(match[1]), target: "return", mayBeNull: !notNull });
    }
  }
  for (const annotation of allAnnotations) {
    const at = allocatesAt.exec(annotation);
    const index = at === null ? -1 : decl.params.findIndex((param) => param.name === at[1]);
    if (at !== null && index >= 0) acquiresThrough(index, at[2]);
  }
  decl.params.forEach((param, index) => {
    for (const annotation of param.annotations) {
      const allocated = allocates.exec(annotation);
      if (allocated && outPointer(param)) acquiresThrough(index, allocated[1]);
      const freed = frees.exec(annotation);
      if (freed) effects.push({ kind: "release", family: familyOf(freed[1]), target: index });
      if (annotation === "__drv_aliasesMem") {
        effects.push({ kind: "transfer", family: anyFamily, target: index, when: returnsStatus ? "success" : "always" });
      }
    }
  });
  // A definition's body says the rest (its summary); a declaration alone says which parameters it
  // borrows, and whether it returns at all.
  const bodyless = !("blocks" in decl);
  if (bodyless && decl.annotations.some((annotation) => noReturn.test(annotation))) effects.push({ kind: "no-return" });
  const declared = bodyless ? declaredParameters(decl, effects) : undefined;
  if (effects.length === 0 && declared === undefined) return undefined;
  const returns = returnsStatus ? "ntstatus" : effects.some((e) => e.kind === "acquire" && e.target === "return") ? "pointer" : undefined;
  const annotated = effects.some((effect) => effect.kind !== "use" && effect.kind !== "no-return");
  return {
    name: decl.name,
    effects,
    returns,
    origin: annotated ? `SAL in ${location}` : `declaration in ${location}`,
    doc: annotated ? "Learned from its SAL annotations." : "Declared without a body: does what its declaration says with its arguments.",
    ...(declared === undefined ? {} : { declared }),
  };
}

/**
 * Borrows (a `use` of whatever is passed, so a released handle is a use after free) for the
 * parameters the declaration says are only read or written, and no other effect decides; the rest
 * are the engine's to pass to unknown code. Undefined when the declaration borrows nothing.
 */
function declaredParameters(decl: IrDeclaration, effects: Effect[]): DeclaredParameters | undefined {
  const decided = new Set(effects.flatMap((effect) => ("target" in effect && typeof effect.target === "number" ? [effect.target] : [])));
  const undecided: number[] = [];
  const writtenThrough: number[] = [];
  let borrows = false;
  decl.params.forEach((param, index) => {
    const use = parameterUse(param);
    if (use === "write") writtenThrough.push(index);
    if (decided.has(index)) return;
    if (use === undefined) {
      undecided.push(index);
      return;
    }
    borrows = true;
    const acceptsNull = param.annotations.some((annotation) => optional.test(annotation));
    effects.push({ kind: "use", family: anyFamily, target: index, ...(acceptsNull ? { acceptsNull } : {}) });
  });
  const readsVariadic = decl.params.some((param) => param.annotations.some((annotation) => formatString.test(annotation)));
  if (!borrows && !readsVariadic) return undefined;
  return { count: decl.params.length, undecided, writtenThrough, ...(readsVariadic ? { readsVariadic: true } : {}) };
}

const functionClass = /^_Function_class_\(\s*(\w+)\s*\)$/;

/** The role typedef a definition declares itself an instance of (`_Function_class_(EVT_...)`), if any. */
export function functionClassOf(annotations: readonly string[]): string | undefined {
  for (const annotation of annotations) {
    const match = functionClass.exec(annotation);
    if (match) return match[1];
  }
  return undefined;
}
