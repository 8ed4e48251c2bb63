import { z } from 'zod';
import { defineEvent } from './define';
import { idSchema, workloadIdSchema } from './ingest';

/**
 * What the PII detector finds. Kept here, below services/, because the events carry them;
 * adding a type widens the schema (stored events stay valid), renaming one needs an upcaster.
 */
export const ENTITY_TYPES = [
  'EMAIL',
  'PHONE',
  'CREDIT_CARD',
  'IBAN',
  'SSN',
  'IP_ADDRESS',
  'STREET_ADDRESS',
  'DATE_OF_BIRTH',
  'SECRET',
  'PERSON',
] as const;
export const entityTypeSchema = z.enum(ENTITY_TYPES);
export type EntityType = z.infer<typeof entityTypeSchema>;

/**
 * - `redact` (default): entities are replaced by placeholders before the append; nothing else is kept.
 * - `encrypt`: the same, and the original texts are kept encrypted under the subject's data key.
 * - `allow`: texts are stored as sent (workloads that handle no personal data).
 */
export const PRIVACY_MODES = ['redact', 'encrypt', 'allow'] as const;
export const privacyModeSchema = z.enum(PRIVACY_MODES);
export type PrivacyMode = z.infer<typeof privacyModeSchema>;

/**
 * Whose data an encrypted text is: `subject:<subjectId>`, else `conversation:<conversationId>`,
 * else `interaction:<interactionId>`. One data key per subject key; forgetting destroys it.
 */
export const subjectKeySchema = z.string().regex(/^(subject|conversation|interaction):[A-Za-z0-9._:@\-/]{1,128}$/, 'a subject key');

/** Where in the logged content a text sits, as a dotted path (`request.messages.1.content`). */
const textPathSchema = z.string().min(1).max(256);

export const findingSchema = z.object({
  path: textPathSchema,
  type: entityTypeSchema,
  /** `<EMAIL_1>`: the same value gets the same placeholder everywhere in one interaction. */
  placeholder: z.string().regex(/^<[A-Z_]+_\d+>$/),
  /** Where the placeholder sits in the stored (redacted) text, in UTF-16 code units: never where or how long the value was. */
  start: z.number().int().nonnegative(),
  end: z.number().int().nonnegative(),
});
export type Finding = z.infer<typeof findingSchema>;

export const countsSchema = z.partialRecord(entityTypeSchema, z.number().int().positive());

export const privacyPolicySetV1 = z.object({
  workloadId: workloadIdSchema,
  mode: privacyModeSchema,
  /** The entity types this workload redacts; null: every type the detector knows, present and future. */
  entityTypes: z.array(entityTypeSchema).min(1).max(ENTITY_TYPES.length).nullable(),
  setBy: z.string().min(1).max(200),
});
export type PrivacyPolicySetData = z.infer<typeof privacyPolicySetV1>;

/**
 * Appended with InteractionLogged, in the same append (so both or neither are durable), when the
 * detector found something. Types, counts and placeholder offsets only, never the values.
 */
export const piiRedactedV1 = z.object({
  interactionId: idSchema,
  workloadId: workloadIdSchema,
  subjectKey: subjectKeySchema,
  mode: z.enum(['redact', 'encrypt']),
  findings: z.array(findingSchema).max(10_000),
  counts: countsSchema,
});
export type PiiRedactedData = z.infer<typeof piiRedactedV1>;

const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64');

/**
 * The original texts of an interaction whose workload keeps raw text: `{ path: text }` as JSON,
 * AES-256-GCM under the subject's data key, bound (as associated data) to the interaction, the
 * subject and the key. Destroying the key makes this unreadable for good; the event stays.
 */
export const rawTextEncryptedV1 = z.object({
  interactionId: idSchema,
  workloadId: workloadIdSchema,
  subjectKey: subjectKeySchema,
  keyId: z.string().regex(/^[a-z0-9]{8,40}$/),
  algorithm: z.literal('AES-256-GCM'),
  iv: base64,
  tag: base64,
  ciphertext: base64,
});
export type RawTextEncryptedData = z.infer<typeof rawTextEncryptedV1>;

export const subjectErasureRequestedV1 = z.object({
  subjectKey: subjectKeySchema,
  reason: z.string().min(1).max(500).nullable(),
  requestedBy: z.string().min(1).max(200),
});

export const subjectForgottenV1 = z.object({
  subjectKey: subjectKeySchema,
  /** The data keys destroyed (none when the subject had no raw text kept). */
  keyIds: z.array(z.string()).max(1_000),
  /** The SubjectErasureRequested event this completes. */
  requestId: z.string().uuid(),
});
export type SubjectForgottenData = z.infer<typeof subjectForgottenV1>;

export const auditQuerySchema = z.object({
  subjectId: idSchema.nullable(),
  conversationId: idSchema.nullable(),
  stream: z.string().max(300).nullable(),
  from: z.string().nullable(),
  to: z.string().nullable(),
});
export type AuditQuery = z.infer<typeof auditQuerySchema>;

/**
 * An auditor (or the CLI) read the log through the audit path. Recorded before anything is
 * returned; it names what was asked, why, and whose raw text was decrypted or found erased.
 */
export const rawDataAccessedV1 = z.object({
  accessId: z.string().uuid(),
  accessor: z.string().min(1).max(200),
  via: z.enum(['api', 'cli']),
  reason: z.string().min(1).max(500),
  query: auditQuerySchema,
  decrypt: z.boolean(),
  events: z.number().int().nonnegative(),
  decrypted: z.number().int().nonnegative(),
  /** Raw texts found whose key was already destroyed. */
  erased: z.number().int().nonnegative(),
  /** Subjects whose raw texts were among the results (decrypted or not). */
  subjectKeys: z.array(subjectKeySchema).max(10_000),
});
export type RawDataAccessedData = z.infer<typeof rawDataAccessedV1>;

export const PrivacyPolicySet = defineEvent('PrivacyPolicySet', privacyPolicySetV1);
export const PiiRedacted = defineEvent('PiiRedacted', piiRedactedV1);
export const RawTextEncrypted = defineEvent('RawTextEncrypted', rawTextEncryptedV1);
export const SubjectErasureRequested = defineEvent('SubjectErasureRequested', subjectErasureRequestedV1);
export const SubjectForgotten = defineEvent('SubjectForgotten', subjectForgottenV1);
export const RawDataAccessed = defineEvent('RawDataAccessed', rawDataAccessedV1);

/** Streams: `privacypolicy-<workloadId>`, `privacysubject-<subjectKey>`, `rawaccess-<accessId>`; findings and ciphertext live in the interaction's stream. */
export const PRIVACY_POLICY_CATEGORY = 'privacypolicy';
export const PRIVACY_SUBJECT_CATEGORY = 'privacysubject';
export const RAW_ACCESS_CATEGORY = 'rawaccess';

export const privacyEvents = [PrivacyPolicySet, PiiRedacted, RawTextEncrypted, SubjectErasureRequested, SubjectForgotten, RawDataAccessed] as const;
