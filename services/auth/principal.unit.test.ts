import { Forbidden } from './errors';
import { actorOf, allowedWorkloads, bootstrapPrincipal, requireInteraction, requireScope, type Principal } from './principal';

const restricted: Principal = { kind: 'key', keyId: 'k1', scopes: ['ingest', 'read'], workloadIds: ['support-bot'] };
const everywhere: Principal = { kind: 'key', keyId: 'k2', scopes: ['read'], workloadIds: null };
const token: Principal = { kind: 'feedbackToken', interactionId: 'int-1', workloadId: 'support-bot' };

function forbidden(run: () => void): Forbidden {
  try {
    run();
  } catch (error) {
    if (error instanceof Forbidden) return error;
    throw error;
  }
  throw new Error('expected Forbidden');
}

describe('principals', () => {
  it('allows a key its scopes on its workloads', () => {
    expect(() => requireScope(restricted, 'ingest', 'support-bot')).not.toThrow();
    expect(() => requireScope(restricted, 'read')).not.toThrow();
    expect(() => requireScope(everywhere, 'read', 'any-workload')).not.toThrow();
  });

  it('refuses a missing scope, naming it', () => {
    expect(forbidden(() => requireScope(restricted, 'admin'))).toMatchObject({ code: 'FORBIDDEN', reason: 'MISSING_SCOPE', detail: { scope: 'admin' } });
  });

  it('refuses another workload, naming it', () => {
    expect(forbidden(() => requireScope(restricted, 'ingest', 'billing-bot'))).toMatchObject({
      reason: 'WORKLOAD_NOT_ALLOWED',
      detail: { workloadId: 'billing-bot' },
    });
  });

  it('lets admin imply every scope but audit', () => {
    const admin: Principal = { kind: 'key', keyId: 'k3', scopes: ['admin'], workloadIds: null };
    for (const scope of ['ingest', 'feedback', 'annotate', 'read'] as const) expect(() => requireScope(admin, scope, 'w')).not.toThrow();
    expect(forbidden(() => requireScope(admin, 'audit'))).toMatchObject({ reason: 'MISSING_SCOPE', detail: { scope: 'audit' } });
  });

  it('gives a feedback token the feedback scope on its workload only', () => {
    expect(() => requireScope(token, 'feedback', 'support-bot')).not.toThrow();
    expect(forbidden(() => requireScope(token, 'read', 'support-bot')).reason).toBe('MISSING_SCOPE');
    expect(forbidden(() => requireScope(token, 'feedback', 'billing-bot')).reason).toBe('WORKLOAD_NOT_ALLOWED');
    expect(forbidden(() => requireInteraction(token, 'int-9'))).toMatchObject({ reason: 'INTERACTION_NOT_ALLOWED', detail: { interactionId: 'int-9' } });
  });

  it('lets keys pass the interaction check (their bound is the workload)', () => {
    expect(() => requireInteraction(restricted, 'int-9')).not.toThrow();
  });

  it('gives the configured admin key admin (every scope but audit) on every workload', () => {
    for (const scope of ['ingest', 'feedback', 'annotate', 'read', 'admin'] as const) {
      expect(() => requireScope(bootstrapPrincipal, scope, 'w')).not.toThrow();
    }
    // Raw personal data is granted explicitly, by an admin issuing an audit key.
    expect(forbidden(() => requireScope(bootstrapPrincipal, 'audit'))).toMatchObject({ reason: 'MISSING_SCOPE', detail: { scope: 'audit' } });
    expect(allowedWorkloads(bootstrapPrincipal)).toBeNull();
  });

  it('names each principal as an event actor', () => {
    expect([restricted, token, bootstrapPrincipal].map(actorOf)).toEqual(['key:k1', 'token:int-1', 'system:admin-key']);
    expect(allowedWorkloads(restricted)).toEqual(['support-bot']);
    expect(allowedWorkloads(token)).toEqual(['support-bot']);
  });
});
