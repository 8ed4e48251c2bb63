import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ANNOTATION_QUEUE_CATEGORY, queueIdSchema, stratifyKeySchema, type StratifyKey } from '../../../events/catalogue/evaluation';
import { nodeTypeSchema, workloadIdSchema } from '../../../events/catalogue/ingest';
import type { DomainEventStore } from '../../../events/catalogued-event-store';
import { commandMetadata, streamName } from '../../../events/envelope';
import { ANNOTATION_ITEMS, ANNOTATION_QUEUES, type AnnotationItemDoc, type AnnotationQueueDoc } from '../../../projections/evaluation-annotation';
import { METRICS, type MetricDoc } from '../../../projections/evaluation';
import { INTERACTIONS, type InteractionDoc } from '../../../projections/interactions';
import type { ReadStore } from '../../../projections/read-store';
import { InputInvalid, issuesFromZod } from '../../errors';
import { handleCommand } from '../../command-handler';
import { AnnotationQueueNotFound } from './errors';
import * as queue from './queue-decider';
import { stratifiedSample } from './sampling';

const createInput = z.object({
  workloadId: workloadIdSchema,
  name: z.string().trim().min(1).max(200),
  metricIds: z.array(z.string()).min(1).max(20),
  nodeType: nodeTypeSchema.nullish(),
  model: z.string().trim().min(1).max(256).nullish(),
  from: z.iso.datetime({ offset: true }).nullish(),
  to: z.iso.datetime({ offset: true }).nullish(),
  stratifyBy: stratifyKeySchema.default('none'),
  sampleSize: z.number().int().min(1).max(5_000),
  labelsPerItem: z.number().int().min(1).max(5).default(1),
});
export type CreateQueueInput = z.input<typeof createInput>;

/** Candidates a queue samples from: the newest interactions matching its filter. */
const MAX_CANDIDATES = 10_000;
const DEFAULT_LEASE_MS = 10 * 60_000;

export interface Claim {
  readonly queueId: string;
  readonly interactionId: string;
  readonly leaseExpiresAt: string;
  readonly metricIds: readonly string[];
}

function stratumOf(doc: InteractionDoc, key: StratifyKey): string {
  switch (key) {
    case 'none':
      return 'all';
    case 'model':
      return doc.model;
    case 'nodeType':
      return doc.nodeType ?? 'none';
    case 'promptVersionId':
      return doc.promptVersionId ?? 'none';
    case 'clientId':
      return doc.clientId ?? 'none';
  }
}

/** Annotation queues: created from a filtered, stratified sample; items claimed with a lease; labelled or skipped. */
export class AnnotationService {
  constructor(private readonly deps: { readonly store: DomainEventStore; readonly readStore: ReadStore; readonly now: () => Date; readonly newId?: () => string }) {}

  async create(input: CreateQueueInput, context: { actor: string; correlationId: string }): Promise<{ queueId: string; position: number }> {
    const parsed = createInput.safeParse(input);
    if (!parsed.success) throw new InputInvalid(issuesFromZod(parsed.error));
    const p = parsed.data;
    const metrics = await this.deps.readStore.findByIds<MetricDoc>(METRICS, p.metricIds);
    const unknown = p.metricIds.filter((id) => !metrics.some((m) => m._id === id && m.workloadId === p.workloadId && m.status === 'active'));
    if (unknown.length > 0) throw new InputInvalid(unknown.map((id) => ({ path: 'metricIds', message: `${id} is not an active metric of ${p.workloadId}` })));

    const filter: Record<string, unknown> = { workloadId: p.workloadId };
    if (p.nodeType) filter['nodeType'] = p.nodeType;
    if (p.model) filter['model'] = p.model;
    if (p.from || p.to) filter['occurredAt'] = { ...(p.from ? { $gte: new Date(p.from).toISOString() } : {}), ...(p.to ? { $lt: new Date(p.to).toISOString() } : {}) };
    const page = await this.deps.readStore.find<InteractionDoc>(INTERACTIONS, filter, { sort: { occurredAt: -1 }, limit: MAX_CANDIDATES });
    const queueId = (this.deps.newId ?? randomUUID)();
    const sample = stratifiedSample(
      page.docs.map((d) => ({ interactionId: d._id, stratum: stratumOf(d, p.stratifyBy), occurredAt: d.occurredAt })),
      p.sampleSize,
      queueId,
    );
    const metadata = commandMetadata({ actor: context.actor, correlationId: context.correlationId, now: this.deps.now() });
    const handled = await handleCommand(this.deps.store, streamName(ANNOTATION_QUEUE_CATEGORY, queueId), queue, {
      type: 'CreateQueue',
      queue: {
        queueId,
        workloadId: p.workloadId,
        name: p.name,
        metricIds: p.metricIds,
        filter: { nodeType: p.nodeType ?? null, model: p.model ?? null, from: p.from ?? null, to: p.to ?? null },
        stratifyBy: p.stratifyBy,
        sampleSize: p.sampleSize,
        labelsPerItem: p.labelsPerItem,
        items: sample.map((c) => ({ interactionId: c.interactionId, stratum: c.stratum.slice(0, 256), interactionOccurredAt: c.occurredAt })),
      },
      metadata,
    });
    return { queueId, position: handled.position };
  }

  async claim(queueId: string, annotator: string, leaseMs: number | null, context: { correlationId: string }): Promise<Claim & { position: number }> {
    const handled = await this.run(queueId, {
      type: 'ClaimNext',
      annotator,
      leaseMs: Math.min(Math.max(leaseMs ?? DEFAULT_LEASE_MS, 10_000), 24 * 3_600_000),
      metadata: this.metadata(annotator, context),
    });
    if (handled.state.status !== 'open') throw new AnnotationQueueNotFound(queueId);
    const now = this.deps.now().getTime();
    const held = queue.nextFor(handled.state, annotator, now);
    const until = held?.item.claims.get(annotator);
    if (!held || !held.held || until === undefined) throw new Error(`claim in ${queueId} was decided but is not held`);
    return { queueId, interactionId: held.item.interactionId, leaseExpiresAt: new Date(until).toISOString(), metricIds: handled.state.queue.metricIds, position: handled.position };
  }

  async submit(
    input: { queueId: string; interactionId: string; labels: readonly { metricId: string; pass: boolean; note?: string | null }[] },
    annotator: string,
    context: { correlationId: string },
  ): Promise<{ position: number; labels: number }> {
    const current = await this.getQueue(input.queueId);
    const metrics = await this.deps.readStore.findByIds<MetricDoc>(METRICS, current.metricIds);
    const metricVersions = new Map(metrics.map((m) => [m._id, m.version]));
    const handled = await this.run(input.queueId, {
      type: 'SubmitLabels',
      annotator,
      interactionId: input.interactionId,
      labels: input.labels.map((l) => ({ metricId: l.metricId, pass: l.pass, note: l.note ?? null })),
      metricVersions,
      metadata: this.metadata(annotator, context),
    });
    return { position: handled.position, labels: input.labels.length };
  }

  async skip(queueId: string, interactionId: string, reason: string | null, annotator: string, context: { correlationId: string }): Promise<{ position: number }> {
    const handled = await this.run(queueId, { type: 'SkipItem', annotator, interactionId, reason, metadata: this.metadata(annotator, context) });
    return { position: handled.position };
  }

  async getQueue(queueId: string): Promise<AnnotationQueueDoc> {
    const doc = queueIdSchema.safeParse(queueId).success ? await this.deps.readStore.findById<AnnotationQueueDoc>(ANNOTATION_QUEUES, queueId) : null;
    if (!doc) throw new AnnotationQueueNotFound(queueId);
    return doc;
  }

  findQueue(queueId: string): Promise<AnnotationQueueDoc | null> {
    return this.getQueue(queueId).catch((error: unknown) => {
      if (error instanceof AnnotationQueueNotFound) return null;
      throw error;
    });
  }

  async queues(workloadId: string): Promise<readonly AnnotationQueueDoc[]> {
    return (await this.deps.readStore.find<AnnotationQueueDoc>(ANNOTATION_QUEUES, { workloadId }, { sort: { createdAt: -1 }, limit: 500 })).docs;
  }

  async items(queueId: string): Promise<readonly AnnotationItemDoc[]> {
    return (await this.deps.readStore.find<AnnotationItemDoc>(ANNOTATION_ITEMS, { queueId }, { sort: { order: 1 }, limit: 5_000 })).docs;
  }

  private async run(queueId: string, command: queue.QueueCommand) {
    if (!queueIdSchema.safeParse(queueId).success) throw new AnnotationQueueNotFound(queueId);
    try {
      return await handleCommand(this.deps.store, streamName(ANNOTATION_QUEUE_CATEGORY, queueId), queue, command);
    } catch (error) {
      // The decider does not know the id it was asked about when the stream is empty.
      if (error instanceof AnnotationQueueNotFound) throw new AnnotationQueueNotFound(queueId);
      throw error;
    }
  }

  private metadata(annotator: string, context: { correlationId: string }) {
    return commandMetadata({ actor: annotator, correlationId: context.correlationId, now: this.deps.now() });
  }
}
