import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type ExecutionResult } from 'graphql';
import { parseConfig } from '../app/config';
import { createApp, type FlywheelApp } from '../app/wiring';
import { silentLogger } from '../lib/logger';
import type { ReadStore } from '../projections/read-store';

export const TEST_ADMIN_KEY = 'test-admin-key-0123456789abcdef';

export interface TestApp {
  readonly app: FlywheelApp;
  readonly dataDir: string;
  /** POSTs a typed document to /graphql through `yoga.fetch` (no socket), as an admin by default. */
  gql<TData, TVars extends Record<string, unknown>>(
    document: TypedDocumentNode<TData, TVars>,
    variables: TVars,
    options?: { key?: string | null; headers?: Record<string, string> },
  ): Promise<{ status: number; body: ExecutionResult<TData> }>;
  /** A raw request, for the cases a typed document cannot express (malformed JSON, bad types). */
  raw(body: string, options?: { key?: string | null; headers?: Record<string, string> }): Promise<{ status: number; text: string }>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  /** Share a data dir between instances; it is then left for the caller to remove. */
  readonly dataDir?: string;
  readonly decorateReadStore?: (readStore: ReadStore) => ReadStore;
}

export async function startTestApp(env: Record<string, string> = {}, options: TestAppOptions = {}): Promise<TestApp> {
  const { dataDir } = options;
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'flywheel-app-'));
  const config = parseConfig({ FLYWHEEL_DATA_DIR: dir, FLYWHEEL_ADMIN_KEY: TEST_ADMIN_KEY, NODE_ENV: 'test', LOG_LEVEL: 'silent', ...env });
  const app = await createApp(config, {
    logger: silentLogger,
    ...(options.decorateReadStore ? { decorateReadStore: options.decorateReadStore } : {}),
  });
  const headersFor = (key: string | null | undefined, extra: Record<string, string> = {}) => ({
    'content-type': 'application/json',
    ...(key === null ? {} : { authorization: `Bearer ${key ?? TEST_ADMIN_KEY}` }),
    ...extra,
  });
  const raw: TestApp['raw'] = async (body, options = {}) => {
    const response = await app.yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: headersFor(options.key, options.headers),
      body,
    });
    return { status: response.status, text: await response.text() };
  };
  return {
    app,
    dataDir: dir,
    raw,
    async gql(document, variables, options = {}) {
      const { status, text } = await raw(JSON.stringify({ query: print(document), variables }), options);
      const body: ExecutionResult<never> = JSON.parse(text);
      return { status, body };
    },
    async close() {
      await app.stop();
      if (!dataDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
