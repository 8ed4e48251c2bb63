import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { GraphQLError, type ASTVisitor, type ValidationContext, type ValidationRule } from 'graphql';
import { createYoga, useReadinessCheck, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import type { GraphContext } from './context';
import { useFieldSizeLimit, useRateLimit } from './limits';
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
    // Unexpected errors are masked; GraphQLErrors we raise on purpose (auth, limits) pass.
    maskedErrors: true,
    logging: false,
    plugins: [
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
        maxDepth: { n: options.maxDepth ?? 12, ignoreIntrospection: true },
        maxAliases: { n: options.maxAliases ?? 30 },
        costLimit: { maxCost: options.maxCost ?? 20_000, ignoreIntrospection: true },
        maxTokens: { n: 20_000 },
        maxDirectives: { n: 50 },
        blockFieldSuggestion: { enabled: options.production },
      }),
      useRateLimit({ perSecond: options.rateLimitPerSecond }),
      ...(options.production ? [disableIntrospection()] : []),
    ],
  });
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
