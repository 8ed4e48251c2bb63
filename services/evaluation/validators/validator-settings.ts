import { z } from 'zod';
import { InputValidatorsConfigured, VALIDATORS_CATEGORY } from '../../../events/catalogue/evaluation';
import { workloadIdSchema } from '../../../events/catalogue/ingest';
import type { DomainEventStore } from '../../../events/catalogued-event-store';
import { commandMetadata, streamName } from '../../../events/envelope';
import { INPUT_VALIDATIONS, VALIDATOR_CONFIGS, type InputValidationDoc, type ValidatorConfigDoc } from '../../../projections/evaluation-validators';
import type { ReadStore } from '../../../projections/read-store';
import { handleCommand } from '../../command-handler';
import type { CommandContext } from '../../commands';
import { InputInvalid, issuesFromZod } from '../../errors';
import { settingsDecider } from '../../settings-decider';
import { DEFAULT_CONFIG } from './checks';

const settingsInput = z
  .object({
    workloadId: workloadIdSchema,
    domainExamples: z.array(z.string().trim().min(1).max(2_000)).max(200).default(DEFAULT_CONFIG.domainExamples),
    topicThreshold: z.number().min(0).max(1).default(DEFAULT_CONFIG.topicThreshold),
    minTokens: z.number().int().min(0).default(DEFAULT_CONFIG.minTokens),
    maxTokens: z.number().int().min(1).max(2_000_000).default(DEFAULT_CONFIG.maxTokens),
    languages: z.array(z.string().trim().toLowerCase().regex(/^[a-z]{2}$/, 'an ISO 639-1 code')).max(50).default(DEFAULT_CONFIG.languages),
    anomalyThreshold: z.number().min(0).max(1).default(DEFAULT_CONFIG.anomalyThreshold),
    knownAttacks: z.array(z.string().trim().min(1).max(2_000)).max(200).default(DEFAULT_CONFIG.knownAttacks),
  })
  .refine((s) => s.minTokens <= s.maxTokens, { path: ['minTokens'], message: 'must not exceed maxTokens' });

export type ValidatorSettingsInput = z.input<typeof settingsInput>;

/** A workload's validator settings: each change replaces the previous settings whole. */
export const validatorSettingsDecider = settingsDecider({
  event: InputValidatorsConfigured,
  read: (event) => (event.type === 'InputValidatorsConfigured' ? event.data : null),
});

/** Per-workload settings of the input validators; each change replaces the previous settings whole. */
export class ValidatorSettings {
  constructor(private readonly deps: { readonly store: DomainEventStore; readonly readStore: ReadStore; readonly now: () => Date }) {}

  async configure(input: ValidatorSettingsInput, context: CommandContext): Promise<{ position: number }> {
    const parsed = settingsInput.safeParse(input);
    if (!parsed.success) throw new InputInvalid(issuesFromZod(parsed.error));
    const { workloadId } = parsed.data;
    const handled = await handleCommand(this.deps.store, streamName(VALIDATORS_CATEGORY, workloadId), validatorSettingsDecider, {
      type: 'ReplaceSettings',
      key: workloadId,
      data: parsed.data,
      metadata: commandMetadata({ ...context, now: this.deps.now() }),
    });
    return { position: handled.position };
  }

  get(workloadId: string): Promise<ValidatorConfigDoc | null> {
    return this.deps.readStore.findById<ValidatorConfigDoc>(VALIDATOR_CONFIGS, workloadId);
  }

  validation(interactionId: string): Promise<InputValidationDoc | null> {
    return this.deps.readStore.findById<InputValidationDoc>(INPUT_VALIDATIONS, interactionId);
  }
}
