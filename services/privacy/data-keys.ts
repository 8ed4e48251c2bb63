import { randomBytes } from 'node:crypto';
import { KEY_BYTES, unwrapKey, wrapKey } from './crypto';
import type { KeyVault } from './vault/key-vault';

export interface DataKey {
  readonly keyId: string;
  readonly key: Buffer;
}

export interface DataKeysOptions {
  readonly vault: KeyVault;
  readonly masterKey: Buffer;
  readonly now: () => Date;
  /** How long an encryption key is reused without asking the vault. Default 5 s. */
  readonly cacheTtlMs?: number;
  readonly random?: (bytes: number) => Buffer;
}

/**
 * Per-subject data keys: created on a subject's first kept text, wrapped by the master key in
 * the vault. Encryption may reuse a key for a few seconds (the write path must not pay a vault
 * round trip per interaction); decryption always asks the vault, so a destroyed key is refused
 * at once, on every instance.
 */
export class DataKeys {
  private readonly cache = new Map<string, { key: DataKey; until: number }>();

  constructor(private readonly options: DataKeysOptions) {}

  async forEncryption(subjectKey: string): Promise<DataKey> {
    const now = this.options.now().getTime();
    const cached = this.cache.get(subjectKey);
    if (cached && cached.until > now) return cached.key;
    const random = this.options.random ?? randomBytes;
    const existing = await this.options.vault.get(subjectKey);
    const stored =
      existing ??
      (await this.options.vault.putIfAbsent(
        (() => {
          const keyId = random(10).toString('hex');
          return {
            subjectKey,
            keyId,
            wrapped: wrapKey(this.options.masterKey, random(KEY_BYTES), aadOf(subjectKey, keyId)),
            createdAt: this.options.now().toISOString(),
          };
        })(),
      ));
    const key = { keyId: stored.keyId, key: unwrapKey(this.options.masterKey, stored.wrapped, aadOf(subjectKey, stored.keyId)) };
    if (this.cache.size >= 10_000) this.cache.clear();
    this.cache.set(subjectKey, { key, until: now + (this.options.cacheTtlMs ?? 5_000) });
    return key;
  }

  /** The key `keyId` of the subject if it still exists; null once destroyed (or replaced after a destroy). */
  async forDecryption(subjectKey: string, keyId: string): Promise<Buffer | null> {
    const stored = await this.options.vault.get(subjectKey);
    if (!stored || stored.keyId !== keyId) return null;
    return unwrapKey(this.options.masterKey, stored.wrapped, aadOf(subjectKey, stored.keyId));
  }

  /** Destroys the subject's key; resolves to the destroyed key's id, or null. */
  async destroy(subjectKey: string): Promise<string | null> {
    this.cache.delete(subjectKey);
    const destroyed = await this.options.vault.destroy(subjectKey);
    this.cache.delete(subjectKey);
    return destroyed;
  }

  /** Another instance destroyed the subject's key: stop encrypting under it here. */
  forget(subjectKey: string): void {
    this.cache.delete(subjectKey);
  }
}

function aadOf(subjectKey: string, keyId: string): string {
  return `flywheel-data-key|${subjectKey}|${keyId}`;
}
