import { mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { catalogue } from '../../events/catalogue';
import { CataloguedEventStore } from '../../events/catalogued-event-store';
import { SqliteEventStore } from '../../events/sqlite/sqlite-event-store';
import { silentLogger } from '../../lib/logger';
import { apiKeysProjection } from '../../projections/api-keys';
import { SqliteReadStore } from '../../projections/embedded/sqlite-read-store';
import { Projector } from '../../projections/projector';
import { InProcessBus } from '../bus/in-process-bus';
import { publisherOn } from '../bus/bus';
import { InputInvalid } from '../errors';
import { AuthService, type AuthServiceDeps } from './auth-service';
import { BOOTSTRAP_MARKER_FILE, bootstrapAdminKey } from './bootstrap';
import { ApiKeyAlreadyRevoked, ApiKeyNotFound, Forbidden, TokenForged, Unauthenticated, type UnauthenticatedReason } from './errors';
import { requireFeedbackAccess, requireScope } from './principal';

const admin = { actor: 'key:admin', correlationId: 'corr-test' };
const feedbackTokenSecret = Buffer.alloc(32, 3);

/** One process's worth of real embedded adapters on a data dir, with a clock the test moves. */
async function openStack(dataDir: string) {
  const raw = await SqliteEventStore.open({ path: join(dataDir, 'events.db') });
  const store = new CataloguedEventStore(raw, catalogue);
  const readStore = SqliteReadStore.open({ path: join(dataDir, 'read.db') });
  const bus = new InProcessBus();
  const projector = new Projector({ store: raw, readStore, publish: publisherOn(bus), parser: catalogue, projections: [apiKeysProjection], logger: silentLogger });
  await projector.start();
  const clock = { now: new Date('2026-11-26T10:00:00.000Z') };
  const services: AuthService[] = [];
  const service = (overrides: Partial<AuthServiceDeps> = {}) => {
    const auth = new AuthService({ store, readStore, bus, feedbackTokenSecret, now: () => clock.now, ...overrides });
    services.push(auth);
    return auth;
  };
  return {
    store,
    readStore,
    bus,
    projector,
    clock,
    service,
    /** A service that answers issue and revoke once the read model has them (as app/ wires it). */
    synced: (overrides: Partial<AuthServiceDeps> = {}) => service({ waitForProjection: (p) => projector.waitFor(p), ...overrides }),
    advance(ms: number) {
      clock.now = new Date(clock.now.getTime() + ms);
    },
    async close() {
      for (const s of services) await s.close();
      await projector.stop();
      await bus.close();
      await readStore.close();
      await store.close();
    },
  };
}

async function refusal(run: () => Promise<unknown>): Promise<UnauthenticatedReason> {
  try {
    await run();
  } catch (error) {
    if (error instanceof Unauthenticated) return error.reason;
    throw error;
  }
  throw new Error('expected Unauthenticated');
}

/** Retries until `check` passes: for effects that travel over the bus after a commit. */
async function eventually(check: () => Promise<void>, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

describe('AuthService (SQLite event store, embedded read store, projector)', () => {
  let dir: string;
  let stack: Awaited<ReturnType<typeof openStack>>;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'flywheel-auth-'));
    stack = await openStack(dir);
  });

  afterEach(async () => {
    await stack.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('issues a key that authenticates with its scopes and workloads, with or without "Bearer "', async () => {
    const auth = stack.synced();
    const issued = await auth.issueKey({ name: 'web ingest', scopes: ['ingest', 'feedback', 'ingest'], workloadIds: ['support-bot'] }, admin);
    expect(issued).toMatchObject({ name: 'web ingest', scopes: ['ingest', 'feedback'], workloadIds: ['support-bot'], expiresAt: null });
    expect(issued.key).toMatch(/^fw_[a-z0-9]{16}_[A-Za-z0-9_-]{43}$/);
    expect(issued.prefix).toBe(issued.key.slice(0, 11));

    const expected = { kind: 'key', keyId: issued.keyId, scopes: ['ingest', 'feedback'], workloadIds: ['support-bot'] };
    expect(await auth.authenticate(issued.key)).toEqual(expected);
    expect(await auth.authenticate(`Bearer ${issued.key}`)).toEqual(expected);
    expect(await auth.authenticate(`bearer   ${issued.key} `)).toEqual(expected);
  });

  it('never stores or lists the secret, and lists without the hash', async () => {
    const auth = stack.synced();
    const issued = await auth.issueKey({ name: 'reader', scopes: ['read'] }, admin);
    const [event] = await stack.store.readStream(`apikey-${issued.keyId}`);
    const secret = issued.key.split('_').slice(2).join('_');
    expect(JSON.stringify(event)).not.toContain(secret);

    const { keys } = await auth.listKeys();
    expect(keys).toEqual([
      {
        keyId: issued.keyId,
        name: 'reader',
        prefix: issued.prefix,
        scopes: ['read'],
        workloadIds: null,
        issuedAt: '2026-11-26T10:00:00.000Z',
        issuedBy: 'key:admin',
        expiresAt: null,
        revokedAt: null,
        revokedBy: null,
        revokeReason: null,
        status: 'active',
      },
    ]);
    expect(JSON.stringify(keys)).not.toContain('keyHash');
  });

  it('refuses missing, malformed, unknown and wrong-secret credentials, each with its reason', async () => {
    const auth = stack.synced();
    const { key, keyId } = await auth.issueKey({ name: 'k', scopes: ['read'] }, admin);
    const secret = key.slice(`fw_${keyId}_`.length);
    const wrong = `fw_${keyId}_${secret.startsWith('A') ? 'B' : 'A'}${secret.slice(1)}`;

    expect(await refusal(() => auth.authenticate(undefined))).toBe<UnauthenticatedReason>('MISSING');
    expect(await refusal(() => auth.authenticate('Bearer '))).toBe<UnauthenticatedReason>('MISSING');
    expect(await refusal(() => auth.authenticate('sk-not-ours'))).toBe<UnauthenticatedReason>('MALFORMED');
    expect(await refusal(() => auth.authenticate(`fw_zzzzzzzzzzzzzzzz_${secret}`))).toBe<UnauthenticatedReason>('UNKNOWN_KEY');
    expect(await refusal(() => auth.authenticate(wrong))).toBe<UnauthenticatedReason>('UNKNOWN_KEY');
    // The right key still works after the wrong one was tried (nothing poisoned the cache).
    expect(await auth.authenticate(key)).toMatchObject({ keyId });
  });

  it('reads keys from the read model: a key is unknown until projected, and that answer is not cached', async () => {
    await stack.projector.stop();
    const auth = stack.service();
    const { key, keyId, position } = await auth.issueKey({ name: 'k', scopes: ['read'] }, admin);
    expect(await refusal(() => auth.authenticate(key))).toBe('UNKNOWN_KEY');
    await stack.projector.start();
    await stack.projector.waitFor(position);
    expect(await auth.authenticate(key)).toMatchObject({ keyId });
  });

  it('revocation takes effect at once in this process, even while the key is cached and the read model lags', async () => {
    const auth = stack.service(); // no waitForProjection: nothing here waits for the read model
    const { key, keyId, position } = await auth.issueKey({ name: 'k', scopes: ['ingest'] }, admin);
    await stack.projector.waitFor(position);
    expect(await auth.authenticate(key)).toMatchObject({ keyId }); // now cached
    await stack.projector.stop(); // the read model will not hear of the revocation

    await auth.revokeKey(keyId, 'leaked', admin);
    expect(await refusal(() => auth.authenticate(key))).toBe('REVOKED');
    stack.advance(60_000); // past the cache TTL: the lagging read model is read again, and still refused
    expect(await refusal(() => auth.authenticate(key))).toBe('REVOKED');
    expect((await auth.getKey(keyId))?.status).toBe('revoked');
  });

  it('revocation by another instance reaches this one over apikey.revoked, long before the cache expires', async () => {
    const here = stack.synced();
    const elsewhere = stack.synced();
    const { key, keyId } = await here.issueKey({ name: 'k', scopes: ['ingest'] }, admin);
    await here.authenticate(key); // cached here for 5 s
    await elsewhere.revokeKey(keyId, 'rotated', admin);
    await eventually(async () => expect(await refusal(() => here.authenticate(key))).toBe('REVOKED'));
  });

  it('without the bus, another instance’s revocation is seen once the 5 s cache entry expires', async () => {
    const here = stack.synced({ bus: undefined });
    const elsewhere = stack.synced();
    const { key, keyId } = await here.issueKey({ name: 'k', scopes: ['ingest'] }, admin);
    await here.authenticate(key);
    await elsewhere.revokeKey(keyId, null, admin);
    expect(await here.authenticate(key)).toMatchObject({ keyId }); // stale, within the TTL
    stack.advance(5_000);
    expect(await refusal(() => here.authenticate(key))).toBe('REVOKED');
  });

  it('refuses to revoke an unknown key or one already revoked', async () => {
    const auth = stack.synced();
    const { keyId } = await auth.issueKey({ name: 'k', scopes: ['read'] }, admin);
    await expect(auth.revokeKey('nosuchkey0000000', null, admin)).rejects.toBeInstanceOf(ApiKeyNotFound);
    await expect(auth.revokeKey('../../etc', null, admin)).rejects.toBeInstanceOf(ApiKeyNotFound);
    const first = await auth.revokeKey(keyId, 'done', admin);
    expect(first.revokedAt).toBe('2026-11-26T10:00:00.000Z');
    await expect(auth.revokeKey(keyId, 'again', admin)).rejects.toBeInstanceOf(ApiKeyAlreadyRevoked);
  });

  it('refuses an expired key once its time has come, and not before', async () => {
    const auth = stack.synced();
    const expiresAt = new Date(stack.clock.now.getTime() + 60_000);
    const { key, keyId } = await auth.issueKey({ name: 'short-lived', scopes: ['read'], expiresAt }, admin);
    expect(await auth.authenticate(key)).toMatchObject({ keyId });
    stack.advance(59_999);
    expect(await auth.authenticate(key)).toMatchObject({ keyId });
    stack.advance(1);
    expect(await refusal(() => auth.authenticate(key))).toBe('EXPIRED');
    expect((await auth.getKey(keyId))?.status).toBe('expired');
  });

  it('enforces scopes and the workload restriction through requireScope', async () => {
    const auth = stack.synced();
    const { key } = await auth.issueKey({ name: 'bot', scopes: ['ingest', 'feedback'], workloadIds: ['support-bot'] }, admin);
    const principal = await auth.authenticate(key);
    expect(() => requireScope(principal, 'ingest', 'support-bot')).not.toThrow();
    expect(() => requireScope(principal, 'ingest', 'billing-bot')).toThrow(Forbidden);
    expect(() => requireScope(principal, 'read', 'support-bot')).toThrow(Forbidden);
    expect(() => requireFeedbackAccess(principal, { interactionId: 'any', workloadId: 'support-bot' })).not.toThrow();
  });

  it('refuses invalid input without appending anything', async () => {
    const auth = stack.synced();
    await expect(auth.issueKey({ name: '', scopes: ['root'] }, admin)).rejects.toBeInstanceOf(InputInvalid);
    await expect(auth.issueKey({ name: 'x', scopes: ['admin'], workloadIds: ['w'] }, admin)).rejects.toBeInstanceOf(InputInvalid);
    await expect(auth.issueKey({ name: 'x', scopes: ['read'], expiresAt: new Date(0) }, admin)).rejects.toBeInstanceOf(InputInvalid);
    expect(await stack.store.headPosition()).toBe(-1);
  });

  it('issues and verifies feedback tokens bound to one interaction', async () => {
    const auth = stack.service();
    const { token, expiresAt } = auth.issueFeedbackToken({ interactionId: 'int-1', workloadId: 'support-bot' });
    expect(expiresAt).toBe('2026-12-03T10:00:00.000Z');
    const principal = auth.authenticateFeedbackToken(token);
    expect(principal).toEqual({ kind: 'feedbackToken', interactionId: 'int-1', workloadId: 'support-bot' });
    expect(() => requireFeedbackAccess(principal, { interactionId: 'int-2', workloadId: 'support-bot' })).toThrow(Forbidden);
    const foreign = new AuthService({ store: stack.store, readStore: stack.readStore, feedbackTokenSecret: Buffer.alloc(32, 9), now: () => stack.clock.now });
    expect(() => foreign.authenticateFeedbackToken(token)).toThrow(TokenForged);
    await foreign.close();
  });

  describe('bootstrap admin key', () => {
    it('is generated on the first start only, across restarts on the same data dir', async () => {
      const first = await bootstrapAdminKey({ auth: stack.synced(), dataDir: dir });
      if (first.kind !== 'generated') throw new Error(`expected a generated key, got ${first.kind}`);
      expect(await stack.synced().authenticate(first.key)).toEqual({ kind: 'key', keyId: first.keyId, scopes: ['admin'], workloadIds: null });

      await stack.close();
      stack = await openStack(dir);
      const second = await bootstrapAdminKey({ auth: stack.synced(), dataDir: dir });
      expect(second).toEqual({ kind: 'existing', keyId: first.keyId });
      // The key from the first start still works after the restart.
      expect(await stack.synced().authenticate(first.key)).toMatchObject({ keyId: first.keyId });
      const { keys } = await stack.synced().listKeys();
      expect(keys.map((k) => [k.name, k.issuedBy])).toEqual([['bootstrap-admin', 'system:bootstrap']]);
    });

    it('is not generated again when the marker is lost but the stores hold it (instances sharing stores)', async () => {
      const first = await bootstrapAdminKey({ auth: stack.synced(), dataDir: dir });
      unlinkSync(join(dir, BOOTSTRAP_MARKER_FILE));
      const second = await bootstrapAdminKey({ auth: stack.synced(), dataDir: dir });
      expect(second).toEqual({ kind: 'existing', keyId: first.kind === 'generated' ? first.keyId : null });
      expect((await stack.synced().listKeys()).keys).toHaveLength(1);
    });

    it('accepts the configured FLYWHEEL_ADMIN_KEY as the bootstrap principal and generates nothing', async () => {
      const auth = stack.synced();
      const configuredKey = 'operator-chosen-admin-key-0123456789';
      expect(await bootstrapAdminKey({ auth, configuredKey, dataDir: dir })).toEqual({ kind: 'configured' });
      expect(await auth.authenticate(`Bearer ${configuredKey}`)).toEqual({ kind: 'bootstrap', scopes: ['admin'], workloadIds: null });
      expect(await refusal(() => auth.authenticate(`${configuredKey}x`))).toBe('MALFORMED');
      expect((await auth.listKeys()).keys).toEqual([]);
      expect(await stack.store.headPosition()).toBe(-1);
    });

    it('refuses a configured admin key too short to resist guessing', async () => {
      await expect(bootstrapAdminKey({ auth: stack.synced(), configuredKey: 'short', dataDir: dir })).rejects.toThrow(/24 characters/);
    });
  });
});
