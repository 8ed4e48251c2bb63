import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DomainError } from '../errors';

export const ALGORITHM = 'AES-256-GCM';
export const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** AES-256-GCM output, base64 each: what events and the key vault keep. */
export interface Sealed {
  readonly iv: string;
  readonly tag: string;
  readonly ciphertext: string;
}

/** The key is gone, wrong, or the data or its associated data were altered: nothing is returned. */
export class DecryptionFailed extends DomainError {
  readonly code = 'DECRYPTION_FAILED';
  constructor() {
    super('the data cannot be decrypted with this key');
  }
}

/**
 * Encrypts under `key` with a fresh 96-bit IV. `aad` binds the ciphertext to its context (the
 * interaction and subject it belongs to), so a ciphertext moved to another event fails to open.
 */
export function seal(key: Buffer, plaintext: Buffer, aad: string, iv: Buffer = randomBytes(IV_BYTES)): Sealed {
  if (key.length !== KEY_BYTES) throw new Error(`an AES-256 key has ${KEY_BYTES} bytes`);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), ciphertext: ciphertext.toString('base64') };
}

export function open(key: Buffer, sealed: Sealed, aad: string): Buffer {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64'), { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(sealed.ciphertext, 'base64')), decipher.final()]);
  } catch {
    // GCM reports a bad key, a bad tag and altered data alike; so does this.
    throw new DecryptionFailed();
  }
}

/** A data key wrapped by the master key, as one base64 string `iv.tag.ciphertext`. */
export function wrapKey(master: Buffer, dataKey: Buffer, aad: string): string {
  const s = seal(master, dataKey, aad);
  return `${s.iv}.${s.tag}.${s.ciphertext}`;
}

export function unwrapKey(master: Buffer, wrapped: string, aad: string): Buffer {
  const [iv, tag, ciphertext] = wrapped.split('.');
  if (!iv || !tag || !ciphertext) throw new DecryptionFailed();
  return open(master, { iv, tag, ciphertext }, aad);
}
