import { createHmac } from 'node:crypto';
import { TokenExpired, TokenForged, TokenMalformed, Forbidden } from './errors';
import { DEFAULT_FEEDBACK_TOKEN_TTL_SECONDS, issueFeedbackToken, verifyFeedbackToken } from './feedback-token';
import { requireFeedbackAccess, requireInteraction, type Principal } from './principal';

const secret = Buffer.alloc(32, 7);
const otherSecret = Buffer.alloc(32, 8);
const now = new Date('2026-11-26T10:00:00.000Z');
const claims = { interactionId: 'int-1', workloadId: 'support-bot' };
const later = (seconds: number) => new Date(now.getTime() + seconds * 1000);

function b64(json: unknown): string {
  return Buffer.from(JSON.stringify(json)).toString('base64url');
}
function signWith(key: Buffer, payload: string): string {
  return `${payload}.${createHmac('sha256', key).update(payload).digest('base64url')}`;
}

describe('feedback tokens', () => {
  const { token, expiresAt } = issueFeedbackToken(secret, claims, now);

  it('given a valid token, when verified before it expires, then its interaction and workload', () => {
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(verifyFeedbackToken(secret, token, now)).toEqual(claims);
    expect(verifyFeedbackToken(secret, token, later(DEFAULT_FEEDBACK_TOKEN_TTL_SECONDS - 1))).toEqual(claims);
  });

  it('carries exp in seconds, default 7 days, and accepts a custom ttl', () => {
    const [payload = ''] = token.split('.');
    expect(JSON.parse(Buffer.from(payload, 'base64url').toString())).toEqual({ ...claims, exp: now.getTime() / 1000 + 7 * 24 * 3600 });
    const short = issueFeedbackToken(secret, claims, now, 60).token;
    expect(expiresAt).toBe('2026-12-03T10:00:00.000Z');
    expect(verifyFeedbackToken(secret, short, later(59))).toEqual(claims);
    expect(() => verifyFeedbackToken(secret, short, later(60))).toThrow(TokenExpired);
  });

  it('given a token past its expiry, then TokenExpired with when', () => {
    expect(() => verifyFeedbackToken(secret, token, later(DEFAULT_FEEDBACK_TOKEN_TTL_SECONDS))).toThrow(TokenExpired);
    try {
      verifyFeedbackToken(secret, token, later(DEFAULT_FEEDBACK_TOKEN_TTL_SECONDS + 5));
    } catch (error) {
      expect(error).toMatchObject({ code: 'FEEDBACK_TOKEN_EXPIRED', expiredAt: '2026-12-03T10:00:00.000Z' });
    }
  });

  it('given a token signed with another secret, then TokenForged', () => {
    const forged = issueFeedbackToken(otherSecret, claims, now).token;
    expect(() => verifyFeedbackToken(secret, forged, now)).toThrow(TokenForged);
  });

  it('given a flipped signature, then TokenForged', () => {
    const [payload, sig = ''] = token.split('.');
    const flipped = Buffer.from(sig, 'base64url');
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    expect(() => verifyFeedbackToken(secret, `${payload}.${flipped.toString('base64url')}`, now)).toThrow(TokenForged);
  });

  it('given a tampered payload (another interaction, a later exp) with the old signature, then TokenForged', () => {
    const [, sig] = token.split('.');
    const exp = now.getTime() / 1000 + DEFAULT_FEEDBACK_TOKEN_TTL_SECONDS;
    expect(() => verifyFeedbackToken(secret, `${b64({ ...claims, interactionId: 'int-2', exp })}.${sig}`, now)).toThrow(TokenForged);
    expect(() => verifyFeedbackToken(secret, `${b64({ ...claims, exp: exp + 10_000_000 })}.${sig}`, now)).toThrow(TokenForged);
  });

  it.each([
    ['empty', ''],
    ['no dot', 'abc'],
    ['three parts', `${token}.x`],
    ['empty signature', `${token.split('.')[0]}.`],
    ['not base64url', `${token.split('.')[0]}.++++`],
    ['short signature', `${token.split('.')[0]}.AAAA`],
    ['huge', `${'a'.repeat(2_000)}.${'b'.repeat(43)}`],
  ])('given a malformed token (%s), then TokenMalformed', (_name, bad) => {
    expect(() => verifyFeedbackToken(secret, bad, now)).toThrow(TokenMalformed);
  });

  it('given a correctly signed payload that is not our claim shape, then TokenMalformed', () => {
    expect(() => verifyFeedbackToken(secret, signWith(secret, b64({ interactionId: 'int-1' })), now)).toThrow(TokenMalformed);
    expect(() => verifyFeedbackToken(secret, signWith(secret, Buffer.from('not json').toString('base64url')), now)).toThrow(TokenMalformed);
    const extra = b64({ ...claims, exp: 4_000_000_000, scopes: ['admin'] });
    expect(() => verifyFeedbackToken(secret, signWith(secret, extra), now)).toThrow(TokenMalformed);
  });

  it('refuses a secret shorter than 32 bytes rather than signing weakly', () => {
    expect(() => issueFeedbackToken('short', claims, now)).toThrow(/at least 32 bytes/);
    expect(() => verifyFeedbackToken(Buffer.alloc(16), token, now)).toThrow(/at least 32 bytes/);
  });

  it('given a token for one interaction, then feedback on another is Forbidden', () => {
    const verified = verifyFeedbackToken(secret, token, now);
    const principal: Principal = { kind: 'feedbackToken', ...verified };
    expect(() => requireInteraction(principal, 'int-1')).not.toThrow();
    expect(() => requireInteraction(principal, 'int-2')).toThrow(Forbidden);
    expect(() => requireFeedbackAccess(principal, { interactionId: 'int-2', workloadId: 'support-bot' })).toThrow(Forbidden);
    expect(() => requireFeedbackAccess(principal, { interactionId: 'int-1', workloadId: 'support-bot' })).not.toThrow();
  });
});
