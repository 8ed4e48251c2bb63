import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { z } from 'zod';

export type SqlRun =
  | { readonly ok: true; readonly columns: readonly string[]; readonly rows: readonly (readonly unknown[])[]; readonly truncated: boolean; readonly ms: number }
  | { readonly ok: false; readonly kind: 'TIMEOUT' | 'NOT_READ_ONLY' | 'ERROR'; readonly message: string; readonly ms: number };

const answerSchema = z.union([
  z.object({ id: z.number(), ok: z.literal(true), columns: z.array(z.string()), rows: z.array(z.array(z.unknown())), truncated: z.boolean() }),
  z.object({ id: z.number(), ok: z.literal(false), kind: z.enum(['NOT_READ_ONLY', 'ERROR']), message: z.string() }),
]);

/**
 * Runs generated SQL read-only with a time limit: in a child process (opened `readonly`, with
 * `query_only`), one query at a time, killed and replaced when a query overruns. Killing the
 * process is the one interrupt that works on a query stuck in native code.
 */
export class SqlSandbox {
  private child: { process: ChildProcess; ready: Promise<void> } | null = null;
  private nextId = 1;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: { readonly timeoutMs?: number; readonly maxRows?: number } = {}) {}

  run(dbPath: string, sql: string): Promise<SqlRun> {
    // Serialised: the child answers one query at a time, and a timeout kills whatever it runs.
    const result = this.queue.then(() => this.runOne(dbPath, sql));
    this.queue = result.catch(() => undefined);
    return result;
  }

  async close(): Promise<void> {
    const child = this.child?.process;
    this.child = null;
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
  }

  private spawn(): { process: ChildProcess; ready: Promise<void> } {
    // The child is TypeScript like the rest: tsx loads it, as it loads the service itself.
    // From the project root, so `--import tsx` resolves whatever directory the service runs from.
    const child = fork(join(__dirname, 'sql-sandbox-child.ts'), [], {
      cwd: join(__dirname, '..', '..', '..'),
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    // An idle sandbox must not keep the service (or a test) alive.
    child.unref();
    child.channel?.unref();
    const spawned = {
      process: child,
      // The time limit counts from when the child can run queries, not from its start-up.
      ready: new Promise<void>((resolve, reject) => {
        child.once('message', () => resolve());
        child.once('exit', () => reject(new Error('the SQL sandbox exited while starting')));
      }),
    };
    child.once('exit', () => {
      if (this.child === spawned) this.child = null;
    });
    return spawned;
  }

  private async runOne(dbPath: string, sql: string): Promise<SqlRun> {
    const spawned = (this.child ??= this.spawn());
    const child = spawned.process;
    try {
      await spawned.ready;
    } catch (error) {
      return { ok: false, kind: 'ERROR', message: error instanceof Error ? error.message : String(error), ms: 0 };
    }
    const id = this.nextId++;
    const timeoutMs = this.options.timeoutMs ?? 2_000;
    const started = performance.now();
    return new Promise<SqlRun>((resolve) => {
      const finish = (run: SqlRun) => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(run);
      };
      const onMessage = (message: unknown) => {
        const parsed = answerSchema.safeParse(message);
        if (!parsed.success || parsed.data.id !== id) return;
        const ms = performance.now() - started;
        const a = parsed.data;
        finish(a.ok ? { ok: true, columns: a.columns, rows: a.rows, truncated: a.truncated, ms } : { ok: false, kind: a.kind, message: a.message, ms });
      };
      const onExit = () => finish({ ok: false, kind: 'ERROR', message: 'the SQL sandbox exited', ms: performance.now() - started });
      const timer = setTimeout(() => {
        finish({ ok: false, kind: 'TIMEOUT', message: `did not finish within ${timeoutMs} ms`, ms: performance.now() - started });
        if (this.child === spawned) this.child = null;
        child.kill('SIGKILL');
      }, timeoutMs);
      child.on('message', onMessage);
      child.once('exit', onExit);
      child.send({ id, dbPath, sql, maxRows: this.options.maxRows ?? 1_000 });
    });
  }
}
