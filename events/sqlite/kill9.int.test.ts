import { join } from 'node:path';
import Database from 'better-sqlite3';
import { readAllPages, uniqueCategory } from '../contract/contract-helpers';
import { SqliteEventStore } from './sqlite-event-store';
import { startAppender, tempDir, waitFor } from './test-support';

describe('SqliteEventStore under kill -9', () => {
  it('given a writer killed mid-flight, then every acknowledged event survives exactly once, in stream order', async () => {
    const { dir, remove } = await tempDir('kill9');
    try {
      const path = join(dir, 'events.db');
      const category = uniqueCategory();
      const writer = startAppender({ path, category, writers: 16 });

      // Let it reach a steady stream of commits, then pull the plug with no chance to clean up.
      await waitFor(() => writer.lines().length > 0 || writer.child.exitCode !== null, 8_000, 'the first acknowledgement');
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      writer.child.kill('SIGKILL');
      const exit = await writer.exited;
      expect({ signal: exit.signal, stderr: writer.stderr() }).toEqual({ signal: 'SIGKILL', stderr: '' });

      const acknowledged = writer.lines().map((line) => {
        const [stream = '', seq = '', id = ''] = line.split(' ');
        return { stream, seq: Number(seq), id };
      });
      expect(acknowledged.length).toBeGreaterThan(100);

      // The file is sound: SQLite recovers the WAL on open and the rest is ordinary reading.
      const check = new Database(path);
      expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
      check.close();

      const store = await SqliteEventStore.open({ path });
      try {
        const streams = [...new Set(acknowledged.map((a) => a.stream))];
        const stored = new Map<string, { stream: string; revision: number }>();
        for (const stream of streams) {
          const read = await store.readStream(stream);
          // Dense revisions, and the writer's own counter in the same order: nothing reordered or lost in between.
          expect(read.map((e) => e.revision)).toEqual(read.map((_, i) => i));
          expect(read.map((e) => (typeof e.data === 'object' && e.data !== null && 'seq' in e.data ? e.data.seq : null))).toEqual(
            read.map((_, i) => i),
          );
          for (const e of read) stored.set(e.id, { stream: e.stream, revision: e.revision });
        }
        const missing = acknowledged.filter((a) => !stored.has(a.id));
        expect(missing).toEqual([]);
        for (const a of acknowledged) expect(stored.get(a.id)).toMatchObject({ stream: a.stream, revision: a.seq });
        // Exactly once: $all holds each acknowledged id a single time.
        const all = await readAllPages(store, { maxCount: 10_000, filter: { streamPrefixes: [`${category}-`] } });
        const counts = new Map<string, number>();
        for (const e of all.events) counts.set(e.id, (counts.get(e.id) ?? 0) + 1);
        expect(acknowledged.filter((a) => counts.get(a.id) !== 1)).toEqual([]);
      } finally {
        await store.close();
      }
    } finally {
      await remove();
    }
  }, 20_000);
});
