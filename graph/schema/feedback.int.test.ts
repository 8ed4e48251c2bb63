import { issueFeedbackToken } from '../../services/auth/feedback-token';
import { feedbackTokenSecret, issueKey, logInput } from '../../test/api-keys';
import { startTestApp, type TestApp } from '../../test/http';
import {
  InteractionFeedbackDocument,
  LogInteractionDocument,
  RecordSignalDocument,
  RecordSignalsDocument,
  type RecordSignalInput,
} from '../generated/operations';
import { settled } from '../../test/settle';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

async function log(id: string, workloadId = 'fb-a') {
  const { body } = await t.gql(LogInteractionDocument, { input: logInput(workloadId, id) });
  const result = body.data?.logInteraction;
  if (result?.__typename !== 'InteractionAccepted') throw new Error(`not accepted: ${JSON.stringify(body)}`);
  return result;
}

async function record(input: RecordSignalInput, key?: string | null) {
  const { status, body } = await t.gql(RecordSignalDocument, { input }, key === undefined ? {} : { key });
  return { status, body, result: body.data?.recordSignal };
}

describe('recordSignal with an API key', () => {
  it('records a thumbs up with a dimension and comment, durably, and a retry is a duplicate', async () => {
    await log('fb-1');
    const { key } = await issueKey(t, ['feedback']);
    const input = { interactionId: 'fb-1', signalId: 'thumb-1', type: 'thumbsUp', dimension: 'accuracy', comment: 'Spot on.' } as const;
    const first = await record(input, key);
    expect(first.result).toMatchObject({ __typename: 'SignalAccepted', signalId: 'thumb-1', workloadId: 'fb-a', type: 'thumbsUp', duplicate: false });
    const events = await t.app.store.readStream('interaction-fb-1');
    expect(events.map((e) => e.type)).toContain('SignalRecorded');
    expect(events.find((e) => e.type === 'SignalRecorded')?.metadata.actor).toMatch(/^key:/);

    const again = await record(input, key);
    expect(again.result).toMatchObject({ __typename: 'SignalAccepted', duplicate: true });
    if (again.result?.__typename === 'SignalAccepted' && first.result?.__typename === 'SignalAccepted') {
      expect(again.result.position).toBe(first.result.position);
    }
    const conflict = await record({ ...input, type: 'thumbsDown' }, key);
    expect(conflict.result).toMatchObject({ __typename: 'SignalIdConflict', code: 'SIGNAL_ID_CONFLICT', signalId: 'thumb-1' });
    expect((await t.app.store.readStream('interaction-fb-1')).filter((e) => e.type === 'SignalRecorded')).toHaveLength(1);
  });

  it('records every implicit signal type with its data', async () => {
    await log('fb-2');
    const inputs: RecordSignalInput[] = [
      { interactionId: 'fb-2', signalId: 'i-1', type: 'stopped', tokensReceived: 17 },
      { interactionId: 'fb-2', signalId: 'i-2', type: 'regenerated', replacementInteractionId: 'fb-2b' },
      { interactionId: 'fb-2', signalId: 'i-3', type: 'copied', fraction: 0.4 },
      { interactionId: 'fb-2', signalId: 'i-4', type: 'edited', editedText: 'It ships tomorrow.' },
      { interactionId: 'fb-2', signalId: 'i-5', type: 'adopted', adoption: 'partial' },
      { interactionId: 'fb-2', signalId: 'i-6', type: 'deleted' },
      { interactionId: 'fb-2', signalId: 'i-7', type: 'followUp', reask: false },
      { interactionId: 'fb-2', signalId: 'i-8', type: 'corrected' },
    ];
    const { body } = await t.gql(RecordSignalsDocument, { inputs });
    const result = body.data?.recordSignals;
    if (result?.__typename !== 'RecordedSignals') throw new Error(JSON.stringify(body));
    expect(result).toMatchObject({ accepted: 8, rejected: 0 });
    await settled(t.app);
    const view = await t.gql(InteractionFeedbackDocument, { id: 'fb-2' });
    const interaction = view.body.data?.interaction;
    expect(interaction?.signalSummary.total).toBe(8);
    expect(interaction?.replacedBy).toBe('fb-2b');
    const byType = Object.fromEntries((interaction?.signals ?? []).map((s) => [s.type, s]));
    expect(byType['stopped']).toMatchObject({ tokensReceived: 17, source: 'client' });
    expect(byType['copied']).toMatchObject({ fraction: 0.4 });
    expect(byType['edited']).toMatchObject({ editedText: 'It ships tomorrow.', editDistance: 0.3333 });
    expect(byType['adopted']).toMatchObject({ adoption: 'partial' });
    expect(byType['followUp']).toMatchObject({ reask: false });
  });

  it('answers each item of a batch on its own: NotFound, InputInvalid with its path, and the good ones', async () => {
    await log('fb-3');
    const { body } = await t.gql(RecordSignalsDocument, {
      inputs: [
        { interactionId: 'fb-3', type: 'thumbsDown' },
        { interactionId: 'fb-missing', type: 'thumbsDown' },
        { interactionId: 'fb-3', type: 'copied', tokensReceived: 3 },
        { interactionId: 'fb-3', type: 'adopted' },
      ],
    });
    const result = body.data?.recordSignals;
    if (result?.__typename !== 'RecordedSignals') throw new Error(JSON.stringify(body));
    expect(result.items.map((i) => i.__typename)).toEqual(['SignalAccepted', 'NotFound', 'InputInvalid', 'InputInvalid']);
    const invalid = result.items[2];
    if (invalid?.__typename !== 'InputInvalid') throw new Error(JSON.stringify(invalid));
    expect(invalid.issues.map((i) => i.path)).toEqual(['inputs.2.tokensReceived']);
  });

  it('records feedback on an interaction logged with privacy findings ahead of it in its stream', async () => {
    const input = logInput('fb-a', 'fb-pii');
    const { body } = await t.gql(LogInteractionDocument, {
      input: { ...input, request: { model: 'm', messages: [{ role: 'user', content: 'Mail jane.doe@example.com about order 4411, please.' }] } },
    });
    expect(body.data?.logInteraction.__typename).toBe('InteractionAccepted');
    const stream = await t.app.store.readStream('interaction-fb-pii');
    expect(stream[0]?.type).not.toBe('InteractionLogged');
    const { result } = await record({ interactionId: 'fb-pii', type: 'thumbsUp' });
    expect(result).toMatchObject({ __typename: 'SignalAccepted', workloadId: 'fb-a' });
  });

  it('refuses a batch over 1,000 signals with BatchTooLarge', async () => {
    const { body } = await t.gql(RecordSignalsDocument, { inputs: Array.from({ length: 1001 }, () => ({ interactionId: 'x', type: 'deleted' as const })) });
    expect(body.data?.recordSignals).toMatchObject({ __typename: 'BatchTooLarge', max: 1000 });
  });

  it('refuses a key without the feedback scope (403), and one restricted to another workload (Forbidden)', async () => {
    await log('fb-4', 'fb-b');
    const { key: readOnly } = await issueKey(t, ['read']);
    const denied = await record({ interactionId: 'fb-4', type: 'thumbsUp' }, readOnly);
    expect(denied.status).toBe(403);
    expect(denied.body.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN' });
    const { key: other } = await issueKey(t, ['feedback'], { workloadIds: ['fb-a'] });
    const elsewhere = await record({ interactionId: 'fb-4', type: 'thumbsUp' }, other);
    expect(elsewhere.result).toMatchObject({ __typename: 'Forbidden', reason: 'WORKLOAD_NOT_ALLOWED' });
    expect((await t.app.store.readStream('interaction-fb-4')).filter((e) => e.type === 'SignalRecorded')).toHaveLength(0);
  });
});

describe('recordSignal with a feedback token', () => {
  it('accepts feedback on its own interaction, recorded as the token', async () => {
    const logged = await log('tok-1');
    const { result } = await record({ interactionId: 'tok-1', signalId: 'b-1', type: 'copied', fraction: 1 }, logged.feedbackToken);
    expect(result).toMatchObject({ __typename: 'SignalAccepted', interactionId: 'tok-1' });
    const signal = (await t.app.store.readStream('interaction-tok-1')).find((e) => e.type === 'SignalRecorded');
    expect(signal?.metadata.actor).toBe('token:tok-1');
  });

  it('refuses another interaction with Forbidden, before reading it (so nothing about it leaks)', async () => {
    const own = await log('tok-2');
    await log('tok-3');
    const other = await record({ interactionId: 'tok-3', type: 'thumbsDown' }, own.feedbackToken);
    expect(other.result).toMatchObject({ __typename: 'Forbidden', reason: 'INTERACTION_NOT_ALLOWED', forbiddenInteractionId: 'tok-3' });
    const missing = await record({ interactionId: 'tok-nowhere', type: 'thumbsDown' }, own.feedbackToken);
    expect(missing.result).toMatchObject({ __typename: 'Forbidden', reason: 'INTERACTION_NOT_ALLOWED' });
    // Before the input is checked, too: a bad field on another interaction is still just Forbidden.
    const invalid = await record({ interactionId: 'tok-3', type: 'copied', fraction: 7 }, own.feedbackToken);
    expect(invalid.result).toMatchObject({ __typename: 'Forbidden', reason: 'INTERACTION_NOT_ALLOWED' });
    const batch = await t.gql(RecordSignalsDocument, { inputs: [{ interactionId: 'tok-2', type: 'deleted' }, { interactionId: 'tok-3', type: 'deleted' }] }, { key: own.feedbackToken });
    const items = batch.body.data?.recordSignals;
    if (items?.__typename !== 'RecordedSignals') throw new Error(JSON.stringify(batch.body));
    expect(items.items.map((i) => i.__typename)).toEqual(['SignalAccepted', 'Forbidden']);
    expect((await t.app.store.readStream('interaction-tok-3')).filter((e) => e.type === 'SignalRecorded')).toHaveLength(0);
  });

  it('refuses an expired or a forged token with 401, and a token cannot read', async () => {
    const logged = await log('tok-4');
    const secret = await feedbackTokenSecret(t);
    const expired = issueFeedbackToken(secret, { interactionId: 'tok-4', workloadId: 'fb-a' }, new Date(Date.now() - 3600_000), 60);
    const late = await record({ interactionId: 'tok-4', type: 'thumbsUp' }, expired.token);
    expect(late.status).toBe(401);
    expect(late.body.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'FEEDBACK_TOKEN_EXPIRED' });

    const [payload, signature] = logged.feedbackToken.split('.');
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8'));
    const otherPayload = Buffer.from(JSON.stringify({ ...claims, interactionId: 'tok-1' })).toString('base64url');
    const forged = await record({ interactionId: 'tok-1', type: 'thumbsDown' }, `${otherPayload}.${signature}`);
    expect(forged.status).toBe(401);
    expect(forged.body.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'FEEDBACK_TOKEN_FORGED' });

    const read = await t.gql(InteractionFeedbackDocument, { id: 'tok-4' }, { key: logged.feedbackToken });
    expect(read.status).toBe(403);
    expect((await t.app.store.readStream('interaction-tok-4')).filter((e) => e.type === 'SignalRecorded')).toHaveLength(0);
  });
});

describe('POST /feedback/beacon', () => {
  const beacon = (body: string) =>
    t.app.yoga.fetch('http://localhost/feedback/beacon', { method: 'POST', headers: { 'content-type': 'text/plain;charset=UTF-8' }, body });

  it('records signals carrying their token in the body (no headers: what sendBeacon can send), each on its own', async () => {
    const a = await log('bcn-1');
    const b = await log('bcn-2');
    const response = await beacon(
      JSON.stringify({
        signals: [
          { token: a.feedbackToken, interactionId: 'bcn-1', signalId: 'x-1', type: 'copied', fraction: 0.5 },
          { token: b.feedbackToken, interactionId: 'bcn-2', signalId: 'x-2', type: 'thumbsDown' },
          { token: a.feedbackToken, interactionId: 'bcn-2', signalId: 'x-3', type: 'thumbsUp' },
          { token: 'forged.token', interactionId: 'bcn-1', signalId: 'x-4', type: 'thumbsUp' },
          { interactionId: 'bcn-1', type: 'thumbsUp' },
        ],
      }),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    const { results } = JSON.parse(await response.text());
    expect(results).toEqual([
      { signalId: 'x-1', interactionId: 'bcn-1', status: 'recorded' },
      { signalId: 'x-2', interactionId: 'bcn-2', status: 'recorded' },
      { signalId: 'x-3', interactionId: 'bcn-2', status: 'refused', code: 'FORBIDDEN' },
      { signalId: 'x-4', interactionId: 'bcn-1', status: 'refused', code: 'FEEDBACK_TOKEN_MALFORMED' },
      { signalId: null, interactionId: 'bcn-1', status: 'refused', code: 'FEEDBACK_TOKEN_MISSING' },
    ]);
    const again = await beacon(JSON.stringify({ signals: [{ token: a.feedbackToken, interactionId: 'bcn-1', signalId: 'x-1', type: 'copied', fraction: 0.5 }] }));
    expect(JSON.parse(await again.text()).results[0].status).toBe('duplicate');
  });

  it('refuses a signal that names no interaction as FORBIDDEN: a token sends feedback on its own interaction only', async () => {
    const a = await log('bcn-3');
    const response = await beacon(JSON.stringify({ signals: [{ token: a.feedbackToken, signalId: 'x-5', type: 'thumbsUp' }] }));
    expect(response.status).toBe(200);
    expect(JSON.parse(await response.text()).results).toEqual([{ signalId: 'x-5', interactionId: null, status: 'refused', code: 'FORBIDDEN' }]);
  });

  it('answers 400 to a body that is not the expected JSON, 405 to other methods, 413 when too large', async () => {
    expect((await beacon('not json')).status).toBe(400);
    expect((await beacon('{"signals": 3}')).status).toBe(400);
    expect((await t.app.yoga.fetch('http://localhost/feedback/beacon', { method: 'GET' })).status).toBe(405);
    expect((await beacon(JSON.stringify({ signals: [], pad: 'x'.repeat(70_000) }))).status).toBe(413);
  });
});
