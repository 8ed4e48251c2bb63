/**
 * `recordSignals` over real HTTP, 100 signals per call, against the service as `flywheel serve`
 * runs it (embedded stores, projector and reactors on, admin key), with interactions seeded
 * first. Two phases:
 *
 *  1. throughput: several callers in a closed loop (each sends its next call when the previous
 *     one is answered). A call answers only once every accepted signal is durable, so accepted
 *     signals per second is durable throughput. Goal ≥ 10,000 signals/s.
 *  2. reactor lag: 2,000 signals/s (20 calls/s, open loop) while the outcome reactor runs; for
 *     each call, the time from its answer to the outcome reactor having handled all of its
 *     signals. Goal: under 2 s, all the way.
 *
 * The load generator is this file again in a child process (`--child`). `--topology split` runs
 * the service as it scales out: an API instance (FLYWHEEL_PROJECTOR=off) taking the calls, and a
 * worker process (this file, `--worker`) projecting and running the reactors on the same stores.
 *
 *   npm run bench -- signals [--interactions 3000] [--callers 8] [--seconds 15] [--rate 2000] [--topology single|split]
 */
import { fork, type ChildProcess } from 'node:child_process';
import { print } from 'graphql';
import { parseConfig } from '../app/config';
import { createApp } from '../app/wiring';
import { silentLogger } from '../lib/logger';
import { RecordSignalsDocument } from '../graph/generated/operations';
import { reactorCheckpoint } from '../services/reactor';
import { ADMIN_KEY, authHeaders, flag, hasFlag, keepAliveAgent, machine, post, round, runMain, seedInteractions, serveApp, sleep, summarize, tempDir } from './_lib';

const INTERACTIONS = Number(flag('interactions', '3000'));
const CALLERS = Number(flag('callers', '8'));
const SECONDS = Number(flag('seconds', '15'));
const RATE = Number(flag('rate', '2000'));
const TOPOLOGY = flag('topology', 'single') === 'split' ? 'split' : 'single';
const BATCH = 100;
const GOALS = { signalsPerSec: 10_000, maxLagMs: 2_000 };
const OUTCOME_CHECKPOINT = reactorCheckpoint('feedback-outcome');

interface Job {
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly interactions: number;
  readonly phase: string;
  /** closed: `connections` callers back to back; open: `callsPerSec` calls at fixed times. */
  readonly mode: 'closed' | 'open';
  readonly connections: number;
  readonly callsPerSec: number;
  readonly warmupMs: number;
  readonly durationMs: number;
}

interface CallRecord {
  /** Wall-clock ms when the answer arrived (comparable across the two processes). */
  readonly answeredAt: number;
  readonly latencyMs: number;
  readonly accepted: number;
  readonly maxPosition: number;
  readonly measured: boolean;
}

interface JobResult {
  readonly calls: readonly CallRecord[];
  readonly failed: number;
  readonly errors: readonly string[];
  readonly seconds: number;
}

// ---- the load generator (child) -------------------------------------------------------------

const QUERY = print(RecordSignalsDocument);
const KINDS = ['copied', 'thumbsUp', 'thumbsDown', 'stopped', 'followUp', 'regenerated', 'deleted', 'adopted'] as const;

function signalsFor(job: Job, call: number): Record<string, unknown>[] {
  return Array.from({ length: BATCH }, (_, i) => {
    const n = (call * 7_919 + i * 104_729) % job.interactions;
    const type = KINDS[(call + i) % KINDS.length] ?? 'copied';
    const base = { interactionId: `seed-${n}`, signalId: `${job.phase}-${call}-${i}`, type };
    if (type === 'copied') return { ...base, fraction: ((call + i) % 10) / 10 };
    if (type === 'stopped') return { ...base, tokensReceived: i };
    if (type === 'adopted') return { ...base, adoption: 'accepted' };
    if (type === 'followUp') return { ...base, reask: i % 2 === 0 };
    return base;
  });
}

async function runJob(job: Job): Promise<JobResult> {
  const agent = keepAliveAgent(job.connections);
  const calls: CallRecord[] = [];
  const errors: string[] = [];
  let failed = 0;
  let next = 0;
  const started = Date.now();
  const measureFrom = started + job.warmupMs;
  const end = measureFrom + job.durationMs;
  const one = async (): Promise<void> => {
    const call = next++;
    const body = JSON.stringify({ query: QUERY, variables: { inputs: signalsFor(job, call) } });
    const sent = performance.now();
    const sentAt = Date.now();
    try {
      // A kept-alive socket the server closed as it was reused fails at once: send the call again,
      // same signal ids, which the server treats as a retry.
      const r = await post(agent, job.url, body, job.headers).catch((error: unknown) => {
        if (error instanceof Error && 'code' in error && error.code === 'ECONNRESET') return post(agent, job.url, body, job.headers);
        throw error;
      });
      const parsed: { data?: { recordSignals?: { accepted?: number; rejected?: number; items?: { position?: number }[] } } } = JSON.parse(r.text);
      const result = parsed.data?.recordSignals;
      if (r.status !== 200 || !result || result.rejected !== 0) throw new Error(`status ${r.status}: ${r.text.slice(0, 200)}`);
      const maxPosition = Math.max(...(result.items ?? []).map((i) => i.position ?? -1));
      calls.push({ answeredAt: Date.now(), latencyMs: performance.now() - sent, accepted: result.accepted ?? 0, maxPosition, measured: sentAt >= measureFrom });
    } catch (error) {
      failed += 1;
      if (errors.length < 5) errors.push(error instanceof Error ? error.message : String(error));
    }
  };
  if (job.mode === 'closed') {
    await Promise.all(
      Array.from({ length: job.connections }, async () => {
        while (Date.now() < end) await one();
      }),
    );
  } else {
    const inFlight = new Set<Promise<void>>();
    const interval = 1000 / job.callsPerSec;
    for (let k = 0; ; k++) {
      const due = started + k * interval;
      if (due >= end) break;
      const wait = due - Date.now();
      if (wait > 0) await sleep(wait);
      const p = one().finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
    await Promise.all(inFlight);
  }
  agent.destroy();
  return { calls, failed, errors, seconds: job.durationMs / 1000 };
}

function runChild(job: Job): Promise<JobResult> {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, ['--child'], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let result: JobResult | null = null;
    child.on('message', (m: { result?: JobResult; error?: string }) => {
      if (m.error) reject(new Error(m.error));
      else if (m.result) result = m.result;
    });
    child.on('exit', (code) => (result ? resolve(result) : reject(new Error(`load generator exited with ${code}`))));
    child.send(job);
  });
}

// ---- the worker (split topology) -------------------------------------------------------------

/** Projector and reactors on the shared data dir; answers `{ waitFor }` once they all reached it. */
async function runWorker(dataDir: string): Promise<void> {
  const config = parseConfig({ NODE_ENV: 'production', FLYWHEEL_DATA_DIR: dataDir, FLYWHEEL_ADMIN_KEY: ADMIN_KEY, LOG_LEVEL: 'silent' });
  const app = await createApp(config, { logger: silentLogger, instanceName: 'worker' });
  process.on('message', (m: { waitFor?: number; stop?: boolean }) => {
    if (m.stop) void app.stop().then(() => process.exit(0));
    const position = m.waitFor;
    if (position === undefined) return;
    void (async () => {
      await app.projector.waitFor(position, 600_000);
      for (const runner of app.reactors) await runner.waitFor(position, 600_000);
      process.send?.({ reached: position });
    })();
  });
  process.send?.({ ready: true });
}

function startWorker(dataDir: string): Promise<{ waitFor(position: number): Promise<void>; stop(): Promise<void> }> {
  return new Promise((resolve, reject) => {
    const execArgv = ['--import', 'tsx', ...(hasFlag('profile-worker') ? ['--cpu-prof', '--cpu-prof-dir=bench-profiles'] : [])];
    const child: ChildProcess = fork(__filename, ['--worker', dataDir], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const waiting = new Map<number, () => void>();
    child.on('message', (m: { ready?: boolean; reached?: number }) => {
      if (m.ready) {
        resolve({
          waitFor: (position) => new Promise((done) => {
            waiting.set(position, done);
            child.send({ waitFor: position });
          }),
          stop: () => new Promise((done) => {
            child.once('exit', () => done());
            child.send({ stop: true });
          }),
        });
      }
      if (m.reached !== undefined) waiting.get(m.reached)?.();
    });
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}`)));
  });
}

// ---- the benchmark (parent) -----------------------------------------------------------------

async function main(): Promise<void> {
  const machineAtStart = machine();
  console.log(
    `signals (${TOPOLOGY}): recordSignals × ${BATCH} per call over HTTP; ${INTERACTIONS} seeded interactions; ${CALLERS} callers for ${SECONDS} s, then ${RATE} signals/s for ${SECONDS} s`,
  );
  const dir = tempDir('signals');
  const worker = TOPOLOGY === 'split' ? await startWorker(dir.path) : null;
  const service = await serveApp(dir.path, worker ? { FLYWHEEL_PROJECTOR: 'off' } : {});
  const { app } = service;
  const readStore = app.adapters.readStore;
  const caughtUp = async (label: string, timeoutMs = 600_000): Promise<number> => {
    const started = Date.now();
    const head = await app.store.headPosition();
    if (worker) await worker.waitFor(head);
    else await app.projector.waitFor(head, timeoutMs);
    for (const runner of app.reactors) await runner.waitFor(head, timeoutMs);
    const ms = Date.now() - started;
    console.log(`  ${label}: read models and reactors at the head (${head}) after ${round(ms / 1000, 1)} s`);
    return ms;
  };
  try {
    // One conversation per interaction: the correction detector has no earlier turn to compare.
    const seeded = await seedInteractions(app.adapters.eventStore, INTERACTIONS, { shape: (n) => ({ conversationId: `solo-${n}` }) });
    console.log(`  seeded ${INTERACTIONS} interactions in ${round(seeded.seconds, 1)} s`);
    await caughtUp('after seeding');

    // Phase 1: durable throughput.
    const base = { url: service.url, headers: authHeaders, interactions: INTERACTIONS, warmupMs: 2_000, durationMs: SECONDS * 1000 };
    const cpuBefore = process.cpuUsage();
    const t1 = await runChild({ ...base, phase: 'throughput', mode: 'closed', connections: CALLERS, callsPerSec: 0 });
    const cpu = process.cpuUsage(cpuBefore);
    const measured = t1.calls.filter((c) => c.measured);
    const accepted = measured.reduce((n, c) => n + c.accepted, 0);
    const signalsPerSec = accepted / t1.seconds;
    const latency = summarize(measured.map((c) => c.latencyMs));
    const backlog = (await app.store.headPosition()) - ((await readStore.getCheckpoint(OUTCOME_CHECKPOINT)) ?? -1);
    console.log(`  throughput: ${round(signalsPerSec)} signals/s durable (${measured.length} calls, p50 ${latency.p50} ms, p99 ${latency.p99} ms, ${t1.failed} failed${t1.errors.length ? `: ${t1.errors.join('; ')}` : ''})`);
    console.log(`  server CPU ${round((cpu.user + cpu.system) / 1e6, 1)} s; outcome reactor ${backlog} events behind at the end`);
    const drainMs = await caughtUp('after the throughput phase');

    // Phase 2: the outcome reactor's lag at a steady rate.
    const samples: { at: number; checkpoint: number }[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        samples.push({ at: Date.now(), checkpoint: (await readStore.getCheckpoint(OUTCOME_CHECKPOINT)) ?? -1 });
        await sleep(20);
      }
    })();
    const t2 = await runChild({ ...base, phase: 'lag', mode: 'open', connections: 16, callsPerSec: RATE / BATCH, warmupMs: 1_000 });
    await caughtUp('after the lag phase');
    sampling = false;
    await sampler;
    samples.push({ at: Date.now(), checkpoint: (await readStore.getCheckpoint(OUTCOME_CHECKPOINT)) ?? -1 });
    const lags = t2.calls
      .filter((c) => c.measured)
      .map((c) => {
        const reached = samples.find((s) => s.at >= c.answeredAt && s.checkpoint >= c.maxPosition);
        return reached ? reached.at - c.answeredAt : Number.POSITIVE_INFINITY;
      });
    const lag = summarize(lags);
    const lagCalls = t2.calls.filter((c) => c.measured);
    const achievedRate = lagCalls.reduce((n, c) => n + c.accepted, 0) / t2.seconds;
    console.log(`  lag at ${round(achievedRate)} signals/s: outcome reactor p50 ${lag.p50} ms, p95 ${lag.p95} ms, max ${lag.max} ms (sampled every 20 ms)`);
    const outcomes = (await app.adapters.eventStore.readAll({ filter: { eventTypes: ['OutcomeInferred'] }, direction: 'backwards', maxCount: 1 })).events.length;
    console.log(
      JSON.stringify({
        bench: 'signals',
        topology: TOPOLOGY,
        machine: { ...machineAtStart, loadAvg1mAtEnd: machine().loadAvg1m },
        interactions: INTERACTIONS,
        batch: BATCH,
        callers: CALLERS,
        seconds: SECONDS,
        signalsPerSec: round(signalsPerSec),
        callLatencyMs: latency,
        failedCalls: t1.failed + t2.failed,
        errors: [...t1.errors, ...t2.errors],
        outcomeBacklogAfterThroughput: backlog,
        drainSeconds: round(drainMs / 1000, 1),
        lagRate: round(achievedRate),
        outcomeLagMs: lag,
        outcomesRecorded: outcomes > 0,
        goals: GOALS,
        pass: {
          signalsPerSec: t1.failed === 0 && signalsPerSec >= GOALS.signalsPerSec,
          outcomeLag: t2.failed === 0 && achievedRate >= RATE * 0.95 && lag.max < GOALS.maxLagMs,
        },
      }),
    );
  } finally {
    await service.close();
    await worker?.stop();
    dir.remove();
  }
}

if (process.argv.includes('--child')) {
  process.on('message', (job: Job) => {
    runJob(job).then(
      (result) => process.send?.({ result }, () => process.exit(0)),
      (error: unknown) => process.send?.({ error: error instanceof Error ? error.message : String(error) }, () => process.exit(1)),
    );
  });
} else if (process.argv.includes('--worker')) {
  void runWorker(process.argv[process.argv.indexOf('--worker') + 1] ?? '');
} else {
  runMain(main);
}
