/**
 * A small LRU with a time-to-live, for authenticated key records, plus a bounded set of keys
 * known to be revoked. Every request carrying a key would otherwise be a read-store round trip;
 * the TTL bounds how long a missed revocation notice can leave a key working elsewhere, and the
 * revoked set makes a revocation seen by this process final at once, even before the read model
 * (which the next lookup would read) has caught up with it.
 */
export class KeyCache<T> {
  private readonly entries = new Map<string, { readonly value: T; readonly storedAt: number }>();
  private readonly revoked = new Set<string>();

  constructor(
    private readonly options: {
      readonly ttlMs: number;
      readonly maxEntries: number;
      /** Revoked ids remembered; revocations are rare, so this is generous. */
      readonly maxRevoked: number;
      readonly clock: () => number;
    },
  ) {}

  get(id: string): T | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    this.entries.delete(id);
    if (this.options.clock() - entry.storedAt >= this.options.ttlMs) return undefined;
    // Re-inserted so Map order is recency order and the first key is the least recently used.
    this.entries.set(id, entry);
    return entry.value;
  }

  set(id: string, value: T): void {
    if (this.options.ttlMs <= 0 || this.options.maxEntries <= 0) return;
    this.entries.delete(id);
    this.entries.set(id, { value, storedAt: this.options.clock() });
    while (this.entries.size > this.options.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
  }

  /** A revocation is a permanent fact, so remembering it can never turn out wrong. */
  markRevoked(id: string): void {
    this.entries.delete(id);
    this.revoked.delete(id);
    this.revoked.add(id);
    while (this.revoked.size > this.options.maxRevoked) {
      const oldest = this.revoked.values().next();
      if (oldest.done) break;
      this.revoked.delete(oldest.value);
    }
  }

  isRevoked(id: string): boolean {
    return this.revoked.has(id);
  }

  get size(): number {
    return this.entries.size;
  }
}
