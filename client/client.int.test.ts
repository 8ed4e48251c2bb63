import OpenAI from 'openai';
import { issueKey } from '../test/api-keys';
import { startTestApp, type TestApp } from '../test/http';
import { FlywheelClient } from './client';
import { interactionOf, wrapOpenAI } from './openai';
import type { FetchLike } from './types';

let t: TestApp;
let fetchApp: FetchLike;
beforeAll(async () => {
  t = await startTestApp();
  fetchApp = async (url, init) => t.app.yoga.fetch(url, init);
});
afterAll(() => t.close());

async function signalsOf(interactionId: string): Promise<string[]> {
  const events = await t.app.store.readStream(`interaction-${interactionId}`);
  return events.flatMap((e) => (e.type === 'SignalRecorded' ? [e.data.type] : []));
}

describe('the SDK against the service', () => {
  it('logs an interaction with an API key, then a browser-style client sends every signal type with its token', async () => {
    const { key } = await issueKey(t, ['ingest']);
    const server = new FlywheelClient({ endpoint: 'http://localhost/graphql', apiKey: key, fetch: fetchApp });
    const logged = await server.logInteraction({
      workloadId: 'sdk',
      request: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Write a haiku about rain.' }] },
      response: { model: 'gpt-4o-mini', choices: [{ message: { role: 'assistant', content: 'Soft rain on tin roofs' } }] },
      latencyMs: 420,
    });
    expect(logged.feedbackToken).toMatch(/\./);

    const browser = new FlywheelClient({ endpoint: 'http://localhost/graphql', fetch: fetchApp, flushIntervalMs: 10 });
    const feedback = browser.feedback(logged.interactionId, logged.feedbackToken);
    feedback.thumbsUp({ dimension: 'tone', comment: 'lovely' });
    feedback.thumbsDown({ dimension: 'speed' });
    feedback.copied(0.5);
    feedback.edited('Soft rain on the roof', 'Soft rain on tin roofs');
    feedback.regenerated();
    feedback.stopped(12);
    feedback.adopted('partial');
    feedback.deleted();
    feedback.followUp(true);
    await browser.close();
    expect((await signalsOf(logged.interactionId)).sort()).toEqual(
      ['adopted', 'copied', 'deleted', 'edited', 'followUp', 'regenerated', 'stopped', 'thumbsDown', 'thumbsUp'].sort(),
    );
  });

  it('reports a signal the token does not allow, and sends the rest', async () => {
    const { key } = await issueKey(t, ['ingest']);
    const server = new FlywheelClient({ endpoint: 'http://localhost/graphql', apiKey: key, fetch: fetchApp });
    const a = await server.logInteraction({ workloadId: 'sdk', request: { model: 'm', messages: [{ role: 'user', content: 'a' }] } });
    const b = await server.logInteraction({ workloadId: 'sdk', request: { model: 'm', messages: [{ role: 'user', content: 'b' }] } });
    const failures: string[] = [];
    const browser = new FlywheelClient({ endpoint: 'http://localhost/graphql', fetch: fetchApp, flushIntervalMs: 10, onError: (f) => failures.push(f.code) });
    browser.feedback(b.interactionId, a.feedbackToken).thumbsUp();
    browser.feedback(a.interactionId, a.feedbackToken).thumbsUp();
    await browser.close();
    expect(failures).toEqual(['FORBIDDEN']);
    expect(await signalsOf(a.interactionId)).toEqual(['thumbsUp']);
    expect(await signalsOf(b.interactionId)).toEqual([]);
  });
});

describe('wrapOpenAI', () => {
  /** The OpenAI API as a fetch: a completion, or a stream of three chunks. */
  const openaiFetch = async (_url: unknown, init?: { body?: unknown }): Promise<Response> => {
    const body: { stream?: boolean } = JSON.parse(String(init?.body ?? '{}'));
    if (!body.stream) {
      return Response.json({
        id: 'chatcmpl-1',
        object: 'chat.completion',
        created: 1,
        model: 'gpt-4o-mini-2024-07-18',
        choices: [{ index: 0, message: { role: 'assistant', content: 'Paris.' }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 9, completion_tokens: 2, total_tokens: 11 },
      });
    }
    const chunk = (content: string) => `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, delta: { content } }] })}\n\n`;
    return new Response(`${chunk('One ')}${chunk('two ')}${chunk('three')}data: [DONE]\n\n`, { headers: { 'content-type': 'text/event-stream' } });
  };

  it('logs every completion with its latency, streams included, and a stream stopped early with a stopped signal', async () => {
    const { key } = await issueKey(t, ['ingest', 'feedback']);
    const flywheel = new FlywheelClient({ endpoint: 'http://localhost/graphql', apiKey: key, fetch: fetchApp, flushIntervalMs: 10 });
    const tokens: string[] = [];
    const openai = wrapOpenAI(new OpenAI({ apiKey: 'sk-test', baseURL: 'http://openai.test/v1', fetch: openaiFetch }), flywheel, {
      workloadId: 'sdk-openai',
      context: () => ({ conversationId: 'sdk-conv' }),
      onLogged: (l) => tokens.push(l.feedbackToken),
    });

    const completion = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Capital of France?' }] });
    expect(completion.choices[0]?.message.content).toBe('Paris.');
    const call = interactionOf(completion);
    const logged = await call?.logged;
    expect(logged?.interactionId).toBe(call?.interactionId);
    const [event] = await t.app.store.readStream(`interaction-${call?.interactionId}`);
    expect(event?.type === 'InteractionLogged' && event.data).toMatchObject({ workloadId: 'sdk-openai', conversationId: 'sdk-conv', model: 'gpt-4o-mini-2024-07-18' });

    const stream = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Count.' }], stream: true });
    const seen: string[] = [];
    for await (const chunk of stream) {
      seen.push(chunk.choices[0]?.delta.content ?? '');
      if (seen.length === 2) break;
    }
    const streamed = await interactionOf(stream)?.logged;
    await flywheel.close();
    const events = await t.app.store.readStream(`interaction-${streamed?.interactionId}`);
    const first = events[0];
    expect(first?.type === 'InteractionLogged' && first.data.response?.choices?.[0]?.message?.content).toBe('One two ');
    expect(events.flatMap((e) => (e.type === 'SignalRecorded' ? [e.data] : []))).toEqual([expect.objectContaining({ type: 'stopped', tokensReceived: 2 })]);
    expect(tokens).toHaveLength(2);
  });
});
