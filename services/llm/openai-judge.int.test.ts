import OpenAI from 'openai';
import { JudgeUnavailable, Semaphore, costOf, modelFamily } from './judge-llm';
import { OpenAiJudge } from './openai-judge';
import { startFakeOpenAi, type FakeOpenAi } from './testing/fake-openai-server';

let fake: FakeOpenAi;
let reply: string | { pass: boolean; rationale: string } = { pass: true, rationale: 'cites the manual' };
beforeAll(async () => {
  fake = await startFakeOpenAi(() => reply);
});
afterAll(() => fake.close());

function judge(maxAttempts = 3): OpenAiJudge {
  const client = new OpenAI({ apiKey: 'test', baseURL: fake.baseUrl, maxRetries: 0 });
  return new OpenAiJudge({ client, maxAttempts, baseDelayMs: 1, concurrency: 2 });
}
const request = { model: 'gpt-4.1-nano', system: 'judge', user: 'Question: cites?' };

describe('OpenAiJudge against a local OpenAI-compatible server', () => {
  it('asks for structured output and returns the verdict with its usage', async () => {
    reply = { pass: true, rationale: 'cites the manual' };
    const verdict = await judge().judge(request);
    expect(verdict).toMatchObject({ pass: true, rationale: 'cites the manual', model: 'gpt-4.1-nano', usage: { promptTokens: 100, completionTokens: 20 }, attempts: 1 });
    expect(fake.requests.at(-1)?.responseFormat).toMatchObject({ type: 'json_schema', json_schema: { name: 'verdict', strict: true } });
    expect(costOf('gpt-4.1-nano', verdict.usage)).toBeCloseTo(0.000018, 9);
  });

  it('retries server errors with back-off and gives up with JudgeUnavailable after its last try', async () => {
    fake.failNext(2, 503);
    expect(await judge(3).judge(request)).toMatchObject({ pass: true, attempts: 3 });
    fake.failNext(3, 500);
    await expect(judge(3).judge(request)).rejects.toBeInstanceOf(JudgeUnavailable);
    fake.failNext(0);
  });

  it('treats an answer outside the schema as a failure, never as a verdict', async () => {
    reply = 'I think it passes';
    await expect(judge(2).judge(request)).rejects.toThrow(/outside the verdict schema/);
    reply = { pass: true, rationale: 'ok' };
  });

  it('does not retry a request the endpoint refuses (400)', async () => {
    fake.failNext(1, 400);
    const before = fake.requests.length;
    await expect(judge(3).judge(request)).rejects.toMatchObject({ attempts: 1 });
    expect(fake.requests.length - before).toBe(1);
  });
});

describe('judge helpers', () => {
  it('keeps at most `limit` tasks in flight', async () => {
    const semaphore = new Semaphore(2);
    let peak = 0;
    await Promise.all(
      Array.from({ length: 6 }, () =>
        semaphore.run(async () => {
          peak = Math.max(peak, semaphore.inFlight);
          await new Promise((r) => setTimeout(r, 5));
        }),
      ),
    );
    expect(peak).toBe(2);
  });

  it('compares models by family', () => {
    expect(modelFamily('gpt-4o-mini-2024-07-18')).toBe('gpt-4o-mini');
    expect(modelFamily('openai/gpt-4o')).toBe('gpt-4o');
    expect(modelFamily('gpt-4o')).not.toBe(modelFamily('gpt-4o-mini'));
    expect(costOf('some-local-model', { promptTokens: 1, completionTokens: 1 })).toBeNull();
  });
});
