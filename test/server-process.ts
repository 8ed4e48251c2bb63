import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type ExecutionResult } from 'graphql';
import { TEST_ADMIN_KEY } from './http';

const ROOT = join(__dirname, '..');

/** `flywheel serve` in a child process, as an operator runs it: the real entry point, env config, JSON logs. */
export interface ServerProcess {
  readonly child: ChildProcess;
  /** `http://127.0.0.1:<port>/graphql` as the server logged it. */
  readonly url: string;
  readonly origin: string;
  /** Everything the child wrote to stderr so far (for failure messages). */
  stderr(): string;
  /** SIGKILL: no shutdown hook runs, nothing is flushed on the way out. */
  kill9(): Promise<void>;
}

export async function spawnServer(env: Record<string, string>, timeoutMs = 40_000): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'app/main.ts'), 'serve'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      PORT: '0',
      HOST: '127.0.0.1',
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      FLYWHEEL_ADMIN_KEY: TEST_ADMIN_KEY,
      FLYWHEEL_RATE_LIMIT: '1000000',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not log "serving" within ${timeoutMs} ms\n${stderr}`)), timeoutMs);
    const lines = child.stdout ? createInterface({ input: child.stdout }) : null;
    // Every line is read, before and after "serving": a full pipe would stall the child's logger.
    lines?.on('line', (line) => {
      if (!line.includes('"serving"')) return;
      const parsed: unknown = JSON.parse(line);
      if (typeof parsed === 'object' && parsed !== null && 'url' in parsed && typeof parsed.url === 'string') {
        clearTimeout(timer);
        resolve(parsed.url);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited with ${code} before serving\n${stderr}`));
    });
  });

  return {
    child,
    url,
    origin: new URL(url).origin,
    stderr: () => stderr,
    async kill9() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** POSTs a typed document to a real server as the test admin. */
export async function postGql<TData, TVars extends Record<string, unknown>>(
  url: string,
  document: TypedDocumentNode<TData, TVars>,
  variables: TVars,
  options: { signal?: AbortSignal } = {},
): Promise<{ status: number; body: ExecutionResult<TData> }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_ADMIN_KEY}` },
    body: JSON.stringify({ query: print(document), variables }),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const text = await response.text();
  let body: ExecutionResult<TData>;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`${response.status}: not JSON: ${text.slice(0, 200)}`);
  }
  return { status: response.status, body };
}
