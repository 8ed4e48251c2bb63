import { DomainError } from '../errors';
import type { Scope } from './scopes';

/**
 * Why a credential was refused. A wrong secret for a real key id is reported as UNKNOWN_KEY,
 * like an id that does not exist: telling them apart would let anyone who learns a key id
 * confirm it is real. Revoked and expired are only reported once the secret has matched.
 */
export type UnauthenticatedReason = 'MISSING' | 'MALFORMED' | 'UNKNOWN_KEY' | 'REVOKED' | 'EXPIRED';

export class Unauthenticated extends DomainError {
  readonly code = 'UNAUTHENTICATED';
  constructor(readonly reason: UnauthenticatedReason) {
    super(messages[reason]);
  }
}

const messages: Record<UnauthenticatedReason, string> = {
  MISSING: 'an API key is required (Authorization: Bearer fw_…)',
  MALFORMED: 'the credential is not a Flywheel API key',
  UNKNOWN_KEY: 'the API key is not valid',
  REVOKED: 'the API key has been revoked',
  EXPIRED: 'the API key has expired',
};

export type ForbiddenReason = 'MISSING_SCOPE' | 'WORKLOAD_NOT_ALLOWED' | 'INTERACTION_NOT_ALLOWED';

/** Authenticated, but not allowed to do this. Carries what was missing so a client can say so. */
export class Forbidden extends DomainError {
  readonly code = 'FORBIDDEN';
  constructor(
    readonly reason: ForbiddenReason,
    readonly detail: { readonly scope?: Scope; readonly workloadId?: string; readonly interactionId?: string },
  ) {
    super(
      reason === 'MISSING_SCOPE'
        ? `the scope ${detail.scope ?? '?'} is required`
        : reason === 'WORKLOAD_NOT_ALLOWED'
          ? `not allowed on workload ${detail.workloadId ?? '?'}`
          : `the feedback token is not valid for interaction ${detail.interactionId ?? '?'}`,
    );
  }
}

export class ApiKeyNotFound extends DomainError {
  readonly code = 'API_KEY_NOT_FOUND';
  constructor(readonly keyId: string) {
    super(`API key ${keyId} not found`);
  }
}

export class ApiKeyAlreadyRevoked extends DomainError {
  readonly code = 'API_KEY_ALREADY_REVOKED';
  constructor(
    readonly keyId: string,
    readonly revokedAt: string,
  ) {
    super(`API key ${keyId} was already revoked at ${revokedAt}`);
  }
}

/** A generated key id that is already taken; the service draws another (at ~82 bits, in theory only). */
export class ApiKeyIdTaken extends DomainError {
  readonly code = 'API_KEY_ID_TAKEN';
  constructor(readonly keyId: string) {
    super(`API key id ${keyId} is already taken`);
  }
}

export class TokenMalformed extends DomainError {
  readonly code = 'FEEDBACK_TOKEN_MALFORMED';
  constructor() {
    super('the feedback token is malformed');
  }
}

/** The signature does not match: the token was not issued by this deployment, or was altered. */
export class TokenForged extends DomainError {
  readonly code = 'FEEDBACK_TOKEN_FORGED';
  constructor() {
    super('the feedback token signature is not valid');
  }
}

export class TokenExpired extends DomainError {
  readonly code = 'FEEDBACK_TOKEN_EXPIRED';
  constructor(readonly expiredAt: string) {
    super(`the feedback token expired at ${expiredAt}`);
  }
}
