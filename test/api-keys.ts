import { z } from 'zod';
import { IssueApiKeyDocument, type LogInteractionInput, type Scope } from '../graph/generated/operations';
import { AuthService } from '../services/auth/auth-service';
import { loadFeedbackTokenSecret } from '../services/auth/bootstrap';
import type { TestApp } from './http';

/** Issues a key through the API as the admin and returns the full key (the secret is shown only here). */
export async function issueKey(
  t: TestApp,
  scopes: Scope[],
  options: { workloadIds?: string[]; name?: string } = {},
): Promise<{ key: string; keyId: string }> {
  const { body } = await t.gql(IssueApiKeyDocument, {
    input: { name: options.name ?? `test ${scopes.join('+')}`, scopes, workloadIds: options.workloadIds ?? null },
  });
  const result = body.data?.issueApiKey;
  if (result?.__typename !== 'ApiKeyIssued') throw new Error(`key not issued: ${JSON.stringify(body)}`);
  return { key: result.key, keyId: result.apiKey.keyId };
}

/** The secret this app signs feedback tokens with (kept in its data dir, as on a real first start). */
export function feedbackTokenSecret(t: TestApp): Promise<Buffer> {
  return loadFeedbackTokenSecret({ dataDir: t.dataDir });
}

/**
 * Given a key issued two hours ago that expired an hour ago: issued through the real decider by
 * an AuthService whose clock is two hours behind (the decider refuses an expiry in the past,
 * as it should), then projected like any other key.
 */
export async function issueExpiredKey(t: TestApp, scopes: Scope[]): Promise<{ key: string; keyId: string; expiresAt: string }> {
  const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
  const expiresAt = new Date(twoHoursAgo.getTime() + 3600_000).toISOString();
  const past = new AuthService({
    store: t.app.store,
    readStore: t.app.adapters.readStore,
    feedbackTokenSecret: await feedbackTokenSecret(t),
    now: () => twoHoursAgo,
  });
  try {
    const issued = await past.issueKey({ name: 'expired', scopes, expiresAt }, { actor: 'test:past', correlationId: 'expired-key' });
    await t.app.projector.waitFor(issued.position);
    return { key: issued.key, keyId: issued.keyId, expiresAt };
  } finally {
    await past.close();
  }
}

/** A small valid interaction as a GraphQL client sends it. */
export function logInput(workloadId: string, id?: string): LogInteractionInput {
  return {
    ...(id === undefined ? {} : { id }),
    workloadId,
    request: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Where is my order?' }] },
    response: { model: 'gpt-4o-mini', choices: [{ message: { role: 'assistant', content: 'It ships today.' }, finish_reason: 'stop' }] },
    latencyMs: 640,
  };
}

const responseSchema = z.object({
  data: z.unknown().optional(),
  errors: z
    .array(z.object({ message: z.string(), extensions: z.record(z.string(), z.unknown()).optional() }))
    .optional(),
});

export type GraphQLResponse = z.infer<typeof responseSchema>;

/** A response body as a client must treat it: parsed, not trusted to have any shape. */
export function parseResponse(text: string): GraphQLResponse {
  return responseSchema.parse(JSON.parse(text));
}
