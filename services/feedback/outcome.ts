import type { Outcome, SignalRecordedData } from '../../events/catalogue/feedback';

/**
 * Triangulation: every signal of an interaction becomes a feature, the features are weighed
 * (per workload, explicit configuration) into one logit, and the logit into an outcome with a
 * confidence. The features are maxima and indicators, never sums, so a signal sent twice (two
 * copies, two regenerations) weighs what it weighs once, and the read models can keep them with
 * `$max` alone.
 */
export const FEATURES = [
  'thumbsUp',
  'thumbsDown',
  'copied',
  'edited',
  'stopped',
  'regenerated',
  'adoptedAccepted',
  'adoptedPartial',
  'adoptedRejected',
  'deleted',
  'followUp',
  'reasked',
  'corrected',
] as const;
export type Feature = (typeof FEATURES)[number];
export type FeatureVector = Readonly<Record<Feature, number>>;

/** Features from behaviour only: what calibration fits against the explicit thumbs. */
export const IMPLICIT_FEATURES: readonly Feature[] = FEATURES.filter((f) => f !== 'thumbsUp' && f !== 'thumbsDown');

export interface OutcomeWeights {
  readonly bias: number;
  readonly weights: Readonly<Record<Feature, number>>;
  /** The confidence an outcome needs to be `good` or `bad` rather than `unknown`. */
  readonly threshold: number;
}

/**
 * Defaults. No single implicit signal decides on its own: each weighs less than the logit of the
 * threshold (ln(0.7/0.3) ≈ 0.85), so a copy alone stays `unknown` and a copy with a follow-up
 * is `good`. An explicit thumb decides alone (it is what the user said), and calibration on a
 * workload's own traffic replaces all of these.
 */
export const DEFAULT_WEIGHTS: OutcomeWeights = {
  bias: 0,
  threshold: 0.7,
  weights: {
    thumbsUp: 2.5,
    thumbsDown: -2.5,
    copied: 0.8,
    edited: -0.8,
    stopped: -0.8,
    regenerated: -0.84,
    adoptedAccepted: 0.84,
    adoptedPartial: 0.2,
    adoptedRejected: -0.84,
    deleted: -0.5,
    followUp: 0.3,
    reasked: -0.8,
    corrected: -0.84,
  },
};

export function emptyFeatures(): Record<Feature, number> {
  return {
    thumbsUp: 0,
    thumbsDown: 0,
    copied: 0,
    edited: 0,
    stopped: 0,
    regenerated: 0,
    adoptedAccepted: 0,
    adoptedPartial: 0,
    adoptedRejected: 0,
    deleted: 0,
    followUp: 0,
    reasked: 0,
    corrected: 0,
  };
}

/**
 * What one signal contributes: the feature it sets and that feature's value. Thumbs on the
 * `speed` dimension contribute nothing: latency is reported on its own, never folded into quality.
 */
export function featureOf(signal: SignalRecordedData): { readonly feature: Feature; readonly value: number } | null {
  switch (signal.type) {
    case 'thumbsUp':
    case 'thumbsDown':
      return signal.dimension === 'speed' ? null : { feature: signal.type, value: 1 };
    case 'copied':
      return { feature: 'copied', value: signal.fraction ?? 1 };
    case 'edited':
      // Unknown distance: an edit happened but how much is not known; halfway is the honest guess.
      return { feature: 'edited', value: signal.editDistance ?? 0.5 };
    case 'stopped':
      return { feature: 'stopped', value: 1 };
    case 'regenerated':
      return { feature: 'regenerated', value: 1 };
    case 'adopted':
      return {
        feature: signal.adoption === 'accepted' ? 'adoptedAccepted' : signal.adoption === 'partial' ? 'adoptedPartial' : 'adoptedRejected',
        value: 1,
      };
    case 'deleted':
      return { feature: 'deleted', value: 1 };
    case 'followUp':
      return { feature: signal.reask ? 'reasked' : 'followUp', value: 1 };
    case 'corrected':
      return { feature: 'corrected', value: 1 };
  }
}

export interface FeatureSummary {
  readonly features: FeatureVector;
  /** Signals that contributed a feature. */
  readonly used: number;
}

export function featuresOf(signals: readonly SignalRecordedData[]): FeatureSummary {
  const features = emptyFeatures();
  let used = 0;
  for (const signal of signals) {
    const f = featureOf(signal);
    if (!f) continue;
    used += 1;
    features[f.feature] = Math.max(features[f.feature], f.value);
  }
  return { features, used };
}

export function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

export function logit(features: FeatureVector, weights: OutcomeWeights, only?: readonly Feature[]): number {
  let score = weights.bias;
  for (const f of only ?? FEATURES) score += weights.weights[f] * features[f];
  return score;
}

export interface Inference {
  readonly outcome: Outcome;
  /** max(p, 1 − p), rounded to 3 decimals so replays and read models agree exactly. */
  readonly confidence: number;
  readonly score: number;
}

/** The outcome of an interaction from its features; null when no signal bears on quality. */
export function infer(summary: FeatureSummary, weights: OutcomeWeights): Inference | null {
  if (summary.used === 0) return null;
  const score = Math.round(logit(summary.features, weights) * 1_000) / 1_000;
  const p = sigmoid(score);
  const confidence = Math.round(Math.max(p, 1 - p) * 1_000) / 1_000;
  const outcome: Outcome = confidence < weights.threshold ? 'unknown' : p >= 0.5 ? 'good' : 'bad';
  return { outcome, confidence, score };
}

/**
 * Recorded again only when the label changes or the confidence moves by 0.05 or more: smaller
 * moves tell a reader nothing, and each OutcomeInferred is work for every read model.
 */
export const CONFIDENCE_STEP = 0.05;

export function changed(before: Inference | null, after: Inference | null): boolean {
  if (!after) return false;
  if (!before) return true;
  return before.outcome !== after.outcome || Math.abs(before.confidence - after.confidence) >= CONFIDENCE_STEP - 1e-9;
}

/** Fills in features missing from stored weights (a feature added later) from the defaults. */
export function completeWeights(stored: { bias: number; threshold: number; weights: Readonly<Record<string, number>> }): OutcomeWeights {
  const weights = emptyFeatures();
  for (const f of FEATURES) weights[f] = stored.weights[f] ?? DEFAULT_WEIGHTS.weights[f];
  return { bias: stored.bias, threshold: stored.threshold, weights };
}
