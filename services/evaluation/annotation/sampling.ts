import { sha256Hex } from '../../../lib/ids';

export interface Candidate {
  readonly interactionId: string;
  readonly stratum: string;
  readonly occurredAt: string;
}

/**
 * A stratified sample: each stratum gets its share of `size` in proportion to its size
 * (largest remainder, so the shares add up), at least one while there is room, so small strata
 * are represented. Within a stratum the pick is a seeded hash order: repeatable, not biased
 * to the newest. The result is interleaved across strata, so any prefix of the queue is mixed.
 */
export function stratifiedSample(candidates: readonly Candidate[], size: number, seed: string): Candidate[] {
  const strata = new Map<string, Candidate[]>();
  for (const c of candidates) {
    const list = strata.get(c.stratum) ?? [];
    list.push(c);
    strata.set(c.stratum, list);
  }
  const total = candidates.length;
  if (total <= size) return interleave([...strata.values()].map((list) => order(list, seed)));
  const names = [...strata.keys()].sort();
  const quotas = new Map(names.map((n) => [n, ((strata.get(n)?.length ?? 0) * size) / total]));
  const shares = new Map(names.map((n) => [n, Math.floor(quotas.get(n) ?? 0)]));
  // Every stratum gets one while there is room; then the largest remainders fill what is left.
  for (const n of names) if ((shares.get(n) ?? 0) === 0 && sum(shares) < size) shares.set(n, 1);
  const byRemainder = [...names].sort((a, b) => ((quotas.get(b) ?? 0) % 1) - ((quotas.get(a) ?? 0) % 1) || (a < b ? -1 : 1));
  for (const n of byRemainder) {
    if (sum(shares) >= size) break;
    if ((shares.get(n) ?? 0) < (strata.get(n)?.length ?? 0)) shares.set(n, (shares.get(n) ?? 0) + 1);
  }
  return interleave(names.map((n) => order(strata.get(n) ?? [], seed).slice(0, shares.get(n) ?? 0)));
}

function sum(m: ReadonlyMap<string, number>): number {
  let s = 0;
  for (const v of m.values()) s += v;
  return s;
}

function order(list: readonly Candidate[], seed: string): Candidate[] {
  const keyed = list.map((c) => ({ c, k: sha256Hex(`${seed}:${c.interactionId}`) }));
  keyed.sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
  return keyed.map((x) => x.c);
}

function interleave(lists: readonly Candidate[][]): Candidate[] {
  const out: Candidate[] = [];
  const total = lists.reduce((n, l) => n + l.length, 0);
  for (let i = 0; out.length < total; i++) {
    for (const l of lists) {
      const item = l[i];
      if (item) out.push(item);
    }
  }
  return out;
}
