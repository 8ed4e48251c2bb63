import { apiKeysProjection } from '../../projections/api-keys';
import { AuthService } from '../../services/auth/auth-service';
import { bootstrapAdminKey, loadFeedbackTokenSecret, type BootstrapOutcome } from '../../services/auth/bootstrap';
import type { IssuedFeedbackToken } from '../../services/auth/feedback-token';
import { authenticateRequest, type RequestIdentity } from '../../services/auth/request-auth';
import type { FeatureDeps, FeatureParts } from './feature';

export const authProjections = [apiKeysProjection];

export interface AuthServices {
  readonly auth: AuthService;
  readonly issueFeedbackToken: (interaction: { interactionId: string; workloadId: string }) => IssuedFeedbackToken;
}

export interface AuthParts extends FeatureParts<AuthServices> {
  /** Who an HTTP request comes from (the GraphQL context and the routes ask). */
  authenticate(authorization: string | null): Promise<RequestIdentity>;
  /** What the start did about the admin key: the generated one is shown once, then only its hash is kept. */
  bootstrap(): BootstrapOutcome | null;
}

/** API keys and feedback tokens; on start, the bootstrap admin key. */
export async function openAuth(deps: FeatureDeps): Promise<AuthParts> {
  const { config } = deps;
  const auth = new AuthService({
    store: deps.store,
    readStore: deps.readStore,
    bus: deps.bus,
    feedbackTokenSecret: await loadFeedbackTokenSecret({ configuredSecret: config.FLYWHEEL_TOKEN_SECRET, dataDir: config.FLYWHEEL_DATA_DIR }),
    now: deps.now,
    waitForProjection: (position) => deps.waitForProjection(position),
    logger: deps.logger,
  });
  let outcome: BootstrapOutcome | null = null;
  return {
    services: { auth, issueFeedbackToken: (interaction) => auth.issueFeedbackToken(interaction) },
    projections: authProjections,
    reactors: [],
    routes: [],
    authenticate: (authorization) => authenticateRequest(auth, authorization),
    bootstrap: () => outcome,
    start: async () => {
      outcome = await bootstrapAdminKey({ auth, configuredKey: config.FLYWHEEL_ADMIN_KEY, dataDir: config.FLYWHEEL_DATA_DIR });
    },
    close: () => auth.close(),
  };
}
