import { print } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { startServer, type RunningServer } from '../../app/server';
import { silentLogger } from '../../lib/logger';
import { interactionTopic } from '../../projections/interactions';
import { systemContext } from '../../services/auth/auth-service';
import type { Scope } from '../../services/auth/scopes';
import { watchBus, type BusWatch } from '../../test/bus-watch';
import { logInput } from '../../test/graph-input';
import { startTestApp, TEST_ADMIN_KEY, type TestApp } from '../../test/http';
import { subscribeSse, type Fetch } from '../../test/sse';
import { InteractionLoggedDocument, LogInteractionDocument, type InteractionLoggedSubscription } from '../generated/operations';

let t: TestApp;
let bus: BusWatch;
const inProcess: Fetch = async (url, init) => t.app.yoga.fetch(url, init);
const URL_IN_PROCESS = 'http://localhost/graphql';

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());
beforeEach(() => {
  bus = watchBus(t.app.adapters.bus);
});
afterEach(() => bus.restore());

async function issueKey(scopes: Scope[], workloadIds: string[] | null = null): Promise<string> {
  const issued = await t.app.auth.issueKey({ name: `sub-${scopes.join('-')}`, scopes, workloadIds, expiresAt: null }, systemContext('test'));
  return issued.key;
}

async function log(id: string, workloadId: string) {
  const { body } = await t.gql(LogInteractionDocument, { input: logInput({ id, workloadId, conversationId: `conv-${id}` }) });
  const result = body.data?.logInteraction;
  if (result?.__typename !== 'InteractionAccepted') throw new Error(`not accepted: ${JSON.stringify(body)}`);
  return result;
}

function received(result: { data?: InteractionLoggedSubscription | null; errors?: readonly unknown[] }) {
  if (result.errors) throw new Error(`subscription errors: ${JSON.stringify(result.errors)}`);
  const interaction = result.data?.interactionLogged;
  if (!interaction) throw new Error(`no interaction in ${JSON.stringify(result)}`);
  return interaction;
}

describe('interactionLogged over SSE (yoga.fetch, no socket)', () => {
  it('given a subscriber to a workload, when an interaction is logged, then it arrives with its fields; another workload’s does not', async () => {
    const sub = await subscribeSse(inProcess, URL_IN_PROCESS, InteractionLoggedDocument, { workloadId: 'sse-a' }, { key: TEST_ADMIN_KEY });
    expect(sub.status).toBe(200);
    expect(sub.contentType).toMatch(/^text\/event-stream/);
    await bus.subscribed(interactionTopic('sse-a'));

    // The other workload's interaction is projected (and published) first: were it routed to
    // this subscriber, it would be the first event the stream delivers.
    await log('sse-b-1', 'sse-b');
    const accepted = await log('sse-a-1', 'sse-a');

    expect(received(await sub.next())).toEqual({
      id: 'sse-a-1',
      workloadId: 'sse-a',
      clientId: 'web',
      conversationId: 'conv-sse-a-1',
      sessionId: 'sess-1',
      subjectId: 'user-42',
      model: 'gpt-4o-mini-2024-07-18',
      promptVersionId: 'support-v3',
      latencyMs: 812,
      costUsd: 0.000021,
      usage: { promptTokens: 41, completionTokens: 17, totalTokens: 58 },
      pipeline: null,
      tags: ['router', 'wifi'],
      prompt: 'My router keeps dropping Wi-Fi every evening — what can I do?',
      responseText: 'Try channel 1, 6 or 11.',
      finishReason: 'stop',
      occurredAt: expect.any(String),
      recordedAt: expect.any(String),
      position: accepted.position,
    });
    await log('sse-b-2', 'sse-b');
    await expect(sub.next(300)).rejects.toThrow(/no subscription event/);
    sub.abort();
  });

  it('delivers each of several interactions once, in the order they were logged', async () => {
    const sub = await subscribeSse(inProcess, URL_IN_PROCESS, InteractionLoggedDocument, { workloadId: 'sse-order' }, { key: TEST_ADMIN_KEY });
    await bus.subscribed(interactionTopic('sse-order'));
    for (let i = 0; i < 5; i++) await log(`sse-order-${i}`, 'sse-order');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(received(await sub.next()).id);
    expect(ids).toEqual([0, 1, 2, 3, 4].map((i) => `sse-order-${i}`));
    await expect(sub.next(200)).rejects.toThrow(/no subscription event/);
    sub.abort();
  });

  it('refuses a key without the read scope (403 FORBIDDEN) and opens no bus subscription', async () => {
    const key = await issueKey(['ingest']);
    const sub = await subscribeSse(inProcess, URL_IN_PROCESS, InteractionLoggedDocument, { workloadId: 'sse-denied' }, { key });
    expect(sub.status).toBe(403);
    const results = await sub.rest();
    expect(results).toHaveLength(1);
    expect(results[0]?.data ?? null).toBeNull();
    expect(results[0]?.errors?.[0]).toMatchObject({ message: expect.stringMatching(/^forbidden/), extensions: { code: 'FORBIDDEN' } });
    expect(bus.subscriptions(interactionTopic('sse-denied'))).toHaveLength(0);
  });

  it('refuses a read key limited to other workloads, and a request without credentials (401)', async () => {
    const key = await issueKey(['read'], ['someone-else']);
    const forbidden = await subscribeSse(inProcess, URL_IN_PROCESS, InteractionLoggedDocument, { workloadId: 'sse-denied' }, { key });
    expect((await forbidden.rest())[0]?.errors?.[0]).toMatchObject({ extensions: { code: 'FORBIDDEN' } });

    const anonymous = await subscribeSse(inProcess, URL_IN_PROCESS, InteractionLoggedDocument, { workloadId: 'sse-denied' }, { key: null });
    expect(anonymous.status).toBe(401);
    expect((await anonymous.rest())[0]?.errors?.[0]).toMatchObject({
      extensions: { code: 'UNAUTHENTICATED', reason: 'MISSING_CREDENTIALS' },
    });
    expect(bus.subscriptions(interactionTopic('sse-denied'))).toHaveLength(0);
  });

  it('refuses a malformed workloadId as bad input, not as an internal error', async () => {
    for (const workloadId of ['has spaces', '>', 'a.b', 'x'.repeat(65)]) {
      const sub = await subscribeSse(inProcess, URL_IN_PROCESS, InteractionLoggedDocument, { workloadId }, { key: TEST_ADMIN_KEY });
      const results = await sub.rest();
      expect(results[0]?.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
      expect(results[0]?.errors?.[0]?.message).toMatch(/workloadId/);
    }
  });

  it('releases the bus subscription when the client closes the stream, and later traffic still flows to others', async () => {
    const topic = interactionTopic('sse-abort');
    const leaving = await subscribeSse(inProcess, URL_IN_PROCESS, InteractionLoggedDocument, { workloadId: 'sse-abort' }, { key: TEST_ADMIN_KEY });
    await bus.subscribed(topic);
    const [subscription] = bus.subscriptions(topic);
    if (!subscription) throw new Error('no bus subscription');
    expect(await bus.isReleased(subscription, 0)).toBe(false);

    leaving.abort();
    expect(await bus.isReleased(subscription)).toBe(true);

    const staying = await subscribeSse(inProcess, URL_IN_PROCESS, InteractionLoggedDocument, { workloadId: 'sse-abort' }, { key: TEST_ADMIN_KEY });
    await bus.subscribed(topic, 2);
    await log('sse-abort-1', 'sse-abort');
    expect(received(await staying.next()).id).toBe('sse-abort-1');
    staying.abort();
    expect(bus.subscriptions(topic)).toHaveLength(2);
    for (const s of bus.subscriptions(topic)) expect(await bus.isReleased(s)).toBe(true);
  });
});

describe('over a real server', () => {
  let server: RunningServer;
  const clients: Client[] = [];

  beforeAll(async () => {
    server = await startServer(t.app, { port: 0, host: '127.0.0.1', logger: silentLogger });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.dispose()));
  });
  // Stops the app too; the outer afterAll's stop is then a no-op (stop is idempotent).
  afterAll(() => server.close(1_000));

  function wsClient(connectionParams: Record<string, string>): Client {
    const client = createClient({
      url: server.url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams,
      retryAttempts: 0,
    });
    clients.push(client);
    return client;
  }

  async function logOverHttp(id: string, workloadId: string): Promise<void> {
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_ADMIN_KEY}` },
      body: JSON.stringify({ query: print(LogInteractionDocument), variables: { input: logInput({ id, workloadId }) } }),
    });
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toContain('"__typename":"InteractionAccepted"');
  }

  it('graphql-ws: authenticates from connectionParams, delivers a logged interaction, and releases the bus on dispose', async () => {
    const topic = interactionTopic('ws-a');
    const client = wsClient({ authorization: `Bearer ${TEST_ADMIN_KEY}` });
    const iterator = client.iterate({ query: print(InteractionLoggedDocument), variables: { workloadId: 'ws-a' } });
    const first = iterator.next();
    await bus.subscribed(topic);

    await logOverHttp('ws-b-1', 'ws-b');
    await logOverHttp('ws-a-1', 'ws-a');
    const result = await first;
    expect(result.done).toBe(false);
    expect(result.value).toMatchObject({ data: { interactionLogged: { id: 'ws-a-1', workloadId: 'ws-a', model: 'gpt-4o-mini-2024-07-18' } } });
    expect(result.value?.errors).toBeUndefined();

    await iterator.return?.();
    const [subscription] = bus.subscriptions(topic);
    if (!subscription) throw new Error('no bus subscription');
    expect(await bus.isReleased(subscription)).toBe(true);
  });

  it('graphql-ws: refuses a subscription without credentials with UNAUTHENTICATED, and one without read with FORBIDDEN', async () => {
    const anonymous = wsClient({}).iterate({ query: print(InteractionLoggedDocument), variables: { workloadId: 'ws-denied' } });
    const refused = await anonymous.next();
    expect(refused.value?.errors?.[0]).toMatchObject({
      message: expect.stringMatching(/^not authenticated/),
      extensions: { code: 'UNAUTHENTICATED', reason: 'MISSING_CREDENTIALS' },
    });
    expect((await anonymous.next()).done).toBe(true);

    const key = await issueKey(['ingest']);
    const ingestOnly = wsClient({ authorization: `Bearer ${key}` }).iterate({
      query: print(InteractionLoggedDocument),
      variables: { workloadId: 'ws-denied' },
    });
    expect((await ingestOnly.next()).value?.errors?.[0]).toMatchObject({ extensions: { code: 'FORBIDDEN' } });
    expect((await ingestOnly.next()).done).toBe(true);
    expect(bus.subscriptions(interactionTopic('ws-denied'))).toHaveLength(0);
  });

  it('SSE over the socket: a client that disconnects releases its bus subscription', async () => {
    const topic = interactionTopic('sse-socket');
    const sub = await subscribeSse(fetch, server.url, InteractionLoggedDocument, { workloadId: 'sse-socket' }, { key: TEST_ADMIN_KEY });
    expect(sub.status).toBe(200);
    await bus.subscribed(topic);
    await logOverHttp('sse-socket-1', 'sse-socket');
    expect(received(await sub.next()).id).toBe('sse-socket-1');

    sub.abort();
    const [subscription] = bus.subscriptions(topic);
    if (!subscription) throw new Error('no bus subscription');
    expect(await bus.isReleased(subscription, 3_000)).toBe(true);
  });
});
