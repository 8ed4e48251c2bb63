import { logInput } from '../../test/graph-input';
import { startTestApp, type TestApp } from '../../test/http';
import { startFakeOpenAi, type FakeOpenAi } from '../../services/llm/testing/fake-openai-server';
import { DefineMetricDocument, JudgeStatusDocument, LogInteractionDocument, MetricResultsDocument, SetJudgeSamplingDocument } from '../generated/operations';
import { settled } from '../../test/settle';

let fake: FakeOpenAi;
let t: TestApp;
beforeAll(async () => {
  // The stand-in judge passes answers that name a channel, fails the rest.
  fake = await startFakeOpenAi((prompt) =>
    /channel/i.test(prompt.split('Answer to evaluate:')[1] ?? '') ? { pass: true, rationale: 'names the channels to use' } : { pass: false, rationale: 'no concrete step' },
  );
  t = await startTestApp({ OPENAI_BASE_URL: fake.baseUrl, OPENAI_API_KEY: 'test-key', FLYWHEEL_JUDGE_MODEL: 'gpt-4.1-nano' });
  for (const input of [
    { workloadId: 'support-bot', name: 'Actionable', question: 'Does the answer give a concrete step?' },
    // Its judge is the answering model's own family: refused, and recorded as such.
    { workloadId: 'support-bot', name: 'Kind', question: 'Is the answer kind?', judgeModel: 'gpt-4o-mini' },
  ]) {
    expect((await t.gql(DefineMetricDocument, { input })).body.data?.defineMetric).toMatchObject({ __typename: 'MetricChanged' });
  }
  expect((await t.gql(SetJudgeSamplingDocument, { input: { workloadId: 'support-bot', rate: 1 } })).body.data?.setJudgeSampling).toMatchObject({
    __typename: 'JudgeSamplingSet',
  });
});
afterAll(async () => {
  await t.close();
  await fake.close();
});

async function eventsOf(stream: string, count: number, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const events = await t.app.store.readStream(stream);
    if (events.length >= count || Date.now() > deadline) return events;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('the LLM judge against a local OpenAI-compatible server', () => {
  it('judges a sampled interaction on each metric, retrying a failed call, and refuses to judge a model with itself', async () => {
    fake.failNext(1, 503);
    const { body } = await t.gql(LogInteractionDocument, { input: logInput({ id: 'judged-1', workloadId: 'support-bot' }) });
    expect(body.data?.logInteraction?.__typename).toBe('InteractionAccepted');
    const events = await eventsOf('evaluation-judged-1', 2);
    expect(events.map((e) => e.type).sort()).toEqual(['EvaluationSkipped', 'MetricEvaluated']);
    expect(events.find((e) => e.type === 'EvaluationSkipped')?.data).toMatchObject({ reason: 'SAME_MODEL', metricId: 'support-bot.kind' });

    await settled(t.app);
    const results = (await t.gql(MetricResultsDocument, { interactionId: 'judged-1' })).body.data?.metricResults;
    expect(results).toEqual([
      expect.objectContaining({
        metricId: 'support-bot.actionable',
        metricVersion: 1,
        pass: true,
        rationale: 'names the channels to use',
        evaluator: { kind: 'judge', id: 'gpt-4.1-nano', version: 'judge-prompt-v1' },
      }),
    ]);
    expect(results?.[0]?.costUsd).toBeCloseTo(0.000018, 9);
    const sent = fake.requests.at(-1);
    expect(sent).toMatchObject({ model: 'gpt-4.1-nano', responseFormat: { type: 'json_schema' } });
    expect(sent?.messages[1]?.content).toContain('Does the answer give a concrete step?');

    const status = (await t.gql(JudgeStatusDocument, {})).body.data?.judgeStatus;
    expect(status).toMatchObject({ configured: true, reason: null, defaultModel: 'gpt-4.1-nano', calls: 1, retried: 1, skippedSameModel: 1 });
    expect(status?.costUsd).toBeCloseTo(0.000018, 9);
  });

  it('leaves interactions of unsampled workloads alone', async () => {
    const before = fake.requests.length;
    await t.gql(LogInteractionDocument, { input: logInput({ id: 'unsampled-1', workloadId: 'hr-assistant' }) });
    await eventsOf('validation-unsampled-1', 1);
    expect(fake.requests.length).toBe(before);
    expect(await t.app.store.readStream('evaluation-unsampled-1')).toHaveLength(0);
  });
});

describe('without an endpoint', () => {
  it('does nothing and says so', async () => {
    const offline = await startTestApp();
    try {
      const status = (await offline.gql(JudgeStatusDocument, {})).body.data?.judgeStatus;
      expect(status).toMatchObject({ configured: false, calls: 0, endpoint: null });
      expect(status?.reason).toMatch(/no OpenAI-compatible endpoint/);
    } finally {
      await offline.close();
    }
  });
});
