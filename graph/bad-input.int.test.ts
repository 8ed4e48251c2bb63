import { print } from 'graphql';
import { parseConfig } from '../app/config';
import { issueFeedbackToken } from '../services/auth/feedback-token';
import { feedbackTokenSecret, issueExpiredKey, issueKey, logInput, parseResponse, type GraphQLResponse } from '../test/api-keys';
import { startTestApp, TEST_ADMIN_KEY, type TestApp } from '../test/http';
import { LogInteractionDocument, RevokeApiKeyDocument } from './generated/operations';
import { settled } from '../test/settle';

/**
 * Issue 3's bad-input suite, over HTTP: every way a request can be wrong gets its own status
 * and a specific error (never a 500 or "Unexpected error."), and nothing is appended. Most
 * cases send logInteraction, so that "nothing appended" means something: had the request got
 * through, there would be an event.
 */

let t: TestApp;
let token: string;
let interactionId: string;

beforeAll(async () => {
  t = await startTestApp();
  const { body } = await t.gql(LogInteractionDocument, { input: logInput('bad-input', 'bad-input-1') });
  const accepted = body.data?.logInteraction;
  if (accepted?.__typename !== 'InteractionAccepted') throw new Error(JSON.stringify(body));
  token = accepted.feedbackToken;
  interactionId = accepted.interactionId;
});
afterAll(() => t.close());

type Send = () => Promise<{ status: number; text: string }>;

interface Refusal {
  readonly status: number;
  /** extensions.code; null where the error is yoga's own and carries only a message. */
  readonly code: string | null;
  readonly reason?: string;
  readonly message?: RegExp;
}

/** Sends, then checks the status, the first error's code/reason/message, and that the head did not move. */
async function expectRefused(send: Send, expected: Refusal): Promise<GraphQLResponse> {
  const head = await settled(t.app);
  const { status, text } = await send();
  const body = parseResponse(text);
  const error = body.errors?.[0];
  expect({ status, code: error?.extensions?.['code'] ?? null }).toEqual({ status: expected.status, code: expected.code });
  if (!error) throw new Error(`no error in ${text}`);
  expect(error.message).not.toMatch(/^Unexpected error/);
  if (expected.reason !== undefined) expect(error.extensions?.['reason']).toBe(expected.reason);
  if (expected.message) expect(error.message).toMatch(expected.message);
  expect(await t.app.store.headPosition()).toBe(head);
  return body;
}

const LOG = print(LogInteractionDocument);

/** logInteraction with these variables, as raw JSON: the variables need not fit the schema. */
function logRaw(variables: unknown, options: { key?: string | null; headers?: Record<string, string> } = {}): Send {
  return () => t.raw(JSON.stringify({ query: LOG, variables }), options);
}

function logAs(key: string | null, input = logInput('bad-input')): Send {
  return logRaw({ input }, { key });
}

describe('malformed requests', () => {
  it('malformed JSON: 400 BAD_REQUEST', () =>
    expectRefused(() => t.raw('{"query": "mutation { logInteraction('), { status: 400, code: 'BAD_REQUEST', message: /invalid JSON/ }));

  it('JSON that is not a GraphQL request: 400 BAD_REQUEST', async () => {
    await expectRefused(() => t.raw('[1, 2, 3]'), { status: 400, code: 'BAD_REQUEST' });
    await expectRefused(() => t.raw(JSON.stringify({ query: 42 })), { status: 400, code: 'BAD_REQUEST', message: /query/ });
    await expectRefused(() => t.raw(JSON.stringify({ variables: {} })), { status: 400, code: 'BAD_REQUEST', message: /Must provide query/ });
  });

  it('a query that does not parse: 400 GRAPHQL_PARSE_FAILED', () =>
    expectRefused(() => t.raw(JSON.stringify({ query: 'mutation { logInteraction(input: {' })), { status: 400, code: 'GRAPHQL_PARSE_FAILED' }));

  it('a mutation over GET: 405', () =>
    expectRefused(
      async () => {
        const url = `http://localhost/graphql?query=${encodeURIComponent('mutation { logInteraction(input: { workloadId: "x", request: {} }) { __typename } }')}`;
        const response = await t.app.yoga.fetch(url, { headers: { authorization: `Bearer ${TEST_ADMIN_KEY}`, 'x-flywheel-csrf': '1' } });
        return { status: response.status, text: await response.text() };
      },
      { status: 405, code: 'BAD_REQUEST', message: /POST/ },
    ));

  it('a form post without the CSRF header: 403', () =>
    expectRefused(() => t.raw(JSON.stringify({ query: LOG, variables: { input: logInput('bad-input') } }), { headers: { 'content-type': 'text/plain' } }), {
      status: 403,
      code: null,
      message: /CSRF/,
    }));
});

describe('wrong types', () => {
  it('a variable of the wrong type: 400 naming the field', () =>
    expectRefused(logRaw({ input: { ...logInput('bad-input'), workloadId: 5 } }), { status: 400, code: null, message: /i?nput.*workloadId.*String cannot represent/ }));

  it('a required field missing: 400', () =>
    expectRefused(logRaw({ input: { workloadId: 'bad-input' } }), { status: 400, code: null, message: /"request" of required type "JSONObject!" was not provided/ }));

  it('a field the input does not have: 400', () =>
    expectRefused(logRaw({ input: { ...logInput('bad-input'), prompt: 'hi' } }), { status: 400, code: null, message: /"prompt" is not defined/ }));

  it('a JSON object scalar given a string, and a date that is not one: 400', async () => {
    await expectRefused(logRaw({ input: { ...logInput('bad-input'), request: 'hello' } }), { status: 400, code: null, message: /JSONObject/ });
    await expectRefused(logRaw({ input: { ...logInput('bad-input'), occurredAt: 'yesterday' } }), { status: 400, code: null, message: /DateTime/ });
  });

  it('an inline literal of the wrong type, and an unknown enum value: 400 GRAPHQL_VALIDATION_FAILED', async () => {
    await expectRefused(() => t.raw(JSON.stringify({ query: '{ interactions(first: "ten") { edges { cursor } } }' })), {
      status: 400,
      code: 'GRAPHQL_VALIDATION_FAILED',
      message: /Int cannot represent/,
    });
    await expectRefused(() => t.raw(JSON.stringify({ query: 'mutation { issueApiKey(input: { name: "x", scopes: [root] }) { __typename } }' })), {
      status: 400,
      code: 'GRAPHQL_VALIDATION_FAILED',
      message: /Scope/,
    });
  });

  it('well-typed but invalid input is a domain error in the result (200, InputInvalid), and appends nothing', async () => {
    const head = await settled(t.app);
    const { status, body } = await t.gql(LogInteractionDocument, { input: { ...logInput('has spaces'), latencyMs: -1 } });
    expect(status).toBe(200);
    const result = body.data?.logInteraction;
    if (result?.__typename !== 'InputInvalid') throw new Error(JSON.stringify(body));
    expect(result.issues.map((i) => i.path).sort()).toEqual(['latencyMs', 'workloadId']);
    expect(await t.app.store.headPosition()).toBe(head);
  });
});

describe('oversize fields', () => {
  // The suite's app runs with the default limit.
  const huge = 'x'.repeat(parseConfig({}).FLYWHEEL_MAX_FIELD_BYTES + 1);

  it('a string variable over the limit: 413 FIELD_TOO_LARGE naming where it is', async () => {
    const input = { ...logInput('bad-input'), request: { model: 'm', messages: [{ role: 'user', content: huge }] } };
    const body = await expectRefused(logRaw({ input }), { status: 413, code: 'FIELD_TOO_LARGE' });
    expect(body.errors?.[0]?.extensions).toMatchObject({ field: 'variables.input.request.messages.0.content', bytes: huge.length });
  });

  it('a string literal over the limit in the query itself: 413', () =>
    expectRefused(
      () =>
        t.raw(JSON.stringify({ query: `mutation { logInteraction(input: { workloadId: "bad-input", request: { model: "${huge}" } }) { __typename } }` })),
      { status: 413, code: 'FIELD_TOO_LARGE' },
    ));
});

describe('query shape limits', () => {
  // Nested inline fragments count as depth: a mutation that would append if the limit were not there.
  const deep = `mutation($input: LogInteractionInput!) { logInteraction(input: $input) { ${'... on InteractionAccepted { '.repeat(13)}interactionId${' }'.repeat(13)} } }`;
  const aliased = `mutation($input: LogInteractionInput!) { ${Array.from({ length: 31 }, (_, i) => `a${i}: logInteraction(input: $input) { __typename }`).join(' ')} }`;
  const variables = { input: logInput('bad-input') };

  it('over-deep: 400 QUERY_TOO_DEEP', () =>
    expectRefused(() => t.raw(JSON.stringify({ query: deep, variables })), { status: 400, code: 'QUERY_TOO_DEEP', message: /depth limit of 12/ }));

  it('over-aliased: 400 TOO_MANY_ALIASES', () =>
    expectRefused(() => t.raw(JSON.stringify({ query: aliased, variables })), { status: 400, code: 'TOO_MANY_ALIASES', message: /Aliases limit of 30/ }));

  it('too many tokens: 400 TOO_MANY_TOKENS', () =>
    expectRefused(() => t.raw(JSON.stringify({ query: `{ ${'__typename '.repeat(20_001)}}` })), { status: 400, code: 'TOO_MANY_TOKENS' }));

  it('a client that asks for application/json gets the legacy 200, with the same code, and nothing appended', () =>
    expectRefused(() => t.raw(JSON.stringify({ query: aliased, variables }), { headers: { accept: 'application/json' } }), {
      status: 200,
      code: 'TOO_MANY_ALIASES',
    }));
});

describe('credentials', () => {
  it('missing: 401 UNAUTHENTICATED with a Bearer challenge', async () => {
    await expectRefused(logAs(null), { status: 401, code: 'UNAUTHENTICATED', reason: 'MISSING_CREDENTIALS' });
    const response = await t.app.yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ me { kind } }' }),
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="flywheel"');
  });

  it('a scheme without a credential: 401 MISSING', () =>
    expectRefused(logRaw({ input: logInput('bad-input') }, { key: null, headers: { authorization: 'Bearer ' } }), {
      status: 401,
      code: 'UNAUTHENTICATED',
      reason: 'MISSING',
    }));

  it('not a Flywheel key: 401 MALFORMED', () => expectRefused(logAs('hunter2'), { status: 401, code: 'UNAUTHENTICATED', reason: 'MALFORMED' }));

  it('a well-formed key nobody issued, and a real key id with the wrong secret: 401 UNKNOWN_KEY alike', async () => {
    await expectRefused(logAs(`fw_${'a'.repeat(16)}_${'A'.repeat(43)}`), { status: 401, code: 'UNAUTHENTICATED', reason: 'UNKNOWN_KEY' });
    const { keyId } = await issueKey(t, ['ingest']);
    await expectRefused(logAs(`fw_${keyId}_${'A'.repeat(43)}`), { status: 401, code: 'UNAUTHENTICATED', reason: 'UNKNOWN_KEY' });
  });

  it('revoked: 401 REVOKED', async () => {
    const { key, keyId } = await issueKey(t, ['ingest']);
    const revoked = await t.gql(RevokeApiKeyDocument, { keyId, reason: 'bad-input suite' });
    expect(revoked.body.data?.revokeApiKey.__typename).toBe('ApiKeyRevoked');
    await expectRefused(logAs(key), { status: 401, code: 'UNAUTHENTICATED', reason: 'REVOKED' });
  });

  it('expired: 401 EXPIRED', async () => {
    const { key } = await issueExpiredKey(t, ['ingest']);
    await expectRefused(logAs(key), { status: 401, code: 'UNAUTHENTICATED', reason: 'EXPIRED' });
  });

  it('the wrong scope: 403 FORBIDDEN', async () => {
    const { key } = await issueKey(t, ['read', 'feedback', 'annotate']);
    await expectRefused(logAs(key), { status: 403, code: 'FORBIDDEN', message: /^forbidden/ });
  });
});

describe('feedback tokens', () => {
  const secret = () => feedbackTokenSecret(t);
  const readInteraction = (key: string, id: string): Send => () =>
    t.raw(JSON.stringify({ query: 'query($id: String!) { interaction(id: $id) { id prompt } }', variables: { id } }), { key });

  it('a valid token is not an API key: it may neither ingest nor read (403 FORBIDDEN)', async () => {
    await expectRefused(logAs(token), { status: 403, code: 'FORBIDDEN' });
    await expectRefused(readInteraction(token, interactionId), { status: 403, code: 'FORBIDDEN' });
    await expectRefused(() => t.raw(JSON.stringify({ query: '{ workloads { id } }' }), { key: token }), { status: 403, code: 'FORBIDDEN' });
  });

  it('a valid token is bound to its own interaction only', async () => {
    const { status, text } = await t.raw(JSON.stringify({ query: '{ me { kind interactionId workloadIds scopes } }' }), { key: token });
    expect(status).toBe(200);
    expect(parseResponse(text).data).toEqual({
      me: { kind: 'feedbackToken', interactionId, workloadIds: ['bad-input'], scopes: ['feedback'] },
    });
  });

  it("another interaction's token reads nothing of this one", async () => {
    const other = issueFeedbackToken(await secret(), { interactionId: 'someone-else', workloadId: 'bad-input' }, new Date());
    await expectRefused(readInteraction(other.token, interactionId), { status: 403, code: 'FORBIDDEN' });
  });

  it('expired: 401 FEEDBACK_TOKEN_EXPIRED', async () => {
    const expired = issueFeedbackToken(await secret(), { interactionId, workloadId: 'bad-input' }, new Date(Date.now() - 2 * 3600_000), 3600);
    await expectRefused(logAs(expired.token), { status: 401, code: 'UNAUTHENTICATED', reason: 'FEEDBACK_TOKEN_EXPIRED', message: /expired/ });
  });

  it('forged (signed with another secret, or a payload swapped under a real signature): 401 FEEDBACK_TOKEN_FORGED', async () => {
    const foreign = issueFeedbackToken('x'.repeat(32), { interactionId, workloadId: 'bad-input' }, new Date());
    await expectRefused(logAs(foreign.token), { status: 401, code: 'UNAUTHENTICATED', reason: 'FEEDBACK_TOKEN_FORGED' });
    const [, signature] = token.split('.');
    const payload = Buffer.from(JSON.stringify({ interactionId: 'someone-else', workloadId: 'bad-input', exp: 4_102_444_800 })).toString('base64url');
    await expectRefused(logAs(`${payload}.${signature}`), { status: 401, code: 'UNAUTHENTICATED', reason: 'FEEDBACK_TOKEN_FORGED' });
  });

  it('malformed: 401 FEEDBACK_TOKEN_MALFORMED', async () => {
    await expectRefused(logAs('not.atoken'), { status: 401, code: 'UNAUTHENTICATED', reason: 'FEEDBACK_TOKEN_MALFORMED' });
    await expectRefused(logAs(`${token}.extra`), { status: 401, code: 'UNAUTHENTICATED', reason: 'FEEDBACK_TOKEN_MALFORMED' });
  });
});

describe('rate limit', () => {
  it('answers a burst over the limit with 429 RATE_LIMITED and Retry-After, never a 500, appending only what it accepted', async () => {
    const limited = await startTestApp({ FLYWHEEL_RATE_LIMIT: '5' });
    try {
      const ids = Array.from({ length: 20 }, (_, i) => `burst-${i}`);
      const responses = await Promise.all(
        ids.map(async (id) => {
          const response = await limited.app.yoga.fetch('http://localhost/graphql', {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_ADMIN_KEY}` },
            body: JSON.stringify({ query: LOG, variables: { input: logInput('burst', id) } }),
          });
          return { id, status: response.status, retryAfter: response.headers.get('retry-after'), body: parseResponse(await response.text()) };
        }),
      );
      const statuses = responses.map((r) => r.status);
      expect(statuses).not.toContain(500);
      expect(new Set(statuses)).toEqual(new Set([200, 429]));
      for (const r of responses) {
        const events = await limited.app.store.readStream(`interaction-${r.id}`);
        if (r.status === 429) {
          expect(r.body.errors?.[0]?.extensions?.['code']).toBe('RATE_LIMITED');
          expect(r.retryAfter).toBe('1');
          expect(events).toHaveLength(0);
        } else {
          expect(events).toHaveLength(1);
        }
      }
    } finally {
      await limited.close();
    }
  });
});

