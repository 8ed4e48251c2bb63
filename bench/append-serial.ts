/**
 * Latency of a lone writer: one appender, one ~3 KB event per awaited append (each its own durable
 * commit, as nobody else is waiting to share it), against the raw driver committing the same rows
 * one per durable transaction. Runs alternate on fresh files; the ratio reported is the median of
 * the per-round ratios, each comparing two runs taken back to back.
 *
 *   npm run bench -- append-serial [appends, default 800] [rounds, default 5]
 */
import { SqliteEventStore } from '../events/sqlite/sqlite-event-store';
import { event3k, median, percentile, rawBaseline, round, tempDb, type Row } from './_sqlite-bench';

const APPENDS = Number(process.argv[2] ?? 800);
const ROUNDS = Number(process.argv[3] ?? 5);
const GOALS = { ratio: 0.8 };

async function adapterRun(rows: readonly Row[]): Promise<{ eventsPerSec: number; latenciesMs: number[] }> {
  const db = tempDb('serial');
  const store = await SqliteEventStore.open({ path: db.path });
  try {
    const latenciesMs: number[] = [];
    const started = process.hrtime.bigint();
    for (const row of rows) {
      const t0 = process.hrtime.bigint();
      await store.append(row.stream, [row.event], { expectedRevision: row.revision === 0 ? 'no_stream' : row.revision - 1 });
      latenciesMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return { eventsPerSec: rows.length / seconds, latenciesMs };
  } finally {
    await store.close();
    db.remove();
  }
}

async function main(): Promise<void> {
  const rows: Row[] = Array.from({ length: APPENDS }, (_, revision) => ({ stream: 'bench-serial', revision, event: event3k(revision) }));
  console.log(`append-serial: ${APPENDS} awaited single-event appends, ${ROUNDS} rounds`);
  const adapter: number[] = [];
  const baseline: number[] = [];
  const adapterP99: number[] = [];
  const baselineP99: number[] = [];
  const adapterP50: number[] = [];
  const ratios: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const rawFirst = r % 2 === 0;
    const before = rawFirst ? rawBaseline(rows, 1) : undefined;
    const run = await adapterRun(rows);
    const raw = before ?? rawBaseline(rows, 1);
    ratios.push(run.eventsPerSec / raw.rowsPerSec);
    baseline.push(raw.rowsPerSec);
    baselineP99.push(percentile(raw.latenciesMs, 99));
    adapter.push(run.eventsPerSec);
    adapterP99.push(percentile(run.latenciesMs, 99));
    adapterP50.push(percentile(run.latenciesMs, 50));
    console.log(
      `  round ${r + 1}: raw ${round(raw.rowsPerSec)} commits/s (p99 ${round(percentile(raw.latenciesMs, 99), 3)} ms), ` +
        `adapter ${round(run.eventsPerSec)} events/s (p50 ${round(percentile(run.latenciesMs, 50), 3)} ms, ` +
        `p99 ${round(percentile(run.latenciesMs, 99), 3)} ms), ratio ${round(run.eventsPerSec / raw.rowsPerSec, 2)}`,
    );
  }
  const ratio = median(ratios);
  const result = {
    bench: 'append-serial',
    appends: APPENDS,
    eventsPerSec: round(median(adapter)),
    p50Ms: round(median(adapterP50), 3),
    p99Ms: round(median(adapterP99), 3),
    baselineCommitsPerSec: round(median(baseline)),
    baselineP99Ms: round(median(baselineP99), 3),
    ratio: round(ratio, 3),
    rounds: { adapter: adapter.map((v) => round(v)), baseline: baseline.map((v) => round(v)), ratio: ratios.map((v) => round(v, 2)) },
    goals: GOALS,
    met: { ratio: ratio >= GOALS.ratio },
  };
  console.log(`median: adapter ${result.eventsPerSec} events/s (p99 ${result.p99Ms} ms), raw ${result.baselineCommitsPerSec} commits/s, per-round ratio ${result.ratio}`);
  console.log(JSON.stringify(result));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
