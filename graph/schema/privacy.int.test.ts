import Database from 'better-sqlite3';
import { join } from 'node:path';
import {
  AuditTrailDocument,
  ForgetSubjectDocument,
  InteractionPrivacyDocument,
  LogInteractionDocument,
  PrivacyPolicyDocument,
  PrivacyReportDocument,
  RecordSignalDocument,
  SetPrivacyPolicyDocument,
  type LogInteractionInput,
  type PiiEntityType,
  type PrivacyMode,
} from '../generated/operations';
import { parseConfig } from '../../app/config';
import { runReplay } from '../../app/cli';
import { issueKey, parseResponse } from '../../test/api-keys';
import { startTestApp, TEST_ADMIN_KEY, type TestApp } from '../../test/http';
import { settled } from '../../test/settle';

// Made-up people and numbers: reserved example domains, test card and IBAN, an unissued-looking SSN.
const PII = {
  email: 'lena.fischer@example.org',
  phone: '+49 30 901820',
  card: '4111 1111 1111 1111',
  iban: 'DE89 3704 0044 0532 0130 00',
  ssn: '219-09-9999',
  person: 'Lena Fischer',
  secret: 'sk-proj-Zx81LmQa0pW3nB7vT2yR9sK4jH6dF1gE',
};

function piiInput(id: string, workloadId: string, subjectId: string | null = 'user-77'): LogInteractionInput {
  return {
    id,
    workloadId,
    subjectId,
    conversationId: `conv-${id}`,
    request: {
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'You are a billing assistant.' },
        { role: 'user', content: `Hi, I'm ${PII.person}, mail me at ${PII.email} or call ${PII.phone}. Card ${PII.card}, SSN ${PII.ssn}.` },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'refund', arguments: JSON.stringify({ iban: PII.iban, email: PII.email }) } }],
        },
        { role: 'tool', tool_call_id: 'call_1', content: `refund queued, api key used: ${PII.secret}` },
      ],
    },
    response: {
      model: 'gpt-4o-mini',
      choices: [{ index: 0, message: { role: 'assistant', content: `Done, ${PII.person}. A receipt goes to ${PII.email}.` }, finish_reason: 'stop' }],
    },
  };
}

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

async function log(input: LogInteractionInput) {
  const { body } = await t.gql(LogInteractionDocument, { input });
  const result = body.data?.logInteraction;
  if (result?.__typename !== 'InteractionAccepted') throw new Error(`not accepted: ${JSON.stringify(body)}`);
  await t.app.projector.waitFor(result.position);
  return result;
}

async function setPolicy(workloadId: string, mode: PrivacyMode, entityTypes: PiiEntityType[] | null = null) {
  const { body } = await t.gql(SetPrivacyPolicyDocument, { input: { workloadId, mode, entityTypes } });
  const result = body.data?.setPrivacyPolicy;
  if (result?.__typename !== 'PrivacyPolicy') throw new Error(JSON.stringify(body));
  return result;
}

/** Every event as the SQLite file holds it (stream, type, data as stored), read around the service. */
function rawEvents(): { stream: string; type: string; data: string }[] {
  const db = new Database(join(t.dataDir, 'events.db'), { readonly: true });
  try {
    return db
      .prepare('SELECT stream, type, data FROM events ORDER BY position')
      .all()
      .flatMap((row: unknown) =>
        typeof row === 'object' && row !== null && 'stream' in row && 'type' in row && 'data' in row && typeof row.stream === 'string' && typeof row.type === 'string' && typeof row.data === 'string'
          ? [{ stream: row.stream, type: row.type, data: row.data }]
          : [],
      );
  } finally {
    db.close();
  }
}

describe('no interaction text reaches the event store unredacted unless its policy says so', () => {
  it('stores placeholders (redact, the default) and encrypted originals (encrypt); only allow stores values', async () => {
    await setPolicy('priv-encrypt', 'encrypt');
    await setPolicy('priv-allow', 'allow');
    await log(piiInput('priv-r1', 'priv-redact'));
    await log(piiInput('priv-e1', 'priv-encrypt'));
    const rows = rawEvents();
    const interactionRows = rows.filter((r) => r.stream.startsWith('interaction-priv-'));
    expect(interactionRows.map((r) => `${r.stream}:${r.type}`)).toEqual([
      'interaction-priv-r1:PiiRedacted',
      'interaction-priv-r1:InteractionLogged',
      'interaction-priv-e1:PiiRedacted',
      'interaction-priv-e1:RawTextEncrypted',
      'interaction-priv-e1:InteractionLogged',
    ]);
    for (const row of rows) for (const value of Object.values(PII)) expect(row.data).not.toContain(value);
    const logged = interactionRows.find((r) => r.stream === 'interaction-priv-r1' && r.type === 'InteractionLogged')?.data ?? '';
    expect(logged).toContain("I'm <PERSON_1>, mail me at <EMAIL_1> or call <PHONE_1>. Card <CREDIT_CARD_1>, SSN <SSN_1>.");
    // The same address is the same placeholder in the tool arguments and the answer.
    expect(logged).toContain('{\\"iban\\":\\"<IBAN_1>\\",\\"email\\":\\"<EMAIL_1>\\"}');
    expect(logged).toContain('Done, <PERSON_1>. A receipt goes to <EMAIL_1>.');
    expect(logged).toContain('api key used: <SECRET_1>');

    await log(piiInput('priv-a1', 'priv-allow'));
    const allowed = rawEvents().filter((r) => r.stream === 'interaction-priv-a1');
    expect(allowed.map((r) => r.type)).toEqual(['InteractionLogged']);
    expect(allowed[0]?.data).toContain(PII.email);
  });
});

describe('setPrivacyPolicy and privacyPolicy', () => {
  it('starts at the default (redact every type), is set by an admin and read back', async () => {
    const before = await t.gql(PrivacyPolicyDocument, { workloadId: 'pol-1' });
    expect(before.body.data?.privacyPolicy).toEqual({ workloadId: 'pol-1', mode: 'redact', entityTypes: null, setAt: null, setBy: null });
    const set = await setPolicy('pol-1', 'redact', ['EMAIL', 'PHONE']);
    expect(set).toMatchObject({ workloadId: 'pol-1', mode: 'redact', entityTypes: ['EMAIL', 'PHONE'], setBy: 'system:admin-key' });
    const reader = await issueKey(t, ['read']);
    const after = await t.gql(PrivacyPolicyDocument, { workloadId: 'pol-1' }, { key: reader.key });
    expect(after.body.data?.privacyPolicy?.entityTypes).toEqual(['EMAIL', 'PHONE']);
  });

  it('redacts only the entity types the policy names', async () => {
    await setPolicy('pol-emails', 'redact', ['EMAIL']);
    const accepted = await log(piiInput('pol-e1', 'pol-emails'));
    const { body } = await t.gql(InteractionPrivacyDocument, { id: accepted.interactionId });
    expect(body.data?.interaction?.prompt).toContain(`I'm ${PII.person}, mail me at <EMAIL_1> or call ${PII.phone}`);
    expect(body.data?.interaction?.privacy).toEqual({ mode: 'redact', rawText: 'NOT_KEPT', entities: [{ type: 'EMAIL', count: 3 }] });
  });

  it('refuses a caller without admin (403) and a bad workload id (InputInvalid)', async () => {
    const reader = await issueKey(t, ['read', 'ingest']);
    const refused = await t.raw(JSON.stringify({ query: 'mutation { setPrivacyPolicy(input: { workloadId: "x", mode: allow }) { __typename } }' }), { key: reader.key });
    expect(refused.status).toBe(403);
    expect(parseResponse(refused.text).errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    const { body } = await t.gql(SetPrivacyPolicyDocument, { input: { workloadId: 'has spaces', mode: 'allow' } });
    expect(body.data?.setPrivacyPolicy).toMatchObject({ __typename: 'InputInvalid', code: 'INPUT_INVALID' });
  });
});

describe('crypto-shredding, audit trail and privacy report', () => {
  let auditor: { key: string; keyId: string };
  let admin: { key: string; keyId: string };
  beforeAll(async () => {
    auditor = await issueKey(t, ['audit']);
    admin = await issueKey(t, ['admin']);
    await setPolicy('shred', 'encrypt');
    await log(piiInput('shred-1', 'shred', 'user-shred'));
    await log(piiInput('shred-2', 'shred', 'user-keep'));
  });

  const trail = (subjectId: string, key: string, reason = 'GDPR access request #4411') =>
    t.gql(AuditTrailDocument, { filter: { subjectId }, reason }, { key });

  it('decrypts raw text for the audit scope with a reason, and records the access', async () => {
    const { body } = await trail('user-shred', auditor.key);
    const result = body.data?.auditTrail;
    if (result?.__typename !== 'AuditTrail') throw new Error(JSON.stringify(body));
    expect(result.decrypted).toBe(1);
    const raw = result.events.find((e) => e.type === 'RawTextEncrypted');
    expect(raw?.rawStatus).toBe('decrypted');
    expect(JSON.stringify(raw?.rawTexts)).toContain(PII.email);
    expect(result.events.map((e) => e.type)).toEqual(['PiiRedacted', 'RawTextEncrypted', 'InteractionLogged']);
    const recorded = await t.app.store.readStream(`rawaccess-${result.accessId}`);
    expect(recorded[0]).toMatchObject({ type: 'RawDataAccessed', data: { reason: 'GDPR access request #4411', decrypted: 1, subjectKeys: ['subject:user-shred'] } });
  });

  it('refuses admin without audit (admin does not imply audit), and an access without a reason', async () => {
    const refused = await trail('user-shred', admin.key);
    expect(refused.status).toBe(403);
    const head = await settled(t.app);
    const { body } = await trail('user-shred', auditor.key, '   ');
    expect(body.data?.auditTrail).toMatchObject({ __typename: 'InputInvalid' });
    expect(await t.app.store.headPosition()).toBe(head);
    const restricted = await issueKey(t, ['audit'], { workloadIds: ['shred'] });
    expect((await trail('user-shred', restricted.key)).status).toBe(403);
  });

  it('refuses the bootstrap admin key (FLYWHEEL_ADMIN_KEY) too: audit is granted to a key issued for it, never implied', async () => {
    const head = await settled(t.app);
    const refused = await t.gql(AuditTrailDocument, { filter: { subjectId: 'user-shred' }, reason: 'curiosity' });
    expect(refused.status).toBe(403);
    expect(refused.body.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN' });
    expect(refused.body.data?.auditTrail ?? null).toBeNull();
    // Refused before anything was read: no RawDataAccessed was recorded.
    expect(await t.app.store.headPosition()).toBe(head);
  });

  it('forgets a subject: the key is destroyed, the ciphertext stays in the log and can never be read again', async () => {
    const before = rawEvents().find((r) => r.stream === 'interaction-shred-1' && r.type === 'RawTextEncrypted');
    expect(before).toBeDefined();
    const auditOnly = await t.gql(ForgetSubjectDocument, { input: { subjectId: 'user-shred' } }, { key: auditor.key });
    expect(auditOnly.status).toBe(403);

    const { body } = await t.gql(ForgetSubjectDocument, { input: { subjectId: 'user-shred', reason: 'erasure request #4412' } }, { key: admin.key });
    const forgotten = body.data?.forgetSubject;
    if (forgotten?.__typename !== 'SubjectErasure') throw new Error(JSON.stringify(body));
    expect(forgotten.subjectKey).toBe('subject:user-shred');
    expect(forgotten.keyIdsDestroyed).toHaveLength(1);

    // The ciphertext is still in the event log, byte for byte ...
    const after = rawEvents().find((r) => r.stream === 'interaction-shred-1' && r.type === 'RawTextEncrypted');
    expect(after?.data).toBe(before?.data);
    // ... and no key opens it: not through the vault, not through the audit path.
    const stored = JSON.parse(after?.data ?? '{}');
    expect(await t.app.privacy.keys.forDecryption('subject:user-shred', stored.keyId)).toBeNull();
    const again = await trail('user-shred', auditor.key);
    const result = again.body.data?.auditTrail;
    if (result?.__typename !== 'AuditTrail') throw new Error(JSON.stringify(again.body));
    expect(result.decrypted).toBe(0);
    expect(result.erased).toBe(1);
    expect(result.events.find((e) => e.type === 'RawTextEncrypted')?.rawTexts).toBeNull();
    expect(JSON.stringify(result.events)).not.toContain(PII.email);
    // The trail shows the erasure and the earlier audit accesses themselves.
    expect(result.events.map((e) => e.type)).toEqual(
      expect.arrayContaining(['SubjectErasureRequested', 'SubjectForgotten', 'RawDataAccessed']),
    );

    // The read model shows it as erased; another subject's raw text is untouched.
    const shown = await t.gql(InteractionPrivacyDocument, { id: 'shred-1' });
    expect(shown.body.data?.interaction?.privacy?.rawText).toBe('ERASED');
    expect((await t.gql(InteractionPrivacyDocument, { id: 'shred-2' })).body.data?.interaction?.privacy?.rawText).toBe('KEPT');
  });

  it('replays with --decrypt --reason through the CLI, recording the access (via cli); refuses without a reason', async () => {
    const config = parseConfig({ FLYWHEEL_DATA_DIR: t.dataDir, FLYWHEEL_ADMIN_KEY: TEST_ADMIN_KEY, LOG_LEVEL: 'silent' });
    const out: string[] = [];
    const err: string[] = [];
    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => out.push(String(chunk)) > 0);
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => err.push(String(chunk)) > 0);
    try {
      expect(await runReplay(config, ['--decrypt', '--subject', 'user-keep'])).toBe(2);
      expect(err.join('')).toContain('--reason');
      err.length = 0;
      expect(await runReplay(config, ['--decrypt', '--reason', 'audit 2026-Q4', '--subject', 'user-keep'])).toBe(0);
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
    }
    const lines = out.join('').trim().split('\n').map((line) => JSON.parse(line));
    const raw = lines.find((e) => e.type === 'RawTextEncrypted');
    expect(raw.raw.status).toBe('decrypted');
    expect(JSON.stringify(raw.raw.texts)).toContain(PII.email);
    const summary = JSON.parse(err.join('').trim());
    const access = rawEvents().find((r) => r.stream === `rawaccess-${summary.accessId}`);
    expect(JSON.parse(access?.data ?? '{}')).toMatchObject({ via: 'cli', accessor: 'system:cli', reason: 'audit 2026-Q4', decrypted: 1 });
  });

  it('makes a retried encrypt-mode interaction a no-op (same position, no second ciphertext)', async () => {
    const first = await log(piiInput('shred-retry', 'shred', 'user-keep'));
    const again = await log(piiInput('shred-retry', 'shred', 'user-keep'));
    expect(again.position).toBe(first.position);
    expect((await t.app.store.readStream('interaction-shred-retry')).map((e) => e.type)).toEqual(['PiiRedacted', 'RawTextEncrypted', 'InteractionLogged']);
  });

  it('finishes an erasure a crash left pending (request recorded, key not yet destroyed)', async () => {
    await setPolicy('crash-wl', 'encrypt');
    await log(piiInput('shred-crash', 'crash-wl', 'user-crash'));
    const keyId = (await t.app.privacy.vault.get('subject:user-crash'))?.keyId;
    expect(keyId).toBeDefined();
    const requestId = '5a1e0000-0000-4000-8000-00000000c0de';
    const appended = await t.app.store.append(
      'privacysubject-subject:user-crash',
      [
        {
          id: requestId,
          type: 'SubjectErasureRequested',
          data: { subjectKey: 'subject:user-crash', reason: null, requestedBy: 'key:admin' },
          metadata: { actor: 'key:admin', correlationId: 'crash', causationId: null, occurredAt: new Date(Date.now() - 120_000).toISOString(), schemaVersion: 1 },
        },
      ],
      { expectedRevision: 'no_stream' },
    );
    await t.app.projector.waitFor(appended.position);
    expect(await t.app.privacy.services.privacy.completePendingErasures({ actor: 'system:erasure', correlationId: 'recover' })).toBe(1);
    expect(await t.app.privacy.vault.get('subject:user-crash')).toBeNull();
    const history = await t.app.store.readStream('privacysubject-subject:user-crash');
    expect(history.map((e) => e.type)).toEqual(['SubjectErasureRequested', 'SubjectForgotten']);
    expect(history[1]?.data).toMatchObject({ requestId, keyIds: [keyId] });
    // Nothing left to finish: a second sweep does nothing.
    await settled(t.app);
    expect(await t.app.privacy.services.privacy.completePendingErasures({ actor: 'system:erasure', correlationId: 'again' })).toBe(0);
  });

  it('shows an altered ciphertext as unreadable and still returns the rest of the trail', async () => {
    const live = await t.app.privacy.vault.get('subject:user-keep');
    if (!live) throw new Error('user-keep has no key');
    await t.app.store.append('interaction-tampered', [
      {
        id: '7a3e0000-0000-4000-8000-0000000000aa',
        type: 'RawTextEncrypted',
        data: { interactionId: 'tampered', workloadId: 'tamper-wl', subjectKey: 'subject:user-keep', keyId: live.keyId, algorithm: 'AES-256-GCM', iv: 'AAAAAAAAAAAAAAAA', tag: 'AAAAAAAAAAAAAAAAAAAAAA==', ciphertext: 'Zm9v' },
        metadata: { actor: 'test', correlationId: 'tamper', causationId: null, occurredAt: new Date().toISOString(), schemaVersion: 1 },
      },
    ]);
    const { body } = await t.gql(AuditTrailDocument, { filter: { stream: 'interaction-tampered' }, reason: 'integrity check' }, { key: auditor.key });
    const result = body.data?.auditTrail;
    if (result?.__typename !== 'AuditTrail') throw new Error(JSON.stringify(body));
    expect(result.events.map((e) => e.rawStatus)).toEqual(['unreadable']);
    expect(result.decrypted).toBe(0);
  });

  it('answers forgetSubject without a subject with InputInvalid', async () => {
    const { body } = await t.gql(ForgetSubjectDocument, { input: {} }, { key: admin.key });
    expect(body.data?.forgetSubject).toMatchObject({ __typename: 'InputInvalid' });
  });

  it('reports entity types over time, raw text kept and erased, erasures done (admin or audit; not read)', async () => {
    const { body } = await t.gql(PrivacyReportDocument, { workloadId: 'shred' }, { key: auditor.key });
    const report = body.data?.privacyReport;
    expect(report).toMatchObject({
      workloadId: 'shred',
      policy: { mode: 'encrypt', entityTypes: null },
      interactionsWithFindings: 3,
      rawTextKept: 2,
      rawTextErased: 1,
      erasuresDone: 1,
      erasuresPending: 0,
    });
    expect(report?.days).toHaveLength(1);
    expect(report?.entityTotals).toEqual(expect.arrayContaining([{ type: 'EMAIL', count: 9 }, { type: 'PERSON', count: 6 }]));
    expect((await t.gql(PrivacyReportDocument, { workloadId: 'shred' }, { key: admin.key })).status).toBe(200);
    const reader = await issueKey(t, ['read']);
    expect((await t.gql(PrivacyReportDocument, { workloadId: 'shred' }, { key: reader.key })).status).toBe(403);
  });
});

describe('feedback texts pass the same screen', () => {
  it('records a thumbs comment and an edited text with placeholders (redact), as sent under allow', async () => {
    await log(piiInput('fb-1', 'fb-redact'));
    const comment = `Wrong! I'm ${PII.person}, reach me at ${PII.email}.`;
    const { body } = await t.gql(RecordSignalDocument, { input: { interactionId: 'fb-1', type: 'thumbsDown', comment } });
    expect(body.data?.recordSignal?.__typename).toBe('SignalAccepted');
    const edited = await t.gql(RecordSignalDocument, { input: { interactionId: 'fb-1', type: 'edited', editedText: `Dear ${PII.person}, your card ${PII.card} is charged.` } });
    expect(edited.body.data?.recordSignal?.__typename).toBe('SignalAccepted');
    const stored = JSON.stringify(rawEvents().filter((r) => r.type === 'SignalRecorded').map((r) => r.data));
    expect(stored).toContain("I'm <PERSON_1>, reach me at <EMAIL_1>.");
    expect(stored).toContain('Dear <PERSON_1>, your card <CREDIT_CARD_1> is charged.');
    for (const value of Object.values(PII)) expect(stored).not.toContain(value);

    await setPolicy('fb-allow', 'allow');
    await log(piiInput('fb-2', 'fb-allow'));
    await t.gql(RecordSignalDocument, { input: { interactionId: 'fb-2', type: 'thumbsUp', comment } });
    expect(JSON.stringify(rawEvents().filter((r) => r.type === 'SignalRecorded').map((r) => r.data))).toContain(PII.email);
  });
});

describe('FLYWHEEL_REDACTION=off', () => {
  it('stores texts as sent, whatever the policy (for benchmarks and upstream redaction)', async () => {
    const off = await startTestApp({ FLYWHEEL_REDACTION: 'off' });
    try {
      const { body } = await off.gql(LogInteractionDocument, { input: piiInput('off-1', 'priv-redact') });
      expect(body.data?.logInteraction?.__typename).toBe('InteractionAccepted');
      const events = await off.app.store.readStream('interaction-off-1');
      expect(events.map((e) => e.type)).toEqual(['InteractionLogged']);
      expect(JSON.stringify(events[0]?.data)).toContain(PII.email);
    } finally {
      await off.close();
    }
  });
});
