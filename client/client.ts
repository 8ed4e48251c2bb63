import { SignalQueue } from './queue';
import type { Adoption, Credential, Dimension, FetchLike, InteractionInput, LoggedInteraction, SignalFailure, SignalInput, SignalType } from './types';

const LOG_INTERACTION = `mutation LogInteraction($input: LogInteractionInput!) {
  logInteraction(input: $input) {
    __typename
    ... on InteractionAccepted { interactionId position feedbackToken feedbackTokenExpiresAt }
    ... on Error { code message }
  }
}`;

export interface FlywheelOptions {
  /** The GraphQL endpoint, e.g. https://flywheel.example.com/graphql. */
  readonly endpoint: string;
  /** Servers only: a key with the `ingest` (logging) and/or `feedback` scope. Browsers use feedback tokens instead. */
  readonly apiKey?: string;
  readonly fetch?: FetchLike;
  /** Default: /feedback/beacon next to the endpoint. */
  readonly beaconUrl?: string;
  /** Default 100 signals per request. */
  readonly maxBatch?: number;
  /** Default 1,000 ms. */
  readonly flushIntervalMs?: number;
  /** Default 8 tries per signal, backing off from `retryBaseMs` (default 500 ms) up to 30 s. */
  readonly maxAttempts?: number;
  readonly retryBaseMs?: number;
  /** Signals the server refused for good, or that were given up on. */
  readonly onError?: (failure: SignalFailure) => void;
  /** Default: navigator.sendBeacon where there is one. */
  readonly sendBeacon?: (url: string, body: string) => boolean;
}

export class FlywheelError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'FlywheelError';
  }
}

/** A random id: crypto.randomUUID where there is one (browsers' secure contexts, Node ≥ 19). */
export function newId(): string {
  const c: { randomUUID?: () => string } | undefined = globalThis.crypto;
  if (c?.randomUUID) return c.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}-${Math.random().toString(36).slice(2)}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function defaultFetch(): FetchLike {
  if (typeof globalThis.fetch !== 'function') throw new Error('no fetch in this environment: pass options.fetch');
  return (url, init) => globalThis.fetch(url, init);
}

function defaultBeacon(): ((url: string, body: string) => boolean) | undefined {
  const nav: { sendBeacon?: (url: string, data: string) => boolean } | undefined = globalThis.navigator;
  return nav?.sendBeacon ? (url, body) => nav.sendBeacon?.(url, body) ?? false : undefined;
}

/**
 * The Flywheel client for apps (Node) and browsers: log interactions (servers, with an API key)
 * and send feedback signals (browsers with the interaction's feedback token, or servers with a key).
 */
export class FlywheelClient {
  readonly queue: SignalQueue;
  private readonly fetchFn: FetchLike;

  constructor(private readonly options: FlywheelOptions) {
    this.fetchFn = options.fetch ?? defaultFetch();
    const sendBeacon = options.sendBeacon ?? defaultBeacon();
    this.queue = new SignalQueue({
      endpoint: options.endpoint,
      beaconUrl: options.beaconUrl ?? new URL('/feedback/beacon', options.endpoint).toString(),
      fetch: this.fetchFn,
      maxBatch: options.maxBatch ?? 100,
      flushIntervalMs: options.flushIntervalMs ?? 1_000,
      maxAttempts: options.maxAttempts ?? 8,
      retryBaseMs: options.retryBaseMs ?? 500,
      ...(options.onError ? { onError: options.onError } : {}),
      ...(sendBeacon ? { sendBeacon } : {}),
    });
  }

  /**
   * Logs one interaction and answers with its feedback token. The id is chosen here, so a retry
   * after a network failure is the same interaction on the server, not a second one.
   */
  async logInteraction(input: InteractionInput, attempts = 3): Promise<LoggedInteraction> {
    const key = this.options.apiKey;
    if (!key) throw new FlywheelError('NO_API_KEY', 'logging interactions needs an API key with the ingest scope');
    const variables = { input: { ...input, id: input.id ?? newId() } };
    let lastError: unknown = null;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        const response = await this.fetchFn(this.options.endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${key}` },
          body: JSON.stringify({ query: LOG_INTERACTION, variables }),
        });
        if (response.status === 429 || response.status >= 500) throw new FlywheelError(`HTTP_${response.status}`, 'temporarily unavailable');
        const body: unknown = JSON.parse(await response.text());
        const result = isRecord(body) && isRecord(body['data']) ? body['data']['logInteraction'] : undefined;
        if (isRecord(result) && result['__typename'] === 'InteractionAccepted') {
          return {
            interactionId: String(result['interactionId']),
            position: Number(result['position']),
            feedbackToken: String(result['feedbackToken']),
            feedbackTokenExpiresAt: String(result['feedbackTokenExpiresAt']),
          };
        }
        const error = isRecord(result) ? result : isRecord(body) && Array.isArray(body['errors']) && isRecord(body['errors'][0]) ? body['errors'][0] : {};
        throw new FlywheelError(String(error['code'] ?? error['__typename'] ?? `HTTP_${response.status}`), String(error['message'] ?? 'refused'));
      } catch (error) {
        lastError = error;
        const transient = !(error instanceof FlywheelError) || error.code.startsWith('HTTP_');
        if (!transient || attempt === attempts) break;
        await new Promise((r) => setTimeout(r, 200 * 2 ** (attempt - 1)));
      }
    }
    throw lastError instanceof Error ? lastError : new FlywheelError('UNKNOWN', String(lastError));
  }

  /** Signals on one interaction: with its feedback token (browsers), or the client's API key (servers). */
  feedback(interactionId: string, feedbackToken?: string): FeedbackHandle {
    const credential: Credential | null = feedbackToken
      ? { kind: 'token', token: feedbackToken }
      : this.options.apiKey
        ? { kind: 'apiKey', key: this.options.apiKey }
        : null;
    if (!credential) throw new FlywheelError('NO_CREDENTIAL', 'feedback needs the interaction’s feedback token (or an API key on a server)');
    return new FeedbackHandle(interactionId, (signal) => this.queue.enqueue(signal, credential));
  }

  /** Sends what is queued now. */
  flush(): Promise<void> {
    return this.queue.flush();
  }

  /** For a page that is going away: hands queued signals to sendBeacon. */
  flushBeacon(): number {
    return this.queue.flushBeacon();
  }

  /** Sends everything still queued (retries included) and stops the timer. */
  async close(timeoutMs = 10_000): Promise<void> {
    await this.queue.drain(timeoutMs);
    this.queue.close();
  }
}

type Extra = Omit<SignalInput, 'interactionId' | 'signalId' | 'type'>;

/** One interaction's signals. Each method queues one signal and returns its id. */
export class FeedbackHandle {
  constructor(
    readonly interactionId: string,
    private readonly enqueue: (signal: SignalInput) => void,
  ) {}

  private send(type: SignalType, extra: Extra = {}): string {
    const signalId = newId();
    this.enqueue({ interactionId: this.interactionId, signalId, type, occurredAt: new Date().toISOString(), ...extra });
    return signalId;
  }

  thumbsUp(options: { dimension?: Dimension; comment?: string } = {}): string {
    return this.send('thumbsUp', options);
  }

  thumbsDown(options: { dimension?: Dimension; comment?: string } = {}): string {
    return this.send('thumbsDown', options);
  }

  /** `fraction`: share of the response copied (0–1). */
  copied(fraction?: number): string {
    return this.send('copied', fraction === undefined ? {} : { fraction: Math.max(0, Math.min(1, fraction)) });
  }

  /** The text as the user left it; with the original, the edit distance is measured here too. */
  edited(editedText: string, original?: string): string {
    const distance = original === undefined ? undefined : editDistance(original, editedText);
    return this.send('edited', distance === undefined ? { editedText } : { editedText, editDistance: distance });
  }

  /** The user asked for another answer; pass the new interaction's id once it is logged. */
  regenerated(replacementInteractionId?: string): string {
    return this.send('regenerated', replacementInteractionId ? { replacementInteractionId } : {});
  }

  /** The user stopped the generation after `tokensReceived` tokens. */
  stopped(tokensReceived?: number): string {
    return this.send('stopped', tokensReceived === undefined ? {} : { tokensReceived: Math.max(0, Math.round(tokensReceived)) });
  }

  adopted(adoption: Adoption): string {
    return this.send('adopted', { adoption });
  }

  deleted(): string {
    return this.send('deleted');
  }

  followUp(reask = false): string {
    return this.send('followUp', { reask });
  }
}

/** Normalised Levenshtein distance (0–1), for texts short enough to compare in a browser. */
export function editDistance(a: string, b: string): number | undefined {
  const x = Array.from(a);
  const y = Array.from(b);
  const longer = Math.max(x.length, y.length);
  if (longer === 0) return 0;
  if (x.length * y.length > 1_000_000) return undefined;
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const current = [i];
    for (let j = 1; j <= y.length; j++) {
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (x[i - 1] === y[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return Math.round(((previous[y.length] ?? 0) / longer) * 10_000) / 10_000;
}
