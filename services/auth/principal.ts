import { Forbidden } from './errors';
import { BOOTSTRAP_SCOPES, hasScope, type Scope } from './scopes';

/** Who is calling, once authenticated. */
export type Principal =
  | {
      readonly kind: 'key';
      readonly keyId: string;
      readonly scopes: readonly Scope[];
      /** null: every workload. */
      readonly workloadIds: readonly string[] | null;
    }
  | {
      /** A browser holding the feedback token of one interaction: may send feedback on it, nothing else. */
      readonly kind: 'feedbackToken';
      readonly interactionId: string;
      readonly workloadId: string;
    }
  | {
      /** The operator's configured FLYWHEEL_ADMIN_KEY. */
      readonly kind: 'bootstrap';
      readonly scopes: readonly Scope[];
      /** Always null (every workload); present so key and bootstrap principals read alike. */
      readonly workloadIds: null;
    };

export const bootstrapPrincipal: Principal = { kind: 'bootstrap', scopes: BOOTSTRAP_SCOPES, workloadIds: null };

/** The `actor` recorded in the metadata of events this principal causes. */
export function actorOf(principal: Principal): string {
  switch (principal.kind) {
    case 'key':
      return `key:${principal.keyId}`;
    case 'feedbackToken':
      return `token:${principal.interactionId}`;
    case 'bootstrap':
      return 'system:admin-key';
  }
}

export function scopesOf(principal: Principal): readonly Scope[] {
  return principal.kind === 'feedbackToken' ? ['feedback'] : principal.scopes;
}

/**
 * The workloads a principal may see, or null for all of them. A query that lists across
 * workloads (no single workloadId to check) filters by this.
 */
export function allowedWorkloads(principal: Principal): readonly string[] | null {
  switch (principal.kind) {
    case 'key':
      return principal.workloadIds;
    case 'feedbackToken':
      return [principal.workloadId];
    case 'bootstrap':
      return null;
  }
}

/**
 * Throws Forbidden unless the principal holds `scope` and, when `workloadId` is given, may act
 * on that workload. Without a workloadId only the scope is checked: list queries must then
 * restrict themselves to `allowedWorkloads(principal)`.
 */
export function requireScope(principal: Principal, scope: Scope, workloadId?: string): void {
  if (!hasScope(scopesOf(principal), scope)) throw new Forbidden('MISSING_SCOPE', { scope });
  if (workloadId === undefined) return;
  const allowed = allowedWorkloads(principal);
  if (allowed !== null && !allowed.includes(workloadId)) throw new Forbidden('WORKLOAD_NOT_ALLOWED', { workloadId });
}

/**
 * A feedback token authorises feedback on its own interaction only. API keys are not bound
 * to an interaction (their workload restriction is checked by requireScope), so they pass.
 */
export function requireInteraction(principal: Principal, interactionId: string): void {
  if (principal.kind === 'feedbackToken' && principal.interactionId !== interactionId) {
    throw new Forbidden('INTERACTION_NOT_ALLOWED', { interactionId });
  }
}

/** Everything sending feedback on an interaction needs: the scope, the workload, and for a token, its interaction. */
export function requireFeedbackAccess(principal: Principal, interaction: { readonly interactionId: string; readonly workloadId: string }): void {
  requireScope(principal, 'feedback', interaction.workloadId);
  requireInteraction(principal, interaction.interactionId);
}

/** What sending feedback checks of a caller, in the two steps the feedback service takes. */
export interface FeedbackAccess {
  /** Before anything is read: a token may only ask about its own interaction (it learns nothing of others). */
  interaction(interactionId: string): void;
  /** With the interaction loaded: the scope and the workload. */
  loaded(interaction: { readonly interactionId: string; readonly workloadId: string }): void;
}

export function feedbackAccess(principal: Principal): FeedbackAccess {
  return {
    interaction: (interactionId) => requireInteraction(principal, interactionId),
    loaded: (interaction) => requireFeedbackAccess(principal, interaction),
  };
}
