import { z } from 'zod';
import {
  adoptionSchema,
  dimensionSchema,
  MAX_COMMENT_CHARS,
  MAX_EDITED_CHARS,
  signalTypeSchema,
  type SignalRecordedData,
  type SignalType,
} from '../../events/catalogue/feedback';
import { idSchema, workloadIdSchema } from '../../events/catalogue/ingest';

/** Which optional fields each signal type takes; any other field on that type is refused. */
const FIELDS_OF: Readonly<Record<SignalType, readonly SignalField[]>> = {
  thumbsUp: ['dimension', 'comment'],
  thumbsDown: ['dimension', 'comment'],
  stopped: ['tokensReceived'],
  regenerated: ['replacementInteractionId'],
  copied: ['fraction'],
  edited: ['editedText', 'editDistance'],
  adopted: ['adoption'],
  deleted: [],
  followUp: ['reask'],
  corrected: [],
};

const SIGNAL_FIELDS = [
  'dimension',
  'comment',
  'tokensReceived',
  'replacementInteractionId',
  'fraction',
  'editedText',
  'editDistance',
  'adoption',
  'reask',
] as const;
type SignalField = (typeof SIGNAL_FIELDS)[number];

/**
 * One signal as an app (or its SDK, or a browser with the interaction's feedback token) sends
 * it: one flat shape for every type, since GraphQL has no input unions; the fields a type does
 * not take are refused so a client mistake shows instead of being dropped.
 */
export const recordSignalInputSchema = z
  .object({
    interactionId: idSchema,
    /** Client-chosen: a retry with the same id is the same signal. Generated when absent. */
    signalId: idSchema.nullish(),
    type: signalTypeSchema,
    dimension: dimensionSchema.nullish(),
    comment: z.string().trim().min(1).max(MAX_COMMENT_CHARS).nullish(),
    tokensReceived: z.number().int().nonnegative().nullish(),
    replacementInteractionId: idSchema.nullish(),
    fraction: z.number().min(0).max(1).nullish(),
    editedText: z.string().max(MAX_EDITED_CHARS).nullish(),
    editDistance: z.number().min(0).max(1).nullish(),
    adoption: adoptionSchema.nullish(),
    reask: z.boolean().nullish(),
    /** When the user did it; default: when the server received it. */
    occurredAt: z.iso.datetime({ offset: true }).nullish(),
  })
  .superRefine((input, ctx) => {
    const allowed = FIELDS_OF[input.type];
    for (const field of SIGNAL_FIELDS) {
      if (input[field] !== undefined && input[field] !== null && !allowed.includes(field)) {
        ctx.addIssue({ code: 'custom', path: [field], message: `not a field of ${input.type} signals` });
      }
    }
    if (input.type === 'adopted' && !input.adoption) ctx.addIssue({ code: 'custom', path: ['adoption'], message: 'required for adopted signals' });
  });
export type RecordSignalInput = z.input<typeof recordSignalInputSchema>;
export type ParsedRecordSignal = z.output<typeof recordSignalInputSchema>;

export const MAX_SIGNAL_BATCH = 1_000;

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A signal as the client stated it: the event's data without what the server adds. */
export type SignalContent = DistributiveOmit<SignalRecordedData, 'workloadId' | 'interactionAt' | 'contentHash'>;

/** The typed signal from the flat input (fields already checked against the type). */
export function signalContentOf(input: ParsedRecordSignal, signalId: string): SignalContent {
  const base = { signalId, interactionId: input.interactionId, source: 'client' as const };
  switch (input.type) {
    case 'thumbsUp':
    case 'thumbsDown':
      return { ...base, type: input.type, dimension: input.dimension ?? null, comment: input.comment ?? null };
    case 'stopped':
      return { ...base, type: 'stopped', tokensReceived: input.tokensReceived ?? null };
    case 'regenerated':
      return { ...base, type: 'regenerated', replacementInteractionId: input.replacementInteractionId ?? null };
    case 'copied':
      return { ...base, type: 'copied', fraction: input.fraction ?? null };
    case 'edited':
      return { ...base, type: 'edited', editedText: input.editedText ?? null, editDistance: input.editDistance ?? null };
    case 'adopted':
      return { ...base, type: 'adopted', adoption: input.adoption ?? 'accepted' };
    case 'deleted':
      return { ...base, type: 'deleted' };
    case 'followUp':
      return { ...base, type: 'followUp', reask: input.reask ?? false, evidence: null };
    case 'corrected':
      return { ...base, type: 'corrected', evidence: null };
  }
}

export const setOutcomeWeightsInputSchema = z.object({
  workloadId: workloadIdSchema,
  bias: z.number().min(-50).max(50).nullish(),
  threshold: z.number().min(0.5).max(1).nullish(),
  /** Only the features to change; the others keep their current weight. */
  weights: z
    .array(z.object({ feature: z.string(), weight: z.number().min(-50).max(50) }))
    .max(100)
    .nullish(),
});
export type SetOutcomeWeightsInput = z.input<typeof setOutcomeWeightsInputSchema>;
