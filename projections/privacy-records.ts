import { z } from 'zod';
import { defineProjection, type ProjectedOperation } from './projection';

/**
 * The privacy read models, from the privacy events only:
 * - `privacyInteractions`: per interaction with findings, what was found and whether raw text is kept (and under which key);
 * - `privacyDays`: per workload and day, entity counts (the report's "over time");
 * - `privacySubjects`: per subject key, erasures requested, done, and the keys destroyed;
 * - `privacyAccesses`: per audit access, who, why, and whose raw text it touched.
 * Whether an interaction's raw text is erased is its key id found among its subject's destroyed
 * keys: one event (SubjectForgotten) cannot name every interaction document it affects.
 */
export const PRIVACY_INTERACTIONS = 'privacyInteractions';
export const PRIVACY_DAYS = 'privacyDays';
export const PRIVACY_SUBJECTS = 'privacySubjects';
export const PRIVACY_ACCESSES = 'privacyAccesses';
/** Published once a SubjectForgotten is committed: instances drop cached data keys of that subject. */
export const SUBJECT_FORGOTTEN_TOPIC = 'privacy.subject.forgotten';

const counts = z.record(z.string(), z.number());

export const privacyInteractionDocSchema = z.object({
  _id: z.string(),
  workloadId: z.string(),
  subjectKey: z.string(),
  mode: z.string(),
  counts: counts.optional(),
  findings: z.number().optional(),
  rawKeyId: z.string().nullable().optional(),
  occurredAt: z.string(),
});
export type PrivacyInteractionDoc = z.infer<typeof privacyInteractionDocSchema>;

export const privacyDayDocSchema = z.object({
  _id: z.string(),
  workloadId: z.string(),
  day: z.string(),
  interactions: z.number(),
  rawKept: z.number().optional(),
  counts: counts.optional(),
});
export type PrivacyDayDoc = z.infer<typeof privacyDayDocSchema>;

export const privacySubjectDocSchema = z.object({
  _id: z.string(),
  requests: z.number().optional(),
  pendingSince: z.string().nullable().optional(),
  lastReason: z.string().nullable().optional(),
  forgottenAt: z.string().nullable().optional(),
  erasures: z.number().optional(),
  destroyedKeyIds: z.array(z.string()).optional(),
});
export type PrivacySubjectDoc = z.infer<typeof privacySubjectDocSchema>;

export const privacyAccessDocSchema = z.object({
  _id: z.string(),
  accessor: z.string(),
  via: z.string(),
  reason: z.string(),
  at: z.string(),
  decrypted: z.number(),
  erased: z.number(),
  events: z.number(),
  subjectKeys: z.array(z.string()),
  stream: z.string(),
});
export type PrivacyAccessDoc = z.infer<typeof privacyAccessDocSchema>;

/** A subject's erasure record, created by whichever of its events comes first. */
function subjectUpdate(subjectKey: string, update: Extract<ProjectedOperation, { op: 'update' }>['update']): ProjectedOperation {
  return { op: 'update', collection: PRIVACY_SUBJECTS, id: subjectKey, upsert: true, update };
}

export const privacyRecordsProjection = defineProjection({
  name: 'privacyRecords',
  collections: [
    { name: PRIVACY_INTERACTIONS, indexes: [{ fields: { workloadId: 1, occurredAt: -1 } }, { fields: { subjectKey: 1 } }] },
    { name: PRIVACY_DAYS, indexes: [{ fields: { workloadId: 1, day: 1 } }] },
    { name: PRIVACY_SUBJECTS, indexes: [{ fields: { forgottenAt: 1 } }] },
    { name: PRIVACY_ACCESSES, indexes: [{ fields: { subjectKeys: 1 } }, { fields: { at: 1 } }] },
  ],
  on: {
    PiiRedacted: (event): ProjectedOperation[] => {
      const at = event.metadata.occurredAt;
      const d = event.data;
      const day = at.slice(0, 10);
      const inc: Record<string, number> = { interactions: 1 };
      for (const [type, n] of Object.entries(d.counts)) if (n) inc[`counts.${type}`] = n;
      return [
        {
          op: 'update',
          collection: PRIVACY_INTERACTIONS,
          id: d.interactionId,
          upsert: true,
          update: {
            $set: { workloadId: d.workloadId, subjectKey: d.subjectKey, mode: d.mode, counts: { ...d.counts }, findings: d.findings.length, occurredAt: at },
            $setOnInsert: { rawKeyId: null },
          },
        },
        { op: 'update', collection: PRIVACY_DAYS, id: `${d.workloadId}|${day}`, upsert: true, update: { $set: { workloadId: d.workloadId, day }, $inc: inc } },
      ];
    },
    RawTextEncrypted: (event): ProjectedOperation[] => {
      const at = event.metadata.occurredAt;
      const d = event.data;
      return [
        {
          op: 'update',
          collection: PRIVACY_INTERACTIONS,
          id: d.interactionId,
          upsert: true,
          update: { $set: { rawKeyId: d.keyId, workloadId: d.workloadId, subjectKey: d.subjectKey }, $setOnInsert: { mode: 'encrypt', occurredAt: at } },
        },
        {
          op: 'update',
          collection: PRIVACY_DAYS,
          id: `${d.workloadId}|${at.slice(0, 10)}`,
          upsert: true,
          update: { $set: { workloadId: d.workloadId, day: at.slice(0, 10) }, $inc: { rawKept: 1 } },
        },
      ];
    },
    SubjectErasureRequested: (event) => [
      subjectUpdate(event.data.subjectKey, { $inc: { requests: 1 }, $set: { pendingSince: event.metadata.occurredAt, lastReason: event.data.reason } }),
    ],
    SubjectForgotten: (event) => [
      subjectUpdate(event.data.subjectKey, {
        $inc: { erasures: 1 },
        $set: { pendingSince: null, forgottenAt: event.metadata.occurredAt },
        $addToSet: { destroyedKeyIds: { $each: [...event.data.keyIds] } },
      }),
    ],
    RawDataAccessed: (event) => {
      const at = event.metadata.occurredAt;
      const d = event.data;
      const doc: Omit<PrivacyAccessDoc, '_id'> = {
        accessor: d.accessor,
        via: d.via,
        reason: d.reason,
        at,
        decrypted: d.decrypted,
        erased: d.erased,
        events: d.events,
        subjectKeys: [...d.subjectKeys],
        stream: event.stream,
      };
      return [{ op: 'replace', collection: PRIVACY_ACCESSES, id: d.accessId, doc }];
    },
  },
  notify: {
    SubjectForgotten: (event) => [{ topic: SUBJECT_FORGOTTEN_TOPIC, message: { subjectKey: event.data.subjectKey, position: event.position } }],
  },
});
