import { ENTITY_TYPES, PRIVACY_MODES } from '../../events/catalogue/privacy';
import type { RecordedEvent } from '../../events/envelope';
import {
  PRIVACY_INTERACTIONS,
  PRIVACY_SUBJECTS,
  privacyInteractionDocSchema,
  privacySubjectDocSchema,
} from '../../projections/privacy-records';
import { InputInvalid } from '../../services/errors';
import type { AuditedEvent, AuditResult } from '../../services/privacy/audit';
import type { ForgetResult, PolicyView } from '../../services/privacy/privacy-service';
import { privacyReport, rawTextState, type EntityCount, type PrivacyDay, type PrivacyReport } from '../../services/privacy/report';
import { builder } from '../builder';
import type { GraphContext } from '../context';
import { allowedWorkloads, commandContext, forbidden, requireWorkload } from '../guards';
import { InteractionRef } from './interaction';

// ---- types --------------------------------------------------------------------------------

const PrivacyModeEnum = builder.enumType('PrivacyMode', {
  description: 'redact (default): placeholders before storage. encrypt: also keep the raw text, encrypted per subject. allow: store as sent.',
  values: PRIVACY_MODES,
});
const EntityTypeEnum = builder.enumType('PiiEntityType', { values: ENTITY_TYPES });
const RawTextStateEnum = builder.enumType('RawTextState', {
  values: {
    NOT_KEPT: { description: 'Only the redacted text was stored.' },
    KEPT: { description: 'The raw text is kept encrypted; auditors can read it with a stated reason.' },
    ERASED: { description: "The subject was forgotten: the key is destroyed and the raw text can never be read again." },
  },
});
const AuditRawStatusEnum = builder.enumType('AuditRawStatus', {
  values: {
    decrypted: { description: 'Decrypted for this audit access (recorded as RawDataAccessed).' },
    erased: { description: "The subject's key is destroyed: unreadable for good." },
    sealed: { description: 'Not decrypted (decrypt: false).' },
    unreadable: { description: 'The key exists but does not open it (altered ciphertext, or another master key).' },
  },
});

const PrivacyPolicyRef = builder.objectRef<PolicyView>('PrivacyPolicy').implement({
  fields: (t) => ({
    workloadId: t.exposeString('workloadId'),
    mode: t.field({ type: PrivacyModeEnum, resolve: (p) => p.mode }),
    entityTypes: t.field({ type: [EntityTypeEnum], nullable: true, description: 'null: every type.', resolve: (p) => (p.entityTypes ? [...p.entityTypes] : null) }),
    setAt: t.field({ type: 'DateTime', nullable: true, description: 'null: the default policy.', resolve: (p) => p.setAt }),
    setBy: t.string({ nullable: true, resolve: (p) => p.setBy }),
  }),
});

const EntityCountRef = builder.objectRef<EntityCount>('PiiEntityCount').implement({
  fields: (t) => ({
    type: t.field({ type: EntityTypeEnum, resolve: (c) => c.type }),
    count: t.exposeInt('count'),
  }),
});

interface InteractionPrivacy {
  readonly mode: string;
  readonly entities: readonly EntityCount[];
  readonly rawText: 'NOT_KEPT' | 'KEPT' | 'ERASED';
}

const InteractionPrivacyRef = builder.objectRef<InteractionPrivacy>('InteractionPrivacy').implement({
  description: 'What the detector found and replaced by placeholders (types and counts, never values).',
  fields: (t) => ({
    mode: t.exposeString('mode'),
    entities: t.field({ type: [EntityCountRef], resolve: (p) => [...p.entities] }),
    rawText: t.field({ type: RawTextStateEnum, resolve: (p) => p.rawText }),
  }),
});

builder.objectField(InteractionRef, 'privacy', (t) =>
  t.loadable({
    type: InteractionPrivacyRef,
    nullable: true,
    description: 'null when nothing was found (or the workload allows raw text).',
    load: async (ids: string[], context: GraphContext) => {
      const docs = (await context.readStore.findByIds(PRIVACY_INTERACTIONS, ids)).flatMap((raw) => {
        const d = privacyInteractionDocSchema.safeParse(raw);
        return d.success ? [d.data] : [];
      });
      const subjects = new Map(
        (await context.readStore.findByIds(PRIVACY_SUBJECTS, [...new Set(docs.map((d) => d.subjectKey))])).flatMap((raw) => {
          const s = privacySubjectDocSchema.safeParse(raw);
          return s.success ? [[s.data._id, s.data] as const] : [];
        }),
      );
      const byId = new Map(docs.map((d) => [d._id, d]));
      return ids.map((id): InteractionPrivacy | null => {
        const doc = byId.get(id);
        if (!doc) return null;
        const entities = ENTITY_TYPES.flatMap((type) => (doc.counts?.[type] ? [{ type, count: doc.counts[type] ?? 0 }] : []));
        return { mode: doc.mode, entities, rawText: rawTextState(doc, subjects.get(doc.subjectKey)) };
      });
    },
    resolve: (interaction) => interaction._id,
  }),
);

const SubjectErasureRef = builder.objectRef<ForgetResult>('SubjectErasure').implement({
  description: "The subject's data key is destroyed and SubjectForgotten is recorded: its raw texts are unreadable for good.",
  fields: (t) => ({
    subjectKey: t.exposeString('subjectKey'),
    requestId: t.exposeString('requestId'),
    keyIdsDestroyed: t.stringList({ resolve: (r) => [...r.keyIdsDestroyed] }),
    forgottenAt: t.field({ type: 'DateTime', resolve: (r) => r.forgottenAt }),
    position: t.exposeInt('position'),
  }),
});

const AuditEventRef = builder.objectRef<AuditedEvent>('AuditEvent').implement({
  description: 'One event exactly as stored (its stored schema version), with raw texts when decrypted.',
  fields: (t) => ({
    id: t.string({ resolve: (a) => a.event.id }),
    position: t.int({ resolve: (a) => a.event.position }),
    stream: t.string({ resolve: (a) => a.event.stream }),
    revision: t.int({ resolve: (a) => a.event.revision }),
    type: t.string({ resolve: (a) => a.event.type }),
    recordedAt: t.field({ type: 'DateTime', resolve: (a) => a.event.recordedAt }),
    occurredAt: t.field({ type: 'DateTime', resolve: (a) => a.event.metadata.occurredAt }),
    actor: t.string({ resolve: (a) => a.event.metadata.actor }),
    correlationId: t.string({ resolve: (a) => a.event.metadata.correlationId }),
    causationId: t.string({ nullable: true, resolve: (a) => a.event.metadata.causationId }),
    schemaVersion: t.int({ resolve: (a: { event: RecordedEvent }) => a.event.metadata.schemaVersion }),
    data: t.field({ type: 'JSON', resolve: (a) => a.event.data }),
    rawStatus: t.field({ type: AuditRawStatusEnum, nullable: true, description: 'For RawTextEncrypted events only.', resolve: (a) => a.raw?.status ?? null }),
    rawTexts: t.field({
      type: 'JSON',
      nullable: true,
      description: 'The original texts by path, when decrypted for this access.',
      resolve: (a) => (a.raw?.status === 'decrypted' ? a.raw.texts : null),
    }),
  }),
});

const AuditTrailRef = builder.objectRef<AuditResult>('AuditTrail').implement({
  fields: (t) => ({
    accessId: t.exposeString('accessId', { description: 'The RawDataAccessed event recording this access.' }),
    position: t.exposeInt('position'),
    truncated: t.exposeBoolean('truncated', { description: 'More events matched than `first`.' }),
    decrypted: t.exposeInt('decrypted'),
    erased: t.exposeInt('erased'),
    events: t.field({ type: [AuditEventRef], resolve: (r) => [...r.events] }),
  }),
});

const PrivacyDayRef = builder.objectRef<PrivacyDay>('PrivacyDay').implement({
  fields: (t) => ({
    day: t.exposeString('day', { description: 'UTC date, YYYY-MM-DD.' }),
    interactions: t.exposeInt('interactions', { description: 'Interactions in which something was found.' }),
    rawKept: t.exposeInt('rawKept'),
    entities: t.field({ type: [EntityCountRef], resolve: (d) => [...d.entities] }),
  }),
});

const PendingErasureRef = builder.objectRef<{ subjectKey: string; since: string }>('PendingErasure').implement({
  fields: (t) => ({
    subjectKey: t.exposeString('subjectKey'),
    since: t.field({ type: 'DateTime', resolve: (p) => p.since }),
  }),
});

const PrivacyReportRef = builder.objectRef<PrivacyReport & { policy: PolicyView }>('PrivacyReport').implement({
  fields: (t) => ({
    workloadId: t.exposeString('workloadId'),
    policy: t.field({ type: PrivacyPolicyRef, resolve: (r) => r.policy }),
    days: t.field({ type: [PrivacyDayRef], description: 'Entity types found over time, per UTC day.', resolve: (r) => [...r.days] }),
    entityTotals: t.field({ type: [EntityCountRef], resolve: (r) => [...r.entityTotals] }),
    interactionsWithFindings: t.exposeInt('interactionsWithFindings'),
    rawTextKept: t.exposeInt('rawTextKept', { description: 'Interactions whose raw text is kept, encrypted, and still readable.' }),
    rawTextErased: t.exposeInt('rawTextErased'),
    erasuresDone: t.exposeInt('erasuresDone'),
    erasuresPending: t.exposeInt('erasuresPending'),
    pendingErasures: t.field({ type: [PendingErasureRef], resolve: (r) => [...r.pendingErasures] }),
  }),
});

// ---- mutations ----------------------------------------------------------------------------

const SetPrivacyPolicyInput = builder.inputType('SetPrivacyPolicyInput', {
  fields: (t) => ({
    workloadId: t.string({ required: true }),
    mode: t.field({ type: PrivacyModeEnum, required: true }),
    entityTypes: t.field({ type: [EntityTypeEnum], description: 'Omitted or null: every type.' }),
  }),
});

const ForgetSubjectInput = builder.inputType('ForgetSubjectInput', {
  fields: (t) => ({
    subjectId: t.string({ description: "The interactions' subjectId." }),
    conversationId: t.string({ description: 'For interactions logged without a subjectId: their conversation.' }),
    reason: t.string({ description: 'Kept with the request (e.g. the ticket of the erasure request).' }),
  }),
});

builder.mutationFields((t) => ({
  setPrivacyPolicy: t.field({
    type: PrivacyPolicyRef,
    description: "Set a workload's privacy policy (recorded as PrivacyPolicySet). Applies to interactions logged from the answer on.",
    authScopes: { admin: true },
    args: { input: t.arg({ type: SetPrivacyPolicyInput, required: true }) },
    errors: { types: [InputInvalid], directResult: true, union: { name: 'SetPrivacyPolicyResult' } },
    resolve: (_root, { input }, context) => context.services.privacy.setPolicy(input, commandContext(context)),
  }),
  forgetSubject: t.field({
    type: SubjectErasureRef,
    description: "Crypto-shred a subject: record the request, destroy the subject's data key, record SubjectForgotten.",
    authScopes: { admin: true },
    args: { input: t.arg({ type: ForgetSubjectInput, required: true }) },
    errors: { types: [InputInvalid], directResult: true, union: { name: 'ForgetSubjectResult' } },
    resolve: (_root, { input }, context) => context.services.privacy.forgetSubject(input, commandContext(context)),
  }),
}));

// ---- queries ------------------------------------------------------------------------------

const AuditFilter = builder.inputType('AuditTrailFilter', {
  description: 'One of subjectId, conversationId or stream, and/or a time range (recordedAt; from inclusive, to exclusive).',
  fields: (t) => ({
    subjectId: t.string(),
    conversationId: t.string(),
    stream: t.string(),
    from: t.field({ type: 'DateTime' }),
    to: t.field({ type: 'DateTime' }),
  }),
});

builder.queryFields((t) => ({
  privacyPolicy: t.field({
    type: PrivacyPolicyRef,
    authScopes: { read: true },
    args: { workloadId: t.arg.string({ required: true }) },
    resolve: (_root, { workloadId }, context) => {
      requireWorkload(context, workloadId);
      return context.services.privacy.getPolicy(workloadId);
    },
  }),
  auditTrail: t.field({
    type: AuditTrailRef,
    description:
      'Events as stored, for a subject, a stream or a time range; raw texts decrypted while the key exists. Needs the audit scope and a reason; every call is recorded as RawDataAccessed.',
    authScopes: { audit: true },
    args: {
      filter: t.arg({ type: AuditFilter, required: true }),
      reason: t.arg.string({ required: true }),
      decrypt: t.arg.boolean({ defaultValue: true }),
      first: t.arg.int({ defaultValue: 1000, description: '1 to 10,000.' }),
    },
    errors: { types: [InputInvalid], directResult: true, union: { name: 'AuditTrailResult' } },
    resolve: (_root, args, context) => {
      // A trail crosses workloads (a subject's streams, a time range): only unrestricted keys may ask.
      if (allowedWorkloads(context.principal) !== null) throw forbidden('an audit trail needs a key that is not restricted to workloads', 'WORKLOAD_NOT_ALLOWED');
      const f = args.filter;
      return context.services.audit.trail({
        query: {
          subjectId: f.subjectId ?? null,
          conversationId: f.conversationId ?? null,
          stream: f.stream ?? null,
          from: f.from ? f.from.toISOString() : null,
          to: f.to ? f.to.toISOString() : null,
        },
        reason: args.reason,
        decrypt: args.decrypt ?? true,
        limit: args.first ?? 1000,
        accessor: commandContext(context).actor,
        via: 'api',
        correlationId: context.requestId,
      });
    },
  }),
  privacyReport: t.field({
    type: PrivacyReportRef,
    description: 'Entity types found over time, interactions with raw text kept, erasures done and pending.',
    authScopes: { admin: true, audit: true },
    args: {
      workloadId: t.arg.string({ required: true }),
      from: t.arg({ type: 'DateTime' }),
      to: t.arg({ type: 'DateTime' }),
    },
    resolve: async (_root, args, context) => {
      requireWorkload(context, args.workloadId);
      const [report, policy] = await Promise.all([
        privacyReport(context.readStore, args.workloadId, { from: args.from?.toISOString() ?? null, to: args.to?.toISOString() ?? null }),
        context.services.privacy.getPolicy(args.workloadId),
      ]);
      return { ...report, policy };
    },
  }),
}));
