import { ENTITY_TYPES, type EntityType } from '../../events/catalogue/privacy';
import {
  PRIVACY_DAYS,
  PRIVACY_INTERACTIONS,
  PRIVACY_SUBJECTS,
  privacyDayDocSchema,
  privacyInteractionDocSchema,
  privacySubjectDocSchema,
  type PrivacyInteractionDoc,
  type PrivacySubjectDoc,
} from '../../projections/privacy-records';
import type { ReadStore } from '../../projections/read-store';

export interface EntityCount {
  readonly type: EntityType;
  readonly count: number;
}

export interface PrivacyDay {
  readonly day: string;
  /** Interactions in which something was found (and redacted). */
  readonly interactions: number;
  readonly rawKept: number;
  readonly entities: readonly EntityCount[];
}

export interface PrivacyReport {
  readonly workloadId: string;
  readonly days: readonly PrivacyDay[];
  readonly entityTotals: readonly EntityCount[];
  readonly interactionsWithFindings: number;
  /** Interactions whose raw text is kept and still readable by an auditor. */
  readonly rawTextKept: number;
  /** Interactions whose raw text was kept and whose subject has since been forgotten. */
  readonly rawTextErased: number;
  readonly erasuresDone: number;
  readonly erasuresPending: number;
  readonly pendingErasures: readonly { readonly subjectKey: string; readonly since: string }[];
}

const SCAN = 10_000;

function entityCounts(counts: Readonly<Record<string, number>> | undefined): EntityCount[] {
  return ENTITY_TYPES.flatMap((type) => {
    const count = counts?.[type] ?? 0;
    return count > 0 ? [{ type, count }] : [];
  });
}

/** Whether this interaction's kept raw text is erased: its key is among its subject's destroyed keys. */
export function rawTextState(doc: PrivacyInteractionDoc, subject: PrivacySubjectDoc | undefined): 'NOT_KEPT' | 'KEPT' | 'ERASED' {
  if (!doc.rawKeyId) return 'NOT_KEPT';
  return subject?.destroyedKeyIds?.includes(doc.rawKeyId) ? 'ERASED' : 'KEPT';
}

/**
 * A workload's privacy figures from the read models. Erasures count the subjects that had raw
 * text kept in this workload (the latest 10,000 such interactions are looked at).
 */
export async function privacyReport(readStore: ReadStore, workloadId: string, range: { from?: string | null; to?: string | null } = {}): Promise<PrivacyReport> {
  const dayFilter: Record<string, unknown> = { workloadId };
  if (range.from || range.to) {
    dayFilter['day'] = { ...(range.from ? { $gte: range.from.slice(0, 10) } : {}), ...(range.to ? { $lt: range.to.slice(0, 10) } : {}) };
  }
  const dayDocs = await readStore.find(PRIVACY_DAYS, dayFilter, { sort: { day: 1 }, limit: SCAN });
  const days = dayDocs.docs.flatMap((raw) => {
    const d = privacyDayDocSchema.safeParse(raw);
    return d.success ? [{ day: d.data.day, interactions: d.data.interactions, rawKept: d.data.rawKept ?? 0, entities: entityCounts(d.data.counts) }] : [];
  });
  const totals = new Map<EntityType, number>();
  for (const day of days) for (const e of day.entities) totals.set(e.type, (totals.get(e.type) ?? 0) + e.count);

  const withFindings = await readStore.count(PRIVACY_INTERACTIONS, { workloadId });
  const kept = await readStore.find(PRIVACY_INTERACTIONS, { workloadId, rawKeyId: { $ne: null } }, { sort: { occurredAt: -1 }, limit: SCAN });
  const keptDocs = kept.docs.flatMap((raw) => {
    const d = privacyInteractionDocSchema.safeParse(raw);
    return d.success ? [d.data] : [];
  });
  const subjectKeys = [...new Set(keptDocs.map((d) => d.subjectKey))];
  const subjects = new Map(
    (await readStore.findByIds(PRIVACY_SUBJECTS, subjectKeys)).flatMap((raw) => {
      const s = privacySubjectDocSchema.safeParse(raw);
      return s.success ? [[s.data._id, s.data] as const] : [];
    }),
  );
  let erased = 0;
  for (const doc of keptDocs) if (rawTextState(doc, subjects.get(doc.subjectKey)) === 'ERASED') erased++;
  const pendingErasures = [...subjects.values()].flatMap((s) => (s.pendingSince ? [{ subjectKey: s._id, since: s.pendingSince }] : []));
  return {
    workloadId,
    days,
    entityTotals: ENTITY_TYPES.flatMap((type) => (totals.get(type) ? [{ type, count: totals.get(type) ?? 0 }] : [])),
    interactionsWithFindings: withFindings,
    rawTextKept: keptDocs.length - erased,
    rawTextErased: erased,
    erasuresDone: [...subjects.values()].filter((s) => (s.erasures ?? 0) > 0).length,
    erasuresPending: pendingErasures.length,
    pendingErasures,
  };
}
