import { randomUUID } from 'node:crypto';
import { interactionsProjection } from '../../projections/interactions';
import { IngestService, type InteractionScreen } from '../../services/ingest/ingest-service';
import type { FeatureDeps, FeatureParts } from './feature';

/** The read models ingest keeps (the CLI rebuilds from this list too). */
export const ingestProjections = [interactionsProjection];

/**
 * Logging interactions. `screen` is privacy's: redaction happens before the append, so nothing
 * unscreened reaches the event store (absent only with FLYWHEEL_REDACTION=off).
 */
export function openIngest(deps: FeatureDeps, needs: { readonly screen: InteractionScreen | null }): FeatureParts<{ readonly ingest: IngestService }> {
  const ingest = new IngestService({ store: deps.store, now: deps.now, newId: randomUUID, ...(needs.screen ? { screen: needs.screen } : {}) });
  return { services: { ingest }, projections: ingestProjections, reactors: [], routes: [], close: async () => undefined };
}
