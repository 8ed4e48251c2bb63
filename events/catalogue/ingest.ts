import { z } from 'zod';
import { defineEvent } from './define';

export const NODE_TYPES = ['classifier', 'writer', 'codegen', 'retriever', 'tool'] as const;
export const nodeTypeSchema = z.enum(NODE_TYPES);
export type NodeType = z.infer<typeof nodeTypeSchema>;

/** Identifiers chosen by apps: printable, no whitespace, bounded. */
export const idSchema = z.string().regex(/^[A-Za-z0-9._:@\-/]{1,128}$/, 'letters, digits and ._:@-/ only, 1–128 characters');

/** Workload ids also name bus topics and metric series, so they are kept to one simple token. */
export const workloadIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, _ and - only, 1–64 characters');

// The OpenAI chat-completions shapes, kept loose on purpose: apps log what their SDK sent and
// received, and providers add fields. What the flywheel reads is named; the rest is kept as is.
const contentPartSchema = z.looseObject({ type: z.string() });
export const chatMessageSchema = z.looseObject({
  role: z.string().min(1).max(32),
  content: z.union([z.string(), z.array(contentPartSchema), z.null()]).optional(),
  name: z.string().max(256).optional(),
  tool_calls: z
    .array(
      z.looseObject({
        id: z.string().optional(),
        type: z.string().optional(),
        function: z.looseObject({ name: z.string(), arguments: z.string() }).optional(),
      }),
    )
    .optional(),
  tool_call_id: z.string().optional(),
});
export type ChatMessage = z.infer<typeof chatMessageSchema>;

export const chatRequestSchema = z.looseObject({
  model: z.string().min(1).max(256),
  messages: z.array(chatMessageSchema).min(1).max(10_000),
});

export const chatResponseSchema = z.looseObject({
  id: z.string().optional(),
  model: z.string().optional(),
  choices: z
    .array(
      z.looseObject({
        index: z.number().int().optional(),
        message: chatMessageSchema.optional(),
        finish_reason: z.string().nullable().optional(),
      }),
    )
    .optional(),
  usage: z
    .looseObject({
      prompt_tokens: z.number().int().nonnegative().optional(),
      completion_tokens: z.number().int().nonnegative().optional(),
      total_tokens: z.number().int().nonnegative().optional(),
    })
    .optional(),
});

export const usageSchema = z.object({
  promptTokens: z.number().int().nonnegative(),
  completionTokens: z.number().int().nonnegative(),
  totalTokens: z.number().int().nonnegative(),
});

export const pipelineSchema = z.object({
  runId: idSchema,
  nodeId: idSchema,
  nodeType: nodeTypeSchema,
});

export const interactionLoggedV1 = z.object({
  interactionId: idSchema,
  workloadId: workloadIdSchema,
  clientId: idSchema.nullable(),
  conversationId: idSchema.nullable(),
  sessionId: idSchema.nullable(),
  /** The end user the interaction is about; privacy keys are per subject. */
  subjectId: idSchema.nullable(),
  /** The model that answered (the response's, else the request's). */
  model: z.string().min(1).max(256),
  request: chatRequestSchema,
  response: chatResponseSchema.nullable(),
  promptVersionId: idSchema.nullable(),
  latencyMs: z.number().nonnegative().max(86_400_000).nullable(),
  usage: usageSchema.nullable(),
  costUsd: z.number().nonnegative().nullable(),
  pipeline: pipelineSchema.nullable(),
  tags: z.array(z.string().min(1).max(64)).max(64),
  /** sha256 of the logged content; a retry with the same id and content is the same event. */
  contentHash: z.string().regex(/^[0-9a-f]{64}$/),
});
export type InteractionLoggedData = z.infer<typeof interactionLoggedV1>;

export const InteractionLogged = defineEvent('InteractionLogged', interactionLoggedV1);

export const INTERACTION_CATEGORY = 'interaction';
export const ingestEvents = [InteractionLogged] as const;
