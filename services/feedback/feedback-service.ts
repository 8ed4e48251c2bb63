import type { DomainEventStore } from '../../events/catalogued-event-store';
import { OUTCOME_WEIGHTS_CATEGORY, OutcomeWeightsSet, type OutcomeWeightsSetData } from '../../events/catalogue/feedback';
import { INTERACTION_CATEGORY } from '../../events/catalogue/ingest';
import { streamName } from '../../events/envelope';
import type { ReadStore } from '../../projections/read-store';
import { DomainError, InputInvalid, issuesFromZod, NotFound } from '../errors';
import { BatchTooLarge, type CommandContext, type ItemResult } from '../ingest/ingest-service';
import { calibrate, type CalibrationReport } from './calibration';
import {
  MAX_SIGNAL_BATCH,
  recordSignalInputSchema,
  setOutcomeWeightsInputSchema,
  signalContentOf,
  type SignalContent,
} from './commands';
import { decide, SignalIdConflict } from './decider';
import { InteractionFactsCache } from './interaction-facts';
import { FEATURES, type Feature, type OutcomeWeights } from './outcome';
import { coverageReport, labelledExamples, latencyBiasReport, loadFacts, type CoverageReport, type LatencyBiasReport } from './reports';
import { WeightsReader, type CurrentWeights } from './weights';

/**
 * The redaction hook. Every free text a signal carries (a thumbs comment, an edited text) goes
 * through it before it is hashed and recorded; nothing else in the feedback feature sees the raw
 * text. The privacy feature plugs its redactor in here (app/wiring.ts); until then it is the
 * identity. It must be deterministic (same text, same result): a retried signal is told from a
 * conflicting one by the hash of its redacted content.
 */
export type Redact = (
  text: string,
  context: { readonly interactionId: string; readonly workloadId: string; readonly field: 'comment' | 'editedText' },
) => string | Promise<string>;

export interface FeedbackDeps {
  /** The catalogued store: events are parsed against their schema before they are appended. */
  readonly store: DomainEventStore;
  /** The feedback read models, for calibration and the bias reports. */
  readonly readStore: ReadStore;
  readonly now: () => Date;
  readonly newId: () => string;
  readonly redact?: Redact;
}

export interface FeedbackContext extends CommandContext {
  /**
   * Called with the interaction once it is loaded, before anything is appended; throws
   * (Forbidden) when the caller may not send feedback on it.
   */
  readonly authorize?: (interaction: { readonly interactionId: string; readonly workloadId: string }) => void;
}

export interface RecordedSignal {
  readonly signalId: string;
  readonly interactionId: string;
  readonly workloadId: string;
  readonly type: SignalContent['type'];
  /** Global position of the SignalRecorded event (the original one, for a retry). */
  readonly position: number;
  /** True when this was a retry of a signal already recorded. */
  readonly duplicate: boolean;
}

export interface WeightsChange {
  readonly workloadId: string;
  readonly weights: OutcomeWeights;
  readonly position: number;
}

export class FeedbackService {
  readonly weightsReader: WeightsReader;
  private readonly facts: InteractionFactsCache;

  constructor(private readonly deps: FeedbackDeps) {
    this.weightsReader = new WeightsReader(deps.store);
    this.facts = new InteractionFactsCache(deps.store);
  }

  /**
   * Parses, authorises, decides and appends one signal; resolves once the event is durable.
   *
   * Optimistic, like logging an interaction: the decision is made against the interaction's
   * facts alone (cached, they never change) rather than its whole stream, and the store's
   * idempotency by event id (derived from the interaction and signal ids) catches a retry. A
   * retry is recognised after the append, by an answer from before it began, and compared with
   * the signal already recorded: same content, a duplicate; other content, SignalIdConflict.
   */
  async record(input: unknown, context: FeedbackContext): Promise<RecordedSignal> {
    const parsed = recordSignalInputSchema.safeParse(input);
    if (!parsed.success) throw new InputInvalid(issuesFromZod(parsed.error));
    const { interactionId } = parsed.data;
    const facts = await this.facts.get(interactionId);
    if (!facts) throw new NotFound('interaction', interactionId);
    context.authorize?.({ interactionId, workloadId: facts.workloadId });
    const signal = await this.redacted(signalContentOf(parsed.data, parsed.data.signalId ?? this.deps.newId()), facts.workloadId);
    const metadata = {
      actor: context.actor,
      correlationId: context.correlationId,
      causationId: null,
      occurredAt: new Date(parsed.data.occurredAt ?? this.deps.now()).toISOString(),
      schemaVersion: 1,
    };
    const [event] = decide({ type: 'RecordSignal', signal, metadata }, { status: 'logged', ...facts, signals: new Map() });
    if (event?.type !== 'SignalRecorded') throw new Error('the signal decider decided nothing');
    const stream = streamName(INTERACTION_CATEGORY, interactionId);
    const before = await this.deps.store.headPosition();
    // Other signals and outcomes land on the stream concurrently and none constrains this one.
    const appended = await this.deps.store.append(stream, [event], { expectedRevision: 'any' });
    const result = { signalId: signal.signalId, interactionId, workloadId: facts.workloadId, type: signal.type, position: appended.position };
    if (appended.position > before) return { ...result, duplicate: false };
    const [original] = await this.deps.store.readStream(stream, { fromRevision: appended.lastRevision, maxCount: 1 });
    if (original?.type === 'SignalRecorded' && original.data.contentHash !== event.data.contentHash) {
      throw new SignalIdConflict(interactionId, signal.signalId);
    }
    return { ...result, duplicate: true };
  }

  /** Each item is answered on its own; a bad item does not stop the others. */
  async recordMany(inputs: readonly unknown[], context: FeedbackContext): Promise<ItemResult<RecordedSignal>[]> {
    if (inputs.length > MAX_SIGNAL_BATCH) throw new BatchTooLarge(inputs.length, MAX_SIGNAL_BATCH);
    // All appends are in flight together, so the store commits them as a few group commits.
    return Promise.all(
      inputs.map(async (input, index): Promise<ItemResult<RecordedSignal>> => {
        try {
          return { ok: true, value: await this.record(input, { ...context, correlationId: `${context.correlationId}:${index}` }) };
        } catch (error) {
          if (error instanceof DomainError) return { ok: false, error };
          throw error;
        }
      }),
    );
  }

  weights(workloadId: string): Promise<CurrentWeights> {
    return this.weightsReader.current(workloadId, { fresh: true });
  }

  /** Sets some of a workload's outcome weights by hand; the rest keep their current values. */
  async setWeights(input: unknown, context: CommandContext): Promise<WeightsChange> {
    const parsed = setOutcomeWeightsInputSchema.safeParse(input);
    if (!parsed.success) throw new InputInvalid(issuesFromZod(parsed.error));
    const unknown = (parsed.data.weights ?? []).flatMap((w, i) =>
      isFeature(w.feature) ? [] : [{ path: `weights.${i}.feature`, message: `not a signal feature (one of ${FEATURES.join(', ')})` }],
    );
    if (unknown.length > 0) throw new InputInvalid(unknown);
    const { workloadId } = parsed.data;
    const current = (await this.weights(workloadId)).weights;
    const weights = { ...current.weights };
    for (const w of parsed.data.weights ?? []) if (isFeature(w.feature)) weights[w.feature] = w.weight;
    const next: OutcomeWeights = { bias: parsed.data.bias ?? current.bias, threshold: parsed.data.threshold ?? current.threshold, weights };
    return this.appendWeights(workloadId, next, 'manual', null, context);
  }

  /**
   * Fits the workload's implicit-signal weights against its interactions with explicit feedback
   * and reports each signal's predictive power; with `apply`, records the fitted weights.
   */
  async calibrate(workloadId: string, options: { apply: boolean }, context: CommandContext): Promise<CalibrationReport & { applied: boolean }> {
    const current = (await this.weights(workloadId)).weights;
    const facts = await loadFacts(this.deps.readStore, workloadId);
    const report = calibrate(labelledExamples(facts), current);
    if (!options.apply || !report.fitted) return { ...report, applied: false };
    const fit = {
      labelled: report.labelled,
      accuracy: report.accuracy ?? 0,
      auc: report.auc,
      logLoss: report.logLoss ?? 0,
    };
    await this.appendWeights(workloadId, report.weights, 'calibration', fit, context);
    return { ...report, applied: true };
  }

  async latencyBias(workloadId: string): Promise<LatencyBiasReport> {
    const [facts, weights] = await Promise.all([loadFacts(this.deps.readStore, workloadId), this.weights(workloadId)]);
    return latencyBiasReport(workloadId, facts, weights.weights);
  }

  async coverage(workloadId: string): Promise<CoverageReport> {
    return coverageReport(workloadId, await loadFacts(this.deps.readStore, workloadId));
  }

  private async appendWeights(
    workloadId: string,
    weights: OutcomeWeights,
    source: OutcomeWeightsSetData['source'],
    calibration: OutcomeWeightsSetData['calibration'],
    context: CommandContext,
  ): Promise<WeightsChange> {
    const data: OutcomeWeightsSetData = { workloadId, bias: weights.bias, threshold: weights.threshold, weights: { ...weights.weights }, source, calibration };
    const event = {
      id: this.deps.newId(),
      type: OutcomeWeightsSet.type,
      data,
      metadata: {
        actor: context.actor,
        correlationId: context.correlationId,
        causationId: null,
        occurredAt: this.deps.now().toISOString(),
        schemaVersion: OutcomeWeightsSet.version,
      },
    };
    const appended = await this.deps.store.append(streamName(OUTCOME_WEIGHTS_CATEGORY, workloadId), [event]);
    this.weightsReader.forget(workloadId);
    return { workloadId, weights, position: appended.position };
  }

  private async redacted(signal: SignalContent, workloadId: string): Promise<SignalContent> {
    const redact = this.deps.redact;
    if (!redact) return signal;
    const context = { interactionId: signal.interactionId, workloadId };
    if ((signal.type === 'thumbsUp' || signal.type === 'thumbsDown') && signal.comment !== null) {
      // A comment redacted to nothing is no comment.
      return { ...signal, comment: (await redact(signal.comment, { ...context, field: 'comment' })).trim() || null };
    }
    if (signal.type === 'edited' && signal.editedText !== null) {
      return { ...signal, editedText: await redact(signal.editedText, { ...context, field: 'editedText' }) };
    }
    return signal;
  }
}

function isFeature(value: string): value is Feature {
  return (FEATURES as readonly string[]).includes(value);
}
