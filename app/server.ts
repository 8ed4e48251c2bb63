import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { ExecutionArgs } from 'graphql';
import type { OperationResult } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { Logger } from '../lib/logger';
import type { FlywheelApp } from './wiring';

export interface RunningServer {
  readonly server: Server;
  readonly port: number;
  readonly url: string;
  /** Stops accepting, lets in-flight requests finish (up to `graceMs`), then stops the app. */
  close(graceMs?: number): Promise<void>;
}

interface EnvelopedRoot {
  execute(args: ExecutionArgs): OperationResult;
  subscribe(args: ExecutionArgs): OperationResult;
}

function isEnvelopedRoot(value: unknown): value is EnvelopedRoot {
  return typeof value === 'object' && value !== null && 'execute' in value && 'subscribe' in value;
}

/** Headers of the WebSocket upgrade, with the credential from connection params when given there. */
function upgradeRequest(request: IncomingMessage, params: Readonly<Record<string, unknown>> | undefined): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (typeof value === 'string') headers.set(name, value);
  }
  const authorization = params?.['authorization'] ?? params?.['Authorization'];
  if (typeof authorization === 'string') headers.set('authorization', authorization);
  return new Request(`http://localhost${request.url ?? '/graphql'}`, { headers });
}

/** A subscription over SSE: it lasts until the client leaves, so shutdown does not wait for it. */
function isEventStream(res: ServerResponse): boolean {
  return String(res.getHeader('content-type') ?? '').startsWith('text/event-stream');
}

export async function startServer(app: FlywheelApp, options: { port: number; host: string; logger: Logger }): Promise<RunningServer> {
  const { yoga } = app;
  const log = options.logger;
  const open = new Set<ServerResponse>();
  const requestsInFlight = () => [...open].filter((res) => !isEventStream(res)).length;
  let drained: (() => void) | null = null;

  const server = createServer((req, res) => {
    const started = performance.now();
    const requestId = (typeof req.headers['x-request-id'] === 'string' && req.headers['x-request-id']) || randomUUID();
    req.headers['x-request-id'] = requestId;
    res.setHeader('x-request-id', requestId);
    open.add(res);
    res.on('close', () => {
      open.delete(res);
      log.info(
        { requestId, method: req.method, url: req.url, status: res.statusCode, ms: Math.round(performance.now() - started) },
        'request',
      );
      if (drained && requestsInFlight() === 0) drained();
    });
    void yoga.requestListener(req, res);
  });

  // graphql-ws on the same path: subscriptions for clients that prefer WebSocket over SSE.
  const wss = new WebSocketServer({ server, path: yoga.graphqlEndpoint });
  const wsDisposable = useServer(
    {
      execute: (args) => (isEnvelopedRoot(args.rootValue) ? args.rootValue.execute(args) : noRoot()),
      subscribe: (args) => (isEnvelopedRoot(args.rootValue) ? args.rootValue.subscribe(args) : noRoot()),
      onSubscribe: async (ctx, _id, params) => {
        const request = upgradeRequest(ctx.extra.request, ctx.connectionParams);
        const enveloped = yoga.getEnveloped({ request, params });
        const document = enveloped.parse(params.query);
        const errors = enveloped.validate(enveloped.schema, document);
        if (errors.length > 0) return errors;
        const contextValue = await enveloped.contextFactory();
        return {
          schema: enveloped.schema,
          operationName: params.operationName,
          document,
          variableValues: params.variables,
          contextValue,
          rootValue: { execute: enveloped.execute, subscribe: enveloped.subscribe },
        };
      },
    },
    wss,
  );

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const url = `http://${options.host === '0.0.0.0' ? '127.0.0.1' : options.host}:${address.port}${yoga.graphqlEndpoint}`;
  log.info({ url }, 'serving');

  let closing: Promise<void> | null = null;
  return {
    server,
    port: address.port,
    url,
    close: (graceMs = 10_000) =>
      (closing ??= (async () => {
        log.info({ inFlight: requestsInFlight(), eventStreams: open.size - requestsInFlight() }, 'shutting down');
        server.close();
        await wsDisposable.dispose();
        wss.close();
        server.closeIdleConnections();
        // Requests get their answers; subscriptions (SSE here, WebSocket above) are cut at once
        // rather than holding shutdown for the whole grace period: their clients reconnect.
        if (requestsInFlight() > 0) {
          await Promise.race([
            new Promise<void>((resolve) => (drained = resolve)),
            new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref()),
          ]);
        }
        server.closeAllConnections();
        await app.stop();
        log.info({}, 'stopped');
      })()),
  };
}

function noRoot(): never {
  throw new Error('graphql-ws: operation without the enveloped root set by onSubscribe');
}
