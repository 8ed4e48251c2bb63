import { z } from 'zod';
import { entityTypeSchema, privacyModeSchema } from '../events/catalogue/privacy';
import { defineProjection } from './projection';

export const PRIVACY_POLICIES = 'privacyPolicies';
/** Published once a policy change is committed, so every instance drops its cached policy. */
export const PRIVACY_POLICY_TOPIC = 'privacy.policy';

/** One document per workload that has set a policy (`_id` = workloadId); others have the default. */
export const privacyPolicyDocSchema = z.object({
  _id: z.string(),
  mode: privacyModeSchema,
  entityTypes: z.array(entityTypeSchema).nullable(),
  setAt: z.string(),
  setBy: z.string(),
  version: z.number().int(),
});
export type PrivacyPolicyDoc = z.infer<typeof privacyPolicyDocSchema>;

export const privacyPoliciesProjection = defineProjection({
  name: 'privacyPolicies',
  collections: [{ name: PRIVACY_POLICIES, indexes: [] }],
  on: {
    PrivacyPolicySet: (event) => {
      const d = event.data;
      return [
        {
          op: 'update',
          collection: PRIVACY_POLICIES,
          id: d.workloadId,
          upsert: true,
          update: {
            $set: { mode: d.mode, entityTypes: d.entityTypes ? [...d.entityTypes] : null, setAt: event.metadata.occurredAt, setBy: d.setBy },
            $inc: { version: 1 },
          },
        },
      ];
    },
  },
  notify: {
    PrivacyPolicySet: (event) => [{ topic: PRIVACY_POLICY_TOPIC, message: { workloadId: event.data.workloadId, position: event.position } }],
  },
});
