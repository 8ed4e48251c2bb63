import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh directory under the OS temp dir and how to remove it. */
export async function tempDir(label: string): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `flywheel-${label}-`));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

export interface AppenderProcess {
  readonly child: ChildProcess;
  /** Complete stdout lines so far (a line cut short by a kill is not included). */
  readonly lines: () => readonly string[];
  readonly stderr: () => string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts kill9-appender.fixture.ts in its own Node process. */
export function startAppender(args: { path: string; category: string; writers: number; perWriter?: number }): AppenderProcess {
  const script = join(__dirname, 'kill9-appender.fixture.ts');
  const argv = [args.path, args.category, String(args.writers)];
  if (args.perWriter !== undefined) argv.push(String(args.perWriter));
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...argv], {
    cwd: join(__dirname, '..', '..'),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  return {
    child,
    lines: () => {
      const end = out.lastIndexOf('\n');
      return end < 0 ? [] : out.slice(0, end).split('\n');
    },
    stderr: () => err,
    exited,
  };
}

export async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
