import type { Logger } from '../lib/logger';
import { allowedWorkloads as workloadsOf, scopesOf, type Principal } from '../services/auth/principal';
import { hasScope, type Scope } from '../services/auth/scopes';
import type { ReadStore } from '../projections/read-store';
import type { AuthService } from '../services/auth/auth-service';
import type { Bus } from '../services/bus/bus';
import type { EvaluationServices } from '../services/evaluation/services';
import type { IngestService } from '../services/ingest/ingest-service';
import type { FeedbackService } from '../services/feedback/feedback-service';
import type { AuditService } from '../services/privacy/audit';
import type { PrivacyService } from '../services/privacy/privacy-service';
import type { Loaders } from './loaders';

export type { Principal, Scope };

/** Why a request carries no principal: no credentials, or credentials that were refused. */
export interface AuthFailure {
  readonly code: string;
  readonly message: string;
}

/** Key management as the API uses it; authentication itself happens before the context exists. */
export type ApiKeyAdmin = Pick<AuthService, 'issueKey' | 'revokeKey' | 'listKeys' | 'getKey'>;

export interface Services {
  readonly ingest: IngestService;
  readonly auth: ApiKeyAdmin;
  readonly evaluation: EvaluationServices;
  readonly privacy: PrivacyService;
  readonly audit: AuditService;
  readonly issueFeedbackToken: (interaction: { interactionId: string; workloadId: string }) => { token: string; expiresAt: string };
  readonly feedback: FeedbackService;
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
