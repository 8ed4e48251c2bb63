import { createServer, type IncomingMessage, type Server } from 'node:http';

export interface ChatRequestSeen {
  readonly model: string;
  readonly messages: readonly { role: string; content: string }[];
  readonly responseFormat: unknown;
}

export interface FakeOpenAi {
  /** `http://127.0.0.1:<port>/v1`, for OPENAI_BASE_URL. */
  readonly baseUrl: string;
  readonly requests: ChatRequestSeen[];
  /** The next n chat requests fail with this status (then the server answers again). */
  failNext(n: number, status?: number): void;
  close(): Promise<void>;
}

/**
 * A small OpenAI-compatible server on 127.0.0.1 for tests: /v1/chat/completions answers with a
 * verdict the `decide` function makes from the prompt, /v1/embeddings with hashed vectors. The
 * tests drive it with the real `openai` client, so request and response shapes are the SDK's.
 */
export async function startFakeOpenAi(decide: (prompt: string) => { pass: boolean; rationale: string } | string): Promise<FakeOpenAi> {
  const requests: ChatRequestSeen[] = [];
  let failures: { n: number; status: number } = { n: 0, status: 500 };
  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await readJson(req);
      const send = (status: number, payload: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(payload));
      };
      if (req.method === 'POST' && req.url === '/v1/chat/completions') {
        const messages = Array.isArray(body['messages']) ? body['messages'].map((m: { role?: unknown; content?: unknown }) => ({ role: String(m.role), content: String(m.content) })) : [];
        requests.push({ model: String(body['model']), messages, responseFormat: body['response_format'] });
        if (failures.n > 0) {
          failures = { ...failures, n: failures.n - 1 };
          return send(failures.status, { error: { message: 'temporarily overloaded', type: 'server_error' } });
        }
        const verdict = decide(messages.map((m) => m.content).join('\n'));
        return send(200, {
          id: `chatcmpl-fake-${requests.length}`,
          object: 'chat.completion',
          created: Math.floor(Date.now() / 1000),
          model: String(body['model']),
          choices: [{ index: 0, message: { role: 'assistant', content: typeof verdict === 'string' ? verdict : JSON.stringify(verdict) }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 },
        });
      }
      if (req.method === 'POST' && req.url === '/v1/embeddings') {
        const input: unknown[] = Array.isArray(body['input']) ? body['input'] : [body['input']];
        return send(200, {
          object: 'list',
          model: String(body['model']),
          data: input.map((text, index) => ({ object: 'embedding', index, embedding: hashVector(String(text)) })),
          usage: { prompt_tokens: input.length, total_tokens: input.length },
        });
      }
      send(404, { error: { message: `no route ${req.method} ${req.url}` } });
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the fake OpenAI server has no TCP address');
  return {
    baseUrl: `http://127.0.0.1:${address.port}/v1`,
    requests,
    failNext(n, status = 500) {
      failures = { n, status };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(Buffer.from(chunk));
  try {
    const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? Object.fromEntries(Object.entries(parsed)) : {};
  } catch {
    return {};
  }
}

function hashVector(text: string): number[] {
  const v = new Array<number>(8).fill(0);
  for (let i = 0; i < text.length; i++) v[text.charCodeAt(i) % 8] = (v[text.charCodeAt(i) % 8] ?? 0) + 1;
  return v;
}
