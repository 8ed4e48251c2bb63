import type { NewDomainEvent } from '../../events/catalogue';
import type { InteractionLoggedData } from '../../events/catalogue/ingest';
import { InteractionLogged } from '../../events/catalogue/ingest';
import type { CausalMetadata } from '../../events/envelope';
import { canonicalJson, deterministicUuid, sha256Hex } from '../../lib/ids';
import { DomainError } from '../errors';

/** The logged content of an interaction: everything but its hash. */
export type InteractionContent = Omit<InteractionLoggedData, 'contentHash'>;

export interface LogInteraction {
  readonly type: 'LogInteraction';
  readonly content: InteractionContent;
  readonly metadata: CausalMetadata;
  /**
   * What the privacy screen keeps beside the interaction (findings, encrypted originals), ids
   * derived from the InteractionLogged event; appended before it, in the same append, so the
   * append's position is InteractionLogged's. None when the screen found nothing.
   */
  readonly companions?: (logged: { readonly id: string; readonly metadata: CausalMetadata }) => NewDomainEvent[];
}

export type InteractionState =
  | { readonly status: 'absent' }
  | { readonly status: 'logged'; readonly contentHash: string; readonly workloadId: string };

export const initialState: InteractionState = { status: 'absent' };

export class InteractionIdConflict extends DomainError {
  readonly code = 'INTERACTION_ID_CONFLICT';
  constructor(readonly interactionId: string) {
    super(`interaction ${interactionId} was already logged with different content`);
  }
}

export function contentHashOf(content: InteractionContent): string {
  return sha256Hex(canonicalJson(content));
}

export function evolve(state: InteractionState, event: NewDomainEvent): InteractionState {
  switch (event.type) {
    case 'InteractionLogged':
      return { status: 'logged', contentHash: event.data.contentHash, workloadId: event.data.workloadId };
  }
  return state;
}

/**
 * Logging is idempotent by content: the event id is derived from the interaction id and its
 * content hash, so a retry appends nothing, and the same id with other content is refused.
 */
export function decide(command: LogInteraction, state: InteractionState): NewDomainEvent[] {
  const contentHash = contentHashOf(command.content);
  if (state.status === 'logged') {
    if (state.contentHash === contentHash) return [];
    throw new InteractionIdConflict(command.content.interactionId);
  }
  const logged = InteractionLogged.create({
    id: deterministicUuid(InteractionLogged.type, command.content.interactionId, contentHash),
    data: { ...command.content, contentHash },
    metadata: command.metadata,
  });
  return [...(command.companions?.(logged) ?? []), logged];
}
