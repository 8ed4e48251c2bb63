import type { SignalRecordedData } from './catalogue/feedback';

/**
 * What signals say about an answer's quality, as features: the read models keep them per
 * interaction and the feedback feature weighs them into an outcome (services/feedback/outcome.ts).
 * The features are maxima and indicators, never sums, so a signal sent twice (two copies, two
 * regenerations) weighs what it weighs once, and read models can keep them with `$max` alone.
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
