import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { GraphQLError, type ASTVisitor, type ValidationContext, type ValidationRule } from 'graphql';
import { createYoga, isAsyncIterable, useReadinessCheck, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import type { GraphContext } from './context';
import { maskFlywheelError } from './guards';
import { useFieldSizeLimit, useRateLimit } from './limits';
import { useHttpRoutes, type HttpRoute } from './routes';
import { buildSchema } from './schema';

export interface YogaOptions {
  /** Builds the per-request context from the HTTP request (credentials, loaders, services). */
  readonly context: (request: Request) => Promise<GraphContext>;
  readonly production: boolean;
  readonly maxFieldBytes: number;
  readonly rateLimitPerSecond: number;
  /** `/ready`: stores reachable and how far behind the read models are. */
  readonly readiness: () => Promise<{ ready: boolean; details: Record<string, unknown> }>;
  readonly maxDepth?: number;
  readonly maxAliases?: number;
  readonly maxCost?: number;
  /** Plain HTTP routes the features declare next to their schema (the feedback beacon, …). */
  readonly routes?: readonly HttpRoute[];
}

export type FlywheelYoga = YogaServerInstance<Record<string, never>, GraphContext>;

/** The GraphQL endpoint, without a listening socket: tests call `yoga.fetch` directly. */
export function createFlywheelYoga(options: YogaOptions): FlywheelYoga {
  return createYoga<Record<string, never>, GraphContext>({
    schema: buildSchema(),
    graphqlEndpoint: '/graphql',
    // `/health` answers 200 while the process is alive (yoga's built-in endpoint).
    healthCheckEndpoint: '/health',
    context: ({ request }) => options.context(request),
    graphiql: !options.production,
    landingPage: !options.production,
    // Unexpected errors are masked; GraphQLErrors we raise on purpose (auth, limits) pass, and
    // a Forbidden outside a result union is the top-level FORBIDDEN.
    maskedErrors: { maskError: maskFlywheelError },
    logging: false,
    plugins: [
      useHttpRoutes(options.routes ?? []),
      useReadinessCheck({
        endpoint: '/ready',
        check: async () => {
          const { ready, details } = await options.readiness();
          return new Response(JSON.stringify({ ready, ...details }), {
            status: ready ? 200 : 503,
            headers: { 'content-type': 'application/json' },
          });
        },
      }),
      // Browsers must send a non-simple request (JSON body or this header): no form-post CSRF.
      useCSRFPrevention({ requestHeaders: ['x-flywheel-csrf'] }),
      useFieldSizeLimit(options.maxFieldBytes),
      EnvelopArmorPlugin({
        maxDepth: { n: options.maxDepth ?? 12, ignoreIntrospection: true, onReject: [rejectAs('QUERY_TOO_DEEP')] },
        maxAliases: { n: options.maxAliases ?? 30, onReject: [rejectAs('TOO_MANY_ALIASES')] },
        costLimit: { maxCost: options.maxCost ?? 20_000, ignoreIntrospection: true, onReject: [rejectAs('QUERY_TOO_COSTLY')] },
        maxTokens: { n: 20_000, onReject: [rejectAs('TOO_MANY_TOKENS')] },
        maxDirectives: { n: 50, onReject: [rejectAs('TOO_MANY_DIRECTIVES')] },
        blockFieldSuggestion: { enabled: options.production },
      }),
      useRateLimit({ perSecond: options.rateLimitPerSecond }),
      ...(options.production ? [disableIntrospection()] : []),
      useGraphQLResponseByDefault(),
    ],
  });
}

/**
 * graphql-armor's own rejection is a bare GraphQLError ("Syntax Error: …", no code), thrown
 * from validation, which yoga answers with 200 whatever the client accepts. Throwing ours
 * instead (the handler runs just before armor would throw) gives clients a code to switch on
 * and the status of any other request that fails validation: 400, or the legacy 200 when the
 * client asks for application/json (`spec: true` is how yoga marks that case).
 */
function rejectAs(code: string): (context: ValidationContext | null, error: GraphQLError) => never {
  return (_context, error) => {
    throw new GraphQLError(error.message.replace(/^Syntax Error: /, ''), { extensions: { code, http: { status: 400, spec: true } } });
  };
}

/**
 * Answers a request that names no media type (no Accept header, or only `*\/*`) as
 * application/graphql-response+json rather than yoga's application/json. GraphQL over HTTP
 * asks for exactly this since its 2025-01-01 watershed; it is what makes a query that fails
 * parsing or validation (or one of the limits above) a 400 instead of a 200 for clients that
 * do not say. A client that asks for application/json still gets the legacy statuses.
 */
function useGraphQLResponseByDefault(): Plugin<GraphContext> {
  return {
    onResultProcess({ request, result, resultProcessor, setResultProcessor }) {
      const accept = request.headers.get('accept')?.replace(/\s/g, '') ?? '';
      // Streams (SSE, multipart) keep the processor yoga chose; only single results change type.
      if (resultProcessor && !isAsyncIterable(result) && (accept === '' || accept === '*/*')) {
        setResultProcessor(resultProcessor, 'application/graphql-response+json');
      }
    },
  };
}

function disableIntrospection(): Plugin<GraphContext> {
  const rule: ValidationRule = NoIntrospection;
  return { onValidate: ({ addValidationRule }) => addValidationRule(rule) };
}

function NoIntrospection(context: ValidationContext): ASTVisitor {
  return {
    Field(node) {
      if (node.name.value === '__schema' || node.name.value === '__type') {
        context.reportError(new GraphQLError('introspection is disabled in production', { nodes: [node] }));
      }
    },
  };
}
