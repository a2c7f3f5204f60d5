// Reads one source file for checking, refusing what cannot be C or TypeScript text
// (binary, oversized) and saying so, instead of letting one bad file stop the run.
import * as fs from "node:fs";

export const defaultMaxFileBytes = 8 * 1024 * 1024;
const binarySniffBytes = 8192;

export type ReadOutcome =
  | { kind: "text"; text: string; warning?: string }
  | { kind: "skipped"; reason: string };

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, "")} MB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1).replace(/\.0$/, "")} KB`;
  return `${bytes} bytes`;
}

function describeReadError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case "ENOENT":
      return "cannot read: no such file (a dangling link?)";
    case "EACCES":
    case "EPERM":
      return "cannot read: permission denied";
    case "EISDIR":
      return "cannot read: is a directory";
    case "ELOOP":
      return "cannot read: too many levels of symbolic links";
    default:
      return `cannot read: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** Decodes UTF-8, replacing invalid sequences (with a warning) rather than rejecting the file. */
export function decodeSourceBytes(bytes: Uint8Array): { text: string; warning?: string } {
  try {
    return { text: new TextDecoder("utf-8", { fatal: true }).decode(bytes) };
  } catch {
    const text = new TextDecoder("utf-8").decode(bytes);
    const offset = firstInvalidUtf8Offset(bytes);
    return { text, warning: `invalid UTF-8 at byte offset ${offset}; decoded with replacement characters` };
  }
}

/** The byte offset of the first malformed sequence (overlong forms and surrogates included). */
function firstInvalidUtf8Offset(bytes: Uint8Array): number {
  let index = 0;
  while (index < bytes.length) {
    const lead = bytes[index];
    let length: number;
    let min: number;
    if (lead < 0x80) {
      index++;
      continue;
    } else if (lead >= 0xc2 && lead <= 0xdf) {
      length = 2;
      min = 0x80;
    } else if (lead >= 0xe0 && lead <= 0xef) {
      length = 3;
      min = 0x800;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      length = 4;
      min = 0x10000;
    } else {
      return index;
    }
    let codePoint = lead & (0xff >> (length + 1));
    for (let offset = 1; offset < length; offset++) {
      const next = bytes[index + offset];
      if (next === undefined || (next & 0xc0) !== 0x80) return index;
      codePoint = (codePoint << 6) | (next & 0x3f);
    }
    if (codePoint < min || codePoint > 0x10ffff || (codePoint >= 0xd800 && codePoint <= 0xdfff)) return index;
    index += length;
  }
  return index;
}

export function looksBinary(bytes: Uint8Array): boolean {
  return bytes.subarray(0, binarySniffBytes).includes(0);
}

/**
 * Synchronous on purpose: for the hundreds of small files of a driver tree, `readFileSync`
 * measured two to three times faster than the promise API, and the CLI has nothing to overlap
 * with the reads.
 */
export function readSourceFile(file: string, maxBytes: number): ReadOutcome {
  try {
    const stats = fs.statSync(file);
    if (!stats.isFile()) return { kind: "skipped", reason: "cannot read: not a regular file" };
    if (stats.size > maxBytes) {
      return { kind: "skipped", reason: `skipped: ${formatBytes(stats.size)} is over the ${formatBytes(maxBytes)} limit (maxFileBytes)` };
    }
    const bytes = fs.readFileSync(file);
    if (looksBinary(bytes)) return { kind: "skipped", reason: "skipped: binary file (NUL bytes in the first 8 KB)" };
    const decoded = decodeSourceBytes(bytes);
    return { kind: "text", ...decoded };
  } catch (error) {
    return { kind: "skipped", reason: describeReadError(error) };
  }
}
