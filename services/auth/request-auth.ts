import { DomainError } from '../errors';
import type { AuthService } from './auth-service';
import { Unauthenticated } from './errors';
import type { Principal } from './principal';

/** Why a request carries no principal: no credentials, or credentials that were refused. */
export interface AuthFailure {
  readonly code: string;
  readonly message: string;
}

export interface RequestIdentity {
  /** Who is asking; null without credentials or when they were refused (see authFailure). */
  readonly principal: Principal | null;
  readonly authFailure: AuthFailure | null;
  /** Whom rate limits count against: the key, the token's interaction, the admin key, or anonymous callers together. */
  readonly rateLimitKey: string;
}

export function rateLimitKeyOf(principal: Principal | null): string {
  if (!principal) return 'anonymous';
  switch (principal.kind) {
    case 'feedbackToken':
      return `token:${principal.interactionId}`;
    case 'key':
      return `key:${principal.keyId}`;
    case 'bootstrap':
      return 'admin';
  }
}

/**
 * Who an HTTP request comes from, by its Authorization header: an API key (or the configured
 * admin key), else a feedback token (a browser holds one per interaction, never a key). Refused
 * credentials are not an error here: the request goes on without a principal and each field
 * that needs one answers UNAUTHENTICATED with the reason.
 */
export async function authenticateRequest(
  auth: Pick<AuthService, 'authenticate' | 'authenticateFeedbackToken'>,
  authorization: string | null,
): Promise<RequestIdentity> {
  const identified = (principal: Principal): RequestIdentity => ({ principal, authFailure: null, rateLimitKey: rateLimitKeyOf(principal) });
  const refused = (error: DomainError): RequestIdentity => ({ principal: null, authFailure: failureOf(error), rateLimitKey: rateLimitKeyOf(null) });
  if (!authorization) return { principal: null, authFailure: null, rateLimitKey: rateLimitKeyOf(null) };
  try {
    return identified(await auth.authenticate(authorization));
  } catch (error) {
    // Not an API key (nor the admin key): a browser may be holding a feedback token instead.
    const credential = authorization.replace(/^bearer\s+/i, '').trim();
    if (error instanceof Unauthenticated && error.reason === 'MALFORMED' && credential.includes('.')) {
      try {
        return identified(auth.authenticateFeedbackToken(credential));
      } catch (tokenError) {
        if (tokenError instanceof DomainError) return refused(tokenError);
        throw tokenError;
      }
    }
    if (error instanceof DomainError) return refused(error);
    throw error;
  }
}

function failureOf(error: DomainError): AuthFailure {
  return { code: error instanceof Unauthenticated ? error.reason : error.code, message: error.message };
}
