import type { NewDomainEvent } from '../../../events/catalogue';
import {
  AnnotationItemClaimed,
  AnnotationItemSkipped,
  AnnotationQueueCreated,
  LabelSubmitted,
  MetricEvaluated,
  type AnnotationQueueCreatedData,
} from '../../../events/catalogue/evaluation';
import type { CausalMetadata } from '../../../events/envelope';
import { deterministicUuid } from '../../../lib/ids';
import { InputInvalid } from '../../errors';
import { AnnotationQueueExists, AnnotationQueueNotFound, ClaimNotHeld, NothingToClaim } from './errors';

/** The label form's version: MetricEvaluated names it as the human evaluator's version. */
export const LABEL_FORM_VERSION = 'label-v1';

export interface CreateQueue {
  readonly type: 'CreateQueue';
  readonly queue: AnnotationQueueCreatedData;
  readonly metadata: CausalMetadata;
}

export interface ClaimNext {
  readonly type: 'ClaimNext';
  readonly annotator: string;
  readonly leaseMs: number;
  readonly metadata: CausalMetadata;
}

export interface SubmitLabels {
  readonly type: 'SubmitLabels';
  readonly annotator: string;
  readonly interactionId: string;
  readonly labels: readonly { readonly metricId: string; readonly pass: boolean; readonly note: string | null }[];
  /** Each queue metric's current version, read by the handler: labels are made under it. */
  readonly metricVersions: ReadonlyMap<string, number>;
  readonly metadata: CausalMetadata;
}

export interface SkipItem {
  readonly type: 'SkipItem';
  readonly annotator: string;
  readonly interactionId: string;
  readonly reason: string | null;
  readonly metadata: CausalMetadata;
}

export type QueueCommand = CreateQueue | ClaimNext | SubmitLabels | SkipItem;

export interface ItemState {
  readonly interactionId: string;
  readonly interactionOccurredAt: string;
  /** Annotators who labelled or skipped it; none of them is served it again. */
  readonly done: ReadonlySet<string>;
  readonly labels: number;
  /** Active or expired claims by annotator: lease end in ms. */
  readonly claims: ReadonlyMap<string, number>;
}

export type QueueState =
  | { readonly status: 'absent' }
  | { readonly status: 'open'; readonly queue: AnnotationQueueCreatedData; readonly items: ReadonlyMap<string, ItemState> };

export const initialState: QueueState = { status: 'absent' };

function withItem(state: QueueState, interactionId: string, change: (item: ItemState) => ItemState): QueueState {
  if (state.status !== 'open') return state;
  const item = state.items.get(interactionId);
  if (!item) return state;
  const items = new Map(state.items);
  items.set(interactionId, change(item));
  return { ...state, items };
}

function without<K, V>(map: ReadonlyMap<K, V>, key: K): Map<K, V> {
  const copy = new Map(map);
  copy.delete(key);
  return copy;
}

export function evolve(state: QueueState, event: NewDomainEvent): QueueState {
  switch (event.type) {
    case 'AnnotationQueueCreated': {
      const items = new Map<string, ItemState>();
      for (const i of event.data.items) {
        items.set(i.interactionId, { interactionId: i.interactionId, interactionOccurredAt: i.interactionOccurredAt, done: new Set(), labels: 0, claims: new Map() });
      }
      return { status: 'open', queue: event.data, items };
    }
    case 'AnnotationItemClaimed': {
      const until = Date.parse(event.data.leaseExpiresAt);
      return withItem(state, event.data.interactionId, (item) => ({ ...item, claims: new Map(item.claims).set(event.data.annotator, until) }));
    }
    case 'LabelSubmitted':
      return withItem(state, event.data.interactionId, (item) => ({
        ...item,
        labels: item.labels + 1,
        done: new Set(item.done).add(event.data.annotator),
        claims: without(item.claims, event.data.annotator),
      }));
    case 'AnnotationItemSkipped':
      return withItem(state, event.data.interactionId, (item) => ({
        ...item,
        done: new Set(item.done).add(event.data.annotator),
        claims: without(item.claims, event.data.annotator),
      }));
  }
  return state;
}

export function decide(command: QueueCommand, state: QueueState): NewDomainEvent[] {
  if (command.type === 'CreateQueue') {
    if (state.status !== 'absent') throw new AnnotationQueueExists(command.queue.queueId);
    return [
      AnnotationQueueCreated.create({
        id: deterministicUuid(AnnotationQueueCreated.type, command.queue.queueId),
        data: command.queue,
        metadata: command.metadata,
      }),
    ];
  }
  if (state.status === 'absent') throw new AnnotationQueueNotFound('?');
  const now = Date.parse(command.metadata.occurredAt);
  switch (command.type) {
    case 'ClaimNext':
      return claimNext(command, state, now);
    case 'SubmitLabels':
      return submit(command, state, now);
    case 'SkipItem': {
      requireClaim(state, command.annotator, command.interactionId, now);
      return [
        AnnotationItemSkipped.create({
          id: deterministicUuid(AnnotationItemSkipped.type, state.queue.queueId, command.interactionId, command.annotator),
          data: { queueId: state.queue.queueId, interactionId: command.interactionId, annotator: command.annotator, reason: command.reason?.trim().slice(0, 500) || null },
          metadata: command.metadata,
        }),
      ];
    }
  }
}

type OpenQueue = Extract<QueueState, { status: 'open' }>;

/** Claims still open on an item: an item is full while labels plus live claims reach labelsPerItem. */
function liveClaims(item: ItemState, now: number, except: string): number {
  let n = 0;
  for (const [annotator, until] of item.claims) if (annotator !== except && until > now) n++;
  return n;
}

/**
 * Serves the annotator the first item, in queue order, that still needs labels, that they have
 * not labelled or skipped, and that is not held by enough others. A live claim of their own is
 * served again (nothing appended), so a retried claim does not burn through the queue.
 */
export function nextFor(state: OpenQueue, annotator: string, now: number): { item: ItemState; held: boolean } | null {
  for (const item of state.items.values()) {
    const own = item.claims.get(annotator);
    if (own !== undefined && own > now && !item.done.has(annotator)) return { item, held: true };
  }
  for (const item of state.items.values()) {
    if (item.done.has(annotator)) continue;
    if (item.labels + liveClaims(item, now, annotator) < state.queue.labelsPerItem) return { item, held: false };
  }
  return null;
}

function claimNext(command: ClaimNext, state: OpenQueue, now: number): NewDomainEvent[] {
  const next = nextFor(state, command.annotator, now);
  if (!next) throw new NothingToClaim(state.queue.queueId);
  if (next.held) return [];
  const leaseExpiresAt = new Date(now + command.leaseMs).toISOString();
  return [
    AnnotationItemClaimed.create({
      id: deterministicUuid(AnnotationItemClaimed.type, state.queue.queueId, next.item.interactionId, command.annotator, leaseExpiresAt),
      data: { queueId: state.queue.queueId, interactionId: next.item.interactionId, annotator: command.annotator, leaseExpiresAt },
      metadata: command.metadata,
    }),
  ];
}

function requireClaim(state: OpenQueue, annotator: string, interactionId: string, now: number): ItemState {
  const item = state.items.get(interactionId);
  const until = item?.claims.get(annotator);
  if (!item || until === undefined || item.done.has(annotator)) throw new ClaimNotHeld(state.queue.queueId, interactionId, null);
  if (until <= now) throw new ClaimNotHeld(state.queue.queueId, interactionId, new Date(until).toISOString());
  return item;
}

function submit(command: SubmitLabels, state: OpenQueue, now: number): NewDomainEvent[] {
  const item = requireClaim(state, command.annotator, command.interactionId, now);
  const queue = state.queue;
  const issues = command.labels.flatMap((label, i) =>
    queue.metricIds.includes(label.metricId) ? [] : [{ path: `labels.${i}.metricId`, message: `not a metric of this queue (${queue.metricIds.join(', ')})` }],
  );
  if (command.labels.length === 0) issues.push({ path: 'labels', message: 'at least one label' });
  if (new Set(command.labels.map((l) => l.metricId)).size !== command.labels.length) issues.push({ path: 'labels', message: 'one label per metric' });
  if (issues.length > 0) throw new InputInvalid(issues);
  const labels = command.labels.map((l) => ({
    metricId: l.metricId,
    metricVersion: command.metricVersions.get(l.metricId) ?? 1,
    pass: l.pass,
    note: l.note?.trim().slice(0, 2_000) || null,
  }));
  const timeToLabelMs = Math.max(0, now - Date.parse(item.interactionOccurredAt));
  const key = [queue.queueId, command.interactionId, command.annotator];
  return [
    LabelSubmitted.create({
      id: deterministicUuid(LabelSubmitted.type, ...key),
      data: {
        queueId: queue.queueId,
        workloadId: queue.workloadId,
        interactionId: command.interactionId,
        annotator: command.annotator,
        labels,
        interactionOccurredAt: item.interactionOccurredAt,
        timeToLabelMs,
      },
      metadata: command.metadata,
    }),
    // Every result, human ones included, is a MetricEvaluated: reports read one kind of fact.
    ...labels.map(
      (l): NewDomainEvent =>
        MetricEvaluated.create({
        id: deterministicUuid(MetricEvaluated.type, ...key, l.metricId),
        data: {
          metricId: l.metricId,
          metricVersion: l.metricVersion,
          workloadId: queue.workloadId,
          interactionId: command.interactionId,
          nodeType: queue.filter.nodeType,
          pipelineRunId: null,
          pass: l.pass,
          rationale: l.note,
          evaluator: { kind: 'human', id: command.annotator, version: LABEL_FORM_VERSION },
          interactionOccurredAt: item.interactionOccurredAt,
          timeToLabelMs,
          costUsd: null,
        },
        metadata: command.metadata,
      }),
    ),
  ];
}
