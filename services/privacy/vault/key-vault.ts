/**
 * Where data keys live: outside the event log, so that destroying one is possible at all.
 * Each subject has at most one live key; keys are stored wrapped by the master key (the vault
 * never sees a usable key). Destroying deletes the record: what it encrypted is unreadable for
 * good, wherever the ciphertext has been copied.
 */
export interface StoredDataKey {
  readonly subjectKey: string;
  readonly keyId: string;
  /** The data key wrapped by the master key (`iv.tag.ciphertext`, base64). */
  readonly wrapped: string;
  readonly createdAt: string;
}

export interface KeyVault {
  /** Stores `key` unless its subject already has a live key; resolves to the subject's live key either way. */
  putIfAbsent(key: StoredDataKey): Promise<StoredDataKey>;
  /** The subject's live key, or null (never had one, or it was destroyed). */
  get(subjectKey: string): Promise<StoredDataKey | null>;
  /** Deletes the subject's key; resolves to its id, or null when there was none. */
  destroy(subjectKey: string): Promise<string | null>;
  close(): Promise<void>;
}

/** The vault's storage failed (connection lost, disk error); the operation may be retried. */
export class KeyVaultUnavailable extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KeyVaultUnavailable';
  }
}
