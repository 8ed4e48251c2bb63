import { catalogue } from '../events/catalogue';
import { CataloguedEventStore } from '../events/catalogued-event-store';
import { graphContextFactory, type Services } from '../graph/context';
import { createFlywheelYoga, type FlywheelYoga } from '../graph/yoga';
import type { Logger } from '../lib/logger';
import type { Projection } from '../projections/projection';
import { Projector } from '../projections/projector';
import type { ReadStore } from '../projections/read-store';
import type { AuthService } from '../services/auth/auth-service';
import { publisherOn } from '../services/bus/bus';
import type { IngestService } from '../services/ingest/ingest-service';
import { ReactorRunner } from '../services/reactor';
import { openAdapters, type Adapters } from './adapters';
import type { Config } from './config';
import { authProjections, openAuth } from './features/auth';
import { evaluationProjections, openEvaluation, type EvaluationParts } from './features/evaluation';
import type { FeatureDeps, FeatureParts } from './features/feature';
import { feedbackProjections, openFeedback } from './features/feedback';
import { ingestProjections, openIngest } from './features/ingest';
import { openPrivacy, privacyProjections, type PrivacyParts } from './features/privacy';
import { readiness, readProgress, type ReadProgress } from './read-progress';

/** Every read model the service keeps, feature by feature (the CLI rebuilds from this list). */
export const projections: readonly Projection[] = [...ingestProjections, ...authProjections, ...privacyProjections, ...feedbackProjections, ...evaluationProjections];

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
  /** Stops the reactors and the projector at a checkpoint and closes every store. Idempotent. */
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

/** The read models over the raw store (the projector parses events itself, parking bad ones). */
export function createProjector(adapters: Adapters, logger: Logger, now?: () => Date, kept: readonly Projection[] = projections): Projector {
  return new Projector({
    store: adapters.eventStore,
    readStore: adapters.readStore,
    publish: publisherOn(adapters.bus),
    parser: catalogue,
    projections: kept,
    logger,
    ...(now ? { now } : {}),
  });
}

/**
 * The composition root: the only place that wires real adapters to services and the API. Each
 * feature is opened in app/features/ and handed what it needs of the features before it.
 */
export async function createApp(config: Config, options: AppOptions): Promise<FlywheelApp> {
  const { logger } = options;
  const now = options.now ?? (() => new Date());
  const adapters = await openAdapters(config, logger, options.instanceName);
  const opened: FeatureParts<unknown>[] = [];
  try {
    const store = new CataloguedEventStore(adapters.eventStore, catalogue);
    const projecting = config.FLYWHEEL_PROJECTOR === 'on';
    // Bound late: the projector is built from the features' read models, and the features'
    // services wait on it only once it runs.
    let progress: ReadProgress | null = null;
    const deps = (component: string): FeatureDeps => ({
      config,
      store,
      events: adapters.eventStore,
      readStore: adapters.readStore,
      bus: adapters.bus,
      now,
      logger: logger.child({ component }),
      projecting,
      waitForProjection: (position, timeoutMs) =>
        progress ? progress.waitFor(position, timeoutMs) : Promise.reject(new Error('the read models were waited for before the projector was built')),
    });
    const open = <P extends FeatureParts<unknown>>(parts: P): P => {
      opened.push(parts);
      return parts;
    };

    const privacy = open(await openPrivacy(deps('privacy')));
    const auth = open(await openAuth(deps('auth')));
    const redaction = config.FLYWHEEL_REDACTION === 'on';
    const ingest = open(openIngest(deps('ingest'), { screen: redaction ? privacy.services.privacy.screenInteraction : null }));
    const feedback = open(
      openFeedback(deps('feedback'), {
        redact: redaction ? (text, context) => privacy.services.privacy.redactText(text, context) : null,
        authenticateToken: (token) => auth.services.auth.authenticateFeedbackToken(token),
      }),
    );
    const evaluation = open(openEvaluation(deps('evaluation')));
    const features = [ingest, auth, privacy, feedback, evaluation];

    const projector = createProjector(adapters, logger.child({ component: 'projector' }), now, features.flatMap((f) => f.projections));
    const read = readProgress(projector, adapters.readStore, projecting);
    progress = read;
    if (projecting) await projector.start();
    for (const feature of features) await feature.start?.();

    // Reactors run where the projector runs: one worker instance does the side-effecting work.
    const reactors = features.flatMap((f) => f.reactors).map(
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

    const services: Services = { ...ingest.services, ...auth.services, ...privacy.services, ...feedback.services, ...evaluation.services };
    const yoga = createFlywheelYoga({
      context: graphContextFactory({
        authenticate: (authorization) => auth.authenticate(authorization),
        services,
        readStore: options.decorateReadStore?.(adapters.readStore) ?? adapters.readStore,
        bus: adapters.bus,
        logger,
        waitForProjection: (position) => read.waitFor(position),
      }),
      readiness: () => readiness(adapters, read, projecting ? projector : null, logger),
      production: config.NODE_ENV === 'production',
      maxFieldBytes: config.FLYWHEEL_MAX_FIELD_BYTES,
      rateLimitPerSecond: config.FLYWHEEL_RATE_LIMIT,
      routes: features.flatMap((f) => f.routes),
    });

    const bootstrap = auth.bootstrap();
    let stopping: Promise<void> | null = null;
    return {
      config,
      adapters,
      store,
      projector,
      reactors: projecting ? reactors : [],
      auth: auth.services.auth,
      ingest: ingest.services.ingest,
      evaluation,
      privacy,
      yoga,
      generatedAdminKey: bootstrap?.kind === 'generated' ? bootstrap.key : null,
      stop: () =>
        (stopping ??= (async () => {
          for (const runner of reactors) await runner.stop();
          await evaluation.close();
          await projector.stop();
          for (const feature of [auth, privacy, ingest, feedback]) await feature.close();
          await adapters.close();
        })()),
    };
  } catch (error) {
    for (const part of opened) await part.close().catch(() => undefined);
    await adapters.close().catch(() => undefined);
    throw error;
  }
}
