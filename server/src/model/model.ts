// The API model: which function acquires, releases, transfers or uses which handle.
// Built-in packs, the user's vmbguard.json, SAL annotations and learned summaries all
// produce these same records (ARCHITECTURE.md rule 2, ENGINE.md "Across functions").

/** A wildcard family: the effect applies to whatever family the handle has. */
export const anyFamily = "*";

/** Where an effect applies: a zero-based argument index, or the return value. */
export type Target = number | "return";

/** Which outcome of the call an effect depends on. */
export type Outcome =
  /** Unconditional. */
  | "always"
  /** Only when the call returns a success status (NT_SUCCESS, or a non-null/true result). */
  | "success"
  /** Only when the call returns a failure status. */
  | "failure"
  /**
   * Only when the call returns its entry's `pendingStatus` (STATUS_PENDING): the request was
   * accepted and finishes later. A call with such an effect has three outcomes; success is then the
   * success constant alone, and failure any other failure.
   */
  | "pending";

/**
 * A variable at file scope, as a summary names it: the function's own file, so that a caller in
 * another file (whose namesake may be another `static`) never takes it for its own.
 */
export interface GlobalVariable {
  name: string;
  file: string;
  /** A variable of the closure's creator that the closure captured, not one of the file. */
  captured?: boolean;
}

/** A field of what an argument points to (`Context->Packet`): summaries say a helper frees it. */
export interface FieldStep {
  name: string;
  /** `*`: what the argument itself points to (`*Buffer`, `Buffer[0]`); the name is then empty. */
  op: "->" | "." | "*";
}

/** What a summary's `assign` leaves in a location: an argument, what a field of an argument held when the call began, or NULL. */
export type AssignedValue = { target: number; field?: FieldStep } | "null";

export type Effect =
  /**
   * A new resource of `family`. `target` "return": the return value is the handle;
   * a number: the argument is a pointer through which the handle is written (`&Channel`), or,
   * with `inPlace`, the argument itself becomes the handle (a buffer turned into a packet).
   * `released` (summaries only): the handle is returned already released, a dangling pointer.
   * `variant` distinguishes handles of one family that release differently
   * (`caller-memory` packets from VmbPacketInitialize must never be freed by the family).
   * `keptBy`: an argument that, unless it is NULL, takes the new handle at once (an MDL allocated
   * for an IRP belongs to the IRP): the caller then owes no release.
   */
  | { kind: "acquire"; family: string; target: Target; mayBeNull?: boolean; when?: Outcome; variant?: string; inPlace?: boolean; released?: boolean; keptBy?: number }
  /**
   * Ends the resource (free, complete, cleanup). With `field` (summaries only), the resource is the
   * one in that field of what the argument points to; `clears`: the callee then sets the field to NULL.
   * With `global` (summaries only), it is the one that variable holds, and `target` is -1.
   * `variant`: ends only handles of that variant of the family (any other is not its to end).
   * `leaves`: what is left is still owned, as a handle of that family (freeing an MDL's pages
   * leaves the MDL itself, pool memory that must still be freed).
   */
  | { kind: "release"; family: string; target: number; when?: Outcome; field?: FieldStep; global?: GlobalVariable; clears?: boolean; variant?: string; leaves?: string }
  /** Hands the resource to someone else (a send); when the transfer fails the caller still owns it. */
  | { kind: "transfer"; family: string; target: number; when?: Outcome; field?: FieldStep; global?: GlobalVariable; clears?: boolean }
  /**
   * Only reads the handle: an error when it is already released. With `global`, as for `release`.
   * `acceptsNull`: the function takes NULL there (SAL `_opt_`), so a maybe-NULL allocation passed is no unchecked use.
   */
  | { kind: "use"; family: string; target: number; global?: GlobalVariable; acceptsNull?: boolean }
  /**
   * The callee may keep the pointer: the caller is no longer responsible. An argument that is the
   * address of a member (`&entry->Link`) hands over the record that contains it (a list insertion).
   */
  | { kind: "escape"; target: number; when?: Outcome }
  /**
   * The handle the call returns keeps this argument reachable (an MDL describing a buffer):
   * the argument is not leaked while that handle lives.
   */
  | { kind: "attach"; target: number }
  /**
   * The callee passes the handle on to code without a model: the caller applies the family's
   * `unknownCalls` policy, as if it had made that call itself (summaries only).
   */
  | { kind: "opaque-call"; target: number }
  /** The argument is a callback function that the API will call in `role`. */
  | { kind: "register-callback"; target: number; role: string }
  /**
   * The argument is a function the call runs before it returns and does not keep (`Array.forEach`):
   * what the function captures stays the caller's, unless the function ends it.
   */
  | { kind: "runs-callback"; target: number }
  /** The call's boolean result says whether its argument (a status) is a success (NT_SUCCESS). */
  | { kind: "status-predicate"; target: number }
  /**
   * The callee leaves a field of what an argument points to holding `value` (summaries only): a
   * constructor keeping its parameter in a member, a move taking another object's member and
   * clearing it, a `Detach()` clearing the member it hands back. The caller sees the same stores.
   */
  | { kind: "assign"; into: { target: number; field: FieldStep }; value: AssignedValue }
  /** The call returns what a field of an argument held when it began (a getter, `Detach()`) (summaries only). */
  | { kind: "returns-field"; target: number; field: FieldStep }
  /**
   * The callee calls the function a field of an argument holds, on every path (a scope guard's
   * destructor running the lambda it was given) (summaries only): the caller runs that function.
   */
  | { kind: "calls-field"; target: number; field: FieldStep }
  /**
   * The call's value says whether the `__finally` body it is in runs because its `__try` was left
   * abnormally (a return, a goto, an exception) rather than by falling off its end or `__leave`.
   */
  | { kind: "abnormal-termination" }
  /** The call never returns (bug checks, abort). */
  | { kind: "no-return" }
  /**
   * The call always ends by throwing (a TypeScript helper whose every exit is a `throw`): the
   * caller's path leaves through its exception exit, where what it still owns is leaked.
   */
  | { kind: "throws" };

/** How a function's return value encodes success, for `when` outcomes. */
export type ReturnConvention = "ntstatus" | "pointer" | "boolean" | "none";

/**
 * What a declaration without a body says of its parameters (model/sal.ts). Its entry's effects
 * cover the parameters it decides; the engine passes every other argument to unknown code, as a
 * call without a declaration does.
 */
export interface DeclaredParameters {
  /** Parameters declared; arguments past them are variadic. */
  count: number;
  /** Parameters the declaration says nothing about: the family's `unknownCalls` policy applies. */
  undecided: number[];
  /** Parameters the function may write through (`_Out_`, `_Inout_`): a variable whose address is passed there is no longer known. */
  writtenThrough: number[];
  /** A format string comes first (`_Printf_format_string_`): the variadic arguments are only read. */
  readsVariadic?: boolean;
}

export interface ModelEntry {
  name: string;
  effects: Effect[];
  returns?: ReturnConvention;
  /** Where the entry came from, for hovers and explanations: `kmcl`, `vmbguard.json`, `SAL in x.h:12`, `summary of Foo`. */
  origin: string;
  /** One line for hovers: what the call does. */
  doc?: string;
  /** Every path of the function returns this integer (summaries: `globalReturnsTrue()`). */
  constant?: number;
  /**
   * Variables not its own that the function, or a function it calls, may assign (summaries): what
   * a caller knew of them ends at the call.
   */
  writesGlobals?: GlobalVariable[];
  /** The status constant of the `pending` outcome (`STATUS_PENDING`, which NT_SUCCESS accepts). */
  pendingStatus?: string;
  /** A declaration without a body (learned): which arguments the engine passes to unknown code. */
  declared?: DeclaredParameters;
}

export interface FamilyDef {
  name: string;
  /** Human name of one resource, e.g. "packet", "pool allocation". */
  noun: string;
  /** What a call to a bodiless, unmodelled function does to a handle of this family (RULES.md). */
  unknownCalls: "borrow" | "escape";
  /** Rule reported when a resource of this family is still owned at an exit. */
  leakRule: string;
  /** Rule reported when it is released twice. */
  doubleReleaseRule: string;
  /** Variants that the family's release functions may not end (`free-unowned`). */
  unreleasableVariants?: string[];
}

/**
 * A callback role: a function that the library calls with resources it hands over.
 * `params` lists which parameter receives which family, owned by the callee.
 */
export interface RoleDef {
  name: string;
  params: { index: number; family: string; variant?: string }[];
  /** Typedef names that declare a function in this role (`EVT_VMB_CHANNEL_PROCESS_PACKET Foo;`). */
  typedefs: string[];
}

export interface StatusConvention {
  /** Constants that mean success (`STATUS_SUCCESS`). */
  successConstants: string[];
  /** A regular expression: other constants matching it are failures (`^STATUS_`). */
  failureConstantPattern: string;
}

export interface ModelPack {
  name: string;
  description: string;
  families: FamilyDef[];
  functions: ModelEntry[];
  roles: RoleDef[];
  status?: StatusConvention;
  /**
   * How the API's TypeScript implementation passes an out parameter: an object whose property of
   * this name receives what C would write through the pointer (vmbguard/runtime's `OutParam<T>` is `{ value }`).
   */
  typescriptOutParameterProperty?: string;
  /**
   * How the API's headers name each function's type: a prefix before the name in upper snake case
   * (`PFN_` + `VMB_PACKET_ALLOCATE` for `VmbPacketAllocate`). A call through a variable or field
   * declared with such a type is a call of that function.
   */
  functionTypePrefixes?: string[];
}
