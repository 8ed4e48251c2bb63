import type { NewDomainEvent } from '../events/catalogue';
import { PrivacyPolicySet, type PrivacyPolicySetData } from '../events/catalogue/privacy';
import { canonicalJson, deterministicUuid, sha256Hex } from '../lib/ids';
import { deciderSpec } from '../test/gwt';
import { settingsDecider, type ReplaceSettings, type SettingsState } from './settings-decider';

// A policy is a realistic setting: what it compares leaves out who set it.
const policies = settingsDecider<PrivacyPolicySetData>({
  event: PrivacyPolicySet,
  read: (event) => (event.type === 'PrivacyPolicySet' ? event.data : null),
  compared: ({ mode, entityTypes }) => ({ mode, entityTypes }),
});
const spec = deciderSpec<ReplaceSettings<PrivacyPolicySetData>, SettingsState<PrivacyPolicySetData>, NewDomainEvent>(policies);

const metadata = { actor: 'key:admin1', correlationId: 'corr-1', causationId: null, occurredAt: '2026-12-01T10:00:00.000Z' };
const policy = (mode: PrivacyPolicySetData['mode'], setBy = 'key:admin1'): PrivacyPolicySetData => ({ workloadId: 'support-bot', mode, entityTypes: null, setBy });
const replace = (data: PrivacyPolicySetData): ReplaceSettings<PrivacyPolicySetData> => ({ type: 'ReplaceSettings', key: 'support-bot', data, metadata });
const idOf = (version: number, data: PrivacyPolicySetData) =>
  deterministicUuid('PrivacyPolicySet', 'support-bot', String(version), sha256Hex(canonicalJson({ mode: data.mode, entityTypes: data.entityTypes })));
const set = (version: number, data: PrivacyPolicySetData) => PrivacyPolicySet.create({ id: idOf(version, data), data, metadata });

describe('settings decider', () => {
  it('given no settings, when some are set, then one event: version 1, named by its version and content', () => {
    spec.given([]).when(replace(policy('encrypt'))).then([set(1, policy('encrypt'))]);
  });

  it('given settings, when the same ones are set again, then nothing: not a new fact', () => {
    spec.given([set(1, policy('encrypt'))]).when(replace(policy('encrypt'))).then([]);
  });

  it('given settings, when the same ones come from someone else, then still nothing: who set them is not compared', () => {
    spec.given([set(1, policy('encrypt'))]).when(replace(policy('encrypt', 'key:admin2'))).then([]);
  });

  it('given settings, when others are set, then they replace them whole as the next version', () => {
    spec.given([set(1, policy('encrypt'))]).when(replace(policy('allow'))).then([set(2, policy('allow'))]);
  });

  it('given a change and a change back, then a third version (going back is a change too)', () => {
    spec.given([set(1, policy('encrypt')), set(2, policy('allow'))]).when(replace(policy('encrypt'))).then([set(3, policy('encrypt'))]);
  });

  it('names a retry like the original and a different change at the same version otherwise, so the store tells them apart', () => {
    const [retry] = policies.decide(replace(policy('redact')), policies.initialState);
    const [other] = policies.decide(replace(policy('allow')), policies.initialState);
    expect(retry?.id).toBe(idOf(1, policy('redact')));
    expect(other?.id).not.toBe(retry?.id);
  });

  it('evolves the version and the current settings from the stream, ignoring other event types', () => {
    const state = [set(1, policy('encrypt')), set(2, policy('allow'))].reduce(policies.evolve, policies.initialState);
    expect(state).toEqual({ version: 2, current: policy('allow') });
  });
});
