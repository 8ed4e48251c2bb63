/**
 * Group commit under load: 64 concurrent appenders, each appending one ~3 KB event at a time to
 * its own stream with an exact expected revision, durable (WAL, synchronous=FULL), against the
 * raw driver writing the same rows in 100-row durable transactions. Runs alternate (raw, adapter,
 * adapter, raw, …) on fresh files so drift on a shared machine hits both; the ratio reported is the
 * median of the per-round ratios, each comparing two runs taken back to back.
 *
 *   npm run bench -- append [events per appender, default 250] [rounds, default 5]
 */
import { SqliteEventStore } from '../events/sqlite/sqlite-event-store';
import { event3k, median, rawBaseline, round, tempDb, type Row } from './_sqlite-bench';

const APPENDERS = 64;
const PER_APPENDER = Number(process.argv[2] ?? 250);
const ROUNDS = Number(process.argv[3] ?? 5);
const GOALS = { eventsPerSec: 20_000, ratio: 0.6 };

async function adapterRun(streams: readonly Row[][]): Promise<{ eventsPerSec: number; transactions: number }> {
  const db = tempDb('adapter');
  const store = await SqliteEventStore.open({ path: db.path });
  try {
    const started = process.hrtime.bigint();
    await Promise.all(
      streams.map(async (rows) => {
        for (const row of rows) {
          await store.append(row.stream, [row.event], { expectedRevision: row.revision === 0 ? 'no_stream' : row.revision - 1 });
        }
      }),
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return { eventsPerSec: (APPENDERS * PER_APPENDER) / seconds, transactions: store.stats().transactions };
  } finally {
    await store.close();
    db.remove();
  }
}

async function main(): Promise<void> {
  const streams: Row[][] = Array.from({ length: APPENDERS }, (_, a) =>
    Array.from({ length: PER_APPENDER }, (_, revision) => ({
      stream: `bench-a${a}`,
      revision,
      event: event3k(a * PER_APPENDER + revision),
    })),
  );
  // The order the adapter's batches produce: one event from each appender in turn.
  const interleaved = Array.from({ length: PER_APPENDER }, (_, r) => streams.map((rows) => rows[r])).flat().filter((r) => r !== undefined);
  const bytes = JSON.stringify(interleaved[0]?.event.data).length;
  console.log(`append: ${APPENDERS} appenders × ${PER_APPENDER} events of ${bytes} B data, ${ROUNDS} rounds`);

  const adapter: number[] = [];
  const baseline: number[] = [];
  const ratios: number[] = [];
  let transactions = 0;
  for (let r = 0; r < ROUNDS; r++) {
    // Alternate which goes first so neither always inherits the other's WAL and page cache churn.
    const rawFirst = r % 2 === 0;
    const before = rawFirst ? rawBaseline(interleaved, 100) : undefined;
    const run = await adapterRun(streams);
    const raw = before ?? rawBaseline(interleaved, 100);
    baseline.push(raw.rowsPerSec);
    adapter.push(run.eventsPerSec);
    ratios.push(run.eventsPerSec / raw.rowsPerSec);
    transactions = run.transactions;
    console.log(
      `  round ${r + 1}: raw ${round(raw.rowsPerSec)} rows/s, adapter ${round(run.eventsPerSec)} events/s ` +
        `(${run.transactions} transactions, ${round(interleaved.length / run.transactions, 1)} events each), ` +
        `ratio ${round(run.eventsPerSec / raw.rowsPerSec, 2)}`,
    );
  }
  const result = {
    bench: 'append',
    appenders: APPENDERS,
    events: interleaved.length,
    dataBytes: bytes,
    eventsPerSec: round(median(adapter)),
    baselineRowsPerSec: round(median(baseline)),
    ratio: round(median(ratios), 3),
    eventsPerTransaction: round(interleaved.length / transactions, 1),
    rounds: { adapter: adapter.map((v) => round(v)), baseline: baseline.map((v) => round(v)), ratio: ratios.map((v) => round(v, 2)) },
    goals: GOALS,
    met: { eventsPerSec: median(adapter) >= GOALS.eventsPerSec, ratio: median(ratios) >= GOALS.ratio },
  };
  console.log(`median: adapter ${result.eventsPerSec} events/s, raw ${result.baselineRowsPerSec} rows/s, per-round ratio ${result.ratio}`);
  console.log(JSON.stringify(result));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
