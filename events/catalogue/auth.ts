import { z } from 'zod';
import { defineEvent } from './define';
import { workloadIdSchema } from './ingest';

/**
 * What an API key may do. Kept here, below services/, because the events carry them; the
 * auth service re-exports them with its helpers. Adding a scope widens the schema (every stored
 * event stays valid); removing or renaming one needs an upcaster.
 */
export const SCOPES = ['ingest', 'feedback', 'annotate', 'read', 'admin', 'audit'] as const;
export const scopeSchema = z.enum(SCOPES);
export type Scope = z.infer<typeof scopeSchema>;

/**
 * Key ids are lowercase letters and digits only: the key is `fw_<keyId>_<secret>` and the
 * secret is base64url (which has `_`), so an id without `_` splits the key unambiguously.
 * The range is wider than today's generated length so a later length stays readable.
 */
export const keyIdSchema = z.string().regex(/^[a-z0-9]{8,32}$/, 'lowercase letters and digits, 8–32 characters');

export const apiKeyIssuedV1 = z.object({
  keyId: keyIdSchema,
  name: z.string().min(1).max(100),
  scopes: z.array(scopeSchema).min(1).max(SCOPES.length),
  /** null: every workload, present and future. */
  workloadIds: z.array(workloadIdSchema).min(1).max(1_000).nullable(),
  /** sha256 (hex) of the key's secret; the secret itself is never stored anywhere. */
  keyHash: z.string().regex(/^[0-9a-f]{64}$/),
  /** The key's first characters, for people to recognise it in a list; drawn from the key id, not the secret. */
  prefix: z.string().min(1).max(32),
  /** The actor that issued it (`key:<id>`, `system:bootstrap`, …). */
  issuedBy: z.string().min(1).max(200),
  expiresAt: z.iso.datetime({ offset: true }).nullable(),
});
export type ApiKeyIssuedData = z.infer<typeof apiKeyIssuedV1>;

export const apiKeyRevokedV1 = z.object({
  keyId: keyIdSchema,
  reason: z.string().min(1).max(500).nullable(),
  revokedBy: z.string().min(1).max(200),
});
export type ApiKeyRevokedData = z.infer<typeof apiKeyRevokedV1>;

export const ApiKeyIssued = defineEvent('ApiKeyIssued', apiKeyIssuedV1);
export const ApiKeyRevoked = defineEvent('ApiKeyRevoked', apiKeyRevokedV1);

/** Streams are `apikey-<keyId>`. */
export const API_KEY_CATEGORY = 'apikey';
export const authEvents = [ApiKeyIssued, ApiKeyRevoked] as const;
