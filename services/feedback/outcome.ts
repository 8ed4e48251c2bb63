import type { Outcome, SignalRecordedData } from '../../events/catalogue/feedback';
import { emptyFeatures, FEATURES, featureOf, type Feature, type FeatureVector } from '../../events/signal-features';

/*
 * Triangulation: every signal of an interaction becomes a feature (events/signal-features.ts),
 * the features are weighed (per workload, explicit configuration) into one logit, and the logit
 * into an outcome with a confidence.
 */

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
