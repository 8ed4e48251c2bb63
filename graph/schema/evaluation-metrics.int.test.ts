import type { NewDomainEvent } from '../../events/catalogue';
import type { MetricEvaluatedData } from '../../events/catalogue/evaluation';
import { issueKey } from '../../test/api-keys';
import { watchBus } from '../../test/bus-watch';
import { startTestApp, TEST_ADMIN_KEY, type TestApp } from '../../test/http';
import { subscribeSse } from '../../test/sse';
import { metricEvaluatedTopic } from '../../projections/evaluation';
import {
  AgreementReportDocument,
  DefineMetricDocument,
  EvaluationTimelineDocument,
  MetricDocument,
  MetricEvaluatedDocument,
  MetricResultsDocument,
  MetricsDocument,
  RetireMetricDocument,
  ReviseMetricDocument,
} from '../generated/operations';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const tone = { workloadId: 'support-bot', name: 'Tone adherence', question: 'Is the answer brief and kind?', rubric: 'Pass: polite.' };
let seq = 0;

/** A result as an evaluator would append it (the judge and annotation paths have their own tests). */
async function evaluated(overrides: Partial<MetricEvaluatedData>): Promise<number> {
  seq += 1;
  const event: NewDomainEvent = {
    id: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    type: 'MetricEvaluated',
    data: {
      metricId: 'support-bot.tone-adherence',
      metricVersion: 1,
      workloadId: 'support-bot',
      interactionId: 'i-1',
      nodeType: null,
      pipelineRunId: null,
      pass: true,
      rationale: 'kind',
      evaluator: { kind: 'judge', id: 'judge-model', version: 'judge-v1' },
      interactionOccurredAt: '2026-11-20T10:00:00.000Z',
      timeToLabelMs: null,
      costUsd: 0.0001,
      ...overrides,
    },
    metadata: { actor: 'system:test', correlationId: 'c', causationId: null, occurredAt: new Date().toISOString(), schemaVersion: 1 },
  };
  const result = await t.app.store.append(`evaluation-${event.data.interactionId}-${seq}`, [event]);
  await t.app.projector.waitFor(result.position);
  return result.position;
}

describe('metrics over HTTP', () => {
  it('defines a metric (idempotently), revises it to version 2 and retires it', async () => {
    const { body } = await t.gql(DefineMetricDocument, { input: tone });
    const defined = body.data?.defineMetric;
    if (defined?.__typename !== 'MetricChanged') throw new Error(JSON.stringify(body));
    expect(defined).toMatchObject({ metricId: 'support-bot.tone-adherence', version: 1, metric: { status: 'active', nodeType: null } });
    expect((await t.gql(DefineMetricDocument, { input: tone })).body.data?.defineMetric).toMatchObject({ __typename: 'MetricChanged', version: 1 });
    expect((await t.gql(DefineMetricDocument, { input: { ...tone, question: 'Other?' } })).body.data?.defineMetric).toMatchObject({
      __typename: 'MetricAlreadyDefined',
      code: 'METRIC_ALREADY_DEFINED',
    });

    const revised = (await t.gql(ReviseMetricDocument, { input: { metricId: defined.metricId, expectedVersion: 1, rubric: 'Pass: polite, brief.' } })).body
      .data?.reviseMetric;
    expect(revised).toMatchObject({ __typename: 'MetricChanged', version: 2, metric: { rubric: 'Pass: polite, brief.' } });
    const stale = (await t.gql(ReviseMetricDocument, { input: { metricId: defined.metricId, expectedVersion: 1, rubric: 'x' } })).body.data?.reviseMetric;
    expect(stale).toMatchObject({ __typename: 'MetricVersionConflict', expectedVersion: 1, actualVersion: 2 });

    const codegen = await t.gql(DefineMetricDocument, { input: { workloadId: 'text-to-sql', nodeType: 'codegen', name: 'SQL is safe', question: 'Read-only SQL?' } });
    expect(codegen.body.data?.defineMetric).toMatchObject({ metricId: 'text-to-sql.sql-is-safe.codegen', metric: { nodeType: 'codegen' } });
    await t.gql(RetireMetricDocument, { metricId: 'text-to-sql.sql-is-safe.codegen', reason: 'merged' });

    const list = (await t.gql(MetricsDocument, { workloadId: 'support-bot' })).body.data?.metrics;
    expect(list?.map((m) => [m.id, m.version, m.versions.length])).toEqual([['support-bot.tone-adherence', 2, 2]]);
    expect((await t.gql(MetricsDocument, { workloadId: 'text-to-sql' })).body.data?.metrics).toEqual([]);
    expect((await t.gql(MetricDocument, { id: 'text-to-sql.sql-is-safe.codegen' })).body.data?.metric).toMatchObject({ status: 'retired' });
    expect((await t.gql(RetireMetricDocument, { metricId: 'nope.nope' })).body.data?.retireMetric).toMatchObject({ __typename: 'MetricNotFound' });
  });

  it('answers a bad definition with InputInvalid and a key without admin with 403', async () => {
    const bad = (await t.gql(DefineMetricDocument, { input: { ...tone, name: 'Empty question', question: ' ' } })).body.data?.defineMetric;
    expect(bad).toMatchObject({ __typename: 'InputInvalid', issues: [{ path: 'question' }] });
    const reader = await issueKey(t, ['read']);
    const { status } = await t.gql(DefineMetricDocument, { input: tone }, { key: reader.key });
    expect(status).toBe(403);
  });

  it('lists results per interaction, pass rates per day and version, and agreement', async () => {
    await evaluated({ interactionId: 'i-1', pass: true });
    await evaluated({ interactionId: 'i-2', pass: false });
    await evaluated({ interactionId: 'i-1', pass: true, evaluator: { kind: 'human', id: 'key:ann1', version: 'label-v1' }, timeToLabelMs: 60_000, costUsd: null });
    await evaluated({ interactionId: 'i-2', pass: true, evaluator: { kind: 'human', id: 'key:ann1', version: 'label-v1' }, timeToLabelMs: 60_000, costUsd: null });
    await evaluated({ interactionId: 'i-3', metricVersion: 2, pass: true, interactionOccurredAt: '2026-11-21T08:00:00.000Z' });

    const results = (await t.gql(MetricResultsDocument, { interactionId: 'i-1' })).body.data?.metricResults;
    expect(results?.map((r) => r.evaluator.kind).sort()).toEqual(['human', 'judge']);

    const timeline = (await t.gql(EvaluationTimelineDocument, { workloadId: 'support-bot', evaluatorKind: 'judge' })).body.data?.evaluationTimeline;
    expect(timeline?.map((p) => [p.day, p.metricVersion, p.evaluated, p.passed])).toEqual([
      ['2026-11-20', 1, 2, 1],
      ['2026-11-21', 2, 1, 1],
    ]);
    const later = (await t.gql(EvaluationTimelineDocument, { workloadId: 'support-bot', fromDay: '2026-11-21' })).body.data?.evaluationTimeline;
    expect(later).toHaveLength(1);

    const report = (await t.gql(AgreementReportDocument, { metricId: 'support-bot.tone-adherence', version: 1 })).body.data?.agreementReport;
    if (report?.__typename !== 'AgreementReport') throw new Error(JSON.stringify(report));
    expect(report.judgeVsHuman.overall).toMatchObject({ pairs: 2, percentAgreement: 0.5, confusion: { passPass: 1, failPass: 1 } });
    expect(report.judgeVsHuman.byTimeToLabel.find((b) => b.bucket === 'within-1h')?.agreement.pairs).toBe(2);
    expect((await t.gql(AgreementReportDocument, { metricId: 'support-bot.nope' })).body.data?.agreementReport).toMatchObject({ __typename: 'MetricNotFound' });
  });

  it('keeps a workload-restricted key to its workloads', async () => {
    const other = await issueKey(t, ['read'], { workloadIds: ['hr-assistant'] });
    expect((await t.gql(MetricsDocument, { workloadId: 'support-bot' }, { key: other.key })).status).toBe(403);
    expect((await t.gql(MetricResultsDocument, { interactionId: 'i-1' }, { key: other.key })).body.data?.metricResults).toEqual([]);
  });

  it('streams new results of a workload to a subscriber', async () => {
    const bus = watchBus(t.app.adapters.bus);
    try {
      const sub = await subscribeSse(async (url, init) => t.app.yoga.fetch(url, init), 'http://localhost/graphql', MetricEvaluatedDocument, { workloadId: 'support-bot' }, { key: TEST_ADMIN_KEY });
      await bus.subscribed(metricEvaluatedTopic('support-bot'));
      await evaluated({ interactionId: 'i-9', pass: false });
      const next = await sub.next();
      expect(next.data?.metricEvaluated).toMatchObject({ interactionId: 'i-9', pass: false, evaluator: { kind: 'judge' } });
      sub.abort();
    } finally {
      bus.restore();
    }
  });
});
