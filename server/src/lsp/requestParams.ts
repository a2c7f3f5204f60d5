// Reading what a client sends: file URIs, document params checked before use, cancellation.
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { ErrorCodes, ResponseError, type CancellationToken } from "vscode-languageserver/node";

/** The absolute path of a `file:` URI; other schemes (untitled, git) are not checked. */
export function filePath(uri: string): string | undefined {
  if (!uri.startsWith("file:")) return undefined;
  try {
    return path.resolve(fileURLToPath(uri));
  } catch {
    return undefined;
  }
}

export function invalidParams(message: string): ResponseError<void> {
  return new ResponseError(ErrorCodes.InvalidParams, message);
}

/** A text document position from untrusted params, or an InvalidParams error. */
export function documentOf(params: unknown): { uri: string; file: string } {
  const uri = (params as { textDocument?: { uri?: unknown } } | undefined)?.textDocument?.uri;
  if (typeof uri !== "string") throw invalidParams("textDocument.uri must be a string");
  const file = filePath(uri);
  if (file === undefined) throw invalidParams(`not a file URI: ${uri}`);
  return { uri, file };
}

export function cancelled(token: CancellationToken): Promise<"cancelled"> {
  return new Promise((resolve) => {
    if (token.isCancellationRequested) resolve("cancelled");
    token.onCancellationRequested(() => resolve("cancelled"));
  });
}
