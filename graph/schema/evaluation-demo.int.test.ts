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
import { settled } from '../../test/settle';

/**
 * The whole evaluation stage on the demo traffic (an HR assistant in three languages, a support
 * chatbot, a text-to-SQL pipeline), with a local OpenAI-compatible server standing in for the judge.
 */
let fake: FakeOpenAi;
let t: TestApp;
const COUNT = 45;
/** The stand-in judge's rule. The annotator starts from it and disagrees on purpose, so agreement is measured, not built in. */
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
  await settled(t.app);
}, 120_000);
afterAll(async () => {
  await t.close();
  await fake.close();
});

async function settledAfter(types: string[], count: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  while ((await t.app.store.readAll({ filter: { eventTypes: types }, maxCount: 1_000 })).events.length < count) {
    if (Date.now() > deadline) throw new Error(`fewer than ${count} ${types.join('/')} events`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await settled(t.app);
}

/** The workload's interactions (a page holds them all at this size); a query error fails the test instead of reading as none. */
async function ids(workloadId: string, nodeType?: 'codegen' | 'writer') {
  const { body } = await t.gql(InteractionsDocument, { filter: { workloadId, ...(nodeType ? { nodeType } : {}) }, first: 100 });
  if (body.errors !== undefined || body.data === undefined || body.data === null) throw new Error(`interactions(${workloadId}): ${JSON.stringify(body)}`);
  const nodes = body.data.interactions.edges.map((e) => e.node);
  expect(nodes.length).toBeGreaterThan(0);
  expect(body.data.interactions.pageInfo.hasNextPage).toBe(false);
  return nodes;
}

describe('evaluation on the demo traffic', () => {
  it('validates every input and flags the Spanish and German HR questions for the fallback route', async () => {
    const hr = await ids('hr-assistant');
    const routes = await Promise.all(
      hr.map(async (i) => {
        const outcome = (await t.gql(InputValidationDocument, { interactionId: i.id })).body.data?.inputValidation;
        if (outcome === null || outcome === undefined) throw new Error(`no input validation for ${i.id}`);
        return { foreign: /[¿ä]/.test(i.prompt ?? ''), route: outcome.route };
      }),
    );
    // Seed 7 draws both languages' questions and English ones; the test means nothing without them.
    const foreign = routes.filter((r) => r.foreign);
    const english = routes.filter((r) => !r.foreign);
    expect(foreign.length).toBeGreaterThan(0);
    expect(english.length).toBeGreaterThan(0);
    expect(foreign.map((r) => r.route)).toEqual(foreign.map(() => 'fallback'));
    expect(english.some((r) => r.route !== 'fallback')).toBe(true);
  });

  it('judges support answers and SQL writer nodes, and draws the timeline', async () => {
    const support = await ids('support-bot');
    const writers = await ids('text-to-sql', 'writer');
    await settledAfter(['MetricEvaluated', 'EvaluationSkipped'], support.length + writers.length);
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
    await settledAfter(['PipelineNodeChecked'], codegen.length * 2);
    for (const node of codegen) {
      const runId = node.pipeline?.runId;
      if (runId === undefined || runId === null) throw new Error(`codegen node ${node.id} has no pipeline run`);
      const report = (await t.gql(PipelineRunReportDocument, { runId })).body.data?.pipelineRunReport;
      if (report === null || report === undefined) throw new Error(`no report for run ${runId}`);
      const sql = report.nodes.find((n) => n.nodeType === 'codegen');
      expect(sql?.checks.find((c) => c.check === 'sql-executes')?.pass).toBe(true);
      // A failed run names its first failing node, and a run that did not fail names none.
      expect(report.firstFailingNode !== null).toBe(report.status === 'failed');
    }
  });

  it('takes human labels on the judged metric and reports judge-vs-human agreement', async () => {
    const annotator = (await issueKey(t, ['annotate'])).key;
    const created = (await t.gql(CreateAnnotationQueueDocument, { input: { workloadId: 'support-bot', name: 'demo', metricIds: ['support-bot.actionable'], stratifyBy: 'model', sampleSize: 6 } }, { key: annotator })).body.data
      ?.createAnnotationQueue;
    if (created?.__typename !== 'AnnotationQueue') throw new Error(JSON.stringify(created));
    expect(created.itemCount).toBeGreaterThanOrEqual(4);
    // The annotator applies the judge's rule but overrules it on every second item.
    let overruled = 0;
    for (let i = 0; i < created.itemCount; i++) {
      const claim = (await t.gql(ClaimAnnotationItemDocument, { queueId: created.id }, { key: annotator })).body.data?.claimAnnotationItem;
      if (claim?.__typename !== 'AnnotationClaim') throw new Error(JSON.stringify(claim));
      const judged = ACTIONABLE.test(claim.interaction?.responseText ?? '');
      const overrule = i % 2 === 1;
      if (overrule) overruled++;
      const submitted = await t.gql(SubmitLabelsDocument, { input: { queueId: created.id, interactionId: claim.interactionId, labels: [{ metricId: 'support-bot.actionable', pass: overrule ? !judged : judged }] } }, { key: annotator });
      expect(JSON.stringify(submitted.body)).not.toContain('"errors"');
    }
    await settled(t.app);
    const report = (await t.gql(AgreementReportDocument, { metricId: 'support-bot.actionable' })).body.data?.agreementReport;
    if (report?.__typename !== 'AgreementReport') throw new Error(JSON.stringify(report));
    const { pairs, percentAgreement, confusion } = report.judgeVsHuman.overall;
    expect(pairs).toBe(created.itemCount);
    expect(percentAgreement).toBeCloseTo((created.itemCount - overruled) / created.itemCount, 10);
    expect(confusion.passFail + confusion.failPass).toBe(overruled);
    expect(confusion.passPass + confusion.failFail).toBe(created.itemCount - overruled);
  });
});
