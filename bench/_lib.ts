/**
 * Shared pieces of the service benchmarks: realistic interactions (as GraphQL input and as
 * InteractionLogged events), fast seeding through the raw event store, temp data dirs, latency
 * summaries, a keep-alive HTTP client, a forked load generator, the app under test on a port,
 * and an in-process CPU profiler for when a goal is missed.
 */
import { fork } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { Session } from 'node:inspector/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { parseConfig } from '../app/config';
import { startServer, type RunningServer } from '../app/server';
import { createApp, type FlywheelApp } from '../app/wiring';
import type { NewEvent } from '../events/envelope';
import type { EventStore } from '../events/event-store';
import type { LogInteractionInput } from '../graph/generated/operations';
import { sha256Hex } from '../lib/ids';
import type { Logger } from '../lib/logger';
import { silentLogger } from '../lib/logger';
import { decide, initialState, type InteractionContent } from '../services/ingest/decider';

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

// ---- temp dirs ----------------------------------------------------------------------------

export interface TempDir {
  readonly path: string;
  remove(): void;
}

const made: string[] = [];

export function tempDir(label: string): TempDir {
  const path = mkdtempSync(join(tmpdir(), `flywheel-bench-${label}-`));
  made.push(path);
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

// A benchmark interrupted half way (Ctrl-C, a crash) still leaves no data behind.
process.once('exit', () => {
  for (const path of made) rmSync(path, { recursive: true, force: true });
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

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

/**
 * The InteractionLogged event the service would append for `interactionInput(n)`: built by the
 * ingest decider itself, so it carries the real content hash and deterministic event id.
 */
export function interactionEvent(n: number, shape: InteractionShape = {}): { stream: string; event: NewEvent } {
  const input = interactionInput(n, shape);
  const interactionId = input.id ?? `bench-${n}-${randomBytes(4).toString('hex')}`;
  const usage = { promptTokens: 80 + (n % 200), completionTokens: 120 + (n % 300), totalTokens: 200 + (n % 500) };
  const content: InteractionContent = {
    interactionId,
    workloadId: input.workloadId,
    clientId: input.clientId ?? null,
    conversationId: input.conversationId ?? null,
    sessionId: input.sessionId ?? null,
    subjectId: input.subjectId ?? null,
    model: 'gpt-4o-mini-2024-07-18',
    request: { model: 'gpt-4o-mini', temperature: 0.2, messages: messagesOf(input) },
    response: input.response ?? null,
    promptVersionId: input.promptVersionId ?? null,
    latencyMs: input.latencyMs ?? null,
    usage,
    costUsd: input.costUsd ?? null,
    pipeline: null,
    tags: input.tags ?? [],
  };
  const metadata = {
    actor: 'system:bench',
    correlationId: `bench-${n}`,
    causationId: null,
    occurredAt: input.occurredAt ?? new Date(BASE_TIME + n * 1_000).toISOString(),
    schemaVersion: 1,
  };
  const [event] = decide({ type: 'LogInteraction', content, metadata }, initialState);
  if (!event) throw new Error('the decider produced no event');
  return { stream: `interaction-${interactionId}`, event };
}

function messagesOf(input: LogInteractionInput): InteractionContent['request']['messages'] {
  const raw = input.request['messages'];
  if (!Array.isArray(raw)) throw new Error('bench input without messages');
  return raw.map((m: { role: string; content: string }) => ({ role: m.role, content: m.content }));
}

/**
 * Events for seeding, fast: `interactionEvent` runs the decider (canonical JSON + SHA-256 of
 * the whole content, ~0.2–0.5 ms here), so seeding uses 512 decided templates and gives each
 * copy its own interaction id, event id, conversation, occurredAt and content hash. The hash is
 * then not recomputable from the content, which nothing on the read side checks; everything
 * the projection reads is as the service would write it.
 */
export class SeedEvents {
  private readonly templates: { stream: string; event: NewEvent }[];

  constructor(private readonly shape: (n: number) => InteractionShape = () => ({})) {
    this.templates = Array.from({ length: 512 }, (_, i) => interactionEvent(i));
  }

  event(n: number): { stream: string; event: NewEvent } {
    const template = this.templates[n % this.templates.length];
    if (!template || !isRecord(template.event.data)) throw new Error('no template');
    const shape = this.shape(n);
    const interactionId = shape.id ?? `seed-${n}`;
    const occurredAt = shape.occurredAt ?? new Date(BASE_TIME + n * 1_000).toISOString();
    const data = {
      ...template.event.data,
      interactionId,
      workloadId: shape.workloadId ?? WORKLOADS[n % WORKLOADS.length],
      clientId: shape.clientId ?? CLIENTS[n % CLIENTS.length],
      conversationId: shape.conversationId ?? `conv-${Math.floor(n / 5)}`,
      contentHash: sha256Hex(`${interactionId}\u0000${n}`),
    };
    return {
      stream: `interaction-${interactionId}`,
      event: { ...template.event, id: randomUUID(), data, metadata: { ...template.event.metadata, correlationId: `seed-${n}`, occurredAt } },
    };
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Appends `count` interactions through the raw store, `inFlight` appends issued in one turn so
 * group commit makes each a large transaction. Not a measurement: setup for the read side.
 */
export async function seedInteractions(
  store: EventStore,
  count: number,
  options: { inFlight?: number; shape?: (n: number) => InteractionShape; log?: (line: string) => void } = {},
): Promise<{ seconds: number; bytes: number }> {
  const inFlight = options.inFlight ?? 4_000;
  const events = new SeedEvents(options.shape);
  const started = nowMs();
  let bytes = 0;
  let lastLog = started;
  for (let i = 0; i < count; i += inFlight) {
    const batch = Array.from({ length: Math.min(inFlight, count - i) }, (_, k) => events.event(i + k));
    if (i === 0) bytes = JSON.stringify(batch[0]?.event.data).length;
    await Promise.all(batch.map(({ stream, event }) => store.append(stream, [event], { expectedRevision: 'no_stream' })));
    if (options.log && nowMs() - lastLog > 5_000) {
      lastLog = nowMs();
      options.log(`  seeded ${i + batch.length}/${count} (${round((i + batch.length) / ((lastLog - started) / 1000))} events/s)`);
    }
  }
  return { seconds: (nowMs() - started) / 1000, bytes };
}

// ---- the app under test -------------------------------------------------------------------

/** A pino logger at `info` (the default level) writing to /dev/null: the real cost of request logs, none of the noise. */
export function devNullLogger(level: 'info' | 'silent'): Logger {
  if (level === 'silent') return silentLogger;
  return pino({ level, base: { service: 'flywheel' } }, pino.destination({ dest: '/dev/null', sync: false }));
}

export interface ServedApp {
  readonly app: FlywheelApp;
  readonly server: RunningServer;
  readonly url: string;
  close(): Promise<void>;
}

/**
 * The real service, as `flywheel serve` runs it, on 127.0.0.1 and an ephemeral port, embedded
 * storage in `dataDir`. The rate limit is raised: every admin-key call shares one bucket of
 * FLYWHEEL_RATE_LIMIT (default 200/s), which would otherwise be what a load test measures.
 */
export async function serveApp(dataDir: string, env: Record<string, string> = {}, logLevel: 'info' | 'silent' = 'info'): Promise<ServedApp> {
  const config = parseConfig({
    NODE_ENV: 'production',
    FLYWHEEL_DATA_DIR: dataDir,
    FLYWHEEL_ADMIN_KEY: ADMIN_KEY,
    FLYWHEEL_RATE_LIMIT: '1000000',
    LOG_LEVEL: logLevel,
    PORT: '0',
    HOST: HOST,
    ...env,
  });
  const logger = devNullLogger(logLevel);
  const app = await createApp(config, { logger });
  const server = await startServer(app, { port: 0, host: HOST, logger });
  return { app, server, url: server.url, close: () => server.close(2_000) };
}

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

/** Runs a load job in a child process (its own event loop, its own core when one is free). */
export function runLoad(job: LoadJob): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(join(__dirname, '_load.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let result: LoadResult | null = null;
    child.on('message', (message: { result?: LoadResult; error?: string }) => {
      if (message.error) reject(new Error(`load generator: ${message.error}`));
      else if (message.result) result = message.result;
    });
    child.on('error', reject);
    child.on('exit', (code) => (result ? resolve(result) : reject(new Error(`load generator exited with ${code}`))));
    child.send(job);
  });
}

// ---- profiling ----------------------------------------------------------------------------

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly hitCount?: number;
}

export interface ProfileSummary {
  readonly file: string;
  readonly top: readonly string[];
  readonly byFile: readonly string[];
}

/**
 * Samples the CPU of this process (the inspector's profiler, as `node --cpu-prof` does for a
 * whole process) until `stop`, which writes the .cpuprofile to the temp dir and returns the top
 * self-time entries by function and by file.
 */
export async function startProfile(): Promise<{ during<T>(fn: () => Promise<T>): Promise<T>; stop(label: string): Promise<ProfileSummary> }> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 500 });
  // Sampled only inside `during`, so setup between measured runs stays out of the profile.
  let samples: ProfileNodes[] = [];
  return {
    async during(fn) {
      await session.post('Profiler.start');
      try {
        return await fn();
      } finally {
        const { profile: cpu } = await session.post('Profiler.stop');
        samples.push(cpu);
      }
    },
    async stop(label) {
      session.disconnect();
      const result = summarizeProfiles(label, samples);
      samples = [];
      return result;
    },
  };
}

/** Samples the CPU of this process while `fn` runs. */
export async function profile<T>(label: string, fn: () => Promise<T>): Promise<ProfileSummary & { value: T }> {
  const profiler = await startProfile();
  const value = await profiler.during(fn);
  return { value, ...(await profiler.stop(label)) };
}

interface ProfileNodes {
  readonly nodes: readonly ProfileNode[];
}

function summarizeProfiles(label: string, profiles: readonly ProfileNodes[]): ProfileSummary {
  const stamp = Date.now();
  const files = profiles.map((p, i) => {
    const path = join(tmpdir(), `flywheel-bench-${label}-${stamp}${profiles.length > 1 ? `-${i + 1}` : ''}.cpuprofile`);
    writeFileSync(path, JSON.stringify(p));
    return path;
  });
  const file = files.length > 1 ? `${files[0]} … (${files.length} files)` : (files[0] ?? '(none)');
  const nodes = profiles.flatMap((p) => p.nodes);
  const total = nodes.reduce((n, node) => n + (node.hitCount ?? 0), 0) || 1;
  const byFunction = new Map<string, number>();
  const byFileMap = new Map<string, number>();
  for (const node of nodes) {
    const hits = node.hitCount ?? 0;
    if (hits === 0) continue;
    const where = shortUrl(node.callFrame.url);
    const fnKey = `${node.callFrame.functionName || '(anonymous)'} ${where}:${node.callFrame.lineNumber + 1}`;
    byFunction.set(fnKey, (byFunction.get(fnKey) ?? 0) + hits);
    byFileMap.set(where, (byFileMap.get(where) ?? 0) + hits);
  }
  const top = (m: Map<string, number>, n: number) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, v]) => `${round((100 * v) / total, 1)}% ${k}`);
  return { file, top: top(byFunction, 25), byFile: top(byFileMap, 15) };
}

export function printProfile(p: ProfileSummary): void {
  console.log(`  profile written to ${p.file}\n  self time by file:`);
  for (const line of p.byFile) console.log(`    ${line}`);
  console.log('  self time by function:');
  for (const line of p.top) console.log(`    ${line}`);
}

const ROOT = `${join(__dirname, '..')}/`;

function shortUrl(url: string): string {
  if (!url) return '(native)';
  const cut = url.indexOf('/node_modules/');
  if (cut >= 0) return url.slice(cut + 1);
  const path = url.replace(/^file:\/\//, '');
  return path.startsWith(ROOT) ? path.slice(ROOT.length) : path;
}
