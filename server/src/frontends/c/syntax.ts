// Small, allocation-conscious helpers over tree-sitter nodes.
import type { Node } from "web-tree-sitter";
import type { SourceRange } from "../../ir/ir";
import { fieldChild } from "./fields";
import type { LineIndex } from "../positions";

export function rangeOf(node: Node): SourceRange {
  const start = node.startPosition;
  const end = node.endPosition;
  return { start: { line: start.row, column: start.column }, end: { line: end.row, column: end.column } };
}

/**
 * Like `rangeOf`, without the tree query for the end (`endPosition` is a WASM call that
 * allocates): the end is found in the file's line index from the node's start line.
 */
export function rangeIn(lines: LineIndex, node: Node, endIndex: number = node.endIndex): SourceRange {
  const start = node.startPosition;
  return { start: { line: start.row, column: start.column }, end: lines.positionFrom(start.row, endIndex) };
}

/** The range of the last character of a node (the closing `}` of a compound statement). */
export function closingRangeOf(node: Node): SourceRange {
  const end = node.endPosition;
  return { start: { line: end.row, column: Math.max(0, end.column - 1) }, end: { line: end.row, column: end.column } };
}

/** Named children without comments (which tree-sitter may place anywhere). */
/** Past this many children a cursor walks them: `namedChild(i)` starts from the first child each time. */
const CURSOR_THRESHOLD = 32;

/**
 * The named children of a node. Indexed `namedChild` calls measure several times faster than the
 * `namedChildren` getter in web-tree-sitter 0.27, but cost O(i) each: long lists (a body of
 * thousands of statements, a large initializer table) use a cursor instead.
 */
export function namedChildList(node: Node): Node[] {
  const count = node.namedChildCount;
  const children: Node[] = [];
  if (count <= CURSOR_THRESHOLD) {
    for (let index = 0; index < count; index++) {
      const child = node.namedChild(index);
      if (child !== null) children.push(child);
    }
    return children;
  }
  const cursor = node.walk();
  try {
    if (cursor.gotoFirstChild()) {
      do {
        if (cursor.nodeIsNamed) children.push(cursor.currentNode);
      } while (cursor.gotoNextSibling());
    }
  } finally {
    cursor.delete();
  }
  return children;
}

/** Named children without comments (which tree-sitter may place anywhere). */
export function significantChildren(node: Node): Node[] {
  return namedChildList(node).filter((child) => child.type !== "comment");
}

export function firstSignificantChild(node: Node): Node | null {
  // The common case (no leading comment) in one query.
  const first = node.firstNamedChild;
  if (first === null || first.type !== "comment") return first;
  const count = node.namedChildCount;
  for (let index = 0; index < count; index++) {
    const child = node.namedChild(index);
    if (child !== null && child.type !== "comment") return child;
  }
  return null;
}

/** Parentheses and casts do not change what a value is. */
export function stripTransparent(node: Node): Node {
  let current = node;
  for (;;) {
    if (current.type === "parenthesized_expression") {
      const inner = firstSignificantChild(current);
      if (inner === null) return current;
      current = inner;
    } else if (current.type === "cast_expression") {
      const value = fieldChild(current, "value");
      if (value === null) return current;
      current = value;
    } else {
      return current;
    }
  }
}

export function collapseWhitespace(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}
