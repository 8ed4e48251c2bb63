import type { DomainEventMap } from '../events/catalogue/handlers';
import { defineProjection, type Notification, type ProjectedOperation } from './projection';
import type { Document } from './read-store';

export const ANNOTATION_QUEUES = 'annotationQueues';
export const ANNOTATION_ITEMS = 'annotationItems';

export interface AnnotationQueueDoc extends Document {
  readonly workloadId: string;
  readonly name: string;
  readonly metricIds: string[];
  readonly stratifyBy: string;
  readonly sampleSize: number;
  readonly labelsPerItem: number;
  readonly items: number;
  /** Labels submitted (an item may take several, one per annotator). */
  readonly labels: number;
  readonly skips: number;
  readonly claims: number;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly updatedAt: string;
}

export interface AnnotationItemDoc extends Document {
  readonly queueId: string;
  readonly interactionId: string;
  readonly stratum: string;
  readonly order: number;
  readonly labels: number;
  readonly skips: number;
  readonly lastClaimedBy: string | null;
  readonly leaseExpiresAt: string | null;
  readonly annotators: string[];
}

export function annotationQueueTopic(queueId: string): string {
  return `annotation.queue.${queueId}`;
}

export const itemId = (queueId: string, interactionId: string) => `${queueId}|${interactionId}`;

/** Any change to a queue, announced on its topic (the annotationQueueChanged subscription re-reads the queue). */
function changed(event: DomainEventMap['AnnotationQueueCreated' | 'AnnotationItemClaimed' | 'LabelSubmitted' | 'AnnotationItemSkipped']): readonly Notification[] {
  return [{ topic: annotationQueueTopic(event.data.queueId), message: { queueId: event.data.queueId, type: event.type, position: event.position } }];
}

export const evaluationAnnotationProjection = defineProjection({
  name: 'evaluation-annotation',
  collections: [
    { name: ANNOTATION_QUEUES, indexes: [{ fields: { workloadId: 1, createdAt: -1 } }] },
    { name: ANNOTATION_ITEMS, indexes: [{ fields: { queueId: 1, order: 1 } }] },
  ],
  on: {
    AnnotationQueueCreated: (event) => {
      const at = event.metadata.occurredAt;
      const d = event.data;
      const queue: Omit<AnnotationQueueDoc, '_id'> = {
        workloadId: d.workloadId,
        name: d.name,
        metricIds: [...d.metricIds],
        stratifyBy: d.stratifyBy,
        sampleSize: d.sampleSize,
        labelsPerItem: d.labelsPerItem,
        items: d.items.length,
        labels: 0,
        skips: 0,
        claims: 0,
        createdAt: at,
        createdBy: event.metadata.actor,
        updatedAt: at,
      };
      return [
        { op: 'replace', collection: ANNOTATION_QUEUES, id: d.queueId, doc: queue },
        ...d.items.map(
          (item, order): ProjectedOperation => ({
            op: 'replace',
            collection: ANNOTATION_ITEMS,
            id: itemId(d.queueId, item.interactionId),
            doc: { queueId: d.queueId, interactionId: item.interactionId, stratum: item.stratum, order, labels: 0, skips: 0, lastClaimedBy: null, leaseExpiresAt: null, annotators: [] },
          }),
        ),
      ];
    },
    AnnotationItemClaimed: (event): ProjectedOperation[] => {
      const at = event.metadata.occurredAt;
      const d = event.data;
      return [
        { op: 'update', collection: ANNOTATION_QUEUES, id: d.queueId, update: { $inc: { claims: 1 }, $set: { updatedAt: at } } },
        { op: 'update', collection: ANNOTATION_ITEMS, id: itemId(d.queueId, d.interactionId), update: { $set: { lastClaimedBy: d.annotator, leaseExpiresAt: d.leaseExpiresAt } } },
      ];
    },
    LabelSubmitted: (event): ProjectedOperation[] => {
      const at = event.metadata.occurredAt;
      const d = event.data;
      return [
        { op: 'update', collection: ANNOTATION_QUEUES, id: d.queueId, update: { $inc: { labels: 1 }, $set: { updatedAt: at } } },
        {
          op: 'update',
          collection: ANNOTATION_ITEMS,
          id: itemId(d.queueId, d.interactionId),
          update: { $inc: { labels: 1 }, $addToSet: { annotators: d.annotator }, $set: { leaseExpiresAt: null } },
        },
      ];
    },
    AnnotationItemSkipped: (event): ProjectedOperation[] => {
      const at = event.metadata.occurredAt;
      const d = event.data;
      return [
        { op: 'update', collection: ANNOTATION_QUEUES, id: d.queueId, update: { $inc: { skips: 1 }, $set: { updatedAt: at } } },
        { op: 'update', collection: ANNOTATION_ITEMS, id: itemId(d.queueId, d.interactionId), update: { $inc: { skips: 1 }, $set: { leaseExpiresAt: null } } },
      ];
    },
  },
  notify: {
    AnnotationQueueCreated: (event) => changed(event),
    AnnotationItemClaimed: (event) => changed(event),
    LabelSubmitted: (event) => changed(event),
    AnnotationItemSkipped: (event) => changed(event),
  },
});
