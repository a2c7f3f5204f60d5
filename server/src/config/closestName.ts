// "Did you mean" suggestions for misspelled keys, rule ids and pack names.
import { acceptedRuleIds, currentRuleId } from "../analysis/rules";

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j] + 1, current[j - 1] + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length];
}

/** The candidate nearest to `name` (case-insensitively), if it is near enough to be a likely typo. */
export function closestName(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const tolerance = Math.max(2, Math.floor(name.length / 3));
  return bestDistance <= tolerance ? best : undefined;
}

/** The current id of the rule whose current or former id is nearest to `name` (`packet-leek`: `leak`). */
export function closestRuleId(name: string): string | undefined {
  const closest = closestName(name, acceptedRuleIds);
  return closest === undefined ? undefined : currentRuleId(closest);
}
