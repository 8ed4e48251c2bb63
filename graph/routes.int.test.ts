import { createFlywheelYoga } from './yoga';
import type { HttpRoute } from './routes';

/** The yoga endpoint with only routes: no GraphQL request is made, so no context is ever built. */
function yogaWith(routes: readonly HttpRoute[]) {
  return createFlywheelYoga({
    context: () => Promise.reject(new Error('a route answered through GraphQL')),
    readiness: async () => ({ ready: true, details: {} }),
    production: false,
    maxFieldBytes: 1024,
    rateLimitPerSecond: 100,
    routes,
  });
}

const echo = (label: string): HttpRoute['handler'] => async (request) => new Response(`${label} ${request.method} ${new URL(request.url).pathname}`);

describe('HTTP routes next to /graphql', () => {
  const yoga = yogaWith([
    { path: '/exports/ping', methods: ['GET', 'HEAD'], handler: echo('ping') },
    { path: '/v1/*', methods: ['POST'], handler: echo('gateway') },
  ]);

  it('serves an exact path with its handler', async () => {
    const response = await yoga.fetch('http://localhost/exports/ping');
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('ping GET /exports/ping');
  });

  it('serves every path under a prefix route', async () => {
    const response = await yoga.fetch('http://localhost/v1/chat/completions', { method: 'POST', body: '{}' });
    expect(await response.text()).toBe('gateway POST /v1/chat/completions');
  });

  it('answers 405 with an Allow header to a method the route does not serve', async () => {
    const response = await yoga.fetch('http://localhost/exports/ping', { method: 'DELETE' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
    expect(await response.json()).toMatchObject({ error: expect.stringContaining('DELETE') });
  });

  it('leaves other paths to yoga (/health here; /graphql as before)', async () => {
    expect((await yoga.fetch('http://localhost/health')).status).toBe(200);
    expect((await yoga.fetch('http://localhost/exports/other')).status).toBe(404);
  });

  it('refuses, at start, two routes claiming one path', () => {
    expect(() => yogaWith([
      { path: '/metrics', methods: ['GET'], handler: echo('a') },
      { path: '/metrics', methods: ['GET'], handler: echo('b') },
    ])).toThrow('two HTTP routes claim /metrics');
  });
});
