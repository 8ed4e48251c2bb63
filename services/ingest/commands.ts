import { z } from 'zod';
import {
  chatRequestSchema,
  chatResponseSchema,
  idSchema,
  pipelineSchema,
  workloadIdSchema,
} from '../../events/catalogue/ingest';

/** What an app sends to log one interaction: the OpenAI request and response bodies plus context. */
export const logInteractionInputSchema = z.object({
  /** Client-chosen id: a retry with the same id and content is the same interaction. */
  id: idSchema.optional(),
  workloadId: workloadIdSchema,
  clientId: idSchema.nullish(),
  conversationId: idSchema.nullish(),
  sessionId: idSchema.nullish(),
  subjectId: idSchema.nullish(),
  request: chatRequestSchema,
  response: chatResponseSchema.nullish(),
  promptVersionId: idSchema.nullish(),
  latencyMs: z.number().nonnegative().max(86_400_000).nullish(),
  costUsd: z.number().nonnegative().nullish(),
  pipeline: pipelineSchema.nullish(),
  tags: z.array(z.string().min(1).max(64)).max(64).nullish(),
  /** When the app made the call; default: when the server received it. */
  occurredAt: z.iso.datetime({ offset: true }).nullish(),
});
export type LogInteractionInput = z.input<typeof logInteractionInputSchema>;
export type ParsedLogInteraction = z.output<typeof logInteractionInputSchema>;

export const MAX_BATCH = 1_000;
