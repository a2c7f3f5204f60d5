// Block scoping of local names: a declaration that shadows a visible local gets its own IR name
// (`data#1`), so the engine never mistakes the inner variable for the outer one. Each open block
// also keeps the IR names declared in it, for the `scope-end` where they go out of scope.

export class LocalNames {
  private readonly visible = new Map<string, string>();
  /** Per open scope, what each declaration replaced, to restore at its end. */
  private readonly restore: { name: string; previous: string | undefined }[][] = [[]];
  /** Per open scope, the IR names declared in it. */
  private readonly declared: string[][] = [[]];
  private renamed = 0;

  /** The IR name of a source name where it is used. */
  resolve(name: string): string {
    return this.visible.get(name) ?? name;
  }

  /** Whether `name` is a local visible here (not a global or an import). */
  has(name: string): boolean {
    return this.visible.has(name);
  }

  /** How many scopes are open (a jump out of nested blocks ends those opened after its target's depth). */
  get depth(): number {
    return this.restore.length - 1;
  }

  open(): void {
    this.restore.push([]);
    this.declared.push([]);
  }

  /** Ends the innermost scope; returns the IR names declared in it. */
  close(): string[] {
    const replaced = this.restore.pop() ?? [];
    for (let i = replaced.length - 1; i >= 0; i--) {
      const { name, previous } = replaced[i];
      if (previous === undefined) this.visible.delete(name);
      else this.visible.set(name, previous);
    }
    return this.declared.pop() ?? [];
  }

  /** Declares `name` in the innermost open scope and returns its IR name. */
  declare(name: string): string {
    const previous = this.visible.get(name);
    const irName = previous === undefined ? name : `${name}#${++this.renamed}`;
    this.restore[this.restore.length - 1].push({ name, previous });
    this.declared[this.declared.length - 1].push(irName);
    this.visible.set(name, irName);
    return irName;
  }

  /** A name the frontend made up (a temporary): it ends with the innermost scope, and no source name resolves to it. */
  adopt(irName: string): void {
    this.declared[this.declared.length - 1].push(irName);
  }

  /** The IR names declared in the scopes opened after `depth`, outermost first. */
  declaredSince(depth: number): string[] {
    return this.declared.slice(depth + 1).flat();
  }
}
