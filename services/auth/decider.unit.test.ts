import type { NewDomainEvent } from '../../events/catalogue';
import { deterministicUuid } from '../../lib/ids';
import { deciderSpec } from '../../test/gwt';
import { InputInvalid } from '../errors';
import { decide, evolve, initialState, type ApiKeyState, type AuthCommand, type IssueApiKey, type RevokeApiKey } from './decider';
import { ApiKeyAlreadyRevoked, ApiKeyIdTaken, ApiKeyNotFound } from './errors';

const at = (occurredAt: string, actor = 'key:admin1') => ({ actor, correlationId: 'corr-1', causationId: null, occurredAt, schemaVersion: 1 });
const keyHash = 'a'.repeat(64);

const issue = (overrides: Partial<IssueApiKey> = {}): IssueApiKey => ({
  type: 'IssueApiKey',
  keyId: 'k3y1d000000000aa',
  keyHash,
  prefix: 'fw_k3y1d000',
  name: 'ingest from web',
  scopes: ['ingest', 'feedback'],
  workloadIds: ['support-bot'],
  expiresAt: null,
  metadata: at('2026-11-26T10:00:00.000Z'),
  ...overrides,
});
const revoke = (overrides: Partial<RevokeApiKey> = {}): RevokeApiKey => ({
  type: 'RevokeApiKey',
  keyId: 'k3y1d000000000aa',
  reason: 'leaked in a screenshot',
  metadata: at('2026-11-27T09:00:00.000Z', 'key:admin2'),
  ...overrides,
});

const spec = deciderSpec<AuthCommand, ApiKeyState, NewDomainEvent>({ decide, evolve, initialState });

function inputIssues(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof InputInvalid) return error.issues.map((i) => i.path);
    throw error;
  }
  throw new Error('expected InputInvalid');
}

describe('auth decider', () => {
  const issued = decide(issue(), initialState);

  it('given no key, when one is issued, then ApiKeyIssued with the hash and the issuer, never a secret', () => {
    spec
      .given([])
      .when(issue())
      .then([
        {
          id: deterministicUuid('ApiKeyIssued', 'k3y1d000000000aa', keyHash),
          type: 'ApiKeyIssued',
          data: {
            keyId: 'k3y1d000000000aa',
            name: 'ingest from web',
            scopes: ['ingest', 'feedback'],
            workloadIds: ['support-bot'],
            keyHash,
            prefix: 'fw_k3y1d000',
            issuedBy: 'key:admin1',
            expiresAt: null,
          },
          metadata: at('2026-11-26T10:00:00.000Z'),
        },
      ]);
  });

  it('normalises: trims the name, dedupes and orders scopes, dedupes workloads, expiry in UTC', () => {
    const [event] = decide(
      issue({
        name: '  nightly export ',
        scopes: ['read', 'ingest', 'read'],
        workloadIds: ['a', 'b', 'a'],
        expiresAt: '2027-01-01T12:00:00+02:00',
      }),
      initialState,
    );
    expect(event?.data).toMatchObject({
      name: 'nightly export',
      scopes: ['ingest', 'read'],
      workloadIds: ['a', 'b'],
      expiresAt: '2027-01-01T10:00:00.000Z',
    });
  });

  it('given no key, when issued for all workloads (null), then workloadIds stays null', () => {
    const [event] = decide(issue({ workloadIds: null, scopes: ['admin'] }), initialState);
    expect(event?.data).toMatchObject({ workloadIds: null, scopes: ['admin'] });
  });

  it('when the name is blank or has control characters, then InputInvalid on name', () => {
    expect(inputIssues(() => decide(issue({ name: '   ' }), initialState))).toEqual(['name']);
    expect(inputIssues(() => decide(issue({ name: 'a\nINFO forged log line' }), initialState))).toEqual(['name']);
    expect(inputIssues(() => decide(issue({ name: 'x'.repeat(101) }), initialState))).toEqual(['name']);
  });

  it('when scopes are empty or unknown, then InputInvalid on scopes', () => {
    expect(inputIssues(() => decide(issue({ scopes: [] }), initialState))).toEqual(['scopes']);
    expect(inputIssues(() => decide(issue({ scopes: ['ingest', 'superuser'] }), initialState))).toEqual(['scopes.1']);
  });

  it('when workloads are an empty list or invalid ids, then InputInvalid on workloadIds', () => {
    expect(inputIssues(() => decide(issue({ workloadIds: [] }), initialState))).toEqual(['workloadIds']);
    expect(inputIssues(() => decide(issue({ workloadIds: ['has space'] }), initialState))).toEqual(['workloadIds.0']);
  });

  it('when an admin key is restricted to workloads, then InputInvalid (it could issue itself an unrestricted key)', () => {
    expect(inputIssues(() => decide(issue({ scopes: ['admin'], workloadIds: ['support-bot'] }), initialState))).toEqual(['workloadIds']);
  });

  it('when the expiry is not in the future or not a timestamp, then InputInvalid on expiresAt', () => {
    expect(inputIssues(() => decide(issue({ expiresAt: '2026-11-26T10:00:00.000Z' }), initialState))).toEqual(['expiresAt']);
    expect(inputIssues(() => decide(issue({ expiresAt: 'tomorrow' }), initialState))).toEqual(['expiresAt']);
  });

  it('given the key id was issued, when another key is issued with it, then ApiKeyIdTaken', () => {
    spec.given(issued).when(issue({ name: 'other' })).thenThrows(ApiKeyIdTaken);
  });

  it('given an issued key, when it is revoked, then ApiKeyRevoked with reason and revoker', () => {
    spec
      .given(issued)
      .when(revoke())
      .then([
        {
          id: deterministicUuid('ApiKeyRevoked', 'k3y1d000000000aa'),
          type: 'ApiKeyRevoked',
          data: { keyId: 'k3y1d000000000aa', reason: 'leaked in a screenshot', revokedBy: 'key:admin2' },
          metadata: at('2026-11-27T09:00:00.000Z', 'key:admin2'),
        },
      ]);
  });

  it('given an issued key, when revoked with a blank reason, then the reason is null', () => {
    const [event] = decide(revoke({ reason: '  ' }), issued.reduce(evolve, initialState));
    expect(event?.data).toMatchObject({ reason: null });
  });

  it('given an issued key, when revoked with an overlong reason, then InputInvalid on reason', () => {
    expect(inputIssues(() => decide(revoke({ reason: 'x'.repeat(501) }), issued.reduce(evolve, initialState)))).toEqual(['reason']);
  });

  it('given an expired key, when it is revoked, then ApiKeyRevoked (revocation still records intent)', () => {
    const expiring = decide(issue({ expiresAt: '2026-11-26T11:00:00.000Z' }), initialState);
    spec.given(expiring).when(revoke()).then(decide(revoke(), issued.reduce(evolve, initialState)));
  });

  it('given no key, when it is revoked, then ApiKeyNotFound', () => {
    spec.given([]).when(revoke()).thenThrows(ApiKeyNotFound);
  });

  it('given a revoked key, when it is revoked again, then ApiKeyAlreadyRevoked with the first revocation time', () => {
    const history = [...issued, ...decide(revoke(), issued.reduce(evolve, initialState))];
    spec.given(history).when(revoke({ reason: 'again' })).thenThrows(ApiKeyAlreadyRevoked);
    try {
      decide(revoke(), history.reduce(evolve, initialState));
    } catch (error) {
      expect(error).toBeInstanceOf(ApiKeyAlreadyRevoked);
      expect(error).toMatchObject({ code: 'API_KEY_ALREADY_REVOKED', revokedAt: '2026-11-27T09:00:00.000Z' });
    }
  });
});
