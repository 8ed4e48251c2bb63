import { BatchTooLarge } from '../../services/commands';
import { DomainError, InputInvalid, NotFound, type FieldIssue } from '../../services/errors';
import { builder } from '../builder';

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

builder.objectType(BatchTooLarge, {
  name: 'BatchTooLarge',
  interfaces: [ErrorInterface],
  fields: (t) => ({ size: t.exposeInt('size'), max: t.exposeInt('max') }),
});

// The errors of one feature live in its own schema file (Forbidden and the key errors in
// auth.ts, InteractionIdConflict in ingest.ts, …); these are the ones every feature shares.
