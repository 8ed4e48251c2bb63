import type { Credential, FetchLike, SignalFailure, SignalInput } from './types';

export const RECORD_SIGNALS = `mutation RecordSignals($inputs: [RecordSignalInput!]!) {
  recordSignals(inputs: $inputs) {
    __typename
    ... on RecordedSignals { items { __typename ... on SignalAccepted { signalId } ... on Error { code message } } }
    ... on Error { code message }
  }
}`;

export interface QueueOptions {
  readonly endpoint: string;
  readonly beaconUrl: string;
  readonly fetch: FetchLike;
  /** Signals per request at most (the API takes up to 1,000; beacons carry up to 100). */
  readonly maxBatch: number;
  readonly flushIntervalMs: number;
  /** Tries per signal before it is given up (reported through onError). */
  readonly maxAttempts: number;
  readonly retryBaseMs: number;
  readonly onError?: (failure: SignalFailure) => void;
  /** navigator.sendBeacon, bound; absent outside browsers. */
  readonly sendBeacon?: (url: string, body: string) => boolean;
}

interface Pending {
  readonly signal: SignalInput;
  readonly credential: Credential;
  attempts: number;
  notBefore: number;
}

type Outcome = { readonly kind: 'done' } | { readonly kind: 'retry'; readonly code: string } | { readonly kind: 'failed'; readonly code: string; readonly message: string };

const MAX_BEACON_BYTES = 60_000;
const MAX_BEACON_SIGNALS = 100;

function credentialKey(c: Credential): string {
  return c.kind === 'apiKey' ? `k:${c.key}` : `t:${c.token}`;
}

function bearer(c: Credential): string {
  return `Bearer ${c.kind === 'apiKey' ? c.key : c.token}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Signals wait here until they are sent: in batches (one request per credential, since a feedback
 * token authorises only its own interaction), every `flushIntervalMs` or as soon as a batch is
 * full. A failed request is retried with backoff carrying the same signal ids, which the server
 * treats as retries; refusals that a retry cannot fix are reported, not retried. When the page is
 * hidden, `flushBeacon` hands whatever is left to navigator.sendBeacon, which survives the tab.
 */
export class SignalQueue {
  private pending: Pending[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private running: Promise<void> | null = null;
  private closed = false;

  constructor(private readonly options: QueueOptions) {}

  get size(): number {
    return this.pending.length;
  }

  enqueue(signal: SignalInput, credential: Credential): void {
    this.pending.push({ signal, credential, attempts: 0, notBefore: 0 });
    if (this.pending.filter((p) => p.attempts === 0).length >= this.options.maxBatch) void this.flush();
    else this.schedule(this.options.flushIntervalMs);
  }

  /** Sends what is due now; resolves when those requests have answered. */
  flush(): Promise<void> {
    this.running ??= this.sendDue().finally(() => {
      this.running = null;
      if (this.pending.length > 0 && !this.closed) this.schedule(Math.max(0, this.nextDue() - Date.now()));
    });
    return this.running;
  }

  /** Flushes until nothing is pending (retries included) or `timeoutMs` passes. */
  async drain(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.pending.length > 0 && Date.now() < deadline) {
      const wait = this.nextDue() - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, Math.min(wait, deadline - Date.now())));
      await this.flush();
    }
  }

  /**
   * Sends every pending token-authorised signal with sendBeacon (a fetch with keepalive when the
   * browser refuses the beacon). Signals sent with an API key cannot go this way (a beacon has no
   * headers, and API keys have no business in a browser anyway) and stay queued.
   */
  flushBeacon(): number {
    const byToken = this.pending.filter((p) => p.credential.kind === 'token');
    if (byToken.length === 0) return 0;
    const chunks: Pending[][] = [[]];
    let bytes = 20;
    for (const p of byToken) {
      const size = JSON.stringify(this.beaconItem(p)).length + 1;
      const current = chunks[chunks.length - 1] ?? [];
      if (current.length >= MAX_BEACON_SIGNALS || bytes + size > MAX_BEACON_BYTES) {
        chunks.push([p]);
        bytes = 20 + size;
      } else {
        current.push(p);
        bytes += size;
      }
    }
    for (const chunk of chunks) {
      if (chunk.length === 0) continue;
      const body = JSON.stringify({ signals: chunk.map((p) => this.beaconItem(p)) });
      const sent = this.options.sendBeacon?.(this.options.beaconUrl, body) ?? false;
      if (!sent) {
        void this.options
          .fetch(this.options.beaconUrl, { method: 'POST', headers: { 'content-type': 'text/plain;charset=UTF-8' }, body, keepalive: true })
          .catch(() => undefined);
      }
    }
    const gone = new Set(byToken);
    this.pending = this.pending.filter((p) => !gone.has(p));
    return byToken.length;
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private beaconItem(p: Pending): Record<string, unknown> {
    return { ...p.signal, token: p.credential.kind === 'token' ? p.credential.token : '' };
  }

  private schedule(delayMs: number): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, delayMs);
    // In Node a pending flush must not keep the process alive on its own.
    if (typeof this.timer === 'object' && this.timer !== null && 'unref' in this.timer) this.timer.unref();
  }

  private nextDue(): number {
    return this.pending.reduce((min, p) => Math.min(min, p.notBefore), Number.POSITIVE_INFINITY);
  }

  private async sendDue(): Promise<void> {
    const now = Date.now();
    const due = this.pending.filter((p) => p.notBefore <= now);
    if (due.length === 0) return;
    const groups = new Map<string, Pending[]>();
    for (const p of due) {
      const key = credentialKey(p.credential);
      const group = groups.get(key) ?? [];
      group.push(p);
      groups.set(key, group);
    }
    const requests: Promise<void>[] = [];
    for (const group of groups.values()) {
      for (let i = 0; i < group.length; i += this.options.maxBatch) requests.push(this.send(group.slice(i, i + this.options.maxBatch)));
    }
    await Promise.all(requests);
  }

  private async send(batch: Pending[]): Promise<void> {
    const first = batch[0];
    if (!first) return;
    const outcomes = await this.request(first.credential, batch.map((p) => p.signal));
    batch.forEach((p, i) => {
      const outcome = outcomes[i] ?? { kind: 'retry', code: 'NO_RESULT' };
      if (outcome.kind === 'retry') {
        p.attempts += 1;
        if (p.attempts < this.options.maxAttempts) {
          p.notBefore = Date.now() + Math.min(30_000, this.options.retryBaseMs * 2 ** (p.attempts - 1));
          return;
        }
        this.options.onError?.({ signal: p.signal, code: outcome.code, message: `gave up after ${p.attempts} attempts` });
      } else if (outcome.kind === 'failed') {
        this.options.onError?.({ signal: p.signal, code: outcome.code, message: outcome.message });
      }
      this.pending = this.pending.filter((q) => q !== p);
    });
  }

  private async request(credential: Credential, inputs: readonly SignalInput[]): Promise<Outcome[]> {
    const all = (outcome: Outcome) => inputs.map(() => outcome);
    let status: number;
    let text: string;
    try {
      const response = await this.options.fetch(this.options.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', authorization: bearer(credential) },
        body: JSON.stringify({ query: RECORD_SIGNALS, variables: { inputs } }),
      });
      status = response.status;
      text = await response.text();
    } catch {
      return all({ kind: 'retry', code: 'NETWORK' });
    }
    if (status === 429 || status >= 500) return all({ kind: 'retry', code: `HTTP_${status}` });
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return all({ kind: 'retry', code: 'BAD_RESPONSE' });
    }
    const data = isRecord(body) && isRecord(body['data']) ? body['data']['recordSignals'] : undefined;
    if (!isRecord(data)) {
      const error = isRecord(body) && Array.isArray(body['errors']) && isRecord(body['errors'][0]) ? body['errors'][0] : {};
      const extensions = isRecord(error['extensions']) ? error['extensions'] : {};
      const code = typeof extensions['code'] === 'string' ? extensions['code'] : `HTTP_${status}`;
      const message = typeof error['message'] === 'string' ? error['message'] : 'refused';
      // An expired token, a missing scope: retrying the same request cannot succeed.
      if (status === 401 || status === 403 || code === 'UNAUTHENTICATED' || code === 'FORBIDDEN') return all({ kind: 'failed', code, message });
      return all({ kind: 'retry', code });
    }
    const items = Array.isArray(data['items']) ? data['items'] : [];
    if (data['__typename'] !== 'RecordedSignals') return all({ kind: 'failed', code: String(data['code'] ?? data['__typename']), message: String(data['message'] ?? '') });
    return inputs.map((_, i): Outcome => {
      const item: unknown = items[i];
      if (!isRecord(item)) return { kind: 'retry', code: 'NO_RESULT' };
      if (item['__typename'] === 'SignalAccepted') return { kind: 'done' };
      return { kind: 'failed', code: String(item['code'] ?? item['__typename']), message: String(item['message'] ?? '') };
    });
  }
}
