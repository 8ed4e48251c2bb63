import { randomUUID } from 'node:crypto';
import { catalogue } from '../events/catalogue';
import { CataloguedEventStore } from '../events/catalogued-event-store';
import { createLoaders } from '../graph/loaders';
import type { GraphContext, Services } from '../graph/context';
import { createFlywheelYoga, type FlywheelYoga } from '../graph/yoga';
import type { Logger } from '../lib/logger';
import { apiKeysProjection } from '../projections/api-keys';
import { evaluationPipelinesProjection } from '../projections/evaluation-pipelines';
import { evaluationProjection } from '../projections/evaluation';
import { evaluationAnnotationProjection } from '../projections/evaluation-annotation';
import { evaluationInputsProjection } from '../projections/evaluation-inputs';
import { interactionsProjection } from '../projections/interactions';
import { privacyPoliciesProjection } from '../projections/privacy-policies';
import { privacyRecordsProjection } from '../projections/privacy-records';
import type { Projection } from '../projections/projection';
import type { ReadStore } from '../projections/read-store';
import { Projector } from '../projections/projector';
import { AuthService } from '../services/auth/auth-service';
import { bootstrapAdminKey, loadFeedbackTokenSecret } from '../services/auth/bootstrap';
import { Unauthenticated } from '../services/auth/errors';
import { DomainError } from '../services/errors';
import { IngestService } from '../services/ingest/ingest-service';
import { ReactorRunner, type Reactor } from '../services/reactor';
import { correctionDetector, turnsFromReadModel } from '../services/feedback/detector-reactor';
import { FeedbackService } from '../services/feedback/feedback-service';
import { outcomeReactor } from '../services/feedback/outcome-reactor';
import { WeightsReader } from '../services/feedback/weights';
import { feedbackBeaconHandler } from '../graph/feedback-beacon';
import { feedbackProjection } from '../projections/feedback';
import { openAdapters, type Adapters } from './adapters';
import type { Config } from './config';
import { openEvaluation, type EvaluationParts } from './evaluation';
import { openPrivacy, type PrivacyParts } from './privacy';

/** Every reactor the service runs, given what they need. */
export function reactorsFor(deps: {
  readonly store: CataloguedEventStore;
  readonly now: () => Date;
  readonly readStore: ReadStore;
  /** Resolves once the read models have applied a position (the correction detector reads earlier turns there). */
  readonly waitForProjection: (position: number) => Promise<void>;
}): readonly Reactor[] {
  return [
    outcomeReactor({ store: deps.store, weights: new WeightsReader(deps.store) }),
    correctionDetector({ store: deps.store, turns: turnsFromReadModel(deps.readStore, deps.waitForProjection) }),
  ];
}

/** Every read model the service keeps. */
export const projections: readonly Projection[] = [interactionsProjection, apiKeysProjection, privacyPoliciesProjection, privacyRecordsProjection, feedbackProjection, evaluationProjection, evaluationInputsProjection, evaluationAnnotationProjection, evaluationPipelinesProjection];

export interface FlywheelApp {
  readonly config: Config;
  readonly adapters: Adapters;
  readonly store: CataloguedEventStore;
  readonly projector: Projector;
  /** The reactors this instance runs (none on an API-only instance). */
  readonly reactors: readonly ReactorRunner[];
  readonly auth: AuthService;
  readonly ingest: IngestService;
  /** Metrics, results, validators, judge, annotation, pipelines. */
  readonly evaluation: EvaluationParts;
  /** Policies, screening, erasure, audit. */
  readonly privacy: PrivacyParts;
  readonly yoga: FlywheelYoga;
  /** The admin key generated on first start (shown once), or null. */
  readonly generatedAdminKey: string | null;
  /** Stops the projector at a checkpoint and closes every store. Idempotent. */
  stop(): Promise<void>;
}

export interface AppOptions {
  readonly logger: Logger;
  readonly now?: () => Date;
  /** Name of this instance on the bus (several instances may share one NATS). */
  readonly instanceName?: string;
  /** Wraps the read store the API reads through (tests count its calls). */
  readonly decorateReadStore?: (readStore: ReadStore) => ReadStore;
}

/** Every read model over the raw store (the projector parses events itself, parking bad ones). */
export function createProjector(adapters: Adapters, logger: Logger, now?: () => Date): Projector {
  return new Projector({
    store: adapters.eventStore,
    readStore: adapters.readStore,
    bus: adapters.bus,
    parser: catalogue,
    projections,
    logger,
    ...(now ? { now } : {}),
  });
}

/** The composition root: the only place that wires real adapters to services and the API. */
export async function createApp(config: Config, options: AppOptions): Promise<FlywheelApp> {
  const { logger } = options;
  const now = options.now ?? (() => new Date());
  const adapters = await openAdapters(config, logger, options.instanceName);
  const closeOnFailure: { close(): Promise<void> }[] = [];
  try {
    const store = new CataloguedEventStore(adapters.eventStore, catalogue);
    const projector = createProjector(adapters, logger.child({ component: 'projector' }), now);
    const projecting = config.FLYWHEEL_PROJECTOR === 'on';
    if (projecting) await projector.start();
    // An API-only instance has no projector of its own to ask: the instance that projects
    // commits its checkpoints to the shared read store, so that is where this one looks.
    const checkpoints = async (): Promise<readonly { name: string; checkpoint: number }[]> =>
      projecting
        ? projector.status()
        : Promise.all(projector.names().map(async (name) => ({ name, checkpoint: (await adapters.readStore.getCheckpoint(name)) ?? -1 })));
    const waitForProjection = (position: number) =>
      projecting ? projector.waitFor(position) : waitForCheckpoints(checkpoints, position);

    const auth = new AuthService({
      store,
      readStore: adapters.readStore,
      bus: adapters.bus,
      feedbackTokenSecret: await loadFeedbackTokenSecret({
        configuredSecret: config.FLYWHEEL_TOKEN_SECRET,
        dataDir: config.FLYWHEEL_DATA_DIR,
      }),
      now,
      waitForProjection,
      logger: logger.child({ component: 'auth' }),
    });
    const bootstrap = await bootstrapAdminKey({ auth, configuredKey: config.FLYWHEEL_ADMIN_KEY, dataDir: config.FLYWHEEL_DATA_DIR });
    const privacy = await openPrivacy(config, {
      store,
      events: adapters.eventStore,
      readStore: adapters.readStore,
      now,
      logger: logger.child({ component: 'privacy' }),
      waitForProjection,
      bus: adapters.bus,
    });
    closeOnFailure.push(privacy);
    // Redaction happens here, before the append: nothing unscreened reaches the event store.
    const screen = config.FLYWHEEL_REDACTION === 'on' ? privacy.privacy.screenInteraction : undefined;
    const ingest = new IngestService({ store, now, newId: randomUUID, ...(screen ? { screen } : {}) });
    // Erasures a crash left half done (key destroyed or not, SubjectForgotten not yet recorded).
    if (projecting) await privacy.privacy.completePendingErasures({ actor: 'system:erasure', correlationId: randomUUID() });
    const evaluation = openEvaluation(config, { store, readStore: adapters.readStore, now, logger: logger.child({ component: 'evaluation' }) });
    const services: Services = {
      evaluation: evaluation.services,
      ingest,
      auth,
      privacy: privacy.privacy,
      audit: privacy.audit,
      issueFeedbackToken: (interaction) => auth.issueFeedbackToken(interaction),
      // Comments and edited texts pass the privacy screen too, under their workload's policy.
      feedback: new FeedbackService({
        store,
        readStore: adapters.readStore,
        now,
        newId: randomUUID,
        ...(config.FLYWHEEL_REDACTION === 'on' ? { redact: (text: string, context: { workloadId: string; field: string }) => privacy.privacy.redactText(text, context) } : {}),
      }),
    };

    // Reactors run where the projector runs: one worker instance does the side-effecting work.
    // The detector waits for the read models; a long wait beats parking detections under a burst.
    const reactors = [...reactorsFor({ store, now, readStore: adapters.readStore, waitForProjection: (p) => projector.waitFor(p, 120_000) }), ...evaluation.reactors].map(
      (reactor) =>
        new ReactorRunner(reactor, {
          store,
          parser: catalogue,
          readStore: adapters.readStore,
          logger: logger.child({ component: 'reactor', reactor: reactor.name }),
          now,
        }),
    );
    if (projecting) for (const runner of reactors) await runner.start();

    const apiReadStore = options.decorateReadStore?.(adapters.readStore) ?? adapters.readStore;
    const context = async (request: Request): Promise<GraphContext> => {
      const requestId = request.headers.get('x-request-id') ?? randomUUID();
      const { principal, authFailure } = await authenticate(auth, request.headers.get('authorization'));
      return {
        requestId,
        rateLimitKey: principal
          ? principal.kind === 'feedbackToken'
            ? `token:${principal.interactionId}`
            : principal.kind === 'key'
              ? `key:${principal.keyId}`
              : 'admin'
          : 'anonymous',
        principal,
        authFailure,
        services,
        readStore: apiReadStore,
        bus: adapters.bus,
        loaders: createLoaders(apiReadStore),
        logger: logger.child({ requestId }),
        waitForProjection,
      };
    };

    const readiness = async () => {
      try {
        const head = await adapters.eventStore.headPosition();
        await adapters.readStore.count('workloads', {});
        const lag = Object.fromEntries((await checkpoints()).map((s) => [s.name, Math.max(0, head - s.checkpoint)]));
        const running = !projecting || projector.status().every((s) => s.running);
        return { ready: running, details: { head, lag, adapters: adapters.kinds } };
      } catch (error) {
        logger.warn({ err: error }, 'readiness check failed');
        return { ready: false, details: { error: error instanceof Error ? error.name : 'unknown' } };
      }
    };

    const yoga = createFlywheelYoga({
      context,
      readiness,
      production: config.NODE_ENV === 'production',
      maxFieldBytes: config.FLYWHEEL_MAX_FIELD_BYTES,
      rateLimitPerSecond: config.FLYWHEEL_RATE_LIMIT,
      feedbackBeacon: feedbackBeaconHandler({ feedback: services.feedback, authenticateToken: (token) => auth.authenticateFeedbackToken(token) }),
    });

    let stopping: Promise<void> | null = null;
    return {
      config,
      adapters,
      store,
      projector,
      reactors: projecting ? reactors : [],
      auth,
      ingest,
      evaluation,
      privacy,
      yoga,
      generatedAdminKey: bootstrap.kind === 'generated' ? bootstrap.key : null,
      stop: () =>
        (stopping ??= (async () => {
          for (const runner of reactors) await runner.stop();
          await evaluation.close();
          await projector.stop();
          await auth.close();
          await privacy.close();
          await adapters.close();
        })()),
    };
  } catch (error) {
    for (const part of closeOnFailure) await part.close().catch(() => undefined);
    await adapters.close().catch(() => undefined);
    throw error;
  }
}

/** Polls the shared checkpoints until every read model has applied `position`. */
async function waitForCheckpoints(
  checkpoints: () => Promise<readonly { name: string; checkpoint: number }[]>,
  position: number,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const behind = (await checkpoints()).filter((c) => c.checkpoint < position).map((c) => c.name);
    if (behind.length === 0) return;
    if (Date.now() >= deadline) {
      throw new Error(`${behind.join(', ')} did not reach position ${position} within ${timeoutMs} ms (is the projecting instance running?)`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function authenticate(
  auth: AuthService,
  header: string | null,
): Promise<Pick<GraphContext, 'principal' | 'authFailure'>> {
  if (!header) return { principal: null, authFailure: null };
  try {
    return { principal: await auth.authenticate(header), authFailure: null };
  } catch (error) {
    // Not an API key (nor the admin key): a browser may be holding a feedback token instead.
    const credential = header.replace(/^bearer\s+/i, '').trim();
    if (error instanceof Unauthenticated && error.reason === 'MALFORMED' && credential.includes('.')) {
      try {
        return { principal: auth.authenticateFeedbackToken(credential), authFailure: null };
      } catch (tokenError) {
        if (tokenError instanceof DomainError) return { principal: null, authFailure: failureOf(tokenError) };
        throw tokenError;
      }
    }
    if (error instanceof DomainError) return { principal: null, authFailure: failureOf(error) };
    throw error;
  }
}

function failureOf(error: DomainError): { code: string; message: string } {
  return { code: error instanceof Unauthenticated ? error.reason : error.code, message: error.message };
}
