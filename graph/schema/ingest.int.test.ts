import {
  InteractionDocument,
  InteractionsDocument,
  LogInteractionDocument,
  LogInteractionsDocument,
  WorkloadsDocument,
  type LogInteractionInput,
} from '../generated/operations';
import { CountingReadStore } from '../../test/counting-read-store';
import { chatInteraction } from '../../test/fixtures';
import { startTestApp, type TestApp } from '../../test/http';
import { settled } from '../../test/settle';

function input(overrides: Partial<LogInteractionInput> = {}): LogInteractionInput {
  const base = chatInteraction();
  return { ...base, clientId: base.clientId ?? null, ...overrides } as LogInteractionInput;
}

let t: TestApp;
let counting: CountingReadStore | null = null;

beforeAll(async () => {
  t = await startTestApp({}, { decorateReadStore: (rs) => (counting = new CountingReadStore(rs)) });
});
afterAll(() => t.close());

async function log(overrides: Partial<LogInteractionInput> = {}) {
  const { status, body } = await t.gql(LogInteractionDocument, { input: input(overrides) });
  expect(status).toBe(200);
  const result = body.data?.logInteraction;
  if (result?.__typename !== 'InteractionAccepted') throw new Error(`not accepted: ${JSON.stringify(body)}`);
  return result;
}

describe('logInteraction over HTTP', () => {
  it('accepts an OpenAI request/response pair and answers with its position and a feedback token', async () => {
    const accepted = await log({ id: 'http-1' });
    expect(accepted).toMatchObject({ interactionId: 'http-1', workloadId: 'support-bot' });
    expect(accepted.feedbackToken).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(Date.parse(accepted.feedbackTokenExpiresAt)).toBeGreaterThan(Date.now());

    await t.app.projector.waitFor(accepted.position);
    const { body } = await t.gql(InteractionDocument, { id: 'http-1' });
    expect(body.data?.interaction).toMatchObject({
      id: 'http-1',
      model: 'gpt-4o-mini-2024-07-18',
      prompt: 'My router keeps dropping Wi-Fi every evening — what can I do? 📶',
      responseText: 'Try moving to channel 1, 6 or 11 and updating the firmware.',
      usage: { promptTokens: 41, completionTokens: 17, totalTokens: 58 },
      latencyMs: 812,
      tags: ['router', 'wifi'],
      workload: { id: 'support-bot' },
    });
  });

  it('makes a retry with the same id and content a no-op, and refuses other content under that id', async () => {
    const first = await log({ id: 'retry-1' });
    const again = await log({ id: 'retry-1' });
    expect(again.position).toBe(first.position);
    expect(await t.app.store.readStream('interaction-retry-1')).toHaveLength(1);

    const { body } = await t.gql(LogInteractionDocument, { input: input({ id: 'retry-1', latencyMs: 1 }) });
    expect(body.data?.logInteraction).toMatchObject({ __typename: 'InteractionIdConflict', code: 'INTERACTION_ID_CONFLICT' });
    expect(await t.app.store.readStream('interaction-retry-1')).toHaveLength(1);
  });

  it('answers invalid input with InputInvalid naming each field, and appends nothing', async () => {
    const head = await settled(t.app);
    const { status, body } = await t.gql(LogInteractionDocument, {
      input: input({ workloadId: 'has spaces', request: { model: 'm', messages: [] } }),
    });
    expect(status).toBe(200);
    const result = body.data?.logInteraction;
    expect(result?.__typename).toBe('InputInvalid');
    if (result?.__typename === 'InputInvalid') {
      expect(result.issues.map((i) => i.path).sort()).toEqual(['request.messages', 'workloadId']);
    }
    expect(await t.app.store.headPosition()).toBe(head);
  });
});

describe('logInteractions over HTTP', () => {
  it('answers each item on its own: the good ones are accepted even when others are refused', async () => {
    const { body } = await t.gql(LogInteractionsDocument, {
      inputs: [input({ id: 'batch-1' }), input({ id: 'batch-2', latencyMs: -5 }), input({ id: 'batch-3' })],
    });
    const result = body.data?.logInteractions;
    if (result?.__typename !== 'LoggedInteractions') throw new Error(JSON.stringify(body));
    expect(result.accepted).toBe(2);
    expect(result.rejected).toBe(1);
    expect(result.items.map((i) => i.__typename)).toEqual(['InteractionAccepted', 'InputInvalid', 'InteractionAccepted']);
    const refused = result.items[1];
    if (refused?.__typename !== 'InputInvalid') throw new Error(JSON.stringify(refused));
    expect(refused.issues[0]?.path).toBe('inputs.1.latencyMs');
    expect(await t.app.store.readStream('interaction-batch-2')).toHaveLength(0);
    expect(await t.app.store.readStream('interaction-batch-3')).toHaveLength(1);
  });

  it('refuses a batch over 1,000 items with BatchTooLarge and appends nothing', async () => {
    const head = await settled(t.app);
    const one = input();
    const { body } = await t.gql(LogInteractionsDocument, { inputs: Array.from({ length: 1001 }, () => one) });
    expect(body.data?.logInteractions).toMatchObject({ __typename: 'BatchTooLarge', code: 'BATCH_TOO_LARGE' });
    expect(await t.app.store.headPosition()).toBe(head);
  });
});

describe('interactions queries over HTTP', () => {
  beforeAll(async () => {
    const inputs = Array.from({ length: 150 }, (_, i) =>
      input({
        id: `page-${String(i).padStart(3, '0')}`,
        workloadId: i % 3 === 0 ? 'text-to-sql' : 'paging',
        conversationId: `conv-${i % 10}`,
        occurredAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
      }),
    );
    const { body } = await t.gql(LogInteractionsDocument, { inputs });
    const result = body.data?.logInteractions;
    if (result?.__typename !== 'LoggedInteractions') throw new Error(JSON.stringify(body));
    await settled(t.app);
  });

  const page = (after: string | null) => t.gql(InteractionsDocument, { filter: { workloadId: 'paging' }, first: 30, after });

  it('pages newest first through a filtered connection, visiting each interaction once', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let guard = 0; guard < 10; guard++) {
      const response: Awaited<ReturnType<typeof page>> = await page(after);
      const connection = response.body.data?.interactions;
      if (!connection) throw new Error(JSON.stringify(response.body));
      seen.push(...connection.edges.map((e) => e.node.id));
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    expect(seen).toHaveLength(100);
    expect(new Set(seen).size).toBe(100);
    const expected = Array.from({ length: 150 }, (_, i) => i).filter((i) => i % 3 !== 0).reverse();
    expect(seen).toEqual(expected.map((i) => `page-${String(i).padStart(3, '0')}`));
  });

  it('filters by time range', async () => {
    const { body } = await t.gql(InteractionsDocument, {
      filter: { workloadId: 'text-to-sql', from: '2026-01-01T00:00:30.000Z', to: '2026-01-01T00:01:00.000Z' },
      first: 100,
      after: null,
    });
    expect(body.data?.interactions.edges.map((e) => e.node.id)).toEqual(
      ['057', '054', '051', '048', '045', '042', '039', '036', '033', '030'].map((n) => `page-${n}`),
    );
  });

  it('serves a page of 100 with nested workload and conversation in a constant number of read-store calls', async () => {
    if (!counting) throw new Error('no counting store');
    counting.reset();
    const small = await t.gql(InteractionsDocument, { filter: null, first: 5, after: null });
    expect(small.body.errors).toBeUndefined();
    const callsForFive = counting.calls;
    counting.reset();
    const { body } = await t.gql(InteractionsDocument, { filter: null, first: 100, after: null });
    expect(body.errors).toBeUndefined();
    expect(body.data?.interactions.edges).toHaveLength(100);
    expect(body.data?.interactions.edges[0]?.node.conversation.length).toBeGreaterThan(1);
    expect(counting.calls).toBe(callsForFive);
    expect(counting.calls).toBeLessThanOrEqual(3);
  });

  it('lists workloads with their counts', async () => {
    const { body } = await t.gql(WorkloadsDocument, {});
    const byId = new Map((body.data?.workloads ?? []).map((w) => [w.id, w]));
    expect(byId.get('paging')?.interactionCount).toBe(100);
    expect(byId.get('text-to-sql')?.interactionCount).toBe(50);
  });

  it('rejects backward paging and a forged cursor with a clear error', async () => {
    const bad = await t.gql(InteractionsDocument, { filter: null, first: 10, after: 'not-a-cursor' });
    expect(bad.body.errors?.[0]?.message).toBe('invalid cursor in after');
    expect(bad.body.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
  });
});
