import { ApiKeyAlreadyRevoked, ApiKeyNotFound, Forbidden, type ForbiddenReason } from '../../services/auth/errors';
import { DomainError, InputInvalid, NotFound, type FieldIssue } from '../../services/errors';
import { BatchTooLarge } from '../../services/ingest/ingest-service';
import { InteractionIdConflict } from '../../services/ingest/decider';
import { builder } from '../builder';
import { ScopeEnum } from './auth';

/** Every domain error in the schema implements this; clients can select `... on Error`. */
export const ErrorInterface = builder.interfaceRef<DomainError>('Error').implement({
  fields: (t) => ({
    message: t.exposeString('message'),
    code: t.exposeString('code'),
  }),
});

const FieldIssueRef = builder.objectRef<FieldIssue>('FieldIssue').implement({
  description: 'One invalid field: its dotted path from the input root, and what is wrong with it.',
  fields: (t) => ({
    path: t.exposeString('path'),
    message: t.exposeString('message'),
  }),
});

builder.objectType(InputInvalid, {
  name: 'InputInvalid',
  interfaces: [ErrorInterface],
  fields: (t) => ({ issues: t.field({ type: [FieldIssueRef], resolve: (e) => [...e.issues] }) }),
});

builder.objectType(NotFound, {
  name: 'NotFound',
  interfaces: [ErrorInterface],
  fields: (t) => ({ entity: t.exposeString('entity'), id: t.exposeString('id') }),
});

builder.objectType(InteractionIdConflict, {
  name: 'InteractionIdConflict',
  interfaces: [ErrorInterface],
  fields: (t) => ({ interactionId: t.exposeString('interactionId') }),
});

builder.objectType(BatchTooLarge, {
  name: 'BatchTooLarge',
  interfaces: [ErrorInterface],
  fields: (t) => ({ size: t.exposeInt('size'), max: t.exposeInt('max') }),
});

/** Errors any write may answer with. */
export const commonErrors = [InputInvalid];

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
