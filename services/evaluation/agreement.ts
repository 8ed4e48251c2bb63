/**
 * Agreement between two raters of the same binary metric: percent agreement, Cohen's kappa and
 * the confusion matrix. Pure: the report is computed from results read from the read model.
 */

export interface Confusion {
  /** Rater A passed, rater B passed. */
  readonly passPass: number;
  readonly passFail: number;
  readonly failPass: number;
  readonly failFail: number;
}

export interface Agreement {
  readonly pairs: number;
  /** null with no pairs. */
  readonly percentAgreement: number | null;
  /** Cohen's kappa; null when undefined (no pairs, or both raters gave one answer throughout). */
  readonly kappa: number | null;
  readonly confusion: Confusion;
}

export interface Pair {
  readonly a: boolean;
  readonly b: boolean;
}

export function agreementOf(pairs: readonly Pair[]): Agreement {
  let passPass = 0;
  let passFail = 0;
  let failPass = 0;
  let failFail = 0;
  for (const { a, b } of pairs) {
    if (a && b) passPass++;
    else if (a) passFail++;
    else if (b) failPass++;
    else failFail++;
  }
  const n = pairs.length;
  const confusion = { passPass, passFail, failPass, failFail };
  if (n === 0) return { pairs: 0, percentAgreement: null, kappa: null, confusion };
  const observed = (passPass + failFail) / n;
  const expected = ((passPass + passFail) * (passPass + failPass) + (failPass + failFail) * (passFail + failFail)) / (n * n);
  // With chance agreement at 1 (both raters constant) kappa is 0/0: reported as unknown, not as 0 or 1.
  const kappa = expected >= 1 ? null : (observed - expected) / (1 - expected);
  return { pairs: n, percentAgreement: observed, kappa, confusion };
}

/** Buckets of the time from an interaction to its human label. */
export const TIME_TO_LABEL_BUCKETS = [
  { name: 'within-1h', maxMs: 3_600_000 },
  { name: 'within-1d', maxMs: 86_400_000 },
  { name: 'within-7d', maxMs: 7 * 86_400_000 },
  { name: 'later', maxMs: Number.POSITIVE_INFINITY },
] as const;
export type TimeToLabelBucket = (typeof TIME_TO_LABEL_BUCKETS)[number]['name'];

export function bucketOf(timeToLabelMs: number): TimeToLabelBucket {
  for (const bucket of TIME_TO_LABEL_BUCKETS) if (timeToLabelMs <= bucket.maxMs) return bucket.name;
  return 'later';
}

export interface Rating {
  readonly interactionId: string;
  readonly rater: string;
  readonly kind: 'judge' | 'rule' | 'human';
  readonly pass: boolean;
  readonly timeToLabelMs: number | null;
}

export interface AgreementSplit {
  readonly overall: Agreement;
  readonly byTimeToLabel: readonly { readonly bucket: TimeToLabelBucket; readonly agreement: Agreement }[];
}

export interface AgreementReport {
  readonly judgeVsHuman: AgreementSplit;
  readonly humanVsHuman: AgreementSplit;
  readonly interactions: number;
  readonly humanLabels: number;
  readonly judgeResults: number;
}

interface TimedPair extends Pair {
  readonly timeToLabelMs: number | null;
}

function split(pairs: readonly TimedPair[]): AgreementSplit {
  return {
    overall: agreementOf(pairs),
    byTimeToLabel: TIME_TO_LABEL_BUCKETS.map(({ name }) => ({
      bucket: name,
      agreement: agreementOf(pairs.filter((p) => p.timeToLabelMs !== null && bucketOf(p.timeToLabelMs) === name)),
    })),
  };
}

/**
 * Judge-vs-human pairs every judge result with every human label of the same interaction;
 * human-vs-human pairs every two annotators of the same interaction once. A pair is as fresh as
 * its later human label.
 */
export function agreementReport(ratings: readonly Rating[]): AgreementReport {
  const byInteraction = new Map<string, Rating[]>();
  for (const r of ratings) {
    const list = byInteraction.get(r.interactionId) ?? [];
    list.push(r);
    byInteraction.set(r.interactionId, list);
  }
  const judgeHuman: TimedPair[] = [];
  const humanHuman: TimedPair[] = [];
  for (const list of byInteraction.values()) {
    const humans = list.filter((r) => r.kind === 'human');
    for (const judge of list.filter((r) => r.kind === 'judge')) {
      for (const human of humans) judgeHuman.push({ a: judge.pass, b: human.pass, timeToLabelMs: human.timeToLabelMs });
    }
    for (let i = 0; i < humans.length; i++) {
      for (let j = i + 1; j < humans.length; j++) {
        const x = humans[i];
        const y = humans[j];
        if (!x || !y || x.rater === y.rater) continue;
        const times = [x.timeToLabelMs, y.timeToLabelMs].filter((t): t is number => t !== null);
        humanHuman.push({ a: x.pass, b: y.pass, timeToLabelMs: times.length > 0 ? Math.max(...times) : null });
      }
    }
  }
  return {
    judgeVsHuman: split(judgeHuman),
    humanVsHuman: split(humanHuman),
    interactions: byInteraction.size,
    humanLabels: ratings.filter((r) => r.kind === 'human').length,
    judgeResults: ratings.filter((r) => r.kind === 'judge').length,
  };
}
