/**
 * Shared pieces of the service benchmarks (the client side is in `_client.ts`, re-exported here):
 * InteractionLogged events and fast seeding through the raw event store, temp data dirs, the
 * app under test on a port, the forked load generator, and an in-process CPU profiler for when
 * a goal is missed.
 */
import { fork } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
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
import {
  ADMIN_KEY, BASE_TIME, CLIENTS, HOST, interactionInput, nowMs, round, WORKLOADS, type InteractionShape, type LoadJob, type LoadResult,
} from './_client';

export * from './_client';

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

// ---- the forked load generator ------------------------------------------------------------

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
