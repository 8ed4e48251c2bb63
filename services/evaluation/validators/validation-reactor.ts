import { InputValidated, VALIDATION_CATEGORY } from '../../../events/catalogue/evaluation';
import { streamName } from '../../../events/envelope';
import { defineReactor, type Reactor } from '../../reactor';
import type { InputValidator } from './input-validator';

/**
 * Validates every logged interaction's input with the same checks `validateInput` runs, and
 * records what they found as InputValidated. Each input is compared with the workload's inputs
 * logged before it, so a replay judges it against the same past.
 */
export function validationReactor(validator: InputValidator): Reactor {
  return defineReactor({
    name: 'input-validators',
    // A workload's inputs are compared with its earlier ones, so they go in log order; workloads do not wait for each other.
    partitionKey: (event) => (event.type === 'InteractionLogged' || event.type === 'InputValidatorsConfigured' ? event.data.workloadId : event.id),
    on: {
      InputValidatorsConfigured: async (event) => {
        validator.forget(event.data.workloadId);
        return [];
      },
      InteractionLogged: async (event, context) => {
        const d = event.data;
        const result = await validator.validate(d.workloadId, d.request.messages, { before: event.position });
        await validator.remember(d.workloadId, d.request.messages, event.position);
        return [
          {
            stream: streamName(VALIDATION_CATEGORY, d.interactionId),
            events: [
              InputValidated.create({
                id: context.eventId('validated'),
                data: {
                  interactionId: d.interactionId,
                  workloadId: d.workloadId,
                  outcome: result.outcome,
                  checks: [...result.checks],
                  inputTokens: result.inputTokens,
                  validatorsVersion: result.validatorsVersion,
                  embedderId: result.embedderId,
                },
                metadata: context.metadata(),
              }),
            ],
          },
        ];
      },
    },
  });
}
