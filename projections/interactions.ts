import type { ChatMessage, InteractionLoggedData } from '../events/catalogue/ingest';
import { feedbackInteractionIndexes, feedbackOnInteractions, type InteractionFeedbackFields } from './feedback-interactions';
import { defineProjection } from './projection';
import type { Document, JsonValue } from './read-store';

export const INTERACTIONS = 'interactions';
export const WORKLOADS = 'workloads';

/** The `interactions` read model: one document per logged interaction, with its feedback summary. */
export interface InteractionDoc extends Document, InteractionFeedbackFields {
  readonly workloadId: string;
  readonly clientId: string | null;
  readonly conversationId: string | null;
  readonly sessionId: string | null;
  readonly subjectId: string | null;
  readonly model: string;
  readonly promptVersionId: string | null;
  readonly latencyMs: number | null;
  readonly costUsd: number | null;
  readonly promptTokens: number | null;
  readonly completionTokens: number | null;
  readonly totalTokens: number | null;
  readonly pipelineRunId: string | null;
  readonly nodeId: string | null;
  readonly nodeType: string | null;
  readonly tags: string[];
  /** The request's messages and the answer's message as logged: after the privacy screen, so redacted unless the workload's policy allows them as sent. */
  readonly messages: JsonValue;
  readonly responseMessage: JsonValue;
  readonly finishReason: string | null;
  readonly occurredAt: string;
  readonly recordedAt: string;
  readonly position: number;
}

/** Per-workload totals, kept with the same events. */
export interface WorkloadDoc extends Document {
  readonly interactions: number;
  readonly firstSeenAt: string;
  readonly lastSeenAt: string;
  readonly models: string[];
}

export function interactionTopic(workloadId: string): string {
  return `interaction.logged.${workloadId}`;
}

function toJson(value: unknown): JsonValue {
  // Event data was parsed from JSON and validated; a JSON round trip keeps it JSON-typed.
  const parsed: JsonValue = JSON.parse(JSON.stringify(value ?? null));
  return parsed;
}

function answerOf(data: InteractionLoggedData): { message: ChatMessage | null; finishReason: string | null } {
  const choice = data.response?.choices?.[0];
  return { message: choice?.message ?? null, finishReason: choice?.finish_reason ?? null };
}

const feedback = feedbackOnInteractions(INTERACTIONS);

export const interactionsProjection = defineProjection({
  name: 'interactions',
  collections: [
    {
      name: INTERACTIONS,
      indexes: [
        { fields: { occurredAt: -1 } },
        { fields: { workloadId: 1, occurredAt: -1 } },
        { fields: { clientId: 1, occurredAt: -1 } },
        { fields: { model: 1, occurredAt: -1 } },
        { fields: { nodeType: 1, occurredAt: -1 } },
        { fields: { conversationId: 1, occurredAt: 1 } },
        { fields: { pipelineRunId: 1 } },
        // The audit trail of a subject starts from its interactions.
        { fields: { subjectId: 1 } },
        ...feedbackInteractionIndexes,
      ],
    },
    { name: WORKLOADS, indexes: [] },
  ],
  on: {
    InteractionLogged: (event) => {
      const d = event.data;
      const answer = answerOf(d);
      const occurredAt = event.metadata.occurredAt;
      const doc: Omit<InteractionDoc, '_id'> = {
        workloadId: d.workloadId,
        clientId: d.clientId,
        conversationId: d.conversationId,
        sessionId: d.sessionId,
        subjectId: d.subjectId,
        model: d.model,
        promptVersionId: d.promptVersionId,
        latencyMs: d.latencyMs,
        costUsd: d.costUsd,
        promptTokens: d.usage?.promptTokens ?? null,
        completionTokens: d.usage?.completionTokens ?? null,
        totalTokens: d.usage?.totalTokens ?? null,
        pipelineRunId: d.pipeline?.runId ?? null,
        nodeId: d.pipeline?.nodeId ?? null,
        nodeType: d.pipeline?.nodeType ?? null,
        tags: d.tags,
        messages: toJson(d.request.messages),
        responseMessage: toJson(answer.message),
        finishReason: answer.finishReason,
        occurredAt,
        recordedAt: event.recordedAt,
        position: event.position,
      };
      return [
        { op: 'replace', collection: INTERACTIONS, id: d.interactionId, doc: { ...doc, tags: [...d.tags] } },
        {
          op: 'update',
          collection: WORKLOADS,
          id: d.workloadId,
          upsert: true,
          update: {
            $inc: { interactions: 1 },
            $min: { firstSeenAt: occurredAt },
            $max: { lastSeenAt: occurredAt },
            $addToSet: { models: d.model },
          },
        },
      ];
    },
    // Signals and outcomes update the interaction's feedback summary (projections/feedback-interactions.ts).
    ...feedback.on,
  },
  notify: {
    InteractionLogged: (event) => [
      {
        topic: interactionTopic(event.data.workloadId),
        message: { interactionId: event.data.interactionId, workloadId: event.data.workloadId, position: event.position },
      },
    ],
    ...feedback.notify,
  },
});
