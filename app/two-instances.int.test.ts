import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InteractionDocument, InteractionLoggedDocument, LogInteractionDocument } from '../graph/generated/operations';
import { interactionTopic } from '../projections/interactions';
import { systemContext } from '../services/auth/auth-service';
import { watchBus } from '../test/bus-watch';
import { describeIf } from '../test/describe-if';
import { logInput } from '../test/graph-input';
import { startTestApp, TEST_ADMIN_KEY, type TestApp } from '../test/http';
import { assertNatsReachable, natsRequired, natsSkipReason, natsUrl, runNatsSuites } from '../test/nats-available';
import { subscribeSse, type Fetch } from '../test/sse';
import { settled } from '../test/settle';

/**
 * Scaled out: one instance projects (and so publishes), the others only serve the API; they
 * share the stores (here one data dir) and one NATS. Workload ids are unique per run because
 * other runs may share the NATS server.
 */
describeIf(runNatsSuites, 'two instances on one NATS and one data dir', natsSkipReason, () => {
  if (natsRequired) it('finds the NATS server that REQUIRE_NATS=1 asks for', () => assertNatsReachable());

  let dir: string;
  let a: TestApp;
  let b: TestApp;
  const run = randomUUID().slice(0, 8);
  const on = (t: TestApp): Fetch => async (url, init) => t.app.yoga.fetch(url, init);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'flywheel-two-'));
    a = await startTestApp({ NATS_URL: natsUrl, FLYWHEEL_PROJECTOR: 'on' }, { dataDir: dir });
    b = await startTestApp({ NATS_URL: natsUrl, FLYWHEEL_PROJECTOR: 'off' }, { dataDir: dir });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function log(t: TestApp, id: string, workloadId: string) {
    const { body } = await t.gql(LogInteractionDocument, { input: logInput({ id, workloadId }) });
    const result = body.data?.logInteraction;
    if (result?.__typename !== 'InteractionAccepted') throw new Error(`not accepted: ${JSON.stringify(body)}`);
    return result;
  }

  it('runs the adapters it was configured with: NATS on both, a projector on A only', () => {
    expect(a.app.adapters.kinds.bus).toBe('nats');
    expect(b.app.adapters.kinds.bus).toBe('nats');
    expect(a.app.projector.status().every((s) => s.running)).toBe(true);
    expect(b.app.projector.status().some((s) => s.running)).toBe(false);
  });

  it('given an SSE subscriber on B, when A logs an interaction, then it reaches the subscriber on B', async () => {
    const workloadId = `two-${run}-a`;
    const watch = watchBus(b.app.adapters.bus);
    try {
      const sub = await subscribeSse(on(b), 'http://localhost/graphql', InteractionLoggedDocument, { workloadId }, { key: TEST_ADMIN_KEY });
      await watch.subscribed(interactionTopic(workloadId));
      await log(a, `${workloadId}-other`, `${workloadId}-other`);
      const accepted = await log(a, `${workloadId}-1`, workloadId);
      const result = await sub.next();
      expect(result.errors).toBeUndefined();
      expect(result.data?.interactionLogged).toMatchObject({ id: `${workloadId}-1`, workloadId, position: accepted.position });
      sub.abort();
    } finally {
      watch.restore();
    }
  });

  it('given B serves the API only, when B logs an interaction, then A projects it and B’s subscriber and queries see it', async () => {
    const workloadId = `two-${run}-b`;
    const watch = watchBus(b.app.adapters.bus);
    try {
      const sub = await subscribeSse(on(b), 'http://localhost/graphql', InteractionLoggedDocument, { workloadId }, { key: TEST_ADMIN_KEY });
      await watch.subscribed(interactionTopic(workloadId));
      const accepted = await log(b, `${workloadId}-1`, workloadId);
      const result = await sub.next();
      expect(result.data?.interactionLogged).toMatchObject({ id: `${workloadId}-1`, position: accepted.position });
      const { body } = await b.gql(InteractionDocument, { id: `${workloadId}-1` });
      expect(body.data?.interaction).toMatchObject({ id: `${workloadId}-1`, workload: { id: workloadId, interactionCount: 1 } });
      sub.abort();
    } finally {
      watch.restore();
    }
  });

  it('given B runs no projector, when B issues an API key, then it answers once A has projected it and the key works on B', async () => {
    const started = Date.now();
    const issued = await b.app.auth.issueKey({ name: `two-${run}`, scopes: ['read'], workloadIds: null, expiresAt: null }, systemContext('test'));
    // Without a projector of its own, B must learn of the projection from the shared read store.
    expect(Date.now() - started).toBeLessThan(3_000);
    const { status, body } = await b.gql(InteractionDocument, { id: 'none' }, { key: issued.key });
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
  });

  it('reports on B (no projector) the lag of the shared read models, not of its idle projector', async () => {
    await settled(a.app);
    const response = await b.app.yoga.fetch('http://localhost/ready');
    expect(response.status).toBe(200);
    const ready: { ready: boolean; lag: Record<string, number> } = await response.json();
    expect(ready.ready).toBe(true);
    expect(ready.lag).toEqual(Object.fromEntries(b.app.projector.names().map((name) => [name, 0])));
  });
});
