import type { Outcome, SignalRecordedData } from '../events/catalogue/feedback';
import { lastUserText, queryLengthBand } from '../events/interaction-text';
import { emptyFeatures, featureOf, type Feature } from '../events/signal-features';
import { detectLanguage } from '../lib/language';
import { defineProjection, type ProjectedOperation } from './projection';
import type { Document } from './read-store';

/** One compact document per interaction: its segments, latency, signal features and outcome, for calibration and the bias reports. */
export const FEEDBACK_FACTS = 'feedback_facts';

export interface FactDoc extends Document {
  readonly workloadId: string;
  readonly occurredAt: string;
  readonly clientId: string | null;
  readonly nodeType: string | null;
  readonly language: string;
  readonly queryLength: string;
  readonly latencyMs: number | null;
  readonly features: Readonly<Record<Feature, number>>;
  /** Thumbs on quality (every dimension but speed), and on speed. */
  readonly thumbs: { readonly up: number; readonly down: number };
  readonly speedThumbs: { readonly up: number; readonly down: number };
  /** The latest quality thumb: the label calibration fits against. */
  readonly lastThumb: 'up' | 'down' | null;
  readonly signals: number;
  readonly outcome: Outcome | null;
  readonly confidence: number | null;
  /** People's pass/fail results on the interaction (annotation queues): ground truth for calibration. */
  readonly humanLabels?: { readonly pass?: number; readonly fail?: number };
}

function factsUpdate(data: SignalRecordedData): ProjectedOperation {
  const feature = featureOf(data);
  const quality = (data.type === 'thumbsUp' || data.type === 'thumbsDown') && data.dimension !== 'speed';
  const speed = (data.type === 'thumbsUp' || data.type === 'thumbsDown') && data.dimension === 'speed';
  const direction = data.type === 'thumbsUp' ? 'up' : 'down';
  return {
    op: 'update',
    collection: FEEDBACK_FACTS,
    id: data.interactionId,
    update: {
      $inc: {
        signals: 1,
        ...(quality ? { [`thumbs.${direction}`]: 1 } : {}),
        ...(speed ? { [`speedThumbs.${direction}`]: 1 } : {}),
      },
      ...(feature ? { $max: { [`features.${feature.feature}`]: feature.value } } : {}),
      ...(quality ? { $set: { lastThumb: direction } } : {}),
    },
  };
}

export const feedbackFactsProjection = defineProjection({
  name: 'feedback-facts',
  /** Until issue 9, one of the three read models the former `feedback` projection kept. */
  formerly: ['feedback'],
  collections: [{ name: FEEDBACK_FACTS, indexes: [{ fields: { workloadId: 1, occurredAt: -1 } }] }],
  on: {
    InteractionLogged: (event) => {
      const d = event.data;
      const question = lastUserText(d);
      const facts: Omit<FactDoc, '_id'> = {
        workloadId: d.workloadId,
        occurredAt: event.metadata.occurredAt,
        clientId: d.clientId,
        nodeType: d.pipeline?.nodeType ?? null,
        language: detectLanguage(question),
        queryLength: queryLengthBand(question),
        latencyMs: d.latencyMs,
        features: emptyFeatures(),
        thumbs: { up: 0, down: 0 },
        speedThumbs: { up: 0, down: 0 },
        lastThumb: null,
        signals: 0,
        outcome: null,
        confidence: null,
      };
      return [{ op: 'replace', collection: FEEDBACK_FACTS, id: d.interactionId, doc: facts }];
    },
    SignalRecorded: (event) => [factsUpdate(event.data)],
    MetricEvaluated: (event) => {
      // Only people's verdicts: a judge's would be calibrating against another model.
      if (event.data.evaluator.kind !== 'human') return [];
      const verdict = event.data.pass ? 'pass' : 'fail';
      return [{ op: 'update', collection: FEEDBACK_FACTS, id: event.data.interactionId, update: { $inc: { [`humanLabels.${verdict}`]: 1 } } }];
    },
    OutcomeInferred: (event) => {
      const d = event.data;
      return [{ op: 'update', collection: FEEDBACK_FACTS, id: d.interactionId, update: { $set: { outcome: d.outcome, confidence: d.confidence } } }];
    },
  },
});
