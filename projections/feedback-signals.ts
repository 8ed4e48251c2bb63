import type { DomainEvent } from '../events/catalogue';
import type { SignalRecordedData, SignalType } from '../events/catalogue/feedback';
import { defineProjection } from './projection';
import type { Document, JsonValue } from './read-store';

/** One document per signal: what the `signalRecorded` subscription and `Interaction.signals` read. */
export const FEEDBACK_SIGNALS = 'feedback_signals';

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

export const feedbackSignalsProjection = defineProjection({
  name: 'feedback-signals',
  /** Until issue 9, one of the three read models the former `feedback` projection kept. */
  formerly: ['feedback'],
  collections: [{ name: FEEDBACK_SIGNALS, indexes: [{ fields: { interactionId: 1, position: 1 } }, { fields: { workloadId: 1, position: -1 } }] }],
  on: {
    SignalRecorded: (event) => [{ op: 'replace', collection: FEEDBACK_SIGNALS, id: signalDocId(event.data.interactionId, event.data.signalId), doc: signalDoc(event.data, event) }],
  },
  notify: {
    SignalRecorded: (event) => {
      const d = event.data;
      return [{ topic: signalTopic(d.workloadId), message: { id: signalDocId(d.interactionId, d.signalId), interactionId: d.interactionId, position: event.position } }];
    },
  },
});
