import type { DomainEvent, NewDomainEvent } from '../events/catalogue';
import { recorded } from '../test/events';
import { givenEvents } from '../test/projection-spec';
import { PRIVACY_POLICIES, privacyPoliciesProjection } from './privacy-policies';
import { PRIVACY_ACCESSES, PRIVACY_DAYS, PRIVACY_INTERACTIONS, PRIVACY_SUBJECTS, privacyRecordsProjection } from './privacy-records';

const metadata = (occurredAt = '2026-11-26T10:00:00.000Z') => ({ actor: 'key:k1', correlationId: 'c', causationId: null, occurredAt, schemaVersion: 1 });
let n = 0;
const id = () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;

function redacted(interactionId: string, occurredAt = '2026-11-26T10:00:00.000Z'): NewDomainEvent {
  return {
    id: id(),
    type: 'PiiRedacted',
    data: {
      interactionId,
      workloadId: 'support-bot',
      subjectKey: 'subject:user-42',
      mode: 'encrypt',
      findings: [
        { path: 'request.messages.0.content', type: 'EMAIL', placeholder: '<EMAIL_1>', start: 8, end: 17 },
        { path: 'request.messages.0.content', type: 'PERSON', placeholder: '<PERSON_1>', start: 0, end: 10 },
        { path: 'response.choices.0.message.content', type: 'EMAIL', placeholder: '<EMAIL_1>', start: 3, end: 12 },
      ],
      counts: { EMAIL: 2, PERSON: 1 },
    },
    metadata: metadata(occurredAt),
  };
}

function encrypted(interactionId: string, keyId: string, occurredAt = '2026-11-26T10:00:00.000Z'): NewDomainEvent {
  return {
    id: id(),
    type: 'RawTextEncrypted',
    data: { interactionId, workloadId: 'support-bot', subjectKey: 'subject:user-42', keyId, algorithm: 'AES-256-GCM', iv: 'aXY=', tag: 'dGFn', ciphertext: 'Y3Q=' },
    metadata: metadata(occurredAt),
  };
}

const at = (events: readonly NewDomainEvent[]): DomainEvent[] => events.map((e, i) => recorded(e, i + 1));

describe('privacyRecords read model', () => {
  it('given findings and kept raw text, then one document per interaction and per workload-day, with counts', async () => {
    const store = await givenEvents(
      privacyRecordsProjection,
      at([redacted('i-1'), encrypted('i-1', 'key00001'), redacted('i-2', '2026-11-26T18:00:00.000Z'), redacted('i-3', '2026-11-27T09:00:00.000Z')]),
    );
    expect(await store.findById(PRIVACY_INTERACTIONS, 'i-1')).toMatchObject({
      workloadId: 'support-bot',
      subjectKey: 'subject:user-42',
      mode: 'encrypt',
      counts: { EMAIL: 2, PERSON: 1 },
      findings: 3,
      rawKeyId: 'key00001',
    });
    expect(await store.findById(PRIVACY_INTERACTIONS, 'i-2')).toMatchObject({ rawKeyId: null });
    expect(await store.findById(PRIVACY_DAYS, 'support-bot|2026-11-26')).toMatchObject({ interactions: 2, rawKept: 1, counts: { EMAIL: 4, PERSON: 2 } });
    expect(await store.findById(PRIVACY_DAYS, 'support-bot|2026-11-27')).toMatchObject({ interactions: 1, counts: { EMAIL: 2, PERSON: 1 } });
  });

  it('given an erasure requested then done, then the subject shows it pending, then forgotten with its destroyed keys', async () => {
    const requestId = '0b6f2f6e-8d5c-4a57-9a1e-3f1f2d1c0b01';
    const requestedEvent: NewDomainEvent = {
      id: requestId,
      type: 'SubjectErasureRequested',
      data: { subjectKey: 'subject:user-42', reason: 'ticket 12', requestedBy: 'key:k1' },
      metadata: metadata(),
    };
    const pending = await givenEvents(privacyRecordsProjection, at([requestedEvent]));
    expect(await pending.findById(PRIVACY_SUBJECTS, 'subject:user-42')).toMatchObject({ requests: 1, pendingSince: '2026-11-26T10:00:00.000Z', lastReason: 'ticket 12' });
    const done = await givenEvents(
      privacyRecordsProjection,
      at([
        requestedEvent,
        { id: id(), type: 'SubjectForgotten', data: { subjectKey: 'subject:user-42', keyIds: ['key00001'], requestId }, metadata: metadata('2026-11-26T10:00:01.000Z') },
      ]),
    );
    expect(await done.findById(PRIVACY_SUBJECTS, 'subject:user-42')).toMatchObject({
      pendingSince: null,
      forgottenAt: '2026-11-26T10:00:01.000Z',
      erasures: 1,
      destroyedKeyIds: ['key00001'],
    });
  });

  it('given an audit access, then a document naming who, why and whose raw text', async () => {
    const accessId = '7e57ac1d-0000-4000-8000-000000000001';
    const store = await givenEvents(
      privacyRecordsProjection,
      at([
        {
          id: accessId,
          type: 'RawDataAccessed',
          data: {
            accessId,
            accessor: 'key:auditor1',
            via: 'api',
            reason: 'GDPR request 7',
            query: { subjectId: 'user-42', conversationId: null, stream: null, from: null, to: null },
            decrypt: true,
            events: 3,
            decrypted: 1,
            erased: 0,
            subjectKeys: ['subject:user-42'],
          },
          metadata: metadata(),
        },
      ]),
    );
    expect(await store.findById(PRIVACY_ACCESSES, accessId)).toMatchObject({ accessor: 'key:auditor1', reason: 'GDPR request 7', decrypted: 1, subjectKeys: ['subject:user-42'] });
    expect((await store.find(PRIVACY_ACCESSES, { subjectKeys: 'subject:user-42' })).docs).toHaveLength(1);
  });

  it('announces a SubjectForgotten after commit, nothing else', () => {
    const [forgotten] = at([{ id: id(), type: 'SubjectForgotten', data: { subjectKey: 'subject:a', keyIds: [], requestId: '0b6f2f6e-8d5c-4a57-9a1e-3f1f2d1c0b01' }, metadata: metadata() }]);
    if (!forgotten) throw new Error('no event');
    expect(privacyRecordsProjection.notify?.(forgotten)).toEqual([{ topic: 'privacy.subject.forgotten', message: { subjectKey: 'subject:a', position: 1 } }]);
    expect(privacyRecordsProjection.notify?.(at([redacted('i-9')])[0] ?? forgotten)).toEqual([]);
  });
});

describe('privacyPolicies read model', () => {
  it('given policies set over time, then the latest per workload', async () => {
    const set = (mode: 'redact' | 'encrypt' | 'allow', entityTypes: ('EMAIL' | 'PERSON')[] | null): NewDomainEvent => ({
      id: id(),
      type: 'PrivacyPolicySet',
      data: { workloadId: 'support-bot', mode, entityTypes, setBy: 'key:admin1' },
      metadata: metadata(),
    });
    const store = await givenEvents(privacyPoliciesProjection, at([set('encrypt', null), set('redact', ['EMAIL', 'PERSON'])]));
    expect(await store.findById(PRIVACY_POLICIES, 'support-bot')).toMatchObject({ mode: 'redact', entityTypes: ['EMAIL', 'PERSON'], setBy: 'key:admin1', version: 2 });
  });
});
