import { InvalidCursor } from '../../projections/errors';
import type { ApiKeyStatus, ApiKeySummary } from '../../services/auth/auth-service';
import { ApiKeyAlreadyRevoked, ApiKeyNotFound, Forbidden, type ForbiddenReason } from '../../services/auth/errors';
import { allowedWorkloads, scopesOf, type Principal } from '../../services/auth/principal';
import { SCOPES } from '../../services/auth/scopes';
import { InputInvalid } from '../../services/errors';
import { builder } from '../builder';
import { badUserInput, commandContext } from '../guards';
import { ErrorInterface } from './errors';

// ---- types --------------------------------------------------------------------------------

/** The catalogue's scope names as they are, so the API, the CLI and the events spell them alike. */
export const ScopeEnum = builder.enumType('Scope', {
  description:
    'What a key may do. admin implies every scope but audit; audit (raw, unredacted data) must be granted explicitly.',
  values: SCOPES,
});

// ---- errors -------------------------------------------------------------------------------

const FORBIDDEN_REASONS = ['MISSING_SCOPE', 'WORKLOAD_NOT_ALLOWED', 'INTERACTION_NOT_ALLOWED'] as const satisfies readonly ForbiddenReason[];
const ForbiddenReasonEnum = builder.enumType('ForbiddenReason', { values: FORBIDDEN_REASONS });

/**
 * Authenticated, but not allowed to do this one thing: the one error type for every refusal of
 * that kind (a workload outside the key's list, a feedback token used on another interaction),
 * with the reason and what was refused. A whole field the caller lacks the scope for is a
 * top-level FORBIDDEN error (403) instead: there is no result to put it in.
 */
builder.objectType(Forbidden, {
  name: 'Forbidden',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    reason: t.field({ type: ForbiddenReasonEnum, resolve: (e) => e.reason }),
    scope: t.field({ type: ScopeEnum, nullable: true, resolve: (e) => e.detail.scope ?? null }),
    workloadId: t.string({ nullable: true, resolve: (e) => e.detail.workloadId ?? null }),
    interactionId: t.string({ nullable: true, resolve: (e) => e.detail.interactionId ?? null }),
  }),
});

builder.objectType(ApiKeyNotFound, {
  name: 'ApiKeyNotFound',
  interfaces: [ErrorInterface],
  fields: (t) => ({ keyId: t.exposeString('keyId') }),
});

builder.objectType(ApiKeyAlreadyRevoked, {
  name: 'ApiKeyAlreadyRevoked',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    keyId: t.exposeString('keyId'),
    revokedAt: t.field({ type: 'DateTime', resolve: (e) => e.revokedAt }),
  }),
});

// ---- types --------------------------------------------------------------------------------

const API_KEY_STATUSES = ['active', 'revoked', 'expired'] as const satisfies readonly ApiKeyStatus[];
const ApiKeyStatusEnum = builder.enumType('ApiKeyStatus', { values: API_KEY_STATUSES });

/**
 * A key as administrators see it. The source type has no hash (AuthService strips it), and the
 * schema declares no field that could carry one: the secret is shown once, at issue, and never again.
 */
export const ApiKeyRef = builder.objectRef<ApiKeySummary>('ApiKey').implement({
  fields: (t) => ({
    keyId: t.exposeString('keyId'),
    name: t.exposeString('name'),
    prefix: t.exposeString('prefix', { description: 'The first characters of the key, to recognise it; nothing of the secret.' }),
    scopes: t.field({ type: [ScopeEnum], resolve: (k) => [...k.scopes] }),
    workloadIds: t.stringList({ nullable: true, description: 'null: every workload.', resolve: (k) => k.workloadIds }),
    status: t.field({ type: ApiKeyStatusEnum, resolve: (k) => k.status }),
    issuedAt: t.field({ type: 'DateTime', resolve: (k) => k.issuedAt }),
    issuedBy: t.exposeString('issuedBy', { description: 'The actor that issued it (key:<id>, system:admin-key, system:bootstrap).' }),
    expiresAt: t.field({ type: 'DateTime', nullable: true, resolve: (k) => k.expiresAt }),
    revokedAt: t.field({ type: 'DateTime', nullable: true, resolve: (k) => k.revokedAt }),
    revokedBy: t.string({ nullable: true, resolve: (k) => k.revokedBy }),
    revokeReason: t.string({ nullable: true, resolve: (k) => k.revokeReason }),
  }),
});

interface Issued {
  readonly key: string;
  readonly apiKey: ApiKeySummary;
}

const ApiKeyIssuedRef = builder.objectRef<Issued>('ApiKeyIssued').implement({
  fields: (t) => ({
    key: t.exposeString('key', { description: 'The full key. Shown this once: only its hash is kept, it cannot be shown again.' }),
    apiKey: t.field({ type: ApiKeyRef, resolve: (i) => i.apiKey }),
  }),
});

const ApiKeyRevokedRef = builder.objectRef<{ readonly apiKey: ApiKeySummary }>('ApiKeyRevoked').implement({
  description: 'The key is refused from now on, by this instance at once and by others within seconds.',
  fields: (t) => ({ apiKey: t.field({ type: ApiKeyRef, resolve: (r) => r.apiKey }) }),
});

interface Page {
  readonly keys: readonly ApiKeySummary[];
  readonly next: string | null;
}

const ApiKeyPageRef = builder.objectRef<Page>('ApiKeyPage').implement({
  fields: (t) => ({
    keys: t.field({ type: [ApiKeyRef], description: 'Newest first.', resolve: (p) => [...p.keys] }),
    next: t.string({ nullable: true, description: 'Pass as `after` for the next page; null on the last one.', resolve: (p) => p.next }),
  }),
});

const CallerKindEnum = builder.enumType('CallerKind', {
  values: {
    key: { description: 'An API key.' },
    feedbackToken: { description: "A browser's feedback token, bound to one interaction." },
    bootstrap: { description: "The operator's configured FLYWHEEL_ADMIN_KEY." },
  },
});

const CallerRef = builder.objectRef<Principal>('Caller').implement({
  description: 'Who the request is authenticated as, and what it may touch.',
  fields: (t) => ({
    kind: t.field({ type: CallerKindEnum, resolve: (p) => p.kind }),
    keyId: t.string({ nullable: true, resolve: (p) => (p.kind === 'key' ? p.keyId : null) }),
    scopes: t.field({ type: [ScopeEnum], resolve: (p) => [...scopesOf(p)] }),
    workloadIds: t.stringList({ nullable: true, description: 'null: every workload.', resolve: (p) => allowedWorkloads(p) }),
    interactionId: t.string({
      nullable: true,
      description: 'For a feedback token: the one interaction it may send feedback on.',
      resolve: (p) => (p.kind === 'feedbackToken' ? p.interactionId : null),
    }),
    apiKey: t.field({
      type: ApiKeyRef,
      nullable: true,
      description: "For an API key: the key's own record (name, expiry).",
      resolve: (p, _args, context) => (p.kind === 'key' ? context.services.auth.getKey(p.keyId) : null),
    }),
  }),
});

// ---- mutations ----------------------------------------------------------------------------

const IssueApiKeyInput = builder.inputType('IssueApiKeyInput', {
  fields: (t) => ({
    name: t.string({ required: true, description: 'For people: shown in lists and logs.' }),
    scopes: t.field({ type: [ScopeEnum], required: true }),
    workloadIds: t.stringList({ description: 'Omitted or null: every workload. An admin key cannot be restricted.' }),
    expiresAt: t.field({ type: 'DateTime', description: 'Omitted or null: never.' }),
  }),
});

builder.mutationFields((t) => ({
  issueApiKey: t.field({
    type: ApiKeyIssuedRef,
    description: 'Issue a key. Answers once the key authenticates.',
    authScopes: { admin: true },
    args: { input: t.arg({ type: IssueApiKeyInput, required: true }) },
    errors: { types: [InputInvalid], directResult: true, union: { name: 'IssueApiKeyResult' } },
    resolve: async (_root, { input }, context) => {
      const command = commandContext(context);
      const by = command.actor;
      const issued = await context.services.auth.issueKey(input, command);
      const apiKey: ApiKeySummary = {
        keyId: issued.keyId,
        name: issued.name,
        prefix: issued.prefix,
        scopes: [...issued.scopes],
        workloadIds: issued.workloadIds ? [...issued.workloadIds] : null,
        issuedAt: issued.issuedAt,
        issuedBy: by,
        expiresAt: issued.expiresAt,
        revokedAt: null,
        revokedBy: null,
        revokeReason: null,
        status: 'active',
      };
      return { key: issued.key, apiKey };
    },
  }),
  revokeApiKey: t.field({
    type: ApiKeyRevokedRef,
    description: 'Revoke a key. Answers once the revocation is durable and this instance refuses the key.',
    authScopes: { admin: true },
    args: {
      keyId: t.arg.string({ required: true }),
      reason: t.arg.string({ description: 'Kept with the revocation, for the audit trail.' }),
    },
    errors: { types: [ApiKeyNotFound, ApiKeyAlreadyRevoked, InputInvalid], directResult: true, union: { name: 'RevokeApiKeyResult' } },
    resolve: async (_root, { keyId, reason }, context) => {
      const revoked = await context.services.auth.revokeKey(keyId, reason, commandContext(context));
      const apiKey = await context.services.auth.getKey(keyId);
      // The decider found the key in its stream, so only a read model that lost it can get here.
      if (!apiKey) throw new Error(`API key ${keyId} was revoked but is missing from the apiKeys read model`);
      // With the projector on another instance the read model may not show the revocation yet.
      const shown: ApiKeySummary = { ...apiKey, status: 'revoked', revokedAt: apiKey.revokedAt ?? revoked.revokedAt };
      return { apiKey: shown };
    },
  }),
}));

// ---- queries ------------------------------------------------------------------------------

const MAX_PAGE = 1_000;

builder.queryFields((t) => ({
  apiKeys: t.field({
    type: ApiKeyPageRef,
    description: 'Every key, newest first. Never includes a secret or its hash.',
    authScopes: { admin: true },
    args: {
      includeRevoked: t.arg.boolean({ defaultValue: true }),
      first: t.arg.int({ defaultValue: 100, description: `1 to ${MAX_PAGE}.` }),
      after: t.arg.string({ description: "The previous page's `next`." }),
    },
    resolve: async (_root, args, context) => {
      const first = args.first ?? 100;
      if (first < 1 || first > MAX_PAGE) throw badUserInput(`first must be between 1 and ${MAX_PAGE}`);
      const page = await context.services.auth
        .listKeys({ includeRevoked: args.includeRevoked ?? true, limit: first, ...(args.after ? { after: args.after } : {}) })
        .catch((error: unknown) => {
          if (error instanceof InvalidCursor) throw badUserInput('invalid cursor in after');
          throw error;
        });
      return page;
    },
  }),
  me: t.field({
    type: CallerRef,
    description: 'The authenticated caller: an API key, the admin key, or a feedback token.',
    // Any credential will do; none (or a refused one) gets the same UNAUTHENTICATED as elsewhere.
    authScopes: (_root, _args, context) => context.principal !== null,
    resolve: (_root, _args, context) => {
      if (!context.principal) throw new Error('authScopes let an unauthenticated caller through');
      return context.principal;
    },
  }),
}));
