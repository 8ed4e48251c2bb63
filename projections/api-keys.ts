import { z } from 'zod';
import { keyIdSchema, scopeSchema } from '../events/catalogue/auth';
import { defineProjection } from './projection';
import type { Document } from './read-store';

export const API_KEYS = 'apiKeys';
/** Published after a revocation is committed, so every instance drops the key from its cache. */
export const API_KEY_REVOKED_TOPIC = 'apikey.revoked';

/**
 * The `apiKeys` read model: one document per key, `_id` = keyId, so authentication is one
 * get by id. It holds the secret's hash, never the secret; the hash is for the auth service
 * only and must not be exposed by any API.
 */
export interface ApiKeyDoc extends Document {
  readonly keyId: string;
  readonly name: string;
  readonly prefix: string;
  readonly keyHash: string;
  readonly scopes: string[];
  readonly workloadIds: string[] | null;
  readonly issuedAt: string;
  readonly issuedBy: string;
  readonly expiresAt: string | null;
  readonly revokedAt: string | null;
  readonly revokedBy: string | null;
  readonly revokeReason: string | null;
}

/** Readers parse documents with this: the read store hands back whatever is stored. */
export const apiKeyDocSchema = z.object({
  _id: z.string(),
  keyId: keyIdSchema,
  name: z.string(),
  prefix: z.string(),
  keyHash: z.string().regex(/^[0-9a-f]{64}$/),
  scopes: z.array(scopeSchema),
  workloadIds: z.array(z.string()).nullable(),
  issuedAt: z.string(),
  issuedBy: z.string(),
  expiresAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  revokedBy: z.string().nullable(),
  revokeReason: z.string().nullable(),
});
export type ApiKeyRecord = z.infer<typeof apiKeyDocSchema>;

export interface ApiKeyRevokedMessage {
  readonly keyId: string;
  readonly position: number;
  readonly [key: string]: unknown;
}

export const apiKeyRevokedMessageSchema = z.object({ keyId: z.string(), position: z.number() });

export const apiKeysProjection = defineProjection({
  name: 'apiKeys',
  collections: [
    {
      name: API_KEYS,
      indexes: [
        // Key management lists newest first.
        { fields: { issuedAt: -1 } },
        // The bootstrap check looks for a key issued by `system:bootstrap`.
        { fields: { issuedBy: 1 } },
      ],
    },
  ],
  on: {
    ApiKeyIssued: (event) => {
      const d = event.data;
      const doc: Omit<ApiKeyDoc, '_id'> = {
        keyId: d.keyId,
        name: d.name,
        prefix: d.prefix,
        keyHash: d.keyHash,
        scopes: [...d.scopes],
        workloadIds: d.workloadIds ? [...d.workloadIds] : null,
        issuedAt: event.metadata.occurredAt,
        issuedBy: d.issuedBy,
        expiresAt: d.expiresAt,
        revokedAt: null,
        revokedBy: null,
        revokeReason: null,
      };
      return [{ op: 'replace', collection: API_KEYS, id: d.keyId, doc }];
    },
    ApiKeyRevoked: (event) => {
      const d = event.data;
      // No upsert: a revocation without its issue has no key to revoke (the decider refuses it).
      return [
        {
          op: 'update',
          collection: API_KEYS,
          id: d.keyId,
          update: { $set: { revokedAt: event.metadata.occurredAt, revokedBy: d.revokedBy, revokeReason: d.reason } },
        },
      ];
    },
  },
  notify: {
    ApiKeyRevoked: (event) => {
      const message: ApiKeyRevokedMessage = { keyId: event.data.keyId, position: event.position };
      return [{ topic: API_KEY_REVOKED_TOPIC, message }];
    },
  },
});
