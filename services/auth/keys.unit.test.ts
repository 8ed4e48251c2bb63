import { createHash, randomBytes } from 'node:crypto';
import {
  constantTimeEquals,
  displayPrefix,
  formatKey,
  generateApiKey,
  generateKeyId,
  hashSecret,
  parseKey,
  secretMatches,
  type RandomSource,
} from './keys';

/** A fixed byte sequence, so generated keys are reproducible. */
function counterRandom(start = 0): RandomSource {
  let next = start;
  return (size) => Buffer.from(Array.from({ length: size }, () => next++ % 256));
}

describe('API keys', () => {
  it('generates fw_<keyId>_<secret> with a 16-character [a-z0-9] id and a 43-character base64url secret', () => {
    const { key, keyId } = generateApiKey();
    expect(key).toMatch(/^fw_[a-z0-9]{16}_[A-Za-z0-9_-]{43}$/);
    expect(key.startsWith(`fw_${keyId}_`)).toBe(true);
  });

  it('stores only sha256(secret), and the display prefix comes from the key id, not the secret', () => {
    const generated = generateApiKey();
    const parsed = parseKey(generated.key);
    expect(parsed?.keyId).toBe(generated.keyId);
    expect(generated.keyHash).toBe(createHash('sha256').update(parsed?.secret ?? '').digest('hex'));
    expect(generated.prefix).toBe(`fw_${generated.keyId.slice(0, 8)}`);
    expect(generated.key.includes(generated.keyHash)).toBe(false);
  });

  it('is deterministic for a given random source, and distinct across real draws', () => {
    expect(generateApiKey(counterRandom(7))).toEqual(generateApiKey(counterRandom(7)));
    const ids = new Set(Array.from({ length: 1_000 }, () => generateKeyId()));
    expect(ids.size).toBe(1_000);
  });

  it('draws key-id characters without modulo bias: bytes ≥ 252 are skipped', () => {
    // 252..255 would map to a..d again if they were not skipped.
    const skewed: RandomSource = (size) => Buffer.from(Array.from({ length: size }, (_, i) => (i % 2 === 0 ? 255 : 0)));
    expect(generateKeyId(skewed)).toBe('a'.repeat(16));
  });

  it('parses a key into id and secret even when the secret holds _ and -', () => {
    const secret = `ab_cd-${'x'.repeat(37)}`;
    expect(parseKey(formatKey('abcdefgh12345678', secret))).toEqual({ keyId: 'abcdefgh12345678', secret });
  });

  it.each([
    ['empty', ''],
    ['no prefix', `abcdefgh12345678_${'x'.repeat(43)}`],
    ['other prefix', `sk_abcdefgh12345678_${'x'.repeat(43)}`],
    ['upper-case id', `fw_ABCDEFGH12345678_${'x'.repeat(43)}`],
    ['short secret', `fw_abcdefgh12345678_${'x'.repeat(42)}`],
    ['long secret', `fw_abcdefgh12345678_${'x'.repeat(44)}`],
    ['whitespace', ` fw_abcdefgh12345678_${'x'.repeat(43)}`],
    ['padding', `fw_abcdefgh12345678_${'x'.repeat(42)}=`],
  ])('refuses a malformed key (%s)', (_name, key) => {
    expect(parseKey(key)).toBeNull();
  });

  it('matches the right secret and only it', () => {
    const secret = randomBytes(32).toString('base64url');
    const hash = hashSecret(secret);
    expect(secretMatches(secret, hash)).toBe(true);
    const last = secret.endsWith('A') ? 'B' : 'A';
    expect(secretMatches(`${secret.slice(0, -1)}${last}`, hash)).toBe(false);
    expect(secretMatches(secret, 'not-hex')).toBe(false);
  });

  it('compares arbitrary strings in constant time, whatever their lengths', () => {
    expect(constantTimeEquals('operator-chosen-admin-key', 'operator-chosen-admin-key')).toBe(true);
    expect(constantTimeEquals('operator-chosen-admin-key', 'operator-chosen-admin-kez')).toBe(false);
    expect(constantTimeEquals('short', 'a much longer string')).toBe(false);
    expect(constantTimeEquals('', '')).toBe(true);
  });

  it('keeps the display prefix short', () => {
    expect(displayPrefix('fw_abcdefgh12345678_secret')).toBe('fw_abcdefgh');
  });
});
