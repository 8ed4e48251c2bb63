import { randomUUID } from 'node:crypto';
import type { DomainEvent } from '../../events/catalogue';
import type { DomainEventStore } from '../../events/catalogued-event-store';
import { idSchema } from '../../events/catalogue/ingest';
import { PRIVACY_POLICY_CATEGORY, PRIVACY_SUBJECT_CATEGORY, type EntityType } from '../../events/catalogue/privacy';
import { commandMetadata, streamName } from '../../events/envelope';
import { PRIVACY_POLICIES, privacyPolicyDocSchema } from '../../projections/privacy-policies';
import { PRIVACY_SUBJECTS } from '../../projections/privacy-records';
import type { ReadStore } from '../../projections/read-store';
import { handleCommand, loadStream } from '../command-handler';
import type { CommandContext } from '../commands';
import { InputInvalid } from '../errors';
import type { InteractionScreen } from '../ingest/ingest-service';
import type { DataKeys } from './data-keys';
import * as privacy from './decider';
import { ALL_ENTITY_TYPES } from './detector';
import { interactionTexts, replaceTexts } from './interaction-texts';
import { screenTexts } from './redact';
import { DEFAULT_POLICY, screenRecord, subjectKeyOf, type Policy } from './screen';

export interface PolicyView extends Policy {
  readonly workloadId: string;
  /** null while the workload has the default policy. */
  readonly setAt: string | null;
  readonly setBy: string | null;
  readonly position: number | null;
}

export interface ForgetResult {
  readonly subjectKey: string;
  readonly requestId: string;
  readonly keyIdsDestroyed: readonly string[];
  readonly forgottenAt: string;
  /** Position of the SubjectForgotten event. */
  readonly position: number;
}

export interface PrivacyServiceDeps {
  readonly store: DomainEventStore;
  readonly readStore: ReadStore;
  readonly keys: DataKeys;
  readonly now: () => Date;
  /** Waits until the read models have applied a position (a policy applies from the next call on). */
  readonly waitForProjection?: (position: number) => Promise<void>;
  /** How long a workload's policy is used without asking the read model again. Default 2 s. */
  readonly policyTtlMs?: number;
}

/** Policies, screening on the write path, and erasure (crypto-shredding) of a subject. */
export class PrivacyService {
  private readonly policies = new Map<string, { policy: Policy; until: number }>();

  constructor(private readonly deps: PrivacyServiceDeps) {}

  async policyFor(workloadId: string): Promise<Policy> {
    const now = this.deps.now().getTime();
    const cached = this.policies.get(workloadId);
    if (cached && cached.until > now) return cached.policy;
    const view = await this.getPolicy(workloadId);
    const policy: Policy = { mode: view.mode, entityTypes: view.entityTypes };
    if (this.policies.size >= 10_000) this.policies.clear();
    this.policies.set(workloadId, { policy, until: now + (this.deps.policyTtlMs ?? 2_000) });
    return policy;
  }

  /** Another instance changed the workload's policy: read it again on the next interaction. */
  forgetPolicy(workloadId: string): void {
    this.policies.delete(workloadId);
  }

  async getPolicy(workloadId: string): Promise<PolicyView> {
    const raw = await this.deps.readStore.findById(PRIVACY_POLICIES, workloadId);
    const doc = raw ? privacyPolicyDocSchema.safeParse(raw) : null;
    if (!doc?.success) return { workloadId, ...DEFAULT_POLICY, setAt: null, setBy: null, position: null };
    return { workloadId, mode: doc.data.mode, entityTypes: doc.data.entityTypes, setAt: doc.data.setAt, setBy: doc.data.setBy, position: null };
  }

  async setPolicy(input: { workloadId: string; mode: string; entityTypes?: readonly string[] | null }, context: CommandContext): Promise<PolicyView> {
    if (!idSchema.safeParse(input.workloadId).success) throw new InputInvalid([{ path: 'workloadId', message: 'not a workload id' }]);
    const stream = streamName(PRIVACY_POLICY_CATEGORY, input.workloadId);
    const handled = await handleCommand(this.deps.store, stream, privacy, {
      type: 'SetPrivacyPolicy',
      workloadId: input.workloadId,
      mode: input.mode,
      entityTypes: input.entityTypes ?? null,
      metadata: commandMetadata({ ...context, now: this.deps.now() }),
    });
    // The same policy again appends nothing and answers no position (nothing to wait for).
    const position = handled.events.length > 0 ? handled.position : null;
    if (position !== null) await this.deps.waitForProjection?.(position);
    this.policies.delete(input.workloadId);
    return { ...(await this.getPolicy(input.workloadId)), position };
  }

  /** The screen the ingest service runs before every append. */
  readonly screenInteraction: InteractionScreen = async (content) => {
    const policy = await this.policyFor(content.workloadId);
    if (policy.mode === 'allow') return { content, companions: () => [] };
    const subject = { interactionId: content.interactionId, workloadId: content.workloadId, subjectKey: subjectKeyOf(content) };
    const screened = await screenRecord(subject, interactionTexts(content.request, content.response), policy, this.deps.keys);
    if (screened.replacements.size === 0) return { content, companions: () => [] };
    const request = replaceTexts(content.request, 'request', screened.replacements);
    const response = content.response ? replaceTexts(content.response, 'response', screened.replacements) : null;
    return { content: { ...content, request, response }, companions: (cause) => screened.companions(cause) };
  };

  /**
   * One free text of another feature (a feedback comment, an edited answer) under its
   * workload's policy: as sent under `allow`, with placeholders otherwise. Deterministic (the
   * same text gives the same result), as the feedback hook requires. Such texts have no
   * companion events, so under `encrypt` their originals are not kept either.
   */
  async redactText(text: string, context: { readonly workloadId: string; readonly field: string }): Promise<string> {
    const policy = await this.policyFor(context.workloadId);
    if (policy.mode === 'allow') return text;
    const [screened] = screenTexts([{ path: context.field, text }], policy.entityTypes ? new Set(policy.entityTypes) : ALL_ENTITY_TYPES).texts;
    return screened?.text ?? text;
  }

  /**
   * Records the request, destroys the subject's data key, records SubjectForgotten. A crash in
   * between leaves the request pending; the erasure reactor (or asking again) finishes it.
   */
  async forgetSubject(input: { subjectId?: string | null; conversationId?: string | null; reason?: string | null }, context: CommandContext): Promise<ForgetResult> {
    const subjectKey = subjectKeyFromInput(input);
    const stream = streamName(PRIVACY_SUBJECT_CATEGORY, subjectKey);
    const requestId = randomUUID();
    await handleCommand(this.deps.store, stream, privacy, {
      type: 'RequestErasure',
      subjectKey,
      reason: input.reason ?? null,
      requestId,
      metadata: commandMetadata({ ...context, now: this.deps.now() }),
    });
    return this.completeErasure(subjectKey, context);
  }

  /** Finishes the subject's pending erasure, if any: destroys the key, then records it. */
  async completeErasure(subjectKey: string, context: CommandContext & { causationId?: string | null }): Promise<ForgetResult> {
    const stream = streamName(PRIVACY_SUBJECT_CATEGORY, subjectKey);
    const { state, history } = await loadStream(this.deps.store, stream, privacy);
    const pending = state.subject.pending;
    if (pending === null) return lastErasure(subjectKey, history);
    // The key goes first: once SubjectForgotten is in the log, nothing may still decrypt.
    const destroyed = await this.deps.keys.destroy(subjectKey);
    const keyIdsDestroyed = destroyed ? [destroyed] : [];
    const metadata = commandMetadata({ ...context, now: this.deps.now() });
    const handled = await handleCommand(this.deps.store, stream, privacy, { type: 'CompleteErasure', subjectKey, requestId: pending, keyIds: keyIdsDestroyed, metadata });
    // The reactor (or another instance) completed the same request meanwhile.
    if (handled.events.length === 0) return lastErasure(subjectKey, handled.history);
    await this.deps.waitForProjection?.(handled.position);
    return { subjectKey, requestId: pending, keyIdsDestroyed, forgottenAt: metadata.occurredAt, position: handled.position };
  }

  /**
   * Finishes erasures left pending for over `graceMs` (a crash between the request and the
   * record); younger ones may still be finishing on another instance.
   */
  async completePendingErasures(context: CommandContext, graceMs = 60_000): Promise<number> {
    const cutoff = new Date(this.deps.now().getTime() - graceMs).toISOString();
    const page = await this.deps.readStore.find(PRIVACY_SUBJECTS, { pendingSince: { $ne: null, $lt: cutoff } }, { limit: 1_000 });
    for (const doc of page.docs) await this.completeErasure(doc._id, context);
    return page.docs.length;
  }
}

export function subjectKeyFromInput(input: { subjectId?: string | null; conversationId?: string | null }): string {
  const issues: { path: string; message: string }[] = [];
  if (input.subjectId && input.conversationId) issues.push({ path: 'subjectId', message: 'give a subjectId or a conversationId, not both' });
  else if (!input.subjectId && !input.conversationId) issues.push({ path: 'subjectId', message: 'a subjectId (or a conversationId) is required' });
  const id = input.subjectId ?? input.conversationId ?? '';
  if (issues.length === 0 && !idSchema.safeParse(id).success) issues.push({ path: input.subjectId ? 'subjectId' : 'conversationId', message: 'not a valid id' });
  if (issues.length > 0) throw new InputInvalid(issues);
  return input.subjectId ? `subject:${input.subjectId}` : `conversation:${id}`;
}

export type { EntityType };

/** The subject's latest completed erasure, as recorded. */
function lastErasure(subjectKey: string, history: readonly DomainEvent[]): ForgetResult {
  const last = [...history].reverse().find((e) => e.type === 'SubjectForgotten');
  if (last?.type !== 'SubjectForgotten') throw new Error(`no erasure of ${subjectKey} to complete`);
  return { subjectKey, requestId: last.data.requestId, keyIdsDestroyed: last.data.keyIds, forgottenAt: last.metadata.occurredAt, position: last.position };
}
