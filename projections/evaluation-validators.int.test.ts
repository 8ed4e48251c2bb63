import type { NewDomainEvent } from '../events/catalogue';
import { recorded } from '../test/events';
import { givenEvents } from '../test/projection-spec';
import { ANNOTATION_ITEMS, ANNOTATION_QUEUES, evaluationAnnotationProjection, itemId } from './evaluation-annotation';
import { evaluationValidatorsProjection, INPUT_VALIDATIONS, VALIDATION_DAILY, VALIDATOR_CONFIGS } from './evaluation-validators';

const meta = (minute: number, actor = 'key:k1') => ({ actor, correlationId: 'c', causationId: null, occurredAt: `2026-11-26T10:${String(minute).padStart(2, '0')}:00.000Z`, schemaVersion: 1 });
const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const validated = (n: number, interactionId: string, outcome: 'pass' | 'flag' | 'block'): NewDomainEvent => ({
  id: id(n),
  type: 'InputValidated',
  data: {
    interactionId,
    workloadId: 'hr',
    outcome,
    checks: [{ validator: 'language', outcome, score: 0.9, evidence: 'detected de' }],
    inputTokens: 12,
    validatorsVersion: 'v1',
    embedderId: 'lexical-hash-v1/512',
  },
  metadata: meta(n),
});

describe('evaluation-validators projection', () => {
  it('given settings and validations, then the settings, one document per interaction and daily outcome counts', async () => {
    const configured: NewDomainEvent = {
      id: id(1),
      type: 'InputValidatorsConfigured',
      data: { workloadId: 'hr', domainExamples: ['payroll?'], topicThreshold: 0.2, minTokens: 1, maxTokens: 100, languages: ['en'], anomalyThreshold: 0.1, knownAttacks: [] },
      metadata: meta(1),
    };
    const store = await givenEvents(evaluationValidatorsProjection, [configured, validated(2, 'i-1', 'flag'), validated(3, 'i-2', 'pass'), validated(4, 'i-3', 'flag')].map((e, i) => recorded(e, i)));
    expect(await store.findById(VALIDATOR_CONFIGS, 'hr')).toMatchObject({ languages: ['en'], maxTokens: 100, updatedBy: 'key:k1' });
    expect(await store.findById(INPUT_VALIDATIONS, 'i-1')).toMatchObject({ outcome: 'flag', checks: [{ validator: 'language', evidence: 'detected de' }] });
    expect(await store.findById(VALIDATION_DAILY, 'hr|2026-11-26')).toMatchObject({ flag: 2, pass: 1 });
  });
});

describe('evaluation-annotation projection', () => {
  it('given a queue, a claim, a label and a skip, then the queue counts and each item', async () => {
    const events: NewDomainEvent[] = [
      {
        id: id(1),
        type: 'AnnotationQueueCreated',
        data: {
          queueId: 'queue-0001',
          workloadId: 'hr',
          name: 'weekly',
          metricIds: ['hr.helpful'],
          filter: { nodeType: null, model: null, from: null, to: null },
          stratifyBy: 'model',
          sampleSize: 2,
          labelsPerItem: 1,
          items: [
            { interactionId: 'i-1', stratum: 'gpt-4o', interactionOccurredAt: '2026-11-26T09:00:00.000Z' },
            { interactionId: 'i-2', stratum: 'gpt-4o-mini', interactionOccurredAt: '2026-11-26T09:00:00.000Z' },
          ],
        },
        metadata: meta(1),
      },
      { id: id(2), type: 'AnnotationItemClaimed', data: { queueId: 'queue-0001', interactionId: 'i-1', annotator: 'key:a', leaseExpiresAt: '2026-11-26T10:12:00.000Z' }, metadata: meta(2) },
      {
        id: id(3),
        type: 'LabelSubmitted',
        data: { queueId: 'queue-0001', workloadId: 'hr', interactionId: 'i-1', annotator: 'key:a', labels: [{ metricId: 'hr.helpful', metricVersion: 1, pass: true, note: null }], interactionOccurredAt: '2026-11-26T09:00:00.000Z', timeToLabelMs: 3_600_000 },
        metadata: meta(3),
      },
      { id: id(4), type: 'AnnotationItemSkipped', data: { queueId: 'queue-0001', interactionId: 'i-2', annotator: 'key:b', reason: null }, metadata: meta(4) },
    ];
    const store = await givenEvents(evaluationAnnotationProjection, events.map((e, i) => recorded(e, i)));
    expect(await store.findById(ANNOTATION_QUEUES, 'queue-0001')).toMatchObject({ items: 2, labels: 1, skips: 1, claims: 1, createdBy: 'key:k1' });
    expect(await store.findById(ANNOTATION_ITEMS, itemId('queue-0001', 'i-1'))).toMatchObject({ labels: 1, annotators: ['key:a'], leaseExpiresAt: null, lastClaimedBy: 'key:a', order: 0 });
    expect(await store.findById(ANNOTATION_ITEMS, itemId('queue-0001', 'i-2'))).toMatchObject({ skips: 1, stratum: 'gpt-4o-mini', order: 1 });
  });
});
