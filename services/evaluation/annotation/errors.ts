import { DomainError } from '../../errors';

export class AnnotationQueueNotFound extends DomainError {
  readonly code = 'ANNOTATION_QUEUE_NOT_FOUND';
  constructor(readonly queueId: string) {
    super(`annotation queue ${queueId} not found`);
  }
}

export class AnnotationQueueExists extends DomainError {
  readonly code = 'ANNOTATION_QUEUE_EXISTS';
  constructor(readonly queueId: string) {
    super(`annotation queue ${queueId} already exists`);
  }
}

/** Every item is labelled, skipped by this annotator, or held by others. */
export class NothingToClaim extends DomainError {
  readonly code = 'NOTHING_TO_CLAIM';
  constructor(readonly queueId: string) {
    super(`nothing left to claim in annotation queue ${queueId}`);
  }
}

/** Labels and skips need a live claim: without one, or after the lease ran out, another annotator may have the item. */
export class ClaimNotHeld extends DomainError {
  readonly code = 'CLAIM_NOT_HELD';
  constructor(
    readonly queueId: string,
    readonly interactionId: string,
    /** When the lease ran out; null when there was no claim. */
    readonly expiredAt: string | null,
  ) {
    super(expiredAt ? `the claim on ${interactionId} expired at ${expiredAt}: claim it again` : `no claim on ${interactionId} in queue ${queueId}: claim it first`);
  }
}
