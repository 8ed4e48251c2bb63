import type { NewDomainEvent } from '../../events/catalogue';
import { deciderSpec } from '../../test/gwt';
import { InputInvalid } from '../errors';
import { decide, evolve, forgottenEventId, initialState, type PrivacyCommand, type PrivacyState } from './decider';

const metadata = { actor: 'key:admin1', correlationId: 'corr-1', causationId: null, occurredAt: '2026-11-26T10:00:00.000Z', schemaVersion: 1 };
const spec = deciderSpec<PrivacyCommand, PrivacyState, NewDomainEvent>({ decide, evolve, initialState });

const setPolicy = (mode: string, entityTypes: string[] | null = null, workloadId = 'support-bot'): PrivacyCommand => ({
  type: 'SetPrivacyPolicy',
  workloadId,
  mode,
  entityTypes,
  metadata,
});
const REQUEST_ID = '0b6f2f6e-8d5c-4a57-9a1e-3f1f2d1c0b01';
const request = (requestId = REQUEST_ID, reason = 'ticket 12'): PrivacyCommand => ({ type: 'RequestErasure', subjectKey: 'subject:user-42', reason, requestId, metadata });
const complete = (requestId = REQUEST_ID, keyIds = ['k1abcdefgh']): PrivacyCommand => ({ type: 'CompleteErasure', subjectKey: 'subject:user-42', requestId, keyIds, metadata });

describe('privacy decider: policies', () => {
  it('given no policy, when one is set, then PrivacyPolicySet with the types in catalogue order', () => {
    const [event] = decide(setPolicy('encrypt', ['PERSON', 'EMAIL', 'EMAIL']), initialState);
    expect(event).toMatchObject({
      type: 'PrivacyPolicySet',
      data: { workloadId: 'support-bot', mode: 'encrypt', entityTypes: ['EMAIL', 'PERSON'], setBy: 'key:admin1' },
      metadata,
    });
  });

  it('given a policy, when the same one is set again, then nothing', () => {
    spec.given(decide(setPolicy('allow'), initialState)).when(setPolicy('allow')).then([]);
  });

  it('given a policy, when another is set, then a new PrivacyPolicySet with its own id', () => {
    const first = decide(setPolicy('allow'), initialState);
    const second = decide(setPolicy('redact', ['EMAIL']), first.reduce(evolve, initialState));
    expect(second).toHaveLength(1);
    expect(second[0]?.id).not.toBe(first[0]?.id);
  });

  it('refuses an unknown mode or entity type, or an empty type list, with InputInvalid', () => {
    spec.given([]).when(setPolicy('shred')).thenThrows(InputInvalid);
    spec.given([]).when(setPolicy('redact', ['NAME'])).thenThrows(InputInvalid);
    spec.given([]).when(setPolicy('redact', [])).thenThrows(InputInvalid);
    spec.given([]).when(setPolicy('redact', null, 'has spaces')).thenThrows(InputInvalid);
  });
});

describe('privacy decider: erasure', () => {
  const requested = decide(request(), initialState);

  it('given nothing, when erasure is requested, then SubjectErasureRequested under the given id', () => {
    expect(requested).toEqual([
      {
        id: REQUEST_ID,
        type: 'SubjectErasureRequested',
        data: { subjectKey: 'subject:user-42', reason: 'ticket 12', requestedBy: 'key:admin1' },
        metadata,
      },
    ]);
  });

  it('given a pending request, when erasure is requested again, then nothing (the pending one is finished instead)', () => {
    spec.given(requested).when(request('11111111-2222-4333-8444-555555555555')).then([]);
  });

  it('given a pending request, when it completes, then SubjectForgotten with the destroyed keys and an id derived from the request', () => {
    spec.given(requested).when(complete()).then([
      {
        id: forgottenEventId(REQUEST_ID),
        type: 'SubjectForgotten',
        data: { subjectKey: 'subject:user-42', keyIds: ['k1abcdefgh'], requestId: REQUEST_ID },
        metadata,
      },
    ]);
  });

  it('given a completed erasure, when it completes again, then nothing; a new request may follow', () => {
    const done = [...requested, ...decide(complete(), requested.reduce(evolve, initialState))];
    spec.given(done).when(complete()).then([]);
    expect(decide(request('11111111-2222-4333-8444-555555555555'), done.reduce(evolve, initialState))).toHaveLength(1);
  });

  it('given no request, when an erasure completes, then nothing', () => {
    spec.given([]).when(complete()).then([]);
  });

  it('refuses a reason over 500 characters', () => {
    spec.given([]).when(request(REQUEST_ID, 'x'.repeat(501))).thenThrows(InputInvalid);
  });
});
