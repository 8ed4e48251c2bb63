import type { Logger } from '../lib/logger';
import type { ReadStore } from '../projections/read-store';
import type { Bus } from '../services/bus/bus';
import type { IngestService } from '../services/ingest/ingest-service';
import type { Loaders } from './loaders';

export const SCOPES = ['ingest', 'feedback', 'annotate', 'read', 'admin', 'audit'] as const;
export type Scope = (typeof SCOPES)[number];

/** Who is calling, once the request's credentials have been checked. */
export type Principal =
  | { readonly kind: 'key'; readonly keyId: string; readonly scopes: readonly Scope[]; readonly workloadIds: readonly string[] | null }
  | { readonly kind: 'bootstrap'; readonly scopes: readonly Scope[]; readonly workloadIds: null }
  | { readonly kind: 'feedbackToken'; readonly interactionId: string; readonly workloadId: string };

/** Why a request carries no principal: no credentials, or credentials that were refused. */
export interface AuthFailure {
  readonly code: string;
  readonly message: string;
}

export interface Services {
  readonly ingest: IngestService;
  readonly issueFeedbackToken: (interaction: { interactionId: string; workloadId: string }) => { token: string; expiresAt: string };
}

export interface GraphContext {
  readonly requestId: string;
  /** Whom rate limits count against: the key, the token's interaction, or the client address. */
  readonly rateLimitKey: string;
  readonly principal: Principal | null;
  readonly authFailure: AuthFailure | null;
  readonly services: Services;
  readonly readStore: ReadStore;
  readonly bus: Bus;
  readonly loaders: Loaders;
  readonly logger: Logger;
  /** Waits until the read models have applied a position (read-your-writes after a mutation). */
  readonly waitForProjection: (position: number) => Promise<void>;
}

export function principalId(principal: Principal): string {
  switch (principal.kind) {
    case 'key':
      return `key:${principal.keyId}`;
    case 'bootstrap':
      return 'key:bootstrap';
    case 'feedbackToken':
      return `token:${principal.interactionId}`;
  }
}

/**
 * Admin implies every scope but audit: reading raw personal data is a separate duty that an
 * administrator has to grant explicitly, even to itself.
 */
export function hasScope(principal: Principal | null, scope: Scope): boolean {
  if (!principal || principal.kind === 'feedbackToken') return false;
  return principal.scopes.includes(scope) || (scope !== 'audit' && principal.scopes.includes('admin'));
}

/** Workloads a principal may see: null means all of them. */
export function allowedWorkloads(principal: Principal | null): readonly string[] | null {
  if (!principal) return [];
  if (principal.kind === 'feedbackToken') return [principal.workloadId];
  return principal.workloadIds;
}

export function mayUseWorkload(principal: Principal | null, workloadId: string): boolean {
  const allowed = allowedWorkloads(principal);
  return allowed === null || allowed.includes(workloadId);
}
