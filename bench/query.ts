/**
 * `interactions(first: 100)` over real HTTP with nested fields (the Interactions typed document:
 * every scalar of an interaction, its workload and its whole conversation) against 200,000
 * stored interactions, for several filters: none, workloadId, workloadId + a one-day time range,
 * clientId; each sequentially (one connection) and with a few concurrent connections. The
 * service is `startServer` on 127.0.0.1:0, embedded storage, admin key; the client is a child
 * process. The service runs as an API instance (FLYWHEEL_PROJECTOR=off, the scaled-out shape):
 * a worker instance would project and run the reactors, and here nothing else is left to do, so
 * no catch-up of the other read models and reactors over 200,000 events runs under the queries.
 *
 * Setup (not timed): the events are appended through the raw SqliteEventStore in large
 * concurrent batches. The read model is then built either by `--load direct` (default): the
 * real `interactionsProjection.project()` of every stored event, its interaction documents
 * applied in large read-store transactions and the per-workload totals folded in memory and
 * written once, with the checkpoint at the head; or by `--load rebuild`: `projector.rebuild`,
 * which yields the same documents but on this machine takes minutes for 200,000 events (see
 * the projector benchmark).
 *
 *   npm run bench -- query [--interactions 200000] [--load direct|rebuild] [--seconds 3] [--concurrency 4] [--profile]
 *
 * `--profile` samples the server's CPU (this process) over all the query runs.
 */
import { join } from 'node:path';
import { catalogue } from '../events/catalogue';
import { SqliteEventStore } from '../events/sqlite/sqlite-event-store';
import { silentLogger } from '../lib/logger';
import { SqliteReadStore } from '../projections/embedded/sqlite-read-store';
import { INTERACTIONS, interactionsProjection, WORKLOADS } from '../projections/interactions';
import { Projector } from '../projections/projector';
import type { DocumentOperation, JsonValue } from '../projections/read-store';
import { InProcessBus } from '../services/bus/in-process-bus';
import { publisherOn } from '../services/bus/bus';
import {
  authHeaders, BASE_TIME, CLIENTS, flag, formatSummary, hasFlag, machine, nowMs, printProfile, round, runLoad, runMain, seedInteractions, serveApp,
  startProfile, summarize, tempDir, WORKLOADS as WORKLOAD_IDS, type LoadResult,
} from './_lib';

const INTERACTION_COUNT = Number(flag('interactions', '200000'));
const LOAD = flag('load', 'direct');
const SECONDS = Number(flag('seconds', '3'));
const CONCURRENCY = Number(flag('concurrency', '4'));
const PROFILE = hasFlag('profile');
const GOALS = { p95Ms: 30 };

/** Each workload's interactions come in conversations of 5 consecutive turns. */
const shape = (n: number) => ({ conversationId: `conv-${n % 5}-${Math.floor(n / 25)}` });

async function buildDirect(store: SqliteEventStore, readStore: SqliteReadStore): Promise<void> {
  for (const c of interactionsProjection.collections) await readStore.ensureIndexes(c.name, c.indexes);
  const totals = new Map<string, { interactions: number; firstSeenAt: string; lastSeenAt: string; models: Set<string>; position: number }>();
  let after = -1;
  for (;;) {
    const page = await store.readAll({ after, maxCount: 5_000 });
    const operations: DocumentOperation[] = [];
    for (const recorded of page.events) {
      const event = catalogue.parseRecorded(recorded);
      for (const op of interactionsProjection.project(event)) {
        if (op.collection === INTERACTIONS) operations.push({ ...op, position: event.position });
      }
      if (event.type !== 'InteractionLogged') continue;
      const at = event.metadata.occurredAt;
      const t = totals.get(event.data.workloadId) ?? { interactions: 0, firstSeenAt: at, lastSeenAt: at, models: new Set(), position: 0 };
      t.interactions += 1;
      if (at < t.firstSeenAt) t.firstSeenAt = at;
      if (at > t.lastSeenAt) t.lastSeenAt = at;
      t.models.add(event.data.model);
      t.position = event.position;
      totals.set(event.data.workloadId, t);
    }
    const last = page.events[page.events.length - 1];
    if (operations.length > 0 && last) await readStore.apply(operations, { checkpoint: { name: interactionsProjection.name, position: last.position } });
    if (page.next === null) break;
    after = page.next;
  }
  const workloads: DocumentOperation[] = [...totals].map(([id, t]) => {
    const doc: Record<string, JsonValue> = { interactions: t.interactions, firstSeenAt: t.firstSeenAt, lastSeenAt: t.lastSeenAt, models: [...t.models] };
    return { op: 'replace', collection: WORKLOADS, id, doc, position: t.position };
  });
  await readStore.apply(workloads);
}

async function buildByRebuild(store: SqliteEventStore, readStore: SqliteReadStore): Promise<void> {
  const bus = new InProcessBus();
  const projector = new Projector({ store, readStore, publish: publisherOn(bus), parser: catalogue, projections: [interactionsProjection], logger: silentLogger });
  await projector.rebuild(interactionsProjection.name);
  await projector.stop();
  await bus.close();
}

interface Case {
  readonly name: string;
  readonly variables: readonly Record<string, unknown>[];
}

function cases(): Case[] {
  const iso = (n: number) => new Date(BASE_TIME + n * 1_000).toISOString();
  const day = 86_400;
  // Twenty one-day windows spread over the data, each holding ~17,000 interactions (~3,500 per workload).
  const windows = Array.from({ length: 20 }, (_, i) => {
    const from = Math.floor(((INTERACTION_COUNT - day) * i) / 20);
    return { from: iso(from), to: iso(from + day) };
  });
  return [
    { name: 'none', variables: [{ first: 100 }] },
    { name: 'workloadId', variables: WORKLOAD_IDS.map((workloadId) => ({ first: 100, filter: { workloadId } })) },
    {
      name: 'workloadId+time',
      variables: windows.map((w, i) => ({ first: 100, filter: { workloadId: WORKLOAD_IDS[i % WORKLOAD_IDS.length], ...w } })),
    },
    { name: 'clientId', variables: CLIENTS.map((clientId) => ({ first: 100, filter: { clientId } })) },
  ];
}

async function main(): Promise<void> {
  const machineAtStart = machine();
  if (LOAD !== 'direct' && LOAD !== 'rebuild') throw new Error('--load takes direct or rebuild');
  console.log(
    `query: interactions(first: 100) with workload and conversation nested, over ${INTERACTION_COUNT} interactions; ` +
      `per filter ${SECONDS} s sequential and ${SECONDS} s with ${CONCURRENCY} connections`,
  );
  const dir = tempDir('query');
  try {
    const setupStarted = nowMs();
    const store = await SqliteEventStore.open({ path: join(dir.path, 'events.db') });
    const readStore = SqliteReadStore.open({ path: join(dir.path, 'read.db') });
    const seeded = await seedInteractions(store, INTERACTION_COUNT, { shape, log: console.log });
    console.log(`  seeded ${INTERACTION_COUNT} events in ${round(seeded.seconds, 1)} s`);
    const buildStarted = nowMs();
    await (LOAD === 'direct' ? buildDirect(store, readStore) : buildByRebuild(store, readStore));
    console.log(`  read model built (${LOAD}) in ${round((nowMs() - buildStarted) / 1000, 1)} s: ${await readStore.count(WORKLOADS, {})} workloads`);
    await readStore.close();
    await store.close();
    console.log(`  setup took ${round((nowMs() - setupStarted) / 1000, 1)} s (not timed)`);

    const service = await serveApp(dir.path, { FLYWHEEL_PROJECTOR: 'off' });
    console.log(`  service up at ${service.url} (API instance); running queries`);
    const results: Record<string, Record<string, unknown>> = {};
    const all: number[] = [];
    let failed = 0;
    try {
      const profiler = PROFILE ? await startProfile() : null;
      for (const c of cases()) {
        for (const [mode, connections] of [['sequential', 1], ['concurrent', CONCURRENCY]] as const) {
          const load = () => runLoad({
            url: service.url,
            headers: authHeaders,
            connections,
            warmupMs: 500,
            durationMs: SECONDS * 1000,
            workload: { kind: 'query', variables: c.variables },
          });
          const cpuBefore = process.cpuUsage();
          const r: LoadResult = await (profiler ? profiler.during(load) : load());
          const cpu = process.cpuUsage(cpuBefore);
          // The server's CPU per query (warm-up included): what the machine's load moves least.
          const cpuMsPerQuery = (cpu.user + cpu.system) / 1000 / Math.max(1, r.total);
          failed += r.failed;
          all.push(...r.latencies);
          const key = `${c.name}/${mode}`;
          results[key] = {
            reqPerSec: round(r.ok / r.seconds, 1),
            p50Ms: r.latency.p50,
            p95Ms: r.latency.p95,
            p99Ms: r.latency.p99,
            maxMs: r.latency.max,
            serverCpuMsPerQuery: round(cpuMsPerQuery, 2),
            failed: r.failed,
            pass: r.failed === 0 && r.latency.p95 <= GOALS.p95Ms,
          };
          const failures = r.failed > 0 ? `, ${r.failed} failed (${r.errors.join('; ')})` : '';
          console.log(`  ${key.padEnd(28)} ${String(round(r.ok / r.seconds, 1)).padStart(6)} req/s, ${formatSummary(r.latency)}, server CPU ${round(cpuMsPerQuery, 1)} ms/query${failures}`);
        }
      }
      if (profiler) printProfile(await profiler.stop('query'));
    } finally {
      await service.close();
    }
    const overall = summarize(all);
    const passAll = Object.values(results).every((r) => r['pass'] === true);
    console.log(`  all queries: ${formatSummary(overall)}`);
    console.log(
      JSON.stringify({
        bench: 'query',
        machine: { ...machineAtStart, loadAvg1mAtEnd: machine().loadAvg1m },
        interactions: INTERACTION_COUNT,
        load: LOAD,
        concurrency: CONCURRENCY,
        cases: results,
        overall: { p50Ms: overall.p50, p95Ms: overall.p95, p99Ms: overall.p99, maxMs: overall.max, n: overall.n },
        failed,
        goals: GOALS,
        pass: { p95Ms: passAll && failed === 0 },
      }),
    );
  } finally {
    dir.remove();
  }
}

runMain(main);
