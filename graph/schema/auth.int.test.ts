import { API_KEYS, apiKeyDocSchema } from '../../projections/api-keys';
import { issueFeedbackToken } from '../../services/auth/feedback-token';
import { feedbackTokenSecret, issueExpiredKey, issueKey, logInput, parseResponse } from '../../test/api-keys';
import { startTestApp, TEST_ADMIN_KEY, type TestApp } from '../../test/http';
import {
  ApiKeysDocument,
  InteractionsDocument,
  IssueApiKeyDocument,
  LogInteractionDocument,
  LogInteractionsDocument,
  MeDocument,
  RevokeApiKeyDocument,
  WorkloadsDocument,
} from '../generated/operations';
import { settled } from '../../test/settle';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

async function logAs(key: string, workloadId: string, id?: string) {
  return t.gql(LogInteractionDocument, { input: logInput(workloadId, id) }, { key });
}

describe('issueApiKey', () => {
  it('answers with the key, shown once, and its record; the key works at once with exactly its scopes', async () => {
    const { status, body } = await t.gql(IssueApiKeyDocument, { input: { name: 'ingest only', scopes: ['ingest'] } });
    expect(status).toBe(200);
    const result = body.data?.issueApiKey;
    if (result?.__typename !== 'ApiKeyIssued') throw new Error(JSON.stringify(body));
    expect(result.key).toMatch(/^fw_[a-z0-9]{16}_[A-Za-z0-9_-]{43}$/);
    expect(result.apiKey).toMatchObject({
      name: 'ingest only',
      scopes: ['ingest'],
      workloadIds: null,
      status: 'active',
      issuedBy: 'system:admin-key',
      expiresAt: null,
      revokedAt: null,
    });
    expect(result.key.startsWith(result.apiKey.prefix)).toBe(true);

    const logged = await logAs(result.key, 'auth-issue');
    expect(logged.status).toBe(200);
    expect(logged.body.data?.logInteraction.__typename).toBe('InteractionAccepted');

    const read = await t.gql(WorkloadsDocument, {}, { key: result.key });
    expect(read.status).toBe(403);
    expect(read.body.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
  });

  it('refuses what the decider refuses with InputInvalid naming the field, and appends nothing', async () => {
    const head = await settled(t.app);
    const { body } = await t.gql(IssueApiKeyDocument, {
      input: { name: ' ', scopes: ['admin'], workloadIds: ['support-bot'], expiresAt: '2001-01-01T00:00:00Z' },
    });
    const result = body.data?.issueApiKey;
    if (result?.__typename !== 'InputInvalid') throw new Error(JSON.stringify(body));
    expect(result.issues.map((i) => i.path)).toEqual(['name']);

    const restricted = await t.gql(IssueApiKeyDocument, { input: { name: 'admin', scopes: ['admin'], workloadIds: ['support-bot'] } });
    const second = restricted.body.data?.issueApiKey;
    if (second?.__typename !== 'InputInvalid') throw new Error(JSON.stringify(restricted.body));
    expect(second.issues).toEqual([{ path: 'workloadIds', message: 'an admin key cannot be restricted to workloads' }]);
    expect(await t.app.store.headPosition()).toBe(head);
  });

  it('is for admins only: any other key gets 403 FORBIDDEN and nothing is issued', async () => {
    const { key } = await issueKey(t, ['ingest', 'read']);
    const head = await settled(t.app);
    const { status, body } = await t.gql(IssueApiKeyDocument, { input: { name: 'escalate', scopes: ['admin'] } }, { key });
    expect(status).toBe(403);
    expect(body.errors?.[0]).toMatchObject({ extensions: { code: 'FORBIDDEN' } });
    expect(body.data ?? null).toBeNull();
    expect(await t.app.store.headPosition()).toBe(head);
  });
});

describe('scopes and workloads', () => {
  it('refuses logInteraction to a key without ingest with 403 FORBIDDEN, appending nothing', async () => {
    const { key } = await issueKey(t, ['read', 'feedback']);
    const head = await settled(t.app);
    const { status, body } = await logAs(key, 'auth-scope');
    expect(status).toBe(403);
    expect(body.errors?.[0]?.message).toMatch(/^forbidden/);
    expect(body.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    expect(await t.app.store.headPosition()).toBe(head);
  });

  it('lets a key restricted to workload A log and see A only: B is Forbidden per item, and hidden from reads', async () => {
    const { key } = await issueKey(t, ['ingest', 'read'], { workloadIds: ['auth-a'] });
    const other = await logAs(TEST_ADMIN_KEY, 'auth-b', 'auth-b-1');
    expect(other.body.data?.logInteraction.__typename).toBe('InteractionAccepted');

    const head = await settled(t.app);
    const refused = await t.raw(
      JSON.stringify({
        query: 'mutation($input: LogInteractionInput!) { logInteraction(input: $input) { __typename ... on Forbidden { code reason workloadId } } }',
        variables: { input: logInput('auth-b', 'auth-b-2') },
      }),
      { key },
    );
    expect(refused.status).toBe(200);
    expect(parseResponse(refused.text).data).toEqual({
      logInteraction: { __typename: 'Forbidden', code: 'FORBIDDEN', reason: 'WORKLOAD_NOT_ALLOWED', workloadId: 'auth-b' },
    });
    expect(await t.app.store.headPosition()).toBe(head);

    const batch = await t.gql(LogInteractionsDocument, { inputs: [logInput('auth-a', 'auth-a-1'), logInput('auth-b', 'auth-b-3')] }, { key });
    const items = batch.body.data?.logInteractions;
    if (items?.__typename !== 'LoggedInteractions') throw new Error(JSON.stringify(batch.body));
    expect(items.items.map((i) => i.__typename)).toEqual(['InteractionAccepted', 'Forbidden']);
    // Access is answered before the input is checked: a key refused B learns nothing of what else is wrong.
    const invalid = await t.gql(LogInteractionsDocument, { inputs: [{ ...logInput('auth-b', 'auth-b-4'), latencyMs: -1 }] }, { key });
    const invalidItems = invalid.body.data?.logInteractions;
    if (invalidItems?.__typename !== 'LoggedInteractions') throw new Error(JSON.stringify(invalid.body));
    expect(invalidItems.items.map((i) => i.__typename)).toEqual(['Forbidden']);
    expect(await t.app.store.readStream('interaction-auth-b-3')).toHaveLength(0);

    await settled(t.app);
    const listed = await t.gql(InteractionsDocument, { filter: null, first: 100, after: null }, { key });
    expect(listed.body.data?.interactions.edges.map((e) => e.node.id)).toEqual(['auth-a-1']);
    const workloads = await t.gql(WorkloadsDocument, {}, { key });
    expect(workloads.body.data?.workloads.map((w) => w.id)).toEqual(['auth-a']);

    const filtered = await t.gql(InteractionsDocument, { filter: { workloadId: 'auth-b' }, first: 10, after: null }, { key });
    expect(filtered.status).toBe(403);
    expect(filtered.body.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'WORKLOAD_NOT_ALLOWED' });
  });
});

describe('revokeApiKey', () => {
  it('refuses the key at once (401 UNAUTHENTICATED, REVOKED) and lists it as revoked', async () => {
    const { key, keyId } = await issueKey(t, ['read']);
    // Used once first, so the key sits in the auth cache: revocation must not wait for it to expire.
    expect((await t.gql(WorkloadsDocument, {}, { key })).status).toBe(200);

    const { body } = await t.gql(RevokeApiKeyDocument, { keyId, reason: 'leaked in a screenshot' });
    const result = body.data?.revokeApiKey;
    if (result?.__typename !== 'ApiKeyRevoked') throw new Error(JSON.stringify(body));
    expect(result.apiKey).toMatchObject({ keyId, status: 'revoked', revokedBy: 'system:admin-key', revokeReason: 'leaked in a screenshot' });
    expect(result.apiKey.revokedAt).not.toBeNull();

    const refused = await t.gql(WorkloadsDocument, {}, { key });
    expect(refused.status).toBe(401);
    expect(refused.body.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'REVOKED' });

    const active = await t.gql(ApiKeysDocument, { includeRevoked: false, first: 1000, after: null });
    expect(active.body.data?.apiKeys.keys.map((k) => k.keyId)).not.toContain(keyId);
    const all = await t.gql(ApiKeysDocument, { includeRevoked: true, first: 1000, after: null });
    expect(all.body.data?.apiKeys.keys.find((k) => k.keyId === keyId)?.status).toBe('revoked');
  });

  it('answers a second revocation with ApiKeyAlreadyRevoked and an unknown id with ApiKeyNotFound, appending nothing', async () => {
    const { keyId } = await issueKey(t, ['read']);
    const first = await t.gql(RevokeApiKeyDocument, { keyId, reason: null });
    expect(first.body.data?.revokeApiKey.__typename).toBe('ApiKeyRevoked');
    const head = await settled(t.app);

    const again = await t.gql(RevokeApiKeyDocument, { keyId, reason: null });
    expect(again.body.data?.revokeApiKey).toMatchObject({ __typename: 'ApiKeyAlreadyRevoked', code: 'API_KEY_ALREADY_REVOKED' });
    const unknown = await t.gql(RevokeApiKeyDocument, { keyId: 'nosuchkey0000000', reason: null });
    expect(unknown.body.data?.revokeApiKey).toMatchObject({ __typename: 'ApiKeyNotFound', code: 'API_KEY_NOT_FOUND' });
    const notAnId = await t.gql(RevokeApiKeyDocument, { keyId: '../../etc', reason: null });
    expect(notAnId.body.data?.revokeApiKey.__typename).toBe('ApiKeyNotFound');
    expect(await t.app.store.headPosition()).toBe(head);
  });
});

describe('expired keys', () => {
  it('refuses an expired key with 401 UNAUTHENTICATED, EXPIRED, and lists it as expired', async () => {
    const { key, keyId, expiresAt } = await issueExpiredKey(t, ['read']);
    const { status, body } = await t.gql(WorkloadsDocument, {}, { key });
    expect(status).toBe(401);
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'EXPIRED' });
    const listed = await t.gql(ApiKeysDocument, { includeRevoked: true, first: 1000, after: null });
    expect(listed.body.data?.apiKeys.keys.find((k) => k.keyId === keyId)).toMatchObject({ status: 'expired', expiresAt });
  });
});

describe('me', () => {
  it('describes the admin key, an API key and a feedback token, each with what it may touch', async () => {
    const admin = await t.gql(MeDocument, {});
    expect(admin.body.data?.me).toMatchObject({ kind: 'bootstrap', keyId: null, workloadIds: null, interactionId: null, apiKey: null });
    // admin implies every scope but audit: raw personal data needs a key issued for it.
    expect(admin.body.data?.me.scopes).toEqual(['admin']);

    const { key, keyId } = await issueKey(t, ['feedback', 'ingest'], { workloadIds: ['auth-me'], name: 'me key' });
    const asKey = await t.gql(MeDocument, {}, { key });
    expect(asKey.body.data?.me).toEqual({
      kind: 'key',
      keyId,
      scopes: ['ingest', 'feedback'],
      workloadIds: ['auth-me'],
      interactionId: null,
      apiKey: { keyId, name: 'me key', expiresAt: null },
    });

    const logged = await logAs(key, 'auth-me', 'auth-me-1');
    const accepted = logged.body.data?.logInteraction;
    if (accepted?.__typename !== 'InteractionAccepted') throw new Error(JSON.stringify(logged.body));
    const asToken = await t.gql(MeDocument, {}, { key: accepted.feedbackToken });
    expect(asToken.status).toBe(200);
    expect(asToken.body.data?.me).toEqual({
      kind: 'feedbackToken',
      keyId: null,
      scopes: ['feedback'],
      workloadIds: ['auth-me'],
      interactionId: 'auth-me-1',
      apiKey: null,
    });
  });

  it('answers 401 without credentials, naming why', async () => {
    const anonymous = await t.gql(MeDocument, {}, { key: null });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'MISSING_CREDENTIALS' });

    const secret = await feedbackTokenSecret(t);
    const expired = issueFeedbackToken(secret, { interactionId: 'x-1', workloadId: 'auth-me' }, new Date(Date.now() - 3600_000), 60);
    const late = await t.gql(MeDocument, {}, { key: expired.token });
    expect(late.status).toBe(401);
    expect(late.body.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'FEEDBACK_TOKEN_EXPIRED' });
  });
});

describe('apiKeys', () => {
  it('pages newest first and never shows a secret or its hash', async () => {
    const issued = [await issueKey(t, ['read']), await issueKey(t, ['ingest']), await issueKey(t, ['feedback'])];
    const listPage = (after: string | null) => t.gql(ApiKeysDocument, { includeRevoked: true, first: 2, after });
    const pages: string[] = [];
    const seen: string[] = [];
    const times: number[] = [];
    let after: string | null = null;
    for (let guard = 0; guard < 100; guard++) {
      const { text } = await t.raw(
        JSON.stringify({
          query: `query($after: String) { apiKeys(first: 2, after: $after) { next keys { keyId name prefix scopes workloadIds status
            issuedAt issuedBy expiresAt revokedAt revokedBy revokeReason } } }`,
          variables: { after },
        }),
      );
      pages.push(text);
      const page: Awaited<ReturnType<typeof listPage>> = await listPage(after);
      const { keys, next } = page.body.data?.apiKeys ?? { keys: [], next: null };
      seen.push(...keys.map((k) => k.keyId));
      times.push(...keys.map((k) => Date.parse(k.issuedAt)));
      if (next === null) break;
      after = next;
    }
    const stored = await t.app.adapters.readStore.find(API_KEYS, {}, { limit: 10_000 });
    const records = stored.docs.map((doc) => apiKeyDocSchema.parse(doc));
    expect(new Set(seen)).toEqual(new Set(records.map((r) => r.keyId)));
    expect(seen).toHaveLength(records.length);
    expect(times).toEqual([...times].sort((a, b) => b - a));
    // Newest first: the three just issued lead (in any order: two may share a millisecond).
    expect(new Set(seen.slice(0, 3))).toEqual(new Set(issued.map((k) => k.keyId)));

    const text = pages.join('\n');
    expect(text).not.toMatch(/hash/i);
    for (const record of records) expect(text).not.toContain(record.keyHash);
    // The secret is what follows `fw_<keyId>_` (it may itself contain `_`).
    for (const { key, keyId } of issued) expect(text).not.toContain(key.slice(`fw_${keyId}_`.length));
  });

  it('refuses a forged cursor and an out-of-range page size with BAD_USER_INPUT', async () => {
    const forged = await t.gql(ApiKeysDocument, { includeRevoked: true, first: 10, after: 'not-a-cursor' });
    expect(forged.body.errors?.[0]).toMatchObject({ message: 'invalid cursor in after', extensions: { code: 'BAD_USER_INPUT' } });
    const tooMany = await t.gql(ApiKeysDocument, { includeRevoked: true, first: 5000, after: null });
    expect(tooMany.body.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
  });

  it('is for admins only', async () => {
    const { key } = await issueKey(t, ['read', 'ingest', 'feedback', 'annotate', 'audit']);
    const { status, body } = await t.gql(ApiKeysDocument, { includeRevoked: true, first: 10, after: null }, { key });
    expect(status).toBe(403);
    expect(body.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
  });
});
