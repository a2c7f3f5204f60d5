// Block scoping of local names: a declaration that shadows a visible local gets its own IR name
// (`data#1`), so the engine never mistakes the inner variable for the outer one.

export class LocalNames {
  private readonly visible = new Map<string, string>();
  /** Per open scope, what each declaration replaced, to restore at its end. */
  private readonly restore: { name: string; previous: string | undefined }[][] = [[]];
  private renamed = 0;

  /** The IR name of a source name where it is used. */
  resolve(name: string): string {
    return this.visible.get(name) ?? name;
  }

  /** Whether `name` is a local visible here (not a global or an import). */
  has(name: string): boolean {
    return this.visible.has(name);
  }

  open(): void {
    this.restore.push([]);
  }

  close(): void {
    const declared = this.restore.pop() ?? [];
    for (let i = declared.length - 1; i >= 0; i--) {
      const { name, previous } = declared[i];
      if (previous === undefined) this.visible.delete(name);
      else this.visible.set(name, previous);
    }
  }

  /** Declares `name` in the innermost open scope and returns its IR name. */
  declare(name: string): string {
    const previous = this.visible.get(name);
    const irName = previous === undefined ? name : `${name}#${++this.renamed}`;
    this.restore[this.restore.length - 1].push({ name, previous });
    this.visible.set(name, irName);
    return irName;
  }
}
