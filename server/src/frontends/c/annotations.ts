// Attaches the annotations the preprocessor blanked to the parameter or declaration they belong to.
import type { ParameterWithSpan } from "./declarators";
import type { MacroInvocation } from "./preprocess";

export class AnnotationIndex {
  /** @param annotations in increasing `start` order (as the preprocessor produces them). */
  constructor(private readonly annotations: readonly MacroInvocation[]) {}

  /** Annotations starting in [from, to). */
  between(from: number, to: number): MacroInvocation[] {
    const annotations = this.annotations;
    let low = 0;
    let high = annotations.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (annotations[middle].start < from) low = middle + 1;
      else high = middle;
    }
    const found: MacroInvocation[] = [];
    for (let index = low; index < annotations.length && annotations[index].start < to; index++) found.push(annotations[index]);
    return found;
  }
}

export interface DeclarationSpan {
  /** Where annotations of this declaration may start: the end of the previous top-level item. */
  from: number;
  parameterListStart: number;
  parameterListEnd: number;
  /** Where the declaration's own text ends (its `;`, or the start of the body). */
  to: number;
}

/**
 * Parameter annotations go to the parameter that contains them or follows them (SAL precedes
 * the type), except one that trails a parameter before its comma (`PVOID Context OPTIONAL`).
 * Returns the declaration's own ones. `text` is the preprocessed text (annotations blanked).
 */
export function attachAnnotations(index: AnnotationIndex, span: DeclarationSpan, parameters: ParameterWithSpan[], text: string): string[] {
  const own = index.between(span.from, span.parameterListStart).map((annotation) => annotation.text);
  for (const annotation of index.between(span.parameterListStart, span.parameterListEnd)) {
    const next = parameters.findIndex((parameter) => parameter.end > annotation.start);
    const previous = next < 0 ? parameters[parameters.length - 1] : parameters[next - 1];
    const trailsPrevious = previous !== undefined && !text.slice(previous.end, annotation.start).includes(",");
    const owner = trailsPrevious || next < 0 ? previous : parameters[next];
    if (owner === undefined) own.push(annotation.text);
    else owner.parameter.annotations.push(annotation.text);
  }
  for (const annotation of index.between(span.parameterListEnd, span.to)) own.push(annotation.text);
  return own;
}
