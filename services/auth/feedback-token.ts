import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { idSchema, workloadIdSchema } from '../../events/catalogue/ingest';
import { TokenExpired, TokenForged, TokenMalformed } from './errors';

/**
 * Feedback tokens let a browser send feedback on one interaction without holding an API key.
 * The app gets one when it logs the interaction and hands it to its frontend.
 *
 * Format: base64url(JSON { interactionId, workloadId, exp }) + '.' + base64url(HMAC-SHA256).
 * The HMAC is computed over the encoded payload text exactly as sent, so verification never
 * depends on re-serialising JSON the same way. Stateless on purpose: verifying needs no read,
 * which keeps the browser-facing path cheap; the price is that a token cannot be revoked before
 * `exp` except by rotating the secret, hence the bounded lifetime.
 */

export const DEFAULT_FEEDBACK_TOKEN_TTL_SECONDS = 7 * 24 * 3600;
/** HMAC-SHA256 keys shorter than its output weaken it; the composition root generates 32 random bytes. */
export const MIN_SECRET_BYTES = 32;
// Far above any real token (ids are ≤ 128 characters), low enough that a hostile header is not worth decoding.
const MAX_TOKEN_LENGTH = 1_024;
const B64URL_RE = /^[A-Za-z0-9_-]+$/;

export type FeedbackTokenSecret = Uint8Array | string;

export interface IssuedFeedbackToken {
  readonly token: string;
  /** ISO-8601, for the app to know when to stop offering feedback (or ask for a new token). */
  readonly expiresAt: string;
}

export interface FeedbackTokenClaims {
  readonly interactionId: string;
  readonly workloadId: string;
}

const payloadSchema = z.strictObject({
  interactionId: idSchema,
  workloadId: workloadIdSchema,
  /** Seconds since the epoch, like JWT's `exp`. */
  exp: z.number().int().positive(),
});

function secretBytes(secret: FeedbackTokenSecret): Buffer {
  const bytes = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : Buffer.from(secret);
  // A configuration error, not a domain one: fail loudly at startup rather than sign weakly.
  if (bytes.length < MIN_SECRET_BYTES) throw new Error(`the feedback token secret must be at least ${MIN_SECRET_BYTES} bytes`);
  return bytes;
}

function sign(secret: Buffer, payload: string): Buffer {
  return createHmac('sha256', secret).update(payload, 'utf8').digest();
}

export function issueFeedbackToken(
  secret: FeedbackTokenSecret,
  claims: FeedbackTokenClaims,
  now: Date,
  ttlSeconds: number = DEFAULT_FEEDBACK_TOKEN_TTL_SECONDS,
): IssuedFeedbackToken {
  if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0) throw new RangeError('ttlSeconds must be a positive integer');
  const body = payloadSchema.parse({
    interactionId: claims.interactionId,
    workloadId: claims.workloadId,
    exp: Math.floor(now.getTime() / 1000) + ttlSeconds,
  });
  const payload = Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
  return {
    token: `${payload}.${sign(secretBytes(secret), payload).toString('base64url')}`,
    expiresAt: new Date(body.exp * 1000).toISOString(),
  };
}

/**
 * The token's claims, or TokenMalformed / TokenForged / TokenExpired. The signature is checked
 * before the payload is parsed, so nothing an attacker wrote is interpreted unless we signed it.
 */
export function verifyFeedbackToken(secret: FeedbackTokenSecret, token: string, now: Date): FeedbackTokenClaims {
  const key = secretBytes(secret);
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) throw new TokenMalformed();
  const parts = token.split('.');
  const [payload, signature] = parts;
  if (parts.length !== 2 || !payload || !signature || !B64URL_RE.test(payload) || !B64URL_RE.test(signature)) {
    throw new TokenMalformed();
  }
  const presented = Buffer.from(signature, 'base64url');
  const expected = sign(key, payload);
  if (presented.length !== expected.length) throw new TokenMalformed();
  if (!timingSafeEqual(presented, expected)) throw new TokenForged();

  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw new TokenMalformed();
  }
  const parsed = payloadSchema.safeParse(json);
  if (!parsed.success) throw new TokenMalformed();
  const { interactionId, workloadId, exp } = parsed.data;
  if (exp * 1000 <= now.getTime()) throw new TokenExpired(new Date(exp * 1000).toISOString());
  return { interactionId, workloadId };
}
