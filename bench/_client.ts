/**
 * The client side of the service benchmarks, kept free of the service's own modules so the
 * forked load generators start fast and do not load the app: figures, realistic interactions as
 * GraphQL input, a keep-alive HTTP client, and what a load job and its result are.
 */
import { Agent, request } from 'node:http';
import { availableParallelism, loadavg } from 'node:os';
import type { LogInteractionInput } from '../graph/generated/operations';

export const ADMIN_KEY = 'bench-admin-key-0123456789abcdef';
export const HOST = '127.0.0.1';

// ---- figures ------------------------------------------------------------------------------

export const round = (value: number, digits = 0): number => Number(value.toFixed(digits));

export interface Summary {
  readonly n: number;
  readonly min: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

/** Nearest-rank percentiles of latencies in ms, rounded to 0.01 ms. */
export function summarize(values: readonly number[]): Summary {
  const sorted = Float64Array.from(values).sort();
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
  const mean = sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length);
  return {
    n: sorted.length,
    min: round(sorted[0] ?? Number.NaN, 2),
    p50: round(at(50), 2),
    p95: round(at(95), 2),
    p99: round(at(99), 2),
    max: round(sorted[sorted.length - 1] ?? Number.NaN, 2),
    mean: round(mean, 2),
  };
}

export function formatSummary(s: Summary): string {
  return `n=${s.n} p50 ${s.p50} ms, p95 ${s.p95} ms, p99 ${s.p99} ms, max ${s.max} ms`;
}

export const nowMs = (): number => performance.now();

/** Cores and 1-minute load average, for the JSON line: on a shared machine the figures depend on it. */
export function machine(): { cores: number; loadAvg1m: number } {
  return { cores: availableParallelism(), loadAvg1m: round(loadavg()[0] ?? 0, 2) };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** `--name value` from argv, or the fallback. */
export function flag(name: string, fallback: string): string {
  const args = process.argv.slice(2);
  const i = args.indexOf(`--${name}`);
  const value = i >= 0 ? args[i + 1] : undefined;
  return value ?? fallback;
}

export function hasFlag(name: string): boolean {
  return process.argv.slice(2).includes(`--${name}`);
}

/** Exits 0 when the run completed (goals met or not), 1 on a crash. */
export function runMain(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}

// ---- realistic interactions ---------------------------------------------------------------

const WORDS = (
  'the router keeps dropping wifi every evening channel firmware update reset modem signal ' +
  'strength interference neighbour band steering mesh node restart cable provider outage billing ' +
  'refund invoice account password login two factor email address shipping delay order status ' +
  'warranty replacement battery screen cracked return label customer support ticket escalation'
).split(' ');

/** Deterministic filler text of about `chars` characters, different for each seed. */
export function text(seed: number, chars: number): string {
  const out: string[] = [];
  let length = 0;
  let x = (seed * 2_654_435_761) >>> 0 || 1;
  while (length < chars) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    const word = WORDS[x % WORDS.length] ?? 'x';
    out.push(word);
    length += word.length + 1;
  }
  return out.join(' ');
}

export interface InteractionShape {
  readonly workloadId?: string;
  readonly clientId?: string;
  readonly conversationId?: string;
  readonly occurredAt?: string;
  readonly id?: string;
}

export const WORKLOADS = ['support-bot', 'text-to-sql', 'summarizer', 'classifier', 'code-review'] as const;
export const CLIENTS = ['web', 'ios', 'android', 'cli'] as const;

/**
 * One chat completion as an app logs it: a system prompt, a user question, an answer, usage and
 * cost; about 1.3–1.7 KB of JSON. Spread over 5 workloads, 4 clients and 5-turn conversations
 * unless the shape says otherwise.
 */
export function interactionInput(n: number, shape: InteractionShape = {}): LogInteractionInput {
  const question = text(n, 300 + (n % 7) * 40);
  const answer = text(n + 7_919, 500 + (n % 11) * 30);
  return {
    ...(shape.id !== undefined ? { id: shape.id } : {}),
    workloadId: shape.workloadId ?? WORKLOADS[n % WORKLOADS.length] ?? 'support-bot',
    clientId: shape.clientId ?? CLIENTS[n % CLIENTS.length] ?? 'web',
    conversationId: shape.conversationId ?? `conv-${Math.floor(n / 5)}`,
    sessionId: `sess-${Math.floor(n / 20)}`,
    subjectId: `user-${n % 5_000}`,
    request: {
      model: 'gpt-4o-mini',
      temperature: 0.2,
      messages: [
        { role: 'system', content: 'You are a helpful support assistant for Acme routers. Answer briefly and cite the manual.' },
        { role: 'user', content: question },
      ],
    },
    response: {
      id: `chatcmpl-${n}`,
      model: 'gpt-4o-mini-2024-07-18',
      choices: [{ index: 0, message: { role: 'assistant', content: answer }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 80 + (n % 200), completion_tokens: 120 + (n % 300), total_tokens: 200 + (n % 500) },
    },
    latencyMs: 300 + (n % 1_500),
    costUsd: 0.00002 + (n % 100) * 1e-7,
    promptVersionId: `support-v${1 + (n % 3)}`,
    tags: ['bench', n % 2 === 0 ? 'even' : 'odd'],
    occurredAt: shape.occurredAt ?? new Date(BASE_TIME + n * 1_000).toISOString(),
  };
}

/** occurredAt of interaction n is BASE_TIME + n seconds. */
export const BASE_TIME = Date.UTC(2026, 0, 1);

// ---- HTTP ---------------------------------------------------------------------------------

export interface HttpResult {
  readonly status: number;
  readonly text: string;
}

/** POST with a keep-alive agent; resolves with the whole body. */
export function post(agent: Agent, url: string, body: string, headers: Record<string, string>): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export function keepAliveAgent(maxSockets: number): Agent {
  return new Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
}

export const authHeaders = { authorization: `Bearer ${ADMIN_KEY}` };

// ---- the forked load generator ------------------------------------------------------------

/** What the load generator sends; it builds and checks each request itself (see `_load.ts`). */
export type Workload =
  | { readonly kind: 'logInteraction'; readonly seed: number }
  | { readonly kind: 'logInteractions'; readonly seed: number; readonly batch: number }
  | { readonly kind: 'baseline'; readonly seed: number }
  | { readonly kind: 'query'; readonly variables: readonly Record<string, unknown>[] };

export interface LoadJob {
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly connections: number;
  readonly warmupMs: number;
  readonly durationMs: number;
  /** Each connection sends its next request when the previous one has answered (closed loop). */
  readonly workload: Workload;
}

export interface LoadResult {
  /** Every request answered, warm-up included (for CPU per request). */
  readonly total: number;
  readonly requests: number;
  readonly ok: number;
  readonly failed: number;
  /** Interactions accepted (a batch counts its items), or requests for queries. */
  readonly units: number;
  readonly seconds: number;
  readonly latency: Summary;
  /** Every successful request's latency (ms), so runs can be merged. */
  readonly latencies: readonly number[];
  /** Completed requests in each second of the measured window. */
  readonly perSecond: readonly number[];
  readonly errors: readonly string[];
}
