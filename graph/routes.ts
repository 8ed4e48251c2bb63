import type { Plugin } from 'graphql-yoga';
import type { GraphContext } from './context';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';

/**
 * A plain HTTP route served next to /graphql (a beacon, an export, the gateway, /metrics, the
 * dashboard). A route answers before yoga looks at the request, so it does its own
 * authentication and limits. Declared by the feature it belongs to.
 */
export interface HttpRoute {
  /** An exact path, or a prefix when it ends with `/*` (`/v1/*`). */
  readonly path: string;
  /** The methods it serves; any other on its path is answered 405 with an Allow header. */
  readonly methods: readonly HttpMethod[];
  readonly handler: (request: Request) => Promise<Response>;
}

export function routeMatches(route: HttpRoute, pathname: string): boolean {
  return route.path.endsWith('/*') ? pathname.startsWith(route.path.slice(0, -1)) : pathname === route.path;
}

/** Serves the routes; a path two routes claim is a wiring mistake, refused at start. */
export function useHttpRoutes(routes: readonly HttpRoute[]): Plugin<GraphContext> {
  const paths = new Set<string>();
  for (const route of routes) {
    if (paths.has(route.path)) throw new Error(`two HTTP routes claim ${route.path}`);
    paths.add(route.path);
  }
  return {
    onRequest({ request, url, endResponse }) {
      const route = routes.find((r) => routeMatches(r, url.pathname));
      if (!route) return;
      const method = request.method.toUpperCase();
      if (!route.methods.some((m) => m === method)) {
        return endResponse(
          new Response(JSON.stringify({ error: `${method} is not served on ${url.pathname}; use ${route.methods.join(', ')}` }), {
            status: 405,
            headers: { 'content-type': 'application/json', allow: route.methods.join(', ') },
          }),
        );
      }
      return route.handler(request).then(endResponse);
    },
  };
}
