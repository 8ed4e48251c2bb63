import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InteractionDocument, InteractionLoggedDocument, LogInteractionDocument } from '../graph/generated/operations';
import { silentLogger } from '../lib/logger';
import { logInput } from '../test/graph-input';
import { startTestApp, TEST_ADMIN_KEY, type TestApp } from '../test/http';
import { postGql } from '../test/server-process';
import { subscribeSse } from '../test/sse';
import { startServer, type RunningServer } from './server';
import { settled } from '../test/settle';

/**
 * Graceful shutdown (SIGTERM → server.close()): stop accepting, let what is in flight finish,
 * then stop the app. A client either gets its acknowledgement, and then the interaction is
 * durable, or no answer at all (and retries with the same id); never a 500.
 */
let dir: string;
let t: TestApp | undefined;
let server: RunningServer | undefined;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'flywheel-shutdown-'));
  t = await startTestApp({ FLYWHEEL_RATE_LIMIT: '1000000' }, { dataDir: dir });
  server = await startServer(t.app, { port: 0, host: '127.0.0.1', logger: silentLogger });
});
afterEach(async () => {
  await server?.close(100);
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

type Outcome = { kind: 'acked'; id: string; position: number } | { kind: 'answered'; id: string; status: number; body: string } | { kind: 'no-answer'; id: string };

async function logOne(url: string, id: string): Promise<Outcome> {
  try {
    const { status, body } = await postGql(url, LogInteractionDocument, { input: logInput({ id, workloadId: 'shutdown' }) });
    const result = body.data?.logInteraction;
    if (status === 200 && result?.__typename === 'InteractionAccepted') return { kind: 'acked', id, position: result.position };
    return { kind: 'answered', id, status, body: JSON.stringify(body) };
  } catch {
    return { kind: 'no-answer', id };
  }
}

it('given many logInteraction requests in flight, when the server closes, then each is acknowledged and durable or unanswered, never a 500', async () => {
  if (!server || !t) throw new Error('not started');
  const { url } = server;
  const origin = new URL(url).origin;
  expect((await fetch(`${origin}/health`)).status).toBe(200);
  let received = 0;
  server.server.on('request', () => (received += 1));

  // A first wave being handled when close() is called, and a second wave sent while it closes.
  const firstWave = Array.from({ length: 40 }, (_, i) => logOne(url, `shutdown-a-${i}`));
  while (received < 25) await new Promise((resolve) => setImmediate(resolve));
  expect((await fetch(`${origin}/health`)).status).toBe(200);
  const receivedBeforeClose = received;
  // A grace period the drain fits in even on a loaded runner: this is about correctness, not speed.
  const closing = server.close(20_000);
  const secondWave = Array.from({ length: 20 }, (_, i) => logOne(url, `shutdown-b-${i}`));
  const outcomes = await Promise.all([...firstWave, ...secondWave]);
  await closing;

  const answeredBadly = outcomes.filter((o) => o.kind === 'answered');
  expect(answeredBadly).toEqual([]);
  const acked = outcomes.flatMap((o) => (o.kind === 'acked' ? [o] : []));
  // Every request the server had received when close() came was finished, not cut off (the
  // health checks aside); requests still in the kernel's queue may be refused or reset instead.
  expect(acked.length).toBeGreaterThanOrEqual(receivedBeforeClose - 2);
  // Once closed, the port refuses.
  await expect(fetch(`${origin}/health`)).rejects.toThrow();

  // Reopened on the same data dir: every acknowledged interaction is there, once, where it was acknowledged.
  const reopened = await startTestApp({}, { dataDir: dir });
  try {
    await settled(reopened.app);
    for (const { id, position } of acked) {
      const stream = await reopened.app.store.readStream(`interaction-${id}`);
      expect(stream.map((e) => e.position)).toEqual([position]);
      const { body } = await reopened.gql(InteractionDocument, { id });
      expect(body.data?.interaction?.id).toBe(id);
    }
  } finally {
    await reopened.close();
  }
}, 60_000);

it('does not hold shutdown for the whole grace period while an SSE subscriber is connected', async () => {
  if (!server) throw new Error('not started');
  const subscriber = await subscribeSse(fetch, server.url, InteractionLoggedDocument, { workloadId: 'shutdown' }, { key: TEST_ADMIN_KEY });
  expect(subscriber.status).toBe(200);
  const started = Date.now();
  await server.close(5_000);
  expect(Date.now() - started).toBeLessThan(2_000);
  // The subscriber sees its stream cut (and reconnects elsewhere) instead of hanging.
  const ended = await subscriber.rest(1_000).then(
    () => 'completed',
    (error: unknown) => String(error),
  );
  expect(ended).not.toMatch(/did not complete/);
});
