/**
 * A separate writer process for the SQLite tests (run with `node --import tsx`):
 *
 *   kill9-appender.fixture.ts <db path> <category> <writers> [<events per writer>]
 *
 * Each writer owns the stream `<category>-w<n>` and appends 1–3 events at a time, each append
 * expecting the revision its previous one produced, with `data.seq` counting up. After an append
 * is acknowledged it prints one line per event, `<stream> <seq> <id>`, synchronously (stdout is a
 * pipe, which Node writes synchronously on Linux), so a line on stdout means "acknowledged as
 * durable" even if the process is killed the next instant. Without an event count it appends
 * until killed.
 */
import { randomUUID } from 'node:crypto';
import { writeSync } from 'node:fs';
import { SqliteEventStore } from './sqlite-event-store';

async function main(): Promise<void> {
  const [path, category, writersArg, perWriterArg] = process.argv.slice(2);
  if (!path || !category || !writersArg) throw new Error('usage: <db path> <category> <writers> [<events per writer>]');
  const writers = Number(writersArg);
  const perWriter = perWriterArg === undefined ? Number.POSITIVE_INFINITY : Number(perWriterArg);
  const store = await SqliteEventStore.open({ path });

  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      const stream = `${category}-w${w}`;
      let seq = 0;
      let revision: number | 'no_stream' = 'no_stream';
      while (seq < perWriter) {
        const size = Math.min(1 + ((seq + w) % 3), perWriter - seq);
        const batch = Array.from({ length: size }, (_, i) => ({
          id: randomUUID(),
          type: 'CounterTicked',
          data: { seq: seq + i, writer: w },
          metadata: {
            correlationId: randomUUID(),
            causationId: null,
            actor: 'system:kill9-fixture',
            occurredAt: new Date().toISOString(),
            schemaVersion: 1,
          },
        }));
        const result = await store.append(stream, batch, { expectedRevision: revision });
        revision = result.lastRevision;
        writeSync(1, batch.map((e, i) => `${stream} ${seq + i} ${e.id}\n`).join(''));
        seq += size;
      }
    }),
  );
  await store.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
