import type { DomainEventStore } from '../../events/catalogued-event-store';
import { OUTCOME_WEIGHTS_CATEGORY, type OutcomeWeightsSetData } from '../../events/catalogue/feedback';
import { INTERACTION_CATEGORY } from '../../events/catalogue/ingest';
import { commandMetadata, streamName } from '../../events/envelope';
import type { ReadStore } from '../../projections/read-store';
import type { FeedbackAccess } from '../auth/principal';
import { handleCommand } from '../command-handler';
import { eachItem, rawField, type CommandContext, type ItemResult } from '../commands';
import { InputInvalid, issuesFromZod, NotFound } from '../errors';
import { calibrate, type CalibrationReport } from './calibration';
import {
  MAX_SIGNAL_BATCH,
  recordSignalInputSchema,
  setOutcomeWeightsInputSchema,
  signalContentOf,
  type SignalContent,
} from './commands';
import * as signals from './decider';
import { InteractionFactsCache } from './interaction-facts';
import { FEATURES, type Feature } from '../../events/signal-features';
import type { OutcomeWeights } from './outcome';
import { coverageReport, labelledExamples, latencyBiasReport, loadFacts, type CoverageReport, type LatencyBiasReport } from './reports';
import { weightsDecider, WeightsReader, type CurrentWeights } from './weights';

/**
 * The redaction hook. Every free text a signal carries (a thumbs comment, an edited text) goes
 * through it before it is hashed and recorded; nothing else in the feedback feature sees the raw
 * text. The wiring passes privacy's redactor (the workload's policy decides what is kept); only
 * with FLYWHEEL_REDACTION=off is there none. It must be deterministic (same text, same result): a retried signal is told from a
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
  /** Checks of the caller (each throws Forbidden), before the interaction is read and once it is loaded. */
  readonly access?: FeedbackAccess;
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
   * retry, recognised by an answer from before the append began, goes back to the decider with
   * the stream's history: the same content is a duplicate, other content SignalIdConflict.
   */
  async record(input: unknown, context: FeedbackContext): Promise<RecordedSignal> {
    // A token's own interaction first: it learns nothing of other interactions, nor of what else is wrong.
    context.access?.interaction(rawField(input, 'interactionId'));
    const parsed = recordSignalInputSchema.safeParse(input);
    if (!parsed.success) throw new InputInvalid(issuesFromZod(parsed.error));
    const { interactionId } = parsed.data;
    const facts = await this.facts.get(interactionId);
    if (!facts) throw new NotFound('interaction', interactionId);
    context.access?.loaded({ interactionId, workloadId: facts.workloadId });
    const signal = await this.redacted(signalContentOf(parsed.data, parsed.data.signalId ?? this.deps.newId()), facts.workloadId);
    const metadata = {
      actor: context.actor,
      correlationId: context.correlationId,
      causationId: null,
      occurredAt: new Date(parsed.data.occurredAt ?? this.deps.now()).toISOString(),
    };
    // Other signals and outcomes land on the stream concurrently and none constrains this one.
    const handled = await handleCommand(this.deps.store, streamName(INTERACTION_CATEGORY, interactionId), signals, { type: 'RecordSignal', signal, metadata }, {
      optimistic: { assume: { status: 'logged', ...facts, signals: new Map() }, expectedRevision: 'any', detectRetry: true },
    });
    return {
      signalId: signal.signalId,
      interactionId,
      workloadId: facts.workloadId,
      type: signal.type,
      position: handled.position,
      duplicate: handled.events.length === 0,
    };
  }

  /** Each item is answered on its own; a bad item does not stop the others. */
  recordMany(inputs: readonly unknown[], context: FeedbackContext): Promise<ItemResult<RecordedSignal>[]> {
    return eachItem(inputs, { max: MAX_SIGNAL_BATCH, context }, (input, itemContext) => this.record(input, itemContext));
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
    const metadata = commandMetadata({ ...context, now: this.deps.now() });
    const handled = await handleCommand(this.deps.store, streamName(OUTCOME_WEIGHTS_CATEGORY, workloadId), weightsDecider, {
      type: 'ReplaceSettings',
      key: workloadId,
      data,
      metadata,
    });
    this.weightsReader.forget(workloadId);
    return { workloadId, weights, position: handled.position };
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
