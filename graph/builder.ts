import SchemaBuilder from '@pothos/core';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import ErrorsPlugin from '@pothos/plugin-errors';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import { GraphQLError } from 'graphql';
import { DateTimeResolver, JSONObjectResolver, JSONResolver } from 'graphql-scalars';
import type { Scope } from '../services/auth/scopes';
import type { GraphContext } from './context';
import { callerHasScope } from './guards';

export type AuthScopes = Record<Scope, boolean>;

/**
 * The one schema builder. Scopes are checked per field by the scope-auth plugin; domain
 * errors come back as schema types through the errors plugin; anything else is masked.
 */
export const builder = new SchemaBuilder<{
  Context: GraphContext;
  AuthScopes: AuthScopes;
  Scalars: {
    JSON: { Input: unknown; Output: unknown };
    JSONObject: { Input: Record<string, unknown>; Output: Record<string, unknown> };
    DateTime: { Input: Date; Output: Date | string };
  };
  DefaultFieldNullability: false;
  DefaultEdgesNullability: false;
  DefaultNodeNullability: false;
}>({
  defaultFieldNullability: false,
  plugins: [ScopeAuthPlugin, ErrorsPlugin, RelayPlugin, DataloaderPlugin],
  scopeAuth: {
    authorizeOnSubscribe: true,
    authScopes: (context) => ({
      ingest: callerHasScope(context.principal, 'ingest'),
      feedback: callerHasScope(context.principal, 'feedback') || context.principal?.kind === 'feedbackToken',
      annotate: callerHasScope(context.principal, 'annotate'),
      read: callerHasScope(context.principal, 'read'),
      admin: callerHasScope(context.principal, 'admin'),
      audit: callerHasScope(context.principal, 'audit'),
    }),
    unauthorizedError: (_parent, context, _info, result) => {
      if (!context.principal) {
        const failure = context.authFailure ?? { code: 'MISSING_CREDENTIALS', message: 'send Authorization: Bearer <api key>' };
        // A 401 must say how to authenticate (RFC 9110 §15.5.2); RFC 6750 adds invalid_token
        // when credentials were sent and refused.
        const challenge = context.authFailure ? 'Bearer realm="flywheel", error="invalid_token"' : 'Bearer realm="flywheel"';
        return new GraphQLError(`not authenticated: ${failure.message}`, {
          extensions: { code: 'UNAUTHENTICATED', reason: failure.code, http: { status: 401, headers: { 'www-authenticate': challenge } } },
        });
      }
      return new GraphQLError(`forbidden: ${result.message}`, { extensions: { code: 'FORBIDDEN', http: { status: 403 } } });
    },
  },
  errors: { defaultTypes: [] },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    edgesFieldOptions: {},
    nodeFieldOptions: {},
  },
});

builder.addScalarType('JSON', JSONResolver);
builder.addScalarType('JSONObject', JSONObjectResolver);
builder.addScalarType('DateTime', DateTimeResolver);

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});
