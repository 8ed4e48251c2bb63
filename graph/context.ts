import { randomUUID } from 'node:crypto';
import type { Logger } from '../lib/logger';
import type { ReadStore } from '../projections/read-store';
import type { AuthService } from '../services/auth/auth-service';
import type { IssuedFeedbackToken } from '../services/auth/feedback-token';
import type { Principal } from '../services/auth/principal';
import type { AuthFailure, RequestIdentity } from '../services/auth/request-auth';
import type { Bus } from '../services/bus/bus';
import type { EvaluationServices } from '../services/evaluation/services';
import type { FeedbackService } from '../services/feedback/feedback-service';
import type { IngestService } from '../services/ingest/ingest-service';
import type { AuditService } from '../services/privacy/audit';
import type { PrivacyService } from '../services/privacy/privacy-service';
import { createLoaders, type Loaders } from './loaders';

export type { AuthFailure, Principal };

/** Key management as the API uses it; authentication itself happens before the context exists. */
export type ApiKeyAdmin = Pick<AuthService, 'issueKey' | 'revokeKey' | 'listKeys' | 'getKey'>;

/** What the schema calls, one entry per feature (app/features/ provides them). */
export interface Services {
  readonly ingest: IngestService;
  readonly auth: ApiKeyAdmin;
  readonly evaluation: EvaluationServices;
  readonly privacy: PrivacyService;
  readonly audit: AuditService;
  readonly issueFeedbackToken: (interaction: { interactionId: string; workloadId: string }) => IssuedFeedbackToken;
  readonly feedback: FeedbackService;
}

export interface GraphContext extends RequestIdentity {
  readonly requestId: string;
  readonly services: Services;
  readonly readStore: ReadStore;
  readonly bus: Bus;
  readonly loaders: Loaders;
  readonly logger: Logger;
  /** Waits until the read models have applied a position (read-your-writes after a mutation). */
  readonly waitForProjection: (position: number) => Promise<void>;
}

export interface GraphContextDeps {
  /** Who the request comes from, by its Authorization header (services/auth/request-auth.ts). */
  readonly authenticate: (authorization: string | null) => Promise<RequestIdentity>;
  readonly services: Services;
  /** What the API reads through (tests wrap it to count calls). */
  readonly readStore: ReadStore;
  readonly bus: Bus;
  readonly logger: Logger;
  readonly waitForProjection: (position: number) => Promise<void>;
}

/** The per-request context: the caller, fresh dataloaders, a logger that names the request. */
export function graphContextFactory(deps: GraphContextDeps): (request: Request) => Promise<GraphContext> {
  return async (request) => {
    const requestId = request.headers.get('x-request-id') ?? randomUUID();
    const identity = await deps.authenticate(request.headers.get('authorization'));
    return {
      requestId,
      ...identity,
      services: deps.services,
      readStore: deps.readStore,
      bus: deps.bus,
      loaders: createLoaders(deps.readStore),
      logger: deps.logger.child({ requestId }),
      waitForProjection: deps.waitForProjection,
    };
  };
}
