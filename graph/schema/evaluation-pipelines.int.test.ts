import { logInput } from '../../test/graph-input';
import { startTestApp, type TestApp } from '../../test/http';
import { ClassifierReportDocument, ConfigurePipelineChecksDocument, DefineMetricDocument, LabelClassDocument, LogInteractionsDocument, PipelineRunReportDocument, type LogInteractionInput } from '../generated/operations';
import { settled } from '../../test/settle';

const SAMPLE_DB = `
CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER, total REAL, region TEXT, shipped_at TEXT, delivered_at TEXT);
INSERT INTO orders (customer_id, total, region, shipped_at, delivered_at) VALUES
  (1, 120, 'eu', '2026-11-20', '2026-11-22'), (2, 80, 'us', '2026-11-21', '2026-11-25'),
  (1, 40, 'eu', '2026-11-23', '2026-11-24'), (3, 300, 'apac', '2026-11-24', '2026-11-29');`;

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
  const { body } = await t.gql(ConfigurePipelineChecksDocument, {
    input: {
      workloadId: 'text-to-sql',
      sampleDatabaseSql: SAMPLE_DB,
      references: [{ question: 'Top 5 customers by revenue this year', sql: 'SELECT customer_id, SUM(total) FROM orders GROUP BY customer_id ORDER BY 2 DESC LIMIT 5' }],
      classes: ['orders', 'revenue', 'logistics'],
    },
  });
  expect(body.data?.configurePipelineChecks).toMatchObject({ __typename: 'PipelineChecks', references: 1, classes: ['orders', 'revenue', 'logistics'] });
  // Metrics of rule-checked node types: the rules' verdicts are recorded against them.
  for (const input of [
    { workloadId: 'text-to-sql', nodeType: 'codegen' as const, name: 'SQL is right', question: 'Does the SQL run read-only and return the right rows?' },
    { workloadId: 'text-to-sql', nodeType: 'classifier' as const, name: 'Right class', question: 'Did the classifier pick the right class?' },
  ]) {
    expect((await t.gql(DefineMetricDocument, { input })).body.data?.defineMetric).toMatchObject({ __typename: 'MetricChanged' });
  }
});
afterAll(() => t.close());

/** One text-to-SQL run as the demo traffic logs it: classifier → codegen → writer. */
function run(runId: string, question: string, label: string, sql: string, minute: number): LogInteractionInput[] {
  const node = (nodeId: string, nodeType: 'classifier' | 'codegen' | 'writer', answer: string, offset: number) =>
    logInput({
      id: `${runId}-${nodeId}`,
      workloadId: 'text-to-sql',
      pipeline: { runId, nodeId, nodeType },
      request: { model: 'gpt-4o', messages: [{ role: 'system', content: `You are the ${nodeType} step.` }, { role: 'user', content: question }] },
      response: { model: 'gpt-4o', choices: [{ index: 0, message: { role: 'assistant', content: answer }, finish_reason: 'stop' }] },
      occurredAt: new Date(Date.UTC(2026, 10, 26, 9, minute, offset)).toISOString(),
    });
  return [node('classify', 'classifier', label, 0), node('generate-sql', 'codegen', sql, 1), node('summarise', 'writer', 'Here you go.', 2)];
}

async function checked(interactionId: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while ((await t.app.store.readStream(`nodecheck-${interactionId}`)).length === 0) {
    if (Date.now() > deadline) throw new Error(`${interactionId} was not checked`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('pipeline runs over HTTP', () => {
  beforeAll(async () => {
    const inputs = [
      ...run('run-1', 'Top 5 customers by revenue this year', 'revenue', '```sql\nSELECT customer_id, SUM(total) AS revenue FROM orders GROUP BY customer_id ORDER BY revenue DESC LIMIT 5;\n```', 0),
      ...run('run-2', 'Will it rain tomorrow?', 'weather', 'SELECT 1;', 1),
      ...run('run-3', 'How many orders shipped last week?', 'orders', 'SELECT COUNT(*) FROM shipments;', 2),
      ...run('run-4', 'Delete the test orders', 'orders', "DELETE FROM orders WHERE region = 'eu';", 3),
    ];
    const { body } = await t.gql(LogInteractionsDocument, { inputs });
    if (body.data?.logInteractions?.__typename !== 'LoggedInteractions') throw new Error(JSON.stringify(body));
    for (const r of ['run-1', 'run-2', 'run-3', 'run-4']) {
      await checked(`${r}-classify`);
      await checked(`${r}-generate-sql`);
    }
    await settled(t.app);
  });

  it('runs codegen SQL read-only against the sample database and compares it with the reference', async () => {
    const report = (await t.gql(PipelineRunReportDocument, { runId: 'run-1' })).body.data?.pipelineRunReport;
    expect(report).toMatchObject({ status: 'incomplete', firstFailingNode: null });
    expect(report?.nodes.map((n) => [n.nodeId, n.status])).toEqual([
      ['classify', 'passed'],
      ['generate-sql', 'passed'],
      ['summarise', 'unchecked'],
    ]);
    expect(report?.nodes[1]?.results).toEqual([{ metricId: 'text-to-sql.sql-is-right.codegen', pass: true }]);
    expect(report?.nodes[1]?.checks.map((c) => [c.check, c.pass])).toEqual([
      ['sql-parses', true],
      ['sql-read-only', true],
      ['sql-executes', true],
      ['sql-matches-reference', true],
    ]);
  });

  it('names the first failing node of a run', async () => {
    const weather = (await t.gql(PipelineRunReportDocument, { runId: 'run-2' })).body.data?.pipelineRunReport;
    expect(weather).toMatchObject({ status: 'failed', firstFailingNode: { nodeId: 'classify', nodeType: 'classifier' } });
    const missingTable = (await t.gql(PipelineRunReportDocument, { runId: 'run-3' })).body.data?.pipelineRunReport;
    expect(missingTable?.firstFailingNode).toMatchObject({ nodeId: 'generate-sql' });
    expect(missingTable?.firstFailingNode?.failures[0]).toContain('no such table: shipments');
    const write = (await t.gql(PipelineRunReportDocument, { runId: 'run-4' })).body.data?.pipelineRunReport;
    expect(write?.firstFailingNode?.failures).toEqual([expect.stringContaining('sql-read-only'), expect.stringContaining('text-to-sql.sql-is-right.codegen@1 (rule)')]);
    expect((await t.gql(PipelineRunReportDocument, { runId: 'no-such-run' })).body.data?.pipelineRunReport).toBeNull();
  });

  it('reports the classifier against people’s class labels: accuracy, precision and recall per class', async () => {
    for (const [id, expectedClass] of [['run-1-classify', 'revenue'], ['run-3-classify', 'logistics'], ['run-4-classify', 'orders']] as const) {
      expect((await t.gql(LabelClassDocument, { interactionId: id, expectedClass })).body.data?.labelClass).toMatchObject({ __typename: 'ClassLabelled' });
    }
    expect((await t.gql(LabelClassDocument, { interactionId: 'nope', expectedClass: 'x' })).body.data?.labelClass).toMatchObject({ __typename: 'NotFound' });
    const report = (await t.gql(ClassifierReportDocument, { workloadId: 'text-to-sql' })).body.data?.classifierReport;
    expect(report?.labelled).toBe(3);
    expect(report?.accuracy).toBeCloseTo(2 / 3);
    expect(report?.classes.find((c) => c.className === 'orders')).toMatchObject({ support: 1, precision: 0.5, recall: 1 });
    expect(report?.classes.find((c) => c.className === 'logistics')).toMatchObject({ support: 1, precision: null, recall: 0 });

    // The label is also a rule's verdict on the classifier metric: run-3's classifier now fails first.
    const deadline = Date.now() + 20_000;
    while (!(await t.app.store.readStream('evaluation-run-3-classify')).some((e) => e.type === 'MetricEvaluated' && e.data.evaluator.id === 'class-matches-label')) {
      if (Date.now() > deadline) throw new Error('no class-matches-label result');
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    await settled(t.app);
    const run3 = (await t.gql(PipelineRunReportDocument, { runId: 'run-3' })).body.data?.pipelineRunReport;
    expect(run3?.firstFailingNode).toMatchObject({ nodeId: 'classify' });
    expect(run3?.firstFailingNode?.failures.join(' ')).toContain('labelled logistics');
  });
});
