import { randomUUID } from 'node:crypto';
import { feedbackBeaconRoute } from '../../graph/feedback-beacon';
import { feedbackDailyProjection } from '../../projections/feedback-daily';
import { feedbackFactsProjection } from '../../projections/feedback-facts';
import { feedbackSignalsProjection } from '../../projections/feedback-signals';
import type { Principal } from '../../services/auth/principal';
import { correctionDetector, turnsFromReadModel } from '../../services/feedback/detector-reactor';
import { FeedbackService, type Redact } from '../../services/feedback/feedback-service';
import { outcomeReactor } from '../../services/feedback/outcome-reactor';
import { WeightsReader } from '../../services/feedback/weights';
import type { FeatureDeps, FeatureParts } from './feature';

export const feedbackProjections = [feedbackSignalsProjection, feedbackDailyProjection, feedbackFactsProjection];

/**
 * Signals, outcomes and their reports; the outcome reactor and the correction detector; the
 * beacon route for browsers. `redact` is privacy's (comments and edited texts pass the same
 * screen as interactions, under their workload's policy); null with FLYWHEEL_REDACTION=off.
 */
export function openFeedback(
  deps: FeatureDeps,
  needs: { readonly redact: Redact | null; readonly authenticateToken: (token: string) => Principal },
): FeatureParts<{ readonly feedback: FeedbackService }> {
  const feedback = new FeedbackService({
    store: deps.store,
    readStore: deps.readStore,
    now: deps.now,
    newId: randomUUID,
    ...(needs.redact ? { redact: needs.redact } : {}),
  });
  return {
    services: { feedback },
    projections: feedbackProjections,
    reactors: [
      // The reactor keeps its own weights cache: it walks the log, the API serves the present.
      outcomeReactor({ store: deps.store, weights: new WeightsReader(deps.store) }),
      // The detector reads earlier turns in the read model; a long wait beats parking
      // detections under a burst.
      correctionDetector({ store: deps.store, turns: turnsFromReadModel(deps.readStore, (position) => deps.waitForProjection(position, 120_000)) }),
    ],
    routes: [feedbackBeaconRoute({ feedback, authenticateToken: needs.authenticateToken })],
    close: async () => undefined,
  };
}
