import { GraphQLError } from 'graphql';
import { maskError, type MaskError } from 'graphql-yoga';
import { Forbidden, type ForbiddenReason } from '../services/auth/errors';
import { actorOf, allowedWorkloads as workloadsOf, scopesOf, type Principal } from '../services/auth/principal';
import { hasScope, type Scope } from '../services/auth/scopes';
import type { CommandContext } from '../services/commands';
import type { GraphContext } from './context';

/** Does the caller (if any) hold a scope? A feedback token holds none but its own checks. */
export function callerHasScope(principal: Principal | null, scope: Scope): boolean {
  return principal !== null && principal.kind !== 'feedbackToken' && hasScope(scopesOf(principal), scope);
}

/** Workloads a caller may see: null means all of them, none without credentials. */
export function allowedWorkloads(principal: Principal | null): readonly string[] | null {
  return principal ? workloadsOf(principal) : [];
}

export function mayUseWorkload(principal: Principal | null, workloadId: string): boolean {
  const allowed = allowedWorkloads(principal);
  return allowed === null || allowed.includes(workloadId);
}

/**
 * The one workload guard: Forbidden (WORKLOAD_NOT_ALLOWED) unless the caller may touch the
 * workload. A mutation whose result union lists Forbidden answers with it; anywhere else (a
 * query, a subscription) it is the top-level FORBIDDEN error with status 403 (maskFlywheelError).
 */
export function requireWorkload(context: GraphContext, workloadId: string): void {
  if (!mayUseWorkload(context.principal, workloadId)) throw new Forbidden('WORKLOAD_NOT_ALLOWED', { workloadId });
}

/** A query argument out of range (no result union to carry it): a top-level BAD_USER_INPUT. */
export function badUserInput(message: string, status?: number): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', ...(status ? { http: { status } } : {}) } });
}

/** The actor and correlation of the commands a request causes. */
export function commandContext(context: GraphContext): CommandContext {
  return { actor: context.principal ? actorOf(context.principal) : 'anonymous', correlationId: context.requestId };
}

/**
 * Errors leave the API masked ("Unexpected error."), except those raised on purpose: GraphQL
 * errors with a code (auth, limits), and a Forbidden that no result union took, which becomes
 * the top-level FORBIDDEN (403) a client can switch on.
 */
export const maskFlywheelError: MaskError = (error, message, isDev) => {
  const original = error instanceof GraphQLError ? error.originalError : error;
  if (original instanceof Forbidden) {
    const text = original.reason === 'WORKLOAD_NOT_ALLOWED' ? `this key may not read workload ${original.detail.workloadId ?? '?'}` : original.message;
    return forbidden(text, original.reason, error instanceof GraphQLError ? error : undefined);
  }
  return maskError(error, message, isDev);
};

/** The top-level FORBIDDEN (403) of a field that has no result union to carry a Forbidden. */
export function forbidden(message: string, reason: ForbiddenReason, at?: GraphQLError): GraphQLError {
  return new GraphQLError(`forbidden: ${message}`, {
    ...(at ? { nodes: at.nodes, path: at.path } : {}),
    extensions: { code: 'FORBIDDEN', reason, http: { status: 403 } },
  });
}
