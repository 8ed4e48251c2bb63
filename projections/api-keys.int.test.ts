import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { catalogue, type NewDomainEvent } from '../events/catalogue';
import { API_KEY_CATEGORY } from '../events/catalogue/auth';
import { CataloguedEventStore } from '../events/catalogued-event-store';
import { streamName } from '../events/envelope';
import { SqliteEventStore } from '../events/sqlite/sqlite-event-store';
import { silentLogger } from '../lib/logger';
import { decide, evolve, initialState } from '../services/auth/decider';
import { InProcessBus } from '../services/bus/in-process-bus';
import { publisherOn } from '../services/bus/bus';
import { API_KEY_REVOKED_TOPIC, API_KEYS, apiKeysProjection, type ApiKeyDoc } from './api-keys';
import { SqliteReadStore } from './embedded/sqlite-read-store';
import { Projector } from './projector';

const keyHash = 'b'.repeat(64);
const meta = (occurredAt: string, actor: string) => ({ actor, correlationId: 'corr', causationId: null, occurredAt, schemaVersion: 1 });

function issued(keyId: string, overrides: { workloadIds?: string[] | null; expiresAt?: string | null } = {}): NewDomainEvent[] {
  return decide(
    {
      type: 'IssueApiKey',
      keyId,
      keyHash,
      prefix: `fw_${keyId.slice(0, 8)}`,
      name: `key ${keyId}`,
      scopes: ['ingest', 'read'],
      workloadIds: overrides.workloadIds === undefined ? ['support-bot'] : overrides.workloadIds,
      expiresAt: overrides.expiresAt ?? null,
      metadata: meta('2026-11-26T10:00:00.000Z', 'key:admin'),
    },
    initialState,
  );
}

function revoked(keyId: string, history: readonly NewDomainEvent[]): NewDomainEvent[] {
  return decide(
    { type: 'RevokeApiKey', keyId, reason: 'rotated', metadata: meta('2026-11-27T08:30:00.000Z', 'key:ops') },
    history.reduce(evolve, initialState),
  );
}

describe('apiKeys read model (SQLite event store + embedded read store)', () => {
  let dir: string;
  let raw: SqliteEventStore;
  let store: CataloguedEventStore;
  let readStore: SqliteReadStore;
  let bus: InProcessBus;
  let projector: Projector;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'flywheel-apikeys-'));
    raw = await SqliteEventStore.open({ path: join(dir, 'events.db') });
    store = new CataloguedEventStore(raw, catalogue);
    readStore = SqliteReadStore.open({ path: join(dir, 'read.db') });
    bus = new InProcessBus();
    projector = new Projector({ store: raw, readStore, publish: publisherOn(bus), parser: catalogue, projections: [apiKeysProjection], logger: silentLogger });
    await projector.start();
  });

  afterEach(async () => {
    await projector.stop();
    await bus.close();
    await readStore.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function given(keyId: string, events: readonly NewDomainEvent[]): Promise<number> {
    const result = await store.append(streamName(API_KEY_CATEGORY, keyId), events);
    await projector.waitFor(result.position);
    return result.position;
  }

  it('given ApiKeyIssued, then one document per key with hash, scopes and workloads, and nothing revoked', async () => {
    await given('aaaaaaaa00000001', issued('aaaaaaaa00000001'));
    await given('aaaaaaaa00000002', issued('aaaaaaaa00000002', { workloadIds: null, expiresAt: '2027-01-01T00:00:00.000Z' }));

    const doc = await readStore.findById<ApiKeyDoc>(API_KEYS, 'aaaaaaaa00000001');
    expect(doc).toMatchObject({
      _id: 'aaaaaaaa00000001',
      keyId: 'aaaaaaaa00000001',
      name: 'key aaaaaaaa00000001',
      prefix: 'fw_aaaaaaaa',
      keyHash,
      scopes: ['ingest', 'read'],
      workloadIds: ['support-bot'],
      issuedAt: '2026-11-26T10:00:00.000Z',
      issuedBy: 'key:admin',
      expiresAt: null,
      revokedAt: null,
      revokedBy: null,
      revokeReason: null,
    });
    expect(await readStore.findById<ApiKeyDoc>(API_KEYS, 'aaaaaaaa00000002')).toMatchObject({
      workloadIds: null,
      expiresAt: '2027-01-01T00:00:00.000Z',
    });
    expect(await readStore.count(API_KEYS, {})).toBe(2);
  });

  it('given ApiKeyIssued then ApiKeyRevoked, then the document records who, when and why, and apikey.revoked is announced after commit', async () => {
    const subscription = bus.subscribe(API_KEY_REVOKED_TOPIC);
    const iterator = subscription[Symbol.asyncIterator]();
    const history = issued('aaaaaaaa00000003');
    await given('aaaaaaaa00000003', history);
    const position = await given('aaaaaaaa00000003', revoked('aaaaaaaa00000003', history));

    expect(await readStore.findById<ApiKeyDoc>(API_KEYS, 'aaaaaaaa00000003')).toMatchObject({
      revokedAt: '2026-11-27T08:30:00.000Z',
      revokedBy: 'key:ops',
      revokeReason: 'rotated',
      keyHash,
    });
    const next = await iterator.next();
    expect(next.value).toEqual({ keyId: 'aaaaaaaa00000003', position });
    await subscription.close();
  });

  it('announces nothing on apikey.revoked for an issue: the first message is the later revocation', async () => {
    const subscription = bus.subscribe(API_KEY_REVOKED_TOPIC);
    const iterator = subscription[Symbol.asyncIterator]();
    await given('aaaaaaaa00000004', issued('aaaaaaaa00000004'));
    const history = issued('aaaaaaaa00000007');
    await given('aaaaaaaa00000007', history);
    await given('aaaaaaaa00000007', revoked('aaaaaaaa00000007', history));
    expect((await iterator.next()).value).toMatchObject({ keyId: 'aaaaaaaa00000007' });
    await subscription.close();
  });

  it('rebuilds from position 0 to the identical read model', async () => {
    const history = issued('aaaaaaaa00000005');
    await given('aaaaaaaa00000005', history);
    await given('aaaaaaaa00000005', revoked('aaaaaaaa00000005', history));
    await given('aaaaaaaa00000006', issued('aaaaaaaa00000006'));
    const before = await readStore.find<ApiKeyDoc>(API_KEYS, {}, { sort: { _id: 1 } });

    const rebuilt = await projector.rebuild('apiKeys');
    expect(rebuilt.events).toBe(3);
    const after = await readStore.find<ApiKeyDoc>(API_KEYS, {}, { sort: { _id: 1 } });
    expect(after.docs).toEqual(before.docs);
    expect(after.docs).toHaveLength(2);
  });
});
