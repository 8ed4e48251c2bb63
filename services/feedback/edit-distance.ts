/**
 * Normalised Levenshtein distance: edits over the longer length, 0 (same) to 1 (nothing kept).
 * Quadratic, so callers bound the work: `null` when the texts are too long to compare here
 * (the SDK measures on the client, where only one pair is at hand).
 */
export const MAX_EDIT_CELLS = 4_000_000;

export function normalisedEditDistance(a: string, b: string, maxCells = MAX_EDIT_CELLS): number | null {
  if (a === b) return 0;
  const x = Array.from(a);
  const y = Array.from(b);
  const longer = Math.max(x.length, y.length);
  if (longer === 0) return 0;
  if (x.length === 0 || y.length === 0) return 1;
  if (x.length * y.length > maxCells) return null;
  let previous = new Uint32Array(y.length + 1);
  let current = new Uint32Array(y.length + 1);
  for (let j = 0; j <= y.length; j++) previous[j] = j;
  for (let i = 1; i <= x.length; i++) {
    current[0] = i;
    const xi = x[i - 1];
    for (let j = 1; j <= y.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (xi === y[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
    }
    [previous, current] = [current, previous];
  }
  return Math.round(((previous[y.length] ?? 0) / longer) * 10_000) / 10_000;
}
