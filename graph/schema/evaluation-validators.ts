import { z } from 'zod';
import { chatMessageSchema, workloadIdSchema } from '../../events/catalogue/ingest';
import { VALIDATION_OUTCOMES, VALIDATORS, type ValidatorCheck } from '../../events/catalogue/evaluation';
import { INPUT_VALIDATIONS, type InputValidationDoc, type ValidatorConfigDoc } from '../../projections/evaluation-validators';
import { Forbidden } from '../../services/auth/errors';
import { InputInvalid, issuesFromZod } from '../../services/errors';
import type { Validation } from '../../services/evaluation/validators/input-validator';
import { builder } from '../builder';
import { commandContext, requireWorkload } from '../guards';
import { InteractionRef } from './interaction';

const ValidationOutcomeEnum = builder.enumType('ValidationOutcome', { values: VALIDATION_OUTCOMES });
const ValidatorEnum = builder.enumType('InputValidatorName', { values: VALIDATORS });

const ValidatorCheckRef = builder.objectRef<ValidatorCheck>('ValidatorCheck').implement({
  fields: (t) => ({
    validator: t.field({ type: ValidatorEnum, resolve: (c) => c.validator }),
    outcome: t.field({ type: ValidationOutcomeEnum, resolve: (c) => c.outcome }),
    score: t.float({ nullable: true, description: 'Similarity, token count or confidence, as the validator measures.', resolve: (c) => c.score }),
    evidence: t.string({ resolve: (c) => c.evidence }),
  }),
});

const checkSchema = z.object({
  validator: z.enum(VALIDATORS),
  outcome: z.enum(VALIDATION_OUTCOMES),
  score: z.number().nullable(),
  evidence: z.string(),
});

interface ValidationView extends Validation {
  readonly interactionId: string | null;
  readonly validatedAt: string | null;
}

function viewOf(doc: InputValidationDoc): ValidationView {
  // Stored as JSON by the projection; parsed back at the boundary rather than trusted.
  const checks = z.array(checkSchema).parse(doc.checks);
  return { ...doc, checks, interactionId: doc._id, validatedAt: doc.validatedAt };
}

const InputValidationRef = builder.objectRef<ValidationView>('InputValidation').implement({
  description: 'What the input validators found: the worst outcome and each check with its evidence.',
  fields: (t) => ({
    interactionId: t.string({ nullable: true, description: 'null for a validateInput call (nothing was logged).', resolve: (v) => v.interactionId }),
    outcome: t.field({ type: ValidationOutcomeEnum, resolve: (v) => v.outcome }),
    route: t.string({
      description: 'What the app should do: proceed, fallback (off-language or off-topic: a fallback route), or refuse.',
      resolve: (v) => (v.outcome === 'block' ? 'refuse' : v.checks.some((c) => c.outcome === 'flag' && (c.validator === 'language' || c.validator === 'topic')) ? 'fallback' : 'proceed'),
    }),
    checks: t.field({ type: [ValidatorCheckRef], resolve: (v) => [...v.checks] }),
    inputTokens: t.int({ resolve: (v) => v.inputTokens }),
    validatorsVersion: t.string({ resolve: (v) => v.validatorsVersion }),
    embedderId: t.string({ resolve: (v) => v.embedderId }),
    validatedAt: t.field({ type: 'DateTime', nullable: true, resolve: (v) => v.validatedAt }),
  }),
});

const InputValidatorsRef = builder.objectRef<ValidatorConfigDoc>('InputValidators').implement({
  fields: (t) => ({
    workloadId: t.string({ resolve: (c) => c._id }),
    domainExamples: t.stringList({ resolve: (c) => c.domainExamples }),
    topicThreshold: t.float({ resolve: (c) => c.topicThreshold }),
    minTokens: t.int({ resolve: (c) => c.minTokens }),
    maxTokens: t.int({ resolve: (c) => c.maxTokens }),
    languages: t.stringList({ resolve: (c) => c.languages }),
    anomalyThreshold: t.float({ resolve: (c) => c.anomalyThreshold }),
    knownAttacks: t.stringList({ resolve: (c) => c.knownAttacks }),
    updatedAt: t.field({ type: 'DateTime', resolve: (c) => c.updatedAt }),
    updatedBy: t.string({ resolve: (c) => c.updatedBy }),
  }),
});

const InputValidatorsInput = builder.inputType('InputValidatorsInput', {
  description: 'Replaces the workload’s settings whole; omitted fields take their defaults.',
  fields: (t) => ({
    workloadId: t.string({ required: true }),
    domainExamples: t.stringList({ description: 'Typical inputs of the workload (topic relevance).' }),
    topicThreshold: t.float({ description: 'Default 0.15 (lexical embedder scale).' }),
    minTokens: t.int({ description: 'Default 1.' }),
    maxTokens: t.int({ description: 'Default 8000; more is blocked.' }),
    languages: t.stringList({ description: 'ISO 639-1 codes served; others are flagged for a fallback route. Default: any.' }),
    anomalyThreshold: t.float({ description: 'Default 0.1.' }),
    knownAttacks: t.stringList({ description: 'Attacks seen on this workload, added to the built-in list.' }),
  }),
});

const messagesSchema = z.array(chatMessageSchema).min(1).max(1_000);

builder.mutationFields((t) => ({
  configureInputValidators: t.field({
    type: InputValidatorsRef,
    authScopes: { admin: true },
    args: { input: t.arg({ type: InputValidatorsInput, required: true }) },
    errors: { types: [InputInvalid, Forbidden], directResult: true, union: { name: 'ConfigureInputValidatorsResult' } },
    resolve: async (_root, { input }, context) => {
      requireWorkload(context, input.workloadId);
      const settings = context.services.evaluation.validatorSettings;
      const definedOnly = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== null && v !== undefined));
      const { position } = await settings.configure({ ...definedOnly, workloadId: input.workloadId }, commandContext(context));
      await context.waitForProjection(position);
      context.services.evaluation.validator.forget(input.workloadId);
      const doc = await settings.get(input.workloadId);
      if (!doc) throw new Error(`validator settings of ${input.workloadId} missing from the read model after position ${position}`);
      return doc;
    },
  }),
}));

builder.queryFields((t) => ({
  validateInput: t.field({
    type: InputValidationRef,
    description:
      'Run the input validators on the messages an app is about to send to its LLM (no event is written). The same checks run on every logged interaction.',
    authScopes: { ingest: true, read: true },
    args: {
      workloadId: t.arg.string({ required: true }),
      messages: t.arg({ type: ['JSONObject'], required: true, description: 'Chat-completions messages ({ role, content }).' }),
    },
    errors: { types: [InputInvalid, Forbidden], directResult: true, union: { name: 'ValidateInputResult' } },
    resolve: async (_root, { workloadId, messages }, context) => {
      const workload = workloadIdSchema.safeParse(workloadId);
      if (!workload.success) throw new InputInvalid(issuesFromZod(workload.error, 'workloadId'));
      requireWorkload(context, workloadId);
      const parsed = messagesSchema.safeParse(messages);
      if (!parsed.success) throw new InputInvalid(issuesFromZod(parsed.error, 'messages'));
      const result = await context.services.evaluation.validator.validate(workloadId, parsed.data);
      return { ...result, interactionId: null, validatedAt: null };
    },
  }),
  inputValidation: t.field({
    type: InputValidationRef,
    nullable: true,
    description: 'What the validators found for a logged interaction (null until the validator reactor has run).',
    authScopes: { read: true },
    args: { interactionId: t.arg.string({ required: true }) },
    resolve: async (_root, { interactionId }, context) => {
      const doc = await context.services.evaluation.validatorSettings.validation(interactionId);
      if (!doc) return null;
      requireWorkload(context, doc.workloadId);
      return viewOf(doc);
    },
  }),
  inputValidators: t.field({
    type: InputValidatorsRef,
    nullable: true,
    description: 'The workload’s validator settings; null: the defaults.',
    authScopes: { read: true },
    args: { workloadId: t.arg.string({ required: true }) },
    resolve: async (_root, { workloadId }, context) => {
      requireWorkload(context, workloadId);
      return context.services.evaluation.validatorSettings.get(workloadId);
    },
  }),
}));

// ---- on Interaction -----------------------------------------------------------------------

builder.objectFields(InteractionRef, (t) => ({
  inputValidation: t.loadable({
    type: InputValidationRef,
    nullable: true,
    description: 'What the input validators found for this interaction (batched per request).',
    load: async (ids: string[], context) => {
      const docs = await context.readStore.findByIds<InputValidationDoc>(INPUT_VALIDATIONS, ids);
      const byId = new Map(docs.map((d) => [d._id, viewOf(d)]));
      return ids.map((id) => byId.get(id) ?? null);
    },
    resolve: (interaction) => interaction._id,
  }),
}));
