// Where two versions of a text differ, as one edit: what the incremental parsers of both frontends
// are told (tree-sitter's Tree.edit, TypeScript's updateSourceFile).

export interface TextEdit {
  /** The first offset that differs. */
  start: number;
  /** Where the replaced part ends in the old text. */
  oldEnd: number;
  /** Where the replacing part ends in the new text. */
  newEnd: number;
}

/** The edit from the common prefix to the common suffix of the two versions. */
export function editBetween(before: string, after: string): TextEdit {
  const shorter = Math.min(before.length, after.length);
  let start = 0;
  while (start < shorter && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let suffix = 0;
  while (suffix < shorter - start && before.charCodeAt(before.length - 1 - suffix) === after.charCodeAt(after.length - 1 - suffix)) suffix++;
  return { start, oldEnd: before.length - suffix, newEnd: after.length - suffix };
}
