import { DomainError, InputInvalid, NotFound, WorkloadNotAllowed, type FieldIssue } from '../../services/errors';
import { BatchTooLarge } from '../../services/ingest/ingest-service';
import { InteractionIdConflict } from '../../services/ingest/decider';
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

builder.objectType(WorkloadNotAllowed, {
  name: 'WorkloadNotAllowed',
  interfaces: [ErrorInterface],
  fields: (t) => ({ workloadId: t.exposeString('workloadId') }),
});
