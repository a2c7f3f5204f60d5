// `--baseline FILE`: findings already present in an earlier SARIF log are not reported again,
// matched by the fingerprint the checker computes (stable across unrelated edits).
import { readFileSync } from "node:fs";
import type { Finding } from "../analysis/findings";

export const fingerprintKey = "vmbguardFingerprint/v1";

export class BaselineError extends Error {
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`${file}: ${detail}`);
    this.name = "BaselineError";
  }
}

interface SarifLogShape {
  runs?: { results?: { partialFingerprints?: Record<string, unknown> }[] }[];
}

/** Every VmbGuard fingerprint in a SARIF log (all runs, so merged logs work too). */
export function baselineFingerprints(log: unknown, file: string): Set<string> {
  const runs = (log as SarifLogShape | null)?.runs;
  if (!Array.isArray(runs)) throw new BaselineError(file, "not a SARIF log (no \"runs\" array)");
  const fingerprints = new Set<string>();
  for (const run of runs) {
    for (const result of run.results ?? []) {
      const fingerprint = result.partialFingerprints?.[fingerprintKey];
      if (typeof fingerprint === "string") fingerprints.add(fingerprint);
    }
  }
  return fingerprints;
}

export function readBaseline(file: string): Set<string> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new BaselineError(file, code === "ENOENT" ? "cannot read the baseline: no such file" : `cannot read the baseline: ${(error as Error).message}`);
  }
  let log: unknown;
  try {
    log = JSON.parse(text);
  } catch (error) {
    throw new BaselineError(file, `the baseline is not valid JSON: ${(error as Error).message}`);
  }
  return baselineFingerprints(log, file);
}

export function withoutBaseline(findings: readonly Finding[], baseline: ReadonlySet<string>): Finding[] {
  return findings.filter((finding) => !baseline.has(finding.fingerprint));
}
