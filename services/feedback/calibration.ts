import type { Feature, FeatureVector } from '../../events/signal-features';
import { IMPLICIT_FEATURES, sigmoid, type OutcomeWeights } from './outcome';

/**
 * Calibration: fits the implicit signals' weights against interactions whose quality is known
 * (people's pass/fail labels from annotation queues where there are any, else the user's last
 * quality thumb; see labelledExamples in reports.ts), by
 * logistic regression, plainly: Newton's method on the penalised log-likelihood. The penalty
 * pulls each weight towards its current value rather than towards zero, so a workload with
 * little labelled data keeps its configured weights and moves only as far as its data says.
 */

export interface LabelledExample {
  readonly features: FeatureVector;
  readonly good: boolean;
  /** Where the label comes from: a person's metric results, or the user's thumb. */
  readonly source?: 'human' | 'thumbs';
}

export interface SignalPower {
  readonly feature: Feature;
  /** Labelled interactions that have this signal. */
  readonly support: number;
  /** The weight calibration proposes (the current one when support is too low to fit). */
  readonly weight: number;
  readonly fitted: boolean;
  /** How well the signal alone ranks good above bad answers (0.5: not at all; below: it points to bad). */
  readonly auc: number | null;
  /** Share of good answers among labelled interactions with the signal, and without it. */
  readonly goodRateWith: number | null;
  readonly goodRateWithout: number | null;
}

export interface CalibrationReport {
  readonly labelled: number;
  /** Of which labelled by people (annotation), the rest by explicit thumbs. */
  readonly humanLabelled: number;
  readonly good: number;
  /** Enough labelled data of both kinds to fit; when false, `weights` are the current ones. */
  readonly fitted: boolean;
  readonly reason: string | null;
  /** On the labelled interactions, with the proposed implicit weights (training figures). */
  readonly accuracy: number | null;
  readonly auc: number | null;
  readonly logLoss: number | null;
  /** Five-fold cross-validated AUC of the implicit model: its predictive power on unseen interactions. */
  readonly crossValidatedAuc: number | null;
  readonly signals: readonly SignalPower[];
  readonly weights: OutcomeWeights;
}

export interface CalibrationOptions {
  /** Strength of the pull towards the current weights. */
  readonly prior?: number;
  readonly minLabelled?: number;
  /** Labelled interactions a signal needs before its weight is fitted. */
  readonly minSupport?: number;
}

export function calibrate(examples: readonly LabelledExample[], current: OutcomeWeights, options: CalibrationOptions = {}): CalibrationReport {
  const minLabelled = options.minLabelled ?? 20;
  const minSupport = options.minSupport ?? 5;
  const prior = options.prior ?? 1;
  const good = examples.filter((e) => e.good).length;
  const humanLabelled = examples.filter((e) => e.source === 'human').length;
  const power = (feature: Feature, weight: number, fitted: boolean): SignalPower => univariate(examples, feature, weight, fitted);
  const unfitted = (reason: string): CalibrationReport => ({
    labelled: examples.length,
    humanLabelled,
    good,
    fitted: false,
    reason,
    accuracy: null,
    auc: null,
    logLoss: null,
    crossValidatedAuc: null,
    signals: IMPLICIT_FEATURES.map((f) => power(f, current.weights[f], false)),
    weights: current,
  });
  if (examples.length < minLabelled) return unfitted(`needs at least ${minLabelled} labelled interactions, has ${examples.length}`);
  if (good === 0 || good === examples.length) return unfitted('needs labelled interactions of both outcomes');

  const fit = IMPLICIT_FEATURES.filter((f) => examples.filter((e) => e.features[f] > 0).length >= minSupport);
  const model = fitLogistic(examples, fit, current, prior);
  const weights: OutcomeWeights = { ...current, bias: model.bias, weights: { ...current.weights, ...model.weights } };
  const scores = examples.map((e) => implicitScore(e.features, weights));
  const labels = examples.map((e) => e.good);
  return {
    labelled: examples.length,
    humanLabelled,
    good,
    fitted: true,
    reason: null,
    accuracy: round(scores.filter((s, i) => s >= 0 === labels[i]).length / examples.length),
    auc: rocAuc(scores, labels),
    logLoss: round(logLoss(scores, labels)),
    crossValidatedAuc: crossValidate(examples, fit, current, prior),
    signals: IMPLICIT_FEATURES.map((f) => power(f, weights.weights[f], fit.includes(f))),
    weights,
  };
}

function implicitScore(features: FeatureVector, weights: OutcomeWeights): number {
  let score = weights.bias;
  for (const f of IMPLICIT_FEATURES) score += weights.weights[f] * features[f];
  return score;
}

/**
 * Penalised logistic regression by Newton's method. Parameters: the bias and the `fit` features'
 * weights; the other implicit features stay at their current weights (an offset).
 */
export function fitLogistic(
  examples: readonly LabelledExample[],
  fit: readonly Feature[],
  current: OutcomeWeights,
  prior: number,
): { bias: number; weights: Partial<Record<Feature, number>> } {
  const fixed = IMPLICIT_FEATURES.filter((f) => !fit.includes(f));
  const rows = examples.map((e) => [1, ...fit.map((f) => e.features[f])]);
  const offsets = examples.map((e) => fixed.reduce((s, f) => s + current.weights[f] * e.features[f], 0));
  const y = examples.map((e) => (e.good ? 1 : 0));
  const centre = [current.bias, ...fit.map((f) => current.weights[f])];
  // The bias is barely held: it is the base rate of the labelled population, which data sets well.
  const penalty = centre.map((_, j) => (j === 0 ? 1e-3 : prior));
  const theta = [...centre];
  for (let iteration = 0; iteration < 100; iteration++) {
    const k = theta.length;
    const gradient = theta.map((t, j) => (penalty[j] ?? 0) * (t - (centre[j] ?? 0)));
    const hessian = theta.map((_, i) => theta.map((__, j) => (i === j ? (penalty[i] ?? 0) : 0)));
    rows.forEach((x, n) => {
      const p = sigmoid((offsets[n] ?? 0) + x.reduce((s, v, j) => s + v * (theta[j] ?? 0), 0));
      const residual = p - (y[n] ?? 0);
      const w = p * (1 - p);
      for (let i = 0; i < k; i++) {
        gradient[i] = (gradient[i] ?? 0) + residual * (x[i] ?? 0);
        const hi = hessian[i];
        if (!hi) continue;
        for (let j = 0; j < k; j++) hi[j] = (hi[j] ?? 0) + w * (x[i] ?? 0) * (x[j] ?? 0);
      }
    });
    const step = solve(hessian, gradient);
    let largest = 0;
    for (let j = 0; j < k; j++) {
      theta[j] = (theta[j] ?? 0) - (step[j] ?? 0);
      largest = Math.max(largest, Math.abs(step[j] ?? 0));
    }
    if (largest < 1e-9) break;
  }
  const weights: Partial<Record<Feature, number>> = {};
  fit.forEach((f, j) => (weights[f] = round(theta[j + 1] ?? 0)));
  return { bias: round(theta[0] ?? 0), weights };
}

/** Gaussian elimination with partial pivoting; the penalty keeps the system non-singular. */
function solve(matrix: readonly (readonly number[])[], vector: readonly number[]): number[] {
  const n = vector.length;
  const a = matrix.map((row, i) => [...row, vector[i] ?? 0]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let row = col + 1; row < n; row++) if (Math.abs(a[row]?.[col] ?? 0) > Math.abs(a[pivot]?.[col] ?? 0)) pivot = row;
    const top = a[pivot];
    const current = a[col];
    if (!top || !current) continue;
    a[col] = top;
    a[pivot] = current;
    const lead = top[col] ?? 0;
    if (Math.abs(lead) < 1e-12) continue;
    for (let row = 0; row < n; row++) {
      const target = a[row];
      if (row === col || !target) continue;
      const factor = (target[col] ?? 0) / lead;
      if (factor === 0) continue;
      for (let j = col; j <= n; j++) target[j] = (target[j] ?? 0) - factor * (top[j] ?? 0);
    }
  }
  return a.map((row, i) => {
    const lead = row[i] ?? 0;
    return Math.abs(lead) < 1e-12 ? 0 : (row[n] ?? 0) / lead;
  });
}

/** Area under the ROC curve by ranks (ties count half); null without both classes. */
export function rocAuc(scores: readonly number[], labels: readonly boolean[]): number | null {
  const pairs = scores.map((s, i) => ({ s, y: labels[i] ?? false })).sort((a, b) => a.s - b.s);
  const positives = pairs.filter((p) => p.y).length;
  const negatives = pairs.length - positives;
  if (positives === 0 || negatives === 0) return null;
  let rankSum = 0;
  for (let i = 0; i < pairs.length; ) {
    let j = i;
    while (j < pairs.length && pairs[j]?.s === pairs[i]?.s) j++;
    const rank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) if (pairs[k]?.y) rankSum += rank;
    i = j;
  }
  return round((rankSum - (positives * (positives + 1)) / 2) / (positives * negatives));
}

function logLoss(scores: readonly number[], labels: readonly boolean[]): number {
  const eps = 1e-12;
  const total = scores.reduce((s, score, i) => {
    const p = Math.min(1 - eps, Math.max(eps, sigmoid(score)));
    return s - (labels[i] ? Math.log(p) : Math.log(1 - p));
  }, 0);
  return total / Math.max(1, scores.length);
}

function crossValidate(examples: readonly LabelledExample[], fit: readonly Feature[], current: OutcomeWeights, prior: number): number | null {
  const folds = 5;
  const scores: number[] = [];
  const labels: boolean[] = [];
  for (let k = 0; k < folds; k++) {
    const train = examples.filter((_, i) => i % folds !== k);
    const test = examples.filter((_, i) => i % folds === k);
    if (test.length === 0 || train.every((e) => e.good) || train.every((e) => !e.good)) continue;
    const model = fitLogistic(train, fit, current, prior);
    const weights: OutcomeWeights = { ...current, bias: model.bias, weights: { ...current.weights, ...model.weights } };
    for (const e of test) {
      scores.push(implicitScore(e.features, weights));
      labels.push(e.good);
    }
  }
  return rocAuc(scores, labels);
}

function univariate(examples: readonly LabelledExample[], feature: Feature, weight: number, fitted: boolean): SignalPower {
  const withIt = examples.filter((e) => e.features[feature] > 0);
  const without = examples.filter((e) => e.features[feature] <= 0);
  const rate = (list: readonly LabelledExample[]) => (list.length === 0 ? null : round(list.filter((e) => e.good).length / list.length));
  return {
    feature,
    support: withIt.length,
    weight: round(weight),
    fitted,
    auc: withIt.length === 0 ? null : rocAuc(examples.map((e) => e.features[feature]), examples.map((e) => e.good)),
    goodRateWith: rate(withIt),
    goodRateWithout: rate(without),
  };
}

function round(value: number): number {
  return Math.round(value * 1_000) / 1_000;
}
