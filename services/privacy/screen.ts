import type { NewDomainEvent } from '../../events/catalogue';
import { PiiRedacted, RawTextEncrypted, type EntityType, type PrivacyMode } from '../../events/catalogue/privacy';
import type { CausalMetadata } from '../../events/envelope';
import { deterministicUuid } from '../../lib/ids';
import { seal } from './crypto';
import type { DataKeys } from './data-keys';
import { ALL_ENTITY_TYPES } from './detector';
import { countsOf, screenTexts, type TextAt } from './redact';

/** The policy in force for a workload: the default is `redact` every type. */
export interface Policy {
  readonly mode: PrivacyMode;
  /** null: every type. */
  readonly entityTypes: readonly EntityType[] | null;
}

export const DEFAULT_POLICY: Policy = { mode: 'redact', entityTypes: null };

/** What a record's texts belong to: the interaction (a comment's too), its workload and its subject. */
export interface ScreenSubject {
  readonly interactionId: string;
  readonly workloadId: string;
  readonly subjectKey: string;
}

export interface ScreenedRecord {
  /** The texts to store, redacted unless the policy allows them as sent. */
  readonly texts: readonly TextAt[];
  /** The texts that changed, path → stored text. */
  readonly replacements: ReadonlyMap<string, string>;
  /**
   * PiiRedacted (and RawTextEncrypted under `encrypt`) to append in the same append as the
   * record's own event, ids derived from that event's id so a retried append is a no-op.
   */
  companions(cause: { readonly id: string; readonly metadata: CausalMetadata }): NewDomainEvent[];
}

/** The subject whose data key encrypts an interaction's raw text. */
export function subjectKeyOf(record: { subjectId: string | null; conversationId: string | null; interactionId: string }): string {
  if (record.subjectId) return `subject:${record.subjectId}`;
  if (record.conversationId) return `conversation:${record.conversationId}`;
  return `interaction:${record.interactionId}`;
}

export function rawTextAad(interactionId: string, subjectKey: string, keyId: string): string {
  return `flywheel-raw-text|${interactionId}|${subjectKey}|${keyId}`;
}

/**
 * Screens one record's texts under a policy: redacts what the policy names, and under `encrypt`
 * seals the originals of the changed texts. Exported for every feature that stores free text
 * (prompts and completions here; comments and edited text in feedback).
 */
export async function screenRecord(
  subject: ScreenSubject,
  texts: readonly TextAt[],
  policy: Policy,
  keys: Pick<DataKeys, 'forEncryption'>,
): Promise<ScreenedRecord> {
  if (policy.mode === 'allow') return { texts, replacements: new Map(), companions: () => [] };
  const types = policy.entityTypes ? new Set(policy.entityTypes) : ALL_ENTITY_TYPES;
  const screened = screenTexts(texts, types);
  if (screened.findings.length === 0) return { texts, replacements: new Map(), companions: () => [] };

  const replacements = new Map(screened.texts.filter((t) => screened.originals.has(t.path)).map((t) => [t.path, t.text]));
  let sealed: { keyId: string; iv: string; tag: string; ciphertext: string } | null = null;
  if (policy.mode === 'encrypt') {
    const key = await keys.forEncryption(subject.subjectKey);
    const plaintext = Buffer.from(JSON.stringify(Object.fromEntries(screened.originals)), 'utf8');
    sealed = { keyId: key.keyId, ...seal(key.key, plaintext, rawTextAad(subject.interactionId, subject.subjectKey, key.keyId)) };
  }
  const mode = policy.mode;
  return {
    texts: screened.texts,
    replacements,
    companions: (cause) => {
      const { metadata } = cause;
      const events: NewDomainEvent[] = [
        PiiRedacted.create({
          id: deterministicUuid(PiiRedacted.type, cause.id),
          data: { ...subject, mode, findings: [...screened.findings], counts: countsOf(screened.findings) },
          metadata,
        }),
      ];
      if (sealed) {
        events.push(
          RawTextEncrypted.create({
            id: deterministicUuid(RawTextEncrypted.type, cause.id),
            data: { ...subject, algorithm: 'AES-256-GCM', ...sealed },
            metadata,
          }),
        );
      }
      return events;
    },
  };
}
