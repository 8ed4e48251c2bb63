import DataLoader from 'dataloader';
import { INTERACTIONS, WORKLOADS, type InteractionDoc, type WorkloadDoc } from '../projections/interactions';
import type { ReadStore } from '../projections/read-store';

/**
 * Per-request batching: every nested field goes through one of these, so a page of N
 * parents costs one read-store call per field, not N.
 */
export interface Loaders {
  readonly interaction: DataLoader<string, InteractionDoc | null>;
  readonly workload: DataLoader<string, WorkloadDoc | null>;
  /** Interactions of a conversation, oldest first. */
  readonly conversation: DataLoader<string, readonly InteractionDoc[]>;
}

function byId<T extends { _id: string }>(ids: readonly string[], docs: readonly T[]): (T | null)[] {
  const map = new Map(docs.map((d) => [d._id, d]));
  return ids.map((id) => map.get(id) ?? null);
}

const MAX_CONVERSATION = 200;

export function createLoaders(readStore: ReadStore): Loaders {
  return {
    interaction: new DataLoader(async (ids) => byId(ids, await readStore.findByIds<InteractionDoc>(INTERACTIONS, ids)), {
      maxBatchSize: 1000,
    }),
    workload: new DataLoader(async (ids) => byId(ids, await readStore.findByIds<WorkloadDoc>(WORKLOADS, ids)), {
      maxBatchSize: 1000,
    }),
    conversation: new DataLoader(
      async (conversationIds) => {
        const sort = { conversationId: 1, occurredAt: 1 } as const;
        const page = await readStore.find<InteractionDoc>(
          INTERACTIONS,
          { conversationId: { $in: [...conversationIds] } },
          { sort, limit: Math.min(10_000, conversationIds.length * MAX_CONVERSATION) },
        );
        const groups = new Map<string, InteractionDoc[]>();
        for (const doc of page.docs) {
          if (!doc.conversationId) continue;
          const group = groups.get(doc.conversationId) ?? [];
          if (group.length < MAX_CONVERSATION) group.push(doc);
          groups.set(doc.conversationId, group);
        }
        // The shared limit ran out (a very long conversation used it up): the conversations
        // from the cut onwards may be incomplete, so each of those is read on its own.
        const last = page.docs[page.docs.length - 1]?.conversationId;
        if (page.next !== null && last) {
          const unsure = conversationIds.filter((id) => id >= last && (groups.get(id)?.length ?? 0) < MAX_CONVERSATION);
          await Promise.all(
            unsure.map(async (id) => {
              const own = await readStore.find<InteractionDoc>(INTERACTIONS, { conversationId: id }, { sort, limit: MAX_CONVERSATION });
              groups.set(id, [...own.docs]);
            }),
          );
        }
        return conversationIds.map((id) => groups.get(id) ?? []);
      },
      { maxBatchSize: 50 },
    ),
  };
}
