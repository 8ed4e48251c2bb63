import type { NewDomainEvent } from '../../events/catalogue';
import { SignalRecorded } from '../../events/catalogue/feedback';
import type { CausalMetadata } from '../../events/envelope';
import { canonicalJson, deterministicUuid, sha256Hex } from '../../lib/ids';
import { DomainError, NotFound } from '../errors';
import type { SignalContent } from './commands';
import { normalisedEditDistance } from './edit-distance';
import { answerText } from '../../events/interaction-text';

export interface RecordSignal {
  readonly type: 'RecordSignal';
  readonly signal: SignalContent;
  readonly metadata: CausalMetadata;
}

/** What recording a signal needs to know of the interaction's stream. */
export type InteractionFeedbackState =
  | { readonly status: 'absent' }
  | {
      readonly status: 'logged';
      readonly workloadId: string;
      readonly interactionAt: string;
      /** The answer's text, to measure edits against. */
      readonly answer: string | null;
      /** Content hash of each signal recorded so far, by signal id. */
      readonly signals: ReadonlyMap<string, string>;
    };

export const initialState: InteractionFeedbackState = { status: 'absent' };

export class SignalIdConflict extends DomainError {
  readonly code = 'SIGNAL_ID_CONFLICT';
  constructor(
    readonly interactionId: string,
    readonly signalId: string,
  ) {
    super(`signal ${signalId} was already recorded on interaction ${interactionId} with different content`);
  }
}

export function signalContentHash(signal: SignalContent): string {
  return sha256Hex(canonicalJson(signal));
}

/** The event id of a signal: the same signal id on the same interaction is the same event. */
export function signalEventId(interactionId: string, signalId: string): string {
  return deterministicUuid(SignalRecorded.type, interactionId, signalId);
}

export function evolve(state: InteractionFeedbackState, event: NewDomainEvent): InteractionFeedbackState {
  switch (event.type) {
    case 'InteractionLogged':
      return {
        status: 'logged',
        workloadId: event.data.workloadId,
        interactionAt: event.metadata.occurredAt,
        answer: answerText(event.data),
        signals: new Map(),
      };
    case 'SignalRecorded': {
      if (state.status !== 'logged') return state;
      const signals = new Map(state.signals);
      signals.set(event.data.signalId, event.data.contentHash);
      return { ...state, signals };
    }
  }
  return state;
}

/**
 * A signal is recorded once: the same id with the same content is a retry (nothing to append),
 * with other content a conflict. The edit distance is measured here, against the answer as
 * logged, rather than trusted from the client when both texts are at hand.
 */
export function decide(command: RecordSignal, state: InteractionFeedbackState): NewDomainEvent[] {
  const { signal } = command;
  if (state.status === 'absent') throw new NotFound('interaction', signal.interactionId);
  const contentHash = signalContentHash(signal);
  const recorded = state.signals.get(signal.signalId);
  if (recorded !== undefined) {
    if (recorded === contentHash) return [];
    throw new SignalIdConflict(signal.interactionId, signal.signalId);
  }
  const measured =
    signal.type === 'edited' && signal.editedText !== null && state.answer !== null
      ? { ...signal, editDistance: normalisedEditDistance(state.answer, signal.editedText) ?? signal.editDistance }
      : signal;
  return [
    SignalRecorded.create({
      id: signalEventId(signal.interactionId, signal.signalId),
      data: { ...measured, workloadId: state.workloadId, interactionAt: state.interactionAt, contentHash },
      metadata: command.metadata,
    }),
  ];
}
