import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * API keys look like `fw_<keyId>_<secret>`:
 * - keyId: 16 characters of [a-z0-9] (~82 bits), public; it names the key's stream and its
 *   read-model document, so a presented key is found with one indexed get, no scan.
 * - secret: 32 random bytes, base64url (43 characters), shown once and never stored.
 *
 * Only sha256(secret) is kept. A slow KDF (bcrypt, scrypt, argon2) exists to make guessing
 * low-entropy passwords from a stolen hash expensive; a 256-bit random secret cannot be
 * guessed at any speed, so a fast hash is as safe here and keeps every authenticated request
 * cheap.
 */

/** Random bytes; injected so tests are deterministic. `crypto.randomBytes` in production. */
export type RandomSource = (size: number) => Buffer;

export const KEY_PREFIX = 'fw_';
export const KEY_ID_LENGTH = 16;
export const SECRET_BYTES = 32;
/** `fw_` plus the first 8 characters of the key id: enough to tell keys apart in a list, nothing of the secret. */
export const DISPLAY_PREFIX_LENGTH = KEY_PREFIX.length + 8;

const KEY_ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
// Accepts the whole range the catalogue allows, so a later key-id length still parses.
const KEY_RE = /^fw_([a-z0-9]{8,32})_([A-Za-z0-9_-]{43})$/;

export interface GeneratedKey {
  readonly keyId: string;
  /** The full key to hand to the user, once. */
  readonly key: string;
  readonly keyHash: string;
  readonly prefix: string;
}

export interface ParsedKey {
  readonly keyId: string;
  readonly secret: string;
}

/** A key id from `random`, without modulo bias (bytes ≥ 252 are drawn again). */
export function generateKeyId(random: RandomSource = randomBytes): string {
  const limit = Math.floor(256 / KEY_ID_ALPHABET.length) * KEY_ID_ALPHABET.length;
  let id = '';
  while (id.length < KEY_ID_LENGTH) {
    for (const byte of random(KEY_ID_LENGTH * 2)) {
      if (byte >= limit) continue;
      id += KEY_ID_ALPHABET[byte % KEY_ID_ALPHABET.length];
      if (id.length === KEY_ID_LENGTH) break;
    }
  }
  return id;
}

export function generateSecret(random: RandomSource = randomBytes): string {
  return random(SECRET_BYTES).toString('base64url');
}

export function formatKey(keyId: string, secret: string): string {
  return `${KEY_PREFIX}${keyId}_${secret}`;
}

export function displayPrefix(key: string): string {
  return key.slice(0, DISPLAY_PREFIX_LENGTH);
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function generateApiKey(random: RandomSource = randomBytes): GeneratedKey {
  const keyId = generateKeyId(random);
  const secret = generateSecret(random);
  const key = formatKey(keyId, secret);
  return { keyId, key, keyHash: hashSecret(secret), prefix: displayPrefix(key) };
}

/** null when `key` is not shaped like a Flywheel key (the caller answers "malformed"). */
export function parseKey(key: string): ParsedKey | null {
  const match = KEY_RE.exec(key);
  if (!match?.[1] || !match[2]) return null;
  return { keyId: match[1], secret: match[2] };
}

/**
 * Does `secret` hash to `keyHash`? Compared with timingSafeEqual so the time taken says
 * nothing about how many leading bytes matched.
 */
export function secretMatches(secret: string, keyHash: string): boolean {
  const expected = Buffer.from(keyHash, 'hex');
  const actual = createHash('sha256').update(secret, 'utf8').digest();
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/**
 * Constant-time equality of two strings of any length: both are hashed first, so
 * timingSafeEqual always sees 32 bytes and the comparison does not leak the length either.
 */
export function constantTimeEquals(a: string, b: string): boolean {
  const da = createHash('sha256').update(a, 'utf8').digest();
  const db = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(da, db);
}
