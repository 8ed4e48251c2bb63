import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type ExecutionResult } from 'graphql';

/** Anything that answers a fetch: `app.yoga.fetch` (no socket) or the global `fetch` (a real server). */
export type Fetch = (url: string, init: RequestInit) => Promise<Response>;

export interface SseSubscription<TData> {
  readonly status: number;
  readonly contentType: string | null;
  /** The next `next` event's payload; rejects when the stream completes or nothing arrives within `timeoutMs`. */
  next(timeoutMs?: number): Promise<ExecutionResult<TData>>;
  /** Every `next` payload until the server completes the stream (or `timeoutMs`). */
  rest(timeoutMs?: number): Promise<ExecutionResult<TData>[]>;
  /** Closes the stream from the client's side, as a browser tab does when it goes away. */
  abort(): void;
}

/**
 * A GraphQL subscription over Server-Sent Events (graphql-sse "distinct connections" mode, what
 * yoga speaks): POST the operation with `accept: text/event-stream`, then read `event: next` /
 * `event: complete` frames from the body.
 */
export async function subscribeSse<TData, TVars extends Record<string, unknown>>(
  fetchFn: Fetch,
  url: string,
  document: TypedDocumentNode<TData, TVars>,
  variables: TVars,
  options: { key?: string | null } = {},
): Promise<SseSubscription<TData>> {
  const controller = new AbortController();
  const response = await fetchFn(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'text/event-stream',
      ...(options.key ? { authorization: `Bearer ${options.key}` } : {}),
    },
    body: JSON.stringify({ query: print(document), variables }),
    signal: controller.signal,
  });
  const body = response.body;
  if (!body) throw new Error(`subscription answered ${response.status} without a body`);
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let completed = false;

  /** The next complete frame, or null once the stream has ended. */
  const readFrame = async (): Promise<{ event: string; data: string } | null> => {
    for (;;) {
      const end = buffer.indexOf('\n\n');
      if (end >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let event = 'message';
        const data: string[] = [];
        for (const line of frame.split('\n')) {
          if (line.startsWith(':')) continue; // keep-alive comment
          const colon = line.indexOf(':');
          const field = colon < 0 ? line : line.slice(0, colon);
          const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
          if (field === 'event') event = value;
          else if (field === 'data') data.push(value);
        }
        if (data.length === 0 && event === 'message') continue;
        return { event, data: data.join('\n') };
      }
      const { value, done } = await reader.read();
      if (done) return null;
      buffer += decoder.decode(value, { stream: true });
    }
  };

  // One read at a time: a timed-out `next` leaves its read pending for the following call. The
  // first read starts now: yoga starts the subscription only once the body is being pulled.
  let pending: Promise<{ event: string; data: string } | null> | null = readFrame();
  pending.catch(() => undefined);
  const nextFrame = (timeoutMs: number) => {
    pending ??= readFrame();
    const read = pending;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    return Promise.race([read, timeout]).then((result) => {
      clearTimeout(timer);
      if (result !== 'timeout') pending = null;
      return result;
    });
  };

  const next = async (timeoutMs = 5_000): Promise<ExecutionResult<TData>> => {
    for (;;) {
      if (completed) throw new Error('the subscription stream has completed');
      const frame = await nextFrame(timeoutMs);
      if (frame === 'timeout') throw new Error(`no subscription event within ${timeoutMs} ms`);
      if (frame === null || frame.event === 'complete') {
        completed = true;
        continue;
      }
      if (frame.event === 'next' || frame.event === 'message') {
        const payload: ExecutionResult<TData> = JSON.parse(frame.data);
        return payload;
      }
    }
  };

  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    next,
    async rest(timeoutMs = 5_000) {
      const results: ExecutionResult<TData>[] = [];
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (completed) return results;
        const frame = await nextFrame(Math.max(1, deadline - Date.now()));
        if (frame === 'timeout') throw new Error(`the subscription stream did not complete within ${timeoutMs} ms`);
        if (frame === null || frame.event === 'complete') completed = true;
        else if (frame.event === 'next' || frame.event === 'message') results.push(JSON.parse(frame.data));
      }
    },
    abort() {
      controller.abort();
      // The body may already be errored by the abort; cancelling it too is what a fetch client does.
      reader.cancel().catch(() => undefined);
    },
  };
}
