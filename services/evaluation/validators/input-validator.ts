import type { InputValidatorsConfig, ValidatorCheck, ValidationOutcome } from '../../../events/catalogue/evaluation';
import { INTERACTIONS, type InteractionDoc } from '../../../projections/interactions';
import type { ReadStore } from '../../../projections/read-store';
import type { Embedder } from '../../embeddings/embedder';
import { VALIDATOR_CONFIGS, type ValidatorConfigDoc } from '../../../projections/evaluation-validators';
import { KNOWN_ATTACKS, PATTERNS_VERSION } from './adversarial-patterns';
import {
  adversarialCheck,
  anomalyCheck,
  complexityCheck,
  countInputTokens,
  DEFAULT_CONFIG,
  languageCheck,
  sensitiveCheck,
  topicCheck,
  worstOf,
  type SensitiveInfoDetector,
} from './checks';

export const VALIDATORS_VERSION = `validators-v1+${PATTERNS_VERSION}`;

/**
 * Similarity checks (topic, known attacks, anomaly) embed at most this much of the input: what
 * an input is about shows in its first few hundred words, and embedding is the largest cost of
 * a long input. Patterns, tokens and personal data are still checked on the whole text.
 */
export const EMBED_CHARS = 4_000;
const forEmbedding = (text: string) => text.slice(0, EMBED_CHARS);

export interface Validation {
  readonly outcome: ValidationOutcome;
  readonly checks: readonly ValidatorCheck[];
  readonly inputTokens: number;
  readonly validatorsVersion: string;
  readonly embedderId: string;
}

export interface InputValidatorDeps {
  readonly readStore: ReadStore;
  readonly embedder: Embedder;
  /** Privacy's detector; null until it is wired (the check then passes and says so). */
  readonly sensitive: SensitiveInfoDetector | null;
  readonly now: () => number;
  /** How long a workload's settings and history are used before they are refreshed. Default 30 s. */
  readonly refreshMs?: number;
  /** Historical inputs kept per workload for the anomaly check. Default 1,000. */
  readonly historySize?: number;
}

interface WorkloadState {
  config: Omit<InputValidatorsConfig, 'workloadId'>;
  domain: Float32Array[];
  attacks: Float32Array[];
  history: Float32Array[];
  /** Highest interaction position in `history`. */
  historyPosition: number;
  loadedAt: number;
  refreshing: Promise<void> | null;
}

/** The text a validator reads: every message's text content, in order (what the LLM will read). */
export function textOf(messages: readonly unknown[]): { all: string; lastUser: string } {
  const parts: string[] = [];
  let lastUser = '';
  for (const m of messages) {
    if (!m || typeof m !== 'object' || !('content' in m)) continue;
    const content = m.content;
    const text =
      typeof content === 'string'
        ? content
        : Array.isArray(content)
          ? content.map((p: unknown) => (p && typeof p === 'object' && 'text' in p && typeof p.text === 'string' ? p.text : '')).join('')
          : '';
    parts.push(text);
    if ('role' in m && m.role === 'user') lastUser = text;
  }
  return { all: parts.join('\n'), lastUser };
}

/**
 * Runs the input checks for a workload, holding per workload what they compare against: the
 * settings, the domain examples' and known attacks' vectors, and recent inputs' vectors. These
 * are loaded once and refreshed in the background, so a call costs only its own text's work.
 */
export class InputValidator {
  private readonly workloads = new Map<string, Promise<WorkloadState>>();
  private readonly builtInAttacks: Promise<Float32Array[]>;

  constructor(private readonly deps: InputValidatorDeps) {
    this.builtInAttacks = deps.embedder.embed(KNOWN_ATTACKS);
  }

  get embedderId(): string {
    return this.deps.embedder.id;
  }

  /**
   * Validates the messages an app is about to send. `before`: use only history older than this
   * position (the reactor validating a logged interaction compares it with what came before).
   */
  async validate(workloadId: string, messages: readonly unknown[], options: { before?: number } = {}): Promise<Validation> {
    const state = await this.stateOf(workloadId, options.before);
    const { all, lastUser } = textOf(messages);
    const subject = lastUser || all;
    const [vector] = await this.deps.embedder.embed([forEmbedding(subject)]);
    if (!vector) throw new Error('the embedder returned no vector');
    const inputTokens = countInputTokens(all);
    const checks: ValidatorCheck[] = [
      topicCheck(vector, state.domain, state.config.topicThreshold),
      complexityCheck(inputTokens, state.config.minTokens, state.config.maxTokens),
      languageCheck(subject, state.config.languages),
      sensitiveCheck(all, this.deps.sensitive),
      adversarialCheck(all, vector, state.attacks),
      anomalyCheck(vector, state.history, state.config.anomalyThreshold),
    ];
    return { outcome: worstOf(checks), checks, inputTokens, validatorsVersion: VALIDATORS_VERSION, embedderId: this.deps.embedder.id };
  }

  /** Adds a validated input to the workload's history (the reactor, in log order). */
  async remember(workloadId: string, messages: readonly unknown[], position: number): Promise<void> {
    const state = await this.stateOf(workloadId, position);
    if (position <= state.historyPosition) return;
    const { all, lastUser } = textOf(messages);
    const [vector] = await this.deps.embedder.embed([forEmbedding(lastUser || all)]);
    if (vector) this.push(state, vector, position);
  }

  /** Drops what is cached for a workload (its settings changed). */
  forget(workloadId: string): void {
    this.workloads.delete(workloadId);
  }

  private stateOf(workloadId: string, before: number | undefined): Promise<WorkloadState> {
    let loading = this.workloads.get(workloadId);
    if (!loading) {
      loading = this.load(workloadId, before);
      this.workloads.set(workloadId, loading);
      loading.catch(() => this.workloads.delete(workloadId));
      return loading;
    }
    return loading.then((state) => {
      // Stale state is still answered with; the refresh runs beside it, off the request's path.
      if (before === undefined && !state.refreshing && this.deps.now() - state.loadedAt > (this.deps.refreshMs ?? 30_000)) {
        state.refreshing = this.refresh(workloadId, state).finally(() => (state.refreshing = null));
      }
      return state;
    });
  }

  private async load(workloadId: string, before: number | undefined): Promise<WorkloadState> {
    const config = await this.configOf(workloadId);
    const [domain, attacks, builtIn] = await Promise.all([
      this.deps.embedder.embed(config.domainExamples),
      this.deps.embedder.embed(config.knownAttacks),
      this.builtInAttacks,
    ]);
    const state: WorkloadState = {
      config,
      domain,
      attacks: [...builtIn, ...attacks],
      history: [],
      historyPosition: -1,
      loadedAt: this.deps.now(),
      refreshing: null,
    };
    await this.loadHistory(workloadId, state, before);
    return state;
  }

  private async refresh(workloadId: string, state: WorkloadState): Promise<void> {
    const config = await this.configOf(workloadId);
    if (JSON.stringify(config) !== JSON.stringify(state.config)) {
      const [domain, attacks, builtIn] = await Promise.all([
        this.deps.embedder.embed(config.domainExamples),
        this.deps.embedder.embed(config.knownAttacks),
        this.builtInAttacks,
      ]);
      Object.assign(state, { config, domain, attacks: [...builtIn, ...attacks] });
    }
    await this.loadHistory(workloadId, state, undefined);
    state.loadedAt = this.deps.now();
  }

  private async loadHistory(workloadId: string, state: WorkloadState, before: number | undefined): Promise<void> {
    const position: Record<string, number> = { $gt: state.historyPosition };
    if (before !== undefined) position['$lt'] = before;
    const page = await this.deps.readStore.find<InteractionDoc>(
      INTERACTIONS,
      { workloadId, position },
      { sort: { occurredAt: -1 }, limit: this.deps.historySize ?? 1_000 },
    );
    const docs = [...page.docs].sort((a, b) => a.position - b.position);
    const texts = docs.map((d) => {
      const { all, lastUser } = textOf(Array.isArray(d.messages) ? d.messages : []);
      return forEmbedding(lastUser || all);
    });
    const vectors = await this.deps.embedder.embed(texts);
    docs.forEach((doc, i) => {
      const v = vectors[i];
      if (v) this.push(state, v, doc.position);
    });
  }

  private push(state: WorkloadState, vector: Float32Array, position: number): void {
    state.history.push(vector);
    const max = this.deps.historySize ?? 1_000;
    if (state.history.length > max) state.history.splice(0, state.history.length - max);
    state.historyPosition = Math.max(state.historyPosition, position);
  }

  private async configOf(workloadId: string): Promise<Omit<InputValidatorsConfig, 'workloadId'>> {
    const doc = await this.deps.readStore.findById<ValidatorConfigDoc>(VALIDATOR_CONFIGS, workloadId);
    if (!doc) return DEFAULT_CONFIG;
    return {
      domainExamples: doc.domainExamples,
      topicThreshold: doc.topicThreshold,
      minTokens: doc.minTokens,
      maxTokens: doc.maxTokens,
      languages: doc.languages,
      anomalyThreshold: doc.anomalyThreshold,
      knownAttacks: doc.knownAttacks,
    };
  }
}
