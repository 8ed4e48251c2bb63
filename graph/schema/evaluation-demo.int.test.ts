import { print } from 'graphql';
import { demoTraffic } from '../../app/demo/traffic';
import { issueKey } from '../../test/api-keys';
import { startTestApp, type TestApp } from '../../test/http';
import { startFakeOpenAi, type FakeOpenAi } from '../../services/llm/testing/fake-openai-server';
import {
  AgreementReportDocument,
  ClaimAnnotationItemDocument,
  ConfigureInputValidatorsDocument,
  ConfigurePipelineChecksDocument,
  CreateAnnotationQueueDocument,
  DefineMetricDocument,
  EvaluationTimelineDocument,
  InputValidationDocument,
  InteractionsDocument,
  InteractionsWithEvaluationsDocument,
  LogInteractionsDocument,
  PipelineRunReportDocument,
  SetJudgeSamplingDocument,
  SubmitLabelsDocument,
} from '../generated/operations';

/**
 * The whole evaluation stage on the demo traffic (an HR assistant in three languages, a support
 * chatbot, a text-to-SQL pipeline), with a local OpenAI-compatible server standing in for the judge.
 */
let fake: FakeOpenAi;
let t: TestApp;
const COUNT = 45;
/** The stand-in judge's rule and the annotator's are the same, so they should agree throughout. */
const ACTIONABLE = /\d|update|forgot|refund/i;

beforeAll(async () => {
  fake = await startFakeOpenAi((prompt) => {
    const answer = prompt.split('Answer to evaluate:')[1] ?? '';
    return ACTIONABLE.test(answer) ? { pass: true, rationale: 'gives a concrete step or figure' } : { pass: false, rationale: 'vague' };
  });
  t = await startTestApp({ OPENAI_BASE_URL: fake.baseUrl, OPENAI_API_KEY: 'test', FLYWHEEL_JUDGE_MODEL: 'gpt-4.1-nano' });
  const setup = [
    t.gql(DefineMetricDocument, { input: { workloadId: 'support-bot', name: 'Actionable', question: 'Does the answer give a concrete step?' } }),
    t.gql(DefineMetricDocument, { input: { workloadId: 'text-to-sql', nodeType: 'writer', name: 'Grounded', question: 'Does the summary state a figure?' } }),
    t.gql(SetJudgeSamplingDocument, { input: { workloadId: 'support-bot', rate: 1 } }),
    t.gql(SetJudgeSamplingDocument, { input: { workloadId: 'text-to-sql', rate: 1, nodeTypes: ['writer'] } }),
    t.gql(ConfigureInputValidatorsDocument, { input: { workloadId: 'hr-assistant', languages: ['en'], domainExamples: ['How many vacation days do I have left?', 'When is the next payroll date?'] } }),
    t.gql(ConfigurePipelineChecksDocument, {
      input: {
        workloadId: 'text-to-sql',
        sampleDatabaseSql:
          "CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER, total REAL, region TEXT, shipped_at TEXT, delivered_at TEXT); INSERT INTO orders (customer_id, total, region, shipped_at, delivered_at) VALUES (1, 10, 'eu', date('now','-2 days'), date('now')), (2, 20, 'us', date('now','-20 days'), date('now','-15 days'));",
        references: [{ question: 'Top 5 customers by revenue this year', sql: 'SELECT customer_id, SUM(total) FROM orders GROUP BY customer_id ORDER BY 2 DESC LIMIT 5' }],
        classes: ['orders', 'revenue', 'logistics'],
      },
    }),
  ];
  for (const { body } of await Promise.all(setup)) expect(JSON.stringify(body)).not.toContain('"errors"');
  const inputs = [...demoTraffic({ count: COUNT, seed: 7, start: new Date(Date.now() - 3_600_000) })];
  const { text } = await t.raw(JSON.stringify({ query: print(LogInteractionsDocument), variables: { inputs } }));
  expect(text).toContain(`"accepted":${COUNT}`);
  // Every interaction is validated; wait for that, then for the read models.
  const deadline = Date.now() + 60_000;
  while ((await t.app.store.readAll({ filter: { eventTypes: ['InputValidated'] }, maxCount: 1_000 })).events.length < COUNT) {
    if (Date.now() > deadline) throw new Error('not every interaction was validated');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await t.app.projector.waitFor(await t.app.store.headPosition());
}, 120_000);
afterAll(async () => {
  await t.close();
  await fake.close();
});

async function settled(types: string[], count: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  while ((await t.app.store.readAll({ filter: { eventTypes: types }, maxCount: 1_000 })).events.length < count) {
    if (Date.now() > deadline) throw new Error(`fewer than ${count} ${types.join('/')} events`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await t.app.projector.waitFor(await t.app.store.headPosition());
}

async function ids(workloadId: string, nodeType?: 'codegen' | 'writer') {
  const { body } = await t.gql(InteractionsDocument, { filter: { workloadId, ...(nodeType ? { nodeType } : {}) }, first: 100 });
  return body.data?.interactions.edges.map((e) => e.node) ?? [];
}

describe('evaluation on the demo traffic', () => {
  it('validates every input and flags the Spanish and German HR questions for the fallback route', async () => {
    const hr = await ids('hr-assistant');
    const outcomes = await Promise.all(hr.map(async (i) => (await t.gql(InputValidationDocument, { interactionId: i.id })).body.data?.inputValidation));
    expect(outcomes.every((o) => o !== null && o !== undefined)).toBe(true);
    const fallback = outcomes.filter((o) => o?.route === 'fallback').length;
    const foreign = hr.filter((i) => /[¿ä]/.test(i.prompt ?? '')).length;
    expect(fallback).toBeGreaterThanOrEqual(Math.min(1, foreign));
  });

  it('judges support answers and SQL writer nodes, and draws the timeline', async () => {
    const support = await ids('support-bot');
    const writers = await ids('text-to-sql', 'writer');
    await settled(['MetricEvaluated', 'EvaluationSkipped'], support.length + writers.length);
    const timeline = (await t.gql(EvaluationTimelineDocument, { workloadId: 'support-bot', evaluatorKind: 'judge' })).body.data?.evaluationTimeline ?? [];
    expect(timeline.reduce((n, p) => n + p.evaluated, 0)).toBe(support.length);
    expect(fake.requests.length).toBeGreaterThanOrEqual(support.length);

    const page = (await t.gql(InteractionsWithEvaluationsDocument, { filter: { workloadId: 'support-bot' }, first: 50 })).body.data?.interactions.edges ?? [];
    expect(page).toHaveLength(support.length);
    for (const { node } of page) {
      expect(node.evaluations).toEqual([expect.objectContaining({ metricId: 'support-bot.actionable', evaluator: { kind: 'judge' } })]);
      expect(node.inputValidation?.outcome).toBeDefined();
    }
  });

  it('checks every SQL run: codegen executes read-only, and a run report names the first failing node if any', async () => {
    const codegen = await ids('text-to-sql', 'codegen');
    await settled(['PipelineNodeChecked'], codegen.length * 2);
    for (const node of codegen) {
      const runId = node.pipeline?.runId ?? '';
      const report = (await t.gql(PipelineRunReportDocument, { runId })).body.data?.pipelineRunReport;
      const sql = report?.nodes.find((n) => n.nodeType === 'codegen');
      expect(sql?.checks.find((c) => c.check === 'sql-executes')?.pass).toBe(true);
      if (report?.status === 'failed') expect(report.firstFailingNode).not.toBeNull();
    }
  });

  it('takes human labels on the judged metric and reports judge-vs-human agreement', async () => {
    const annotator = (await issueKey(t, ['annotate'])).key;
    const created = (await t.gql(CreateAnnotationQueueDocument, { input: { workloadId: 'support-bot', name: 'demo', metricIds: ['support-bot.actionable'], stratifyBy: 'model', sampleSize: 6 } }, { key: annotator })).body.data
      ?.createAnnotationQueue;
    if (created?.__typename !== 'AnnotationQueue') throw new Error(JSON.stringify(created));
    for (let i = 0; i < created.itemCount; i++) {
      const claim = (await t.gql(ClaimAnnotationItemDocument, { queueId: created.id }, { key: annotator })).body.data?.claimAnnotationItem;
      if (claim?.__typename !== 'AnnotationClaim') throw new Error(JSON.stringify(claim));
      const pass = ACTIONABLE.test(claim.interaction?.responseText ?? '');
      await t.gql(SubmitLabelsDocument, { input: { queueId: created.id, interactionId: claim.interactionId, labels: [{ metricId: 'support-bot.actionable', pass }] } }, { key: annotator });
    }
    await t.app.projector.waitFor(await t.app.store.headPosition());
    const report = (await t.gql(AgreementReportDocument, { metricId: 'support-bot.actionable' })).body.data?.agreementReport;
    if (report?.__typename !== 'AgreementReport') throw new Error(JSON.stringify(report));
    expect(report.judgeVsHuman.overall.pairs).toBe(created.itemCount);
    expect(report.judgeVsHuman.overall.percentAgreement).toBe(1);
  });
});
