import { randomUUID } from 'node:crypto';
import { API_KEY_CATEGORY, keyIdSchema } from '../../events/catalogue/auth';
import type { DomainEventStore } from '../../events/catalogued-event-store';
import { commandMetadata, streamName } from '../../events/envelope';
import { silentLogger, type Logger } from '../../lib/logger';
import {
  API_KEY_REVOKED_TOPIC,
  API_KEYS,
  apiKeyDocSchema,
  apiKeyRevokedMessageSchema,
  type ApiKeyRecord,
} from '../../projections/api-keys';
import type { Filter, ReadStore } from '../../projections/read-store';
import type { Bus, BusSubscription } from '../bus/bus';
import { handleCommand } from '../command-handler';
import type { CommandContext } from '../commands';
import * as apiKey from './decider';
import type { IssueApiKey } from './decider';
import { ApiKeyIdTaken, ApiKeyNotFound, Unauthenticated } from './errors';
import { issueFeedbackToken, verifyFeedbackToken, type FeedbackTokenClaims, type FeedbackTokenSecret, type IssuedFeedbackToken } from './feedback-token';
import { KeyCache } from './key-cache';
import { constantTimeEquals, generateApiKey, parseKey, secretMatches, type RandomSource } from './keys';
import { bootstrapPrincipal, type Principal } from './principal';
import type { Scope } from './scopes';

export interface IssueKeyInput {
  readonly name: string;
  readonly scopes: readonly string[];
  /** Omitted or null: every workload. */
  readonly workloadIds?: readonly string[] | null;
  /** ISO-8601 or a Date; omitted or null: never. */
  readonly expiresAt?: string | Date | null;
}

export interface IssuedKey {
  readonly keyId: string;
  /** The full key. Shown to the user once: only its hash is kept. */
  readonly key: string;
  readonly prefix: string;
  readonly name: string;
  readonly scopes: readonly Scope[];
  readonly workloadIds: readonly string[] | null;
  readonly expiresAt: string | null;
  readonly issuedAt: string;
  /** Global position of the ApiKeyIssued event (for read-your-writes). */
  readonly position: number;
}

export interface RevokedKey {
  readonly keyId: string;
  readonly revokedAt: string;
  readonly position: number;
}

export type ApiKeyStatus = 'active' | 'revoked' | 'expired';

/** A key as listed to administrators: everything but the hash. */
export type ApiKeySummary = Omit<ApiKeyRecord, '_id' | 'keyHash'> & { readonly status: ApiKeyStatus };

export interface ListKeysOptions {
  /** Default true. */
  readonly includeRevoked?: boolean;
  /** Only keys issued by this actor (`system:bootstrap` finds the generated admin key). */
  readonly issuedBy?: string;
  /** Default 100, at most 1,000. */
  readonly limit?: number;
  /** The previous page's `next`. */
  readonly after?: string;
}

export interface AuthServiceDeps {
  /** The catalogued store: events are parsed against their schema before they are appended. */
  readonly store: DomainEventStore;
  /** Where the `apiKeys` read model lives; authentication reads it, never the event streams. */
  readonly readStore: ReadStore;
  /** Signs and verifies feedback tokens (at least 32 bytes; see loadFeedbackTokenSecret). */
  readonly feedbackTokenSecret: FeedbackTokenSecret;
  readonly now: () => Date;
  /** When given, revocations announced on `apikey.revoked` (from any instance) evict the key at once. */
  readonly bus?: Bus;
  readonly random?: RandomSource;
  /**
   * Waits until the read models have applied a position. With it, issueKey and revokeKey
   * resolve only once the key authenticates (or is refused) through the read model, in this
   * process and any other sharing the read store.
   */
  readonly waitForProjection?: (position: number) => Promise<void>;
  /** How long an authenticated key is trusted without asking the read store again. Default 5 s. */
  readonly cacheTtlMs?: number;
  /** Default 10,000 keys. */
  readonly cacheSize?: number;
  readonly feedbackTokenTtlSeconds?: number;
  readonly logger?: Logger;
}

export const BOOTSTRAP_ACTOR = 'system:bootstrap';
const MAX_ISSUE_ATTEMPTS = 3;
const MAX_LIST_LIMIT = 1_000;

export class AuthService {
  private readonly cache: KeyCache<ApiKeyRecord>;
  private readonly subscription: BusSubscription | null;
  private readonly listening: Promise<void> | null;
  private adminKey: string | null = null;

  constructor(private readonly deps: AuthServiceDeps) {
    this.cache = new KeyCache({
      ttlMs: deps.cacheTtlMs ?? 5_000,
      maxEntries: deps.cacheSize ?? 10_000,
      maxRevoked: 100_000,
      clock: () => deps.now().getTime(),
    });
    this.subscription = deps.bus ? deps.bus.subscribe(API_KEY_REVOKED_TOPIC) : null;
    this.listening = this.subscription ? this.evictOnRevocation(this.subscription) : null;
  }

  /**
   * Accepts `key` (the operator's FLYWHEEL_ADMIN_KEY) as the bootstrap principal. Called by
   * bootstrapAdminKey at startup; the key itself is compared in constant time, never stored.
   */
  acceptAdminKey(key: string): void {
    // The config already asks for 24; this guards callers that bypass it.
    if (key.length < 24) throw new Error('the configured admin key must be at least 24 characters');
    this.adminKey = key;
  }

  async issueKey(input: IssueKeyInput, context: CommandContext): Promise<IssuedKey> {
    for (let attempt = 1; ; attempt++) {
      const generated = generateApiKey(this.deps.random);
      const metadata = commandMetadata({ actor: context.actor, correlationId: context.correlationId, now: this.deps.now() });
      const command: IssueApiKey = {
        type: 'IssueApiKey',
        keyId: generated.keyId,
        keyHash: generated.keyHash,
        prefix: generated.prefix,
        name: input.name,
        scopes: input.scopes,
        workloadIds: input.workloadIds ?? null,
        expiresAt: input.expiresAt instanceof Date ? input.expiresAt.toISOString() : (input.expiresAt ?? null),
        metadata,
      };
      try {
        // A fresh random id: the stream should not exist yet, so there is nothing to read first.
        const handled = await handleCommand(this.deps.store, streamName(API_KEY_CATEGORY, generated.keyId), apiKey, command, {
          optimistic: { assume: apiKey.initialState, expectedRevision: 'no_stream' },
        });
        const [event] = handled.events;
        if (event?.type !== 'ApiKeyIssued') throw new Error('the auth decider issued no ApiKeyIssued');
        await this.deps.waitForProjection?.(handled.position);
        const d = event.data;
        return {
          keyId: d.keyId,
          key: generated.key,
          prefix: d.prefix,
          name: d.name,
          scopes: d.scopes,
          workloadIds: d.workloadIds,
          expiresAt: d.expiresAt,
          issuedAt: metadata.occurredAt,
          position: handled.position,
        };
      } catch (error) {
        // ~82 random bits make a collision theoretical; if it happens, draw another id.
        if (!(error instanceof ApiKeyIdTaken) || attempt >= MAX_ISSUE_ATTEMPTS) throw error;
      }
    }
  }

  /** Refuses at once in this process; other instances hear of it on the bus, or within the cache TTL. */
  async revokeKey(keyId: string, reason: string | null | undefined, context: CommandContext): Promise<RevokedKey> {
    // An id that cannot have been issued is simply not found (and would not name a valid stream).
    if (!keyIdSchema.safeParse(keyId).success) throw new ApiKeyNotFound(keyId);
    const metadata = commandMetadata({ actor: context.actor, correlationId: context.correlationId, now: this.deps.now() });
    // Commands decide on the stream's history; only authentication reads the read model.
    const handled = await handleCommand(this.deps.store, streamName(API_KEY_CATEGORY, keyId), apiKey, { type: 'RevokeApiKey', keyId, reason: reason ?? null, metadata });
    this.cache.markRevoked(keyId);
    await this.deps.waitForProjection?.(handled.position);
    return { keyId, revokedAt: metadata.occurredAt, position: handled.position };
  }

  /**
   * The principal behind a credential: the value of an Authorization header (`Bearer ` is
   * optional) or the bare key. Throws Unauthenticated with a reason: MISSING, MALFORMED,
   * UNKNOWN_KEY (no such key, or the wrong secret), REVOKED, EXPIRED.
   */
  async authenticate(credential: string | null | undefined): Promise<Principal> {
    const presented = bareCredential(credential);
    if (presented === null) throw new Unauthenticated('MISSING');
    if (this.adminKey !== null && constantTimeEquals(presented, this.adminKey)) return bootstrapPrincipal;

    const parsed = parseKey(presented);
    if (!parsed) throw new Unauthenticated('MALFORMED');
    const record = await this.lookup(parsed.keyId);
    if (!record || !secretMatches(parsed.secret, record.keyHash)) throw new Unauthenticated('UNKNOWN_KEY');
    // Only now, with the secret proven, does the caller learn the key's state.
    if (record.revokedAt !== null || this.cache.isRevoked(record.keyId)) throw new Unauthenticated('REVOKED');
    if (record.expiresAt !== null && Date.parse(record.expiresAt) <= this.deps.now().getTime()) throw new Unauthenticated('EXPIRED');
    return { kind: 'key', keyId: record.keyId, scopes: record.scopes, workloadIds: record.workloadIds };
  }

  /** A feedback-token principal, or TokenMalformed / TokenForged / TokenExpired. No I/O. */
  authenticateFeedbackToken(token: string): Principal {
    const claims = verifyFeedbackToken(this.deps.feedbackTokenSecret, token, this.deps.now());
    return { kind: 'feedbackToken', interactionId: claims.interactionId, workloadId: claims.workloadId };
  }

  /** The token an app hands its frontend so the browser can send feedback on this interaction. */
  issueFeedbackToken(interaction: FeedbackTokenClaims): IssuedFeedbackToken {
    return issueFeedbackToken(this.deps.feedbackTokenSecret, interaction, this.deps.now(), this.deps.feedbackTokenTtlSeconds);
  }

  /** Newest first. Never includes the hashes. */
  async listKeys(options: ListKeysOptions = {}): Promise<{ readonly keys: readonly ApiKeySummary[]; readonly next: string | null }> {
    const filter: Record<string, unknown> = {};
    if (options.includeRevoked === false) filter['revokedAt'] = null;
    if (options.issuedBy !== undefined) filter['issuedBy'] = options.issuedBy;
    const page = await this.deps.readStore.find(API_KEYS, filter satisfies Filter, {
      sort: { issuedAt: -1 },
      limit: Math.min(Math.max(Math.trunc(options.limit ?? 100), 1), MAX_LIST_LIMIT),
      ...(options.after !== undefined ? { after: options.after } : {}),
    });
    return { keys: page.docs.map((doc) => this.summary(apiKeyDocSchema.parse(doc))), next: page.next };
  }

  async getKey(keyId: string): Promise<ApiKeySummary | null> {
    const doc = await this.deps.readStore.findById(API_KEYS, keyId);
    return doc ? this.summary(apiKeyDocSchema.parse(doc)) : null;
  }

  async close(): Promise<void> {
    await this.subscription?.close();
    await this.listening;
  }

  private summary(record: ApiKeyRecord): ApiKeySummary {
    const { _id: _ignored, keyHash: _hash, ...rest } = record;
    const status: ApiKeyStatus =
      record.revokedAt !== null || this.cache.isRevoked(record.keyId)
        ? 'revoked'
        : record.expiresAt !== null && Date.parse(record.expiresAt) <= this.deps.now().getTime()
          ? 'expired'
          : 'active';
    return { ...rest, status };
  }

  /** Positive answers only are cached: a key issued a moment ago must not be refused for a TTL. */
  private async lookup(keyId: string): Promise<ApiKeyRecord | null> {
    const cached = this.cache.get(keyId);
    if (cached) return cached;
    const doc = await this.deps.readStore.findById(API_KEYS, keyId);
    if (!doc) return null;
    const parsed = apiKeyDocSchema.safeParse(doc);
    if (!parsed.success) {
      // A document this service cannot read authenticates nobody; say so loudly, once per lookup.
      this.log.error({ keyId, issues: parsed.error.issues }, 'unreadable apiKeys document');
      return null;
    }
    this.cache.set(keyId, parsed.data);
    return parsed.data;
  }

  private async evictOnRevocation(subscription: BusSubscription): Promise<void> {
    try {
      for await (const message of subscription) {
        const parsed = apiKeyRevokedMessageSchema.safeParse(message);
        if (parsed.success) this.cache.markRevoked(parsed.data.keyId);
        else this.log.warn({ message }, 'ignoring a malformed apikey.revoked message');
      }
    } catch (error) {
      // Not fatal: the cache TTL still bounds how long a revoked key keeps working here.
      this.log.error({ err: error }, 'apikey.revoked subscription ended');
    }
  }

  private get log(): Logger {
    return this.deps.logger ?? silentLogger;
  }
}

/** The credential without its `Bearer ` scheme, or null when there is none. */
function bareCredential(credential: string | null | undefined): string | null {
  if (credential === null || credential === undefined) return null;
  const bare = credential.trim().replace(/^bearer(\s+|$)/i, '');
  return bare === '' ? null : bare;
}

/** A fresh correlation id for work the service starts itself (the bootstrap key). */
export function systemContext(actor: string): CommandContext {
  return { actor, correlationId: randomUUID() };
}
