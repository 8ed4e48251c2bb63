import { FlywheelClient } from './client';
import type { FetchLike } from './types';

interface Call {
  readonly authorization: string;
  readonly inputs: { signalId: string; interactionId: string; type: string }[];
}

/** A fake API: records each recordSignals request and answers with `respond`. */
function fakeApi(respond: (call: Call, n: number) => { status: number; body: unknown } | 'network-error') {
  const calls: Call[] = [];
  const fetch: FetchLike = async (_url, init) => {
    const parsed: { variables: { inputs: Call['inputs'] } } = JSON.parse(init.body);
    const call = { authorization: init.headers['authorization'] ?? '', inputs: parsed.variables.inputs };
    calls.push(call);
    const answer = respond(call, calls.length);
    if (answer === 'network-error') throw new TypeError('fetch failed');
    return { ok: answer.status < 400, status: answer.status, text: async () => JSON.stringify(answer.body) };
  };
  return { calls, fetch };
}

const accepted = (call: Call) => ({
  status: 200,
  body: { data: { recordSignals: { __typename: 'RecordedSignals', items: call.inputs.map((i) => ({ __typename: 'SignalAccepted', signalId: i.signalId })) } } },
});

function client(fetch: FetchLike, extra: Partial<ConstructorParameters<typeof FlywheelClient>[0]> = {}) {
  return new FlywheelClient({ endpoint: 'http://flywheel.test/graphql', fetch, flushIntervalMs: 5, retryBaseMs: 5, ...extra });
}

describe('the signal queue', () => {
  it('batches signals, one request per feedback token, up to maxBatch each', async () => {
    const api = fakeApi(accepted);
    const c = client(api.fetch, { maxBatch: 3 });
    const a = c.feedback('i-a', 'token-a');
    const b = c.feedback('i-b', 'token-b');
    for (let i = 0; i < 4; i++) a.copied(0.5);
    b.thumbsUp({ dimension: 'tone' });
    await c.close();
    expect(api.calls.map((call) => [call.authorization, call.inputs.length]).sort()).toEqual([
      ['Bearer token-a', 1],
      ['Bearer token-a', 3],
      ['Bearer token-b', 1],
    ]);
    expect(api.calls.flatMap((call) => call.inputs).find((i) => i.interactionId === 'i-b')).toMatchObject({ type: 'thumbsUp', dimension: 'tone' });
  });

  it('retries a failed request with the same signal ids until it goes through', async () => {
    const api = fakeApi((call, n) => (n === 1 ? 'network-error' : n === 2 ? { status: 503, body: {} } : accepted(call)));
    const c = client(api.fetch);
    const id = c.feedback('i-1', 'tok').thumbsDown();
    await c.close();
    expect(api.calls).toHaveLength(3);
    expect(api.calls.map((call) => call.inputs[0]?.signalId)).toEqual([id, id, id]);
    expect(c.queue.size).toBe(0);
  });

  it('reports refusals a retry cannot fix, and gives up after maxAttempts', async () => {
    const failures: string[] = [];
    const refusing = fakeApi((call) => ({
      status: 200,
      body: { data: { recordSignals: { __typename: 'RecordedSignals', items: call.inputs.map(() => ({ __typename: 'Forbidden', code: 'FORBIDDEN', message: 'no' })) } } },
    }));
    const c1 = client(refusing.fetch, { onError: (f) => failures.push(f.code) });
    c1.feedback('i-1', 'tok').deleted();
    await c1.close();
    const expired = fakeApi(() => ({ status: 401, body: { errors: [{ message: 'expired', extensions: { code: 'UNAUTHENTICATED' } }] } }));
    const c2 = client(expired.fetch, { onError: (f) => failures.push(f.code) });
    c2.feedback('i-1', 'tok').deleted();
    await c2.close();
    const down = fakeApi(() => ({ status: 502, body: {} }));
    const c3 = client(down.fetch, { maxAttempts: 3, onError: (f) => failures.push(f.code) });
    c3.feedback('i-1', 'tok').deleted();
    await c3.close();
    expect(failures).toEqual(['FORBIDDEN', 'UNAUTHENTICATED', 'HTTP_502']);
    expect([refusing.calls.length, expired.calls.length, down.calls.length]).toEqual([1, 1, 3]);
  });

  it('hands token signals to sendBeacon when the page goes away, and keeps API-key signals queued', () => {
    const beacons: { url: string; body: string }[] = [];
    const api = fakeApi(accepted);
    const sendBeacon = (url: string, body: string) => beacons.push({ url, body }) > 0;
    const c = client(api.fetch, { flushIntervalMs: 60_000, apiKey: 'fw_key', sendBeacon });
    c.feedback('i-1', 'tok-1').copied(1);
    c.feedback('i-2', 'tok-2').stopped(12);
    c.feedback('i-3').thumbsUp();
    expect(c.flushBeacon()).toBe(2);
    expect(beacons).toHaveLength(1);
    expect(beacons[0]?.url).toBe('http://flywheel.test/feedback/beacon');
    const sent: { signals: { token: string; interactionId: string; type: string }[] } = JSON.parse(beacons[0]?.body ?? '{}');
    expect(sent.signals.map((s) => [s.token, s.interactionId, s.type])).toEqual([
      ['tok-1', 'i-1', 'copied'],
      ['tok-2', 'i-2', 'stopped'],
    ]);
    expect(c.queue.size).toBe(1);
    c.queue.close();
  });
});
