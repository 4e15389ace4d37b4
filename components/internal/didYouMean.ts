/**
 * "Did you mean": the known names closest to a misspelt one, by Damerau–Levenshtein distance
 * (optimal string alignment: insertions, deletions, substitutions and swaps of two neighbours each
 * cost 1). No Pulumi here.
 */

/** The edit distance between two strings, or a number above `max` as soon as it cannot be within it. */
export function editDistance(a: string, b: string, max = Infinity): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prevPrev: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prevPrev[j - 2]! + 1);
      row.push(d);
      rowMin = Math.min(rowMin, d);
    }
    if (rowMin > max) return max + 1;
    prevPrev = prev;
    prev = row;
  }
  return prev[b.length]!;
}

/**
 * The known names closest to `name` (letter case ignored): those at the smallest distance found,
 * at most `limit`, in name order, when that distance is within a third of the name's length (at
 * least 1, at most 4). None when nothing is that close.
 */
export function closestNames(name: string, known: Iterable<string>, limit = 3): string[] {
  const max = Math.max(1, Math.min(4, Math.floor(name.length / 3)));
  const lower = name.toLowerCase();
  const scored: Array<{ name: string; distance: number }> = [];
  for (const candidate of known) {
    const distance = editDistance(lower, candidate.toLowerCase(), max);
    if (distance <= max) scored.push({ name: candidate, distance });
  }
  const best = Math.min(...scored.map((s) => s.distance));
  return scored.filter((s) => s.distance === best).map((s) => s.name).sort().slice(0, limit);
}

/** `A`, `A or B`, `A, B or C`. */
export function orList(names: readonly string[]): string {
  return names.length <= 1 ? (names[0] ?? "") : `${names.slice(0, -1).join(", ")} or ${names[names.length - 1]}`;
}
