import type { NewDomainEvent } from '../events/catalogue';
import type { MetricEvaluatedData } from '../events/catalogue/evaluation';
import { recorded } from '../test/events';
import { givenEvents } from '../test/projection-spec';
import { decide, evolve, initialState } from '../services/evaluation/metric-decider';
import { dailyId, evaluationProjection, JUDGE_SAMPLING, METRIC_DAILY, METRIC_RESULTS, METRICS, resultId } from './evaluation';

const at = (minute: number) => `2026-11-26T10:${String(minute).padStart(2, '0')}:00.000Z`;
const metadata = (minute: number) => ({ actor: 'key:k1', correlationId: 'c', causationId: null, occurredAt: at(minute), schemaVersion: 1 });

const defined = decide(
  { type: 'DefineMetric', workloadId: 'support-bot', nodeType: null, name: 'Tone', question: 'Kind?', rubric: '', judgeModel: null, metadata: metadata(0) },
  initialState,
);
const revised = decide(
  { type: 'ReviseMetric', metricId: 'support-bot.tone', expectedVersion: 1, changes: { question: 'Kind and brief?' }, metadata: metadata(1) },
  defined.reduce(evolve, initialState),
);

function evaluated(overrides: Partial<MetricEvaluatedData>, minute = 2): NewDomainEvent {
  return {
    id: `00000000-0000-4000-8000-0000000000${String(minute).padStart(2, '0')}`,
    type: 'MetricEvaluated',
    data: {
      metricId: 'support-bot.tone',
      metricVersion: 2,
      workloadId: 'support-bot',
      interactionId: 'i-1',
      nodeType: null,
      pipelineRunId: null,
      pass: true,
      rationale: 'polite',
      evaluator: { kind: 'judge', id: 'gpt-4o', version: 'judge-v1' },
      interactionOccurredAt: '2026-11-25T23:59:00.000Z',
      timeToLabelMs: null,
      costUsd: 0.001,
      ...overrides,
    },
    metadata: metadata(minute),
  };
}

describe('evaluation projection', () => {
  it('given a metric defined and revised, then one document at version 2 that keeps both versions', async () => {
    const store = await givenEvents(evaluationProjection, [...defined, ...revised].map((e, i) => recorded(e, i)));
    const doc = await store.findById(METRICS, 'support-bot.tone');
    expect(doc).toMatchObject({ workloadId: 'support-bot', version: 2, question: 'Kind and brief?', status: 'active' });
    expect(doc?.['versions']).toEqual([
      expect.objectContaining({ version: 1, question: 'Kind?', definedAt: at(0) }),
      expect.objectContaining({ version: 2, question: 'Kind and brief?', definedAt: at(1), definedBy: 'key:k1' }),
    ]);
  });

  it('given results, then one document per evaluator and a daily count by the day of the traffic', async () => {
    const events = [
      evaluated({}, 2),
      evaluated({ interactionId: 'i-2', pass: false }, 3),
      evaluated({ evaluator: { kind: 'human', id: 'key:ann', version: 'label-v1' }, timeToLabelMs: 60_000, costUsd: null }, 4),
      evaluated({ metricVersion: 1, interactionId: 'i-3' }, 5),
    ];
    const store = await givenEvents(evaluationProjection, events.map((e, i) => recorded(e, 10 + i)));
    expect(await store.count(METRIC_RESULTS, { interactionId: 'i-1' })).toBe(2);
    expect(await store.findById(METRIC_RESULTS, resultId('support-bot.tone', 2, 'i-1', 'human', 'key:ann'))).toMatchObject({
      pass: true,
      timeToLabelMs: 60_000,
      evaluatedAt: at(4),
    });
    const judged = await store.findById(METRIC_DAILY, dailyId('support-bot', 'support-bot.tone', 2, 'judge', '2026-11-25'));
    expect(judged).toMatchObject({ evaluated: 2, passed: 1, metricVersion: 2, day: '2026-11-25' });
    expect(judged?.['costUsd']).toBeCloseTo(0.002);
    // Results under version 1 are counted apart from version 2.
    expect(await store.findById(METRIC_DAILY, dailyId('support-bot', 'support-bot.tone', 1, 'judge', '2026-11-25'))).toMatchObject({ evaluated: 1 });
  });

  it('given a metric retired and a judge sampling set, then both show', async () => {
    const retired = decide({ type: 'RetireMetric', metricId: 'support-bot.tone', reason: null, metadata: metadata(9) }, defined.reduce(evolve, initialState));
    const sampling: NewDomainEvent = {
      id: '00000000-0000-4000-8000-000000000099',
      type: 'JudgeSamplingSet',
      data: { workloadId: 'support-bot', rate: 0.25, nodeTypes: ['writer'], models: [] },
      metadata: metadata(9),
    };
    const store = await givenEvents(evaluationProjection, [...defined, ...retired, sampling].map((e, i) => recorded(e, i)));
    expect(await store.findById(METRICS, 'support-bot.tone')).toMatchObject({ status: 'retired', retiredAt: at(9) });
    expect(await store.findById(JUDGE_SAMPLING, 'support-bot')).toMatchObject({ rate: 0.25, nodeTypes: ['writer'] });
  });
});
