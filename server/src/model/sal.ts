// Learns model entries from SAL annotations on declarations found in the workspace:
// `__drv_allocatesMem(Kind)` on a return is an allocator, `__drv_freesMem(Kind)` on a parameter
// releases it, `__drv_aliasesMem` on a parameter hands it over (a transfer).
import type { IrDeclaration, IrFunction, Parameter } from "../ir/ir";
import { anyFamily, type Effect, type ModelEntry } from "./model";


const allocates = /^__drv_allocatesMem\(\s*(\w+)\s*\)$/;
const frees = /^__drv_freesMem\(\s*(\w+)\s*\)$/;

function familyOf(kind: string): string {
  return `sal:${kind}`;
}

function outPointer(param: Parameter): boolean {
  return param.annotations.some((annotation) => /^_Out|^__out|_Outptr_/.test(annotation));
}

export function learnFromSal(decl: IrDeclaration | IrFunction, location: string): ModelEntry | undefined {
  const effects: Effect[] = [];
  const returnsStatus = decl.returnType !== undefined && /NTSTATUS/.test(decl.returnType);
  for (const annotation of decl.annotations) {
    const match = allocates.exec(annotation);
    if (match) {
      const notNull = decl.annotations.some((a) => a === "_Ret_notnull_" || a === "_Ret_valid_");
      effects.push({ kind: "acquire", family: familyOf(match[1]), target: "return", mayBeNull: !notNull });
    }
  }
  decl.params.forEach((param, index) => {
    for (const annotation of param.annotations) {
      const allocated = allocates.exec(annotation);
      if (allocated && outPointer(param)) {
        effects.push({ kind: "acquire", family: familyOf(allocated[1]), target: index, when: returnsStatus ? "success" : "always" });
      }
      const freed = frees.exec(annotation);
      if (freed) effects.push({ kind: "release", family: familyOf(freed[1]), target: index });
      if (annotation === "__drv_aliasesMem") {
        effects.push({ kind: "transfer", family: anyFamily, target: index, when: returnsStatus ? "success" : "always" });
      }
    }
  });
  if (effects.length === 0) return undefined;
  const returns = returnsStatus ? "ntstatus" : effects.some((e) => e.kind === "acquire" && e.target === "return") ? "pointer" : undefined;
  return { name: decl.name, effects, returns, origin: `SAL in ${location}`, doc: "Learned from its SAL annotations." };
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
