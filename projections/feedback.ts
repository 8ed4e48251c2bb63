import type { DomainEvent } from '../events/catalogue';
import type { Outcome, SignalRecordedData, SignalType } from '../events/catalogue/feedback';
import { lastUserText, queryLengthBand } from '../events/interaction-text';
import { emptyFeatures, featureOf, type Feature } from '../events/signal-features';
import { detectLanguage } from '../lib/language';
import type { Notification, Projection, ProjectedOperation } from './projection';
import type { Document, JsonValue } from './read-store';

/** One document per signal: what the `signalRecorded` subscription and `Interaction.signals` read. */
export const FEEDBACK_SIGNALS = 'feedback_signals';
/** Per workload and day (of the interaction): counts of every signal type and outcome, the first drift timeline. */
export const FEEDBACK_DAILY = 'feedback_daily';
/** One compact document per interaction: its segments, latency, signal features and outcome, for calibration and the bias reports. */
export const FEEDBACK_FACTS = 'feedback_facts';

export interface SignalDoc extends Document {
  readonly interactionId: string;
  readonly signalId: string;
  readonly workloadId: string;
  readonly type: SignalType;
  readonly source: string;
  readonly dimension: string | null;
  readonly comment: string | null;
  readonly tokensReceived: number | null;
  readonly replacementInteractionId: string | null;
  readonly fraction: number | null;
  readonly editedText: string | null;
  readonly editDistance: number | null;
  readonly adoption: string | null;
  readonly reask: boolean | null;
  readonly evidence: JsonValue;
  readonly occurredAt: string;
  readonly recordedAt: string;
  readonly actor: string;
  readonly position: number;
}

export interface DailyDoc extends Document {
  readonly workloadId: string;
  /** YYYY-MM-DD (UTC) of the interactions counted. */
  readonly day: string;
  readonly interactions?: number;
  readonly signals?: Readonly<Record<string, number>>;
  /** Interactions of that day by their current outcome. */
  readonly outcomes?: Readonly<Record<string, number>>;
}

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

export function dayOf(iso: string): string {
  return new Date(iso).toISOString().slice(0, 10);
}

export function dailyId(workloadId: string, day: string): string {
  return `${workloadId}:${day}`;
}

export function signalDocId(interactionId: string, signalId: string): string {
  return `${interactionId}:${signalId}`;
}

export function signalTopic(workloadId: string): string {
  return `signal.recorded.${workloadId}`;
}

type SignalFields = Pick<
  SignalDoc,
  'dimension' | 'comment' | 'tokensReceived' | 'replacementInteractionId' | 'fraction' | 'editedText' | 'editDistance' | 'adoption' | 'reask' | 'evidence'
>;

/** The type-specific fields of a signal, flat (null where the type has none). */
function fieldsOf(data: SignalRecordedData): SignalFields {
  const none: SignalFields = {
    dimension: null,
    comment: null,
    tokensReceived: null,
    replacementInteractionId: null,
    fraction: null,
    editedText: null,
    editDistance: null,
    adoption: null,
    reask: null,
    evidence: null,
  };
  switch (data.type) {
    case 'thumbsUp':
    case 'thumbsDown':
      return { ...none, dimension: data.dimension, comment: data.comment };
    case 'stopped':
      return { ...none, tokensReceived: data.tokensReceived };
    case 'regenerated':
      return { ...none, replacementInteractionId: data.replacementInteractionId };
    case 'copied':
      return { ...none, fraction: data.fraction };
    case 'edited':
      return { ...none, editedText: data.editedText, editDistance: data.editDistance };
    case 'adopted':
      return { ...none, adoption: data.adoption };
    case 'deleted':
      return none;
    case 'followUp':
      return { ...none, reask: data.reask, evidence: data.evidence ? { ...data.evidence } : null };
    case 'corrected':
      return { ...none, evidence: data.evidence ? { ...data.evidence } : null };
  }
}

function signalDoc(data: SignalRecordedData, event: DomainEvent): Omit<SignalDoc, '_id'> {
  return {
    interactionId: data.interactionId,
    signalId: data.signalId,
    workloadId: data.workloadId,
    type: data.type,
    source: data.source,
    ...fieldsOf(data),
    occurredAt: event.metadata.occurredAt,
    recordedAt: event.recordedAt,
    actor: event.metadata.actor,
    position: event.position,
  };
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

export const feedbackProjection: Projection = {
  name: 'feedback',
  collections: [
    { name: FEEDBACK_SIGNALS, indexes: [{ fields: { interactionId: 1, position: 1 } }, { fields: { workloadId: 1, position: -1 } }] },
    { name: FEEDBACK_DAILY, indexes: [{ fields: { workloadId: 1, day: 1 } }] },
    { name: FEEDBACK_FACTS, indexes: [{ fields: { workloadId: 1, occurredAt: -1 } }] },
  ],
  eventTypes: new Set(['InteractionLogged', 'SignalRecorded', 'OutcomeInferred', 'MetricEvaluated']),

  project(event: DomainEvent): readonly ProjectedOperation[] {
    switch (event.type) {
      case 'InteractionLogged': {
        const d = event.data;
        const question = lastUserText(d);
        const occurredAt = event.metadata.occurredAt;
        const facts: Omit<FactDoc, '_id'> = {
          workloadId: d.workloadId,
          occurredAt,
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
        const day = dayOf(occurredAt);
        return [
          { op: 'replace', collection: FEEDBACK_FACTS, id: d.interactionId, doc: facts },
          {
            op: 'update',
            collection: FEEDBACK_DAILY,
            id: dailyId(d.workloadId, day),
            upsert: true,
            update: { $inc: { interactions: 1 }, $setOnInsert: { workloadId: d.workloadId, day } },
          },
        ];
      }
      case 'SignalRecorded': {
        const d = event.data;
        const day = dayOf(d.interactionAt);
        return [
          { op: 'replace', collection: FEEDBACK_SIGNALS, id: signalDocId(d.interactionId, d.signalId), doc: signalDoc(d, event) },
          factsUpdate(d),
          {
            op: 'update',
            collection: FEEDBACK_DAILY,
            id: dailyId(d.workloadId, day),
            upsert: true,
            update: { $inc: { [`signals.${d.type}`]: 1 }, $setOnInsert: { workloadId: d.workloadId, day } },
          },
        ];
      }
      case 'MetricEvaluated': {
        // Only people's verdicts: a judge's would be calibrating against another model.
        if (event.data.evaluator.kind !== 'human') return [];
        const verdict = event.data.pass ? 'pass' : 'fail';
        return [{ op: 'update', collection: FEEDBACK_FACTS, id: event.data.interactionId, update: { $inc: { [`humanLabels.${verdict}`]: 1 } } }];
      }
      case 'OutcomeInferred': {
        const d = event.data;
        const facts: ProjectedOperation = {
          op: 'update',
          collection: FEEDBACK_FACTS,
          id: d.interactionId,
          update: { $set: { outcome: d.outcome, confidence: d.confidence } },
        };
        // A confidence that moved without the label moving changes no count.
        if (d.previousOutcome === d.outcome) return [facts];
        const day = dayOf(d.interactionAt);
        return [
          facts,
          {
            op: 'update',
            collection: FEEDBACK_DAILY,
            id: dailyId(d.workloadId, day),
            upsert: true,
            update: {
              $inc: { [`outcomes.${d.outcome}`]: 1, ...(d.previousOutcome ? { [`outcomes.${d.previousOutcome}`]: -1 } : {}) },
              $setOnInsert: { workloadId: d.workloadId, day },
            },
          },
        ];
      }
    }
    return [];
  },

  notify(event: DomainEvent): readonly Notification[] {
    if (event.type !== 'SignalRecorded') return [];
    const d = event.data;
    return [
      {
        topic: signalTopic(d.workloadId),
        message: { id: signalDocId(d.interactionId, d.signalId), interactionId: d.interactionId, position: event.position },
      },
    ];
  },
};
