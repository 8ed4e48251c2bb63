/** Events of the feedback feature for tests: signals and outcomes as the service and reactors write them. */
import { randomUUID } from 'node:crypto';
import type { DomainEvent, NewDomainEvent } from '../../events/catalogue';
import { OutcomeInferred, SignalRecorded, type OutcomeInferredData, type SignalRecordedData } from '../../events/catalogue/feedback';
import type { SignalContent } from './commands';
import { signalContentHash, signalEventId } from './decider';

type DistributivePartial<T> = T extends unknown ? Partial<T> : never;

export function signalRecorded(
  content: SignalContent,
  extra: { workloadId?: string; interactionAt?: string; occurredAt?: string; editDistance?: number | null } = {},
): NewDomainEvent {
  const base = {
    ...content,
    workloadId: extra.workloadId ?? 'support-bot',
    interactionAt: extra.interactionAt ?? '2026-11-26T10:00:00.000Z',
    contentHash: signalContentHash(content),
  };
  const data: SignalRecordedData =
    base.type === 'edited' && extra.editDistance !== undefined ? { ...base, editDistance: extra.editDistance } : base;
  return SignalRecorded.create({
    id: signalEventId(content.interactionId, content.signalId),
    data,
    metadata: { correlationId: 'c', causationId: null, actor: 'key:test', occurredAt: extra.occurredAt ?? '2026-11-26T10:01:00.000Z' },
  });
}

export function thumbs(interactionId: string, up: boolean, signalId: string = randomUUID(), dimension: 'speed' | 'accuracy' | null = null): SignalContent {
  return { signalId, interactionId, source: 'client', type: up ? 'thumbsUp' : 'thumbsDown', dimension, comment: null };
}

export function outcomeInferred(overrides: DistributivePartial<OutcomeInferredData> & { interactionId: string; signalId: string }): NewDomainEvent {
  const data: OutcomeInferredData = {
    workloadId: 'support-bot',
    interactionAt: '2026-11-26T10:00:00.000Z',
    outcome: 'good',
    confidence: 0.9,
    score: 2.2,
    previousOutcome: null,
    signals: 1,
    weightsRevision: -1,
    ...overrides,
  };
  return OutcomeInferred.create({
    id: randomUUID(),
    data,
    metadata: { correlationId: 'c', causationId: null, actor: 'system:feedback-outcome', occurredAt: '2026-11-26T10:01:01.000Z' },
  });
}

/** A stored event on the interaction's stream, as the projector hands it over. */
export function onStream(event: NewDomainEvent, interactionId: string, position: number, revision: number): DomainEvent {
  return { ...event, stream: `interaction-${interactionId}`, revision, position, recordedAt: new Date(Date.parse(event.metadata.occurredAt) + 5).toISOString() };
}
