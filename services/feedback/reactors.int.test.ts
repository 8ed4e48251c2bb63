import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { catalogue, type DomainEvent } from '../../events/catalogue';
import { CataloguedEventStore } from '../../events/catalogued-event-store';
import { SqliteEventStore } from '../../events/sqlite/sqlite-event-store';
import { silentLogger } from '../../lib/logger';
import { SqliteReadStore } from '../../projections/embedded/sqlite-read-store';
import { feedbackDailyProjection } from '../../projections/feedback-daily';
import { feedbackFactsProjection } from '../../projections/feedback-facts';
import { feedbackSignalsProjection } from '../../projections/feedback-signals';
import { interactionsProjection } from '../../projections/interactions';
import { Projector } from '../../projections/projector';
import { interactionLogged } from '../../test/events';
import { InProcessBus } from '../bus/in-process-bus';
import { publisherOn } from '../bus/bus';
import { reactorCheckpoint, ReactorRunner, type Reactor } from '../reactor';
import { correctionDetector, turnsFromReadModel } from './detector-reactor';
import { outcomeReactor } from './outcome-reactor';
import { signalRecorded, thumbs } from './test-fixtures';
import { WeightsReader } from './weights';
import { settled } from '../../test/settle';

let dir: string;
let raw: SqliteEventStore;
let store: CataloguedEventStore;
let readStore: SqliteReadStore;
let projector: Projector;
let runners: ReactorRunner[];

function runner(reactor: Reactor): ReactorRunner {
  return new ReactorRunner(reactor, { store, parser: catalogue, readStore, logger: silentLogger, retryDelayMs: 1, maxAttempts: 2 });
}

function reactors(): Reactor[] {
  return [
    outcomeReactor({ store, weights: new WeightsReader(store) }),
    correctionDetector({ store, turns: turnsFromReadModel(readStore, (p) => projector.waitFor(p)) }),
  ];
}

/** Reactions append events, which cause more reactions: until nothing moves. */
async function settle(): Promise<number> {
  return settled({ store, projector, reactors: runners });
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'flywheel-feedback-'));
  raw = await SqliteEventStore.open({ path: join(dir, 'events.db') });
  store = new CataloguedEventStore(raw, catalogue);
  readStore = SqliteReadStore.open({ path: join(dir, 'read.db') });
  projector = new Projector({ store: raw, readStore, publish: publisherOn(new InProcessBus()), parser: catalogue, projections: [interactionsProjection, feedbackSignalsProjection, feedbackDailyProjection, feedbackFactsProjection], logger: silentLogger });
  await projector.start();
  runners = reactors().map(runner);
  for (const r of runners) await r.start();
});
afterEach(async () => {
  for (const r of runners) await r.stop();
  await projector.stop();
  await store.close();
  await readStore.close();
  rmSync(dir, { recursive: true, force: true });
});

const system = { role: 'system', content: 'You are Acme support.' };
async function log(id: string, messages: { role: string; content: string }[], answer: string, extra: Parameters<typeof interactionLogged>[0] = {}) {
  const event = interactionLogged({
    interactionId: id,
    conversationId: 'conv-1',
    request: { model: 'm', messages },
    response: { choices: [{ message: { role: 'assistant', content: answer } }] },
    ...extra,
  });
  await store.append(`interaction-${id}`, [event]);
}

async function streamOf(id: string): Promise<readonly DomainEvent[]> {
  return store.readStream(`interaction-${id}`);
}

describe('correction detector', () => {
  it('given a next turn that corrects the answer, then a corrected signal with evidence on the answered turn', async () => {
    const q1 = { role: 'user', content: 'Can I get a refund for last month?' };
    await log('t-1', [system, q1], 'Refunds are possible within 30 days.');
    await log('t-2', [system, q1, { role: 'assistant', content: 'Refunds are possible within 30 days.' }, { role: 'user', content: 'No, I meant the annual plan.' }], 'For the annual plan the refund is pro-rated.');
    await settle();
    const signals = (await streamOf('t-1')).flatMap((e) => (e.type === 'SignalRecorded' ? [e] : []));
    expect(signals).toHaveLength(1);
    expect(signals[0]?.data).toMatchObject({
      type: 'corrected',
      source: 'detector',
      signalId: 'detected-correction:t-2',
      evidence: { nextInteractionId: 't-2', language: 'en', excerpt: 'No, I meant the annual plan.' },
    });
    expect(signals[0]?.metadata.actor).toBe('system:feedback-detector');
    expect(await streamOf('t-2')).toHaveLength(1);
  });

  it('given a re-ask without history, then a follow-up re-ask on the latest turn; a word-for-word repeat (a regeneration) is not one', async () => {
    await log('r-1', [{ role: 'user', content: 'How many orders shipped last week?' }], '1,284.');
    await log('r-2', [{ role: 'user', content: 'How many orders were shipped during last week?' }], '1,284 orders.');
    await log('r-3', [{ role: 'user', content: 'How many orders were shipped during last week?' }], 'About 1,300.');
    await settle();
    const signals = (await streamOf('r-1')).flatMap((e) => (e.type === 'SignalRecorded' ? [e.data] : []));
    expect(signals).toEqual([expect.objectContaining({ type: 'followUp', reask: true, evidence: expect.objectContaining({ rule: 'reask:overlap' }) })]);
    expect((await streamOf('r-2')).filter((e) => e.type === 'SignalRecorded')).toHaveLength(0);
  });

  it('skips pipeline steps and tool round trips', async () => {
    await log('p-1', [{ role: 'user', content: 'Top customers?' }], 'revenue', { pipeline: { runId: 'conv-1', nodeId: 'c', nodeType: 'classifier' } });
    await log('p-2', [{ role: 'user', content: 'No, top customers by revenue' }], 'SELECT …', { pipeline: { runId: 'conv-1', nodeId: 'g', nodeType: 'codegen' } });
    await log('p-3', [{ role: 'user', content: 'Top customers?' }, { role: 'tool', content: '{}' }], 'Done.');
    await settle();
    for (const id of ['p-1', 'p-2', 'p-3']) expect((await streamOf(id)).filter((e) => e.type === 'SignalRecorded')).toHaveLength(0);
  });
});

describe('outcome reactor', () => {
  it('given signals on an interaction, then OutcomeInferred whenever the outcome moves, each naming the one before', async () => {
    await log('o-1', [{ role: 'user', content: 'Hi' }], 'Hello!');
    const copy = signalRecorded({ signalId: 'c', interactionId: 'o-1', source: 'client', type: 'copied', fraction: 1 });
    const follow = signalRecorded({ signalId: 'f', interactionId: 'o-1', source: 'client', type: 'followUp', reask: false, evidence: null });
    const down = signalRecorded(thumbs('o-1', false, 'd'));
    for (const e of [copy, follow, down]) await store.append('interaction-o-1', [e]);
    await settle();
    const outcomes = (await streamOf('o-1')).flatMap((e) => (e.type === 'OutcomeInferred' ? [e.data] : []));
    expect(outcomes.map((o) => [o.previousOutcome, o.outcome, o.signalId])).toEqual([
      [null, 'unknown', 'c'],
      ['unknown', 'good', 'f'],
      ['good', 'bad', 'd'],
    ]);
    expect(outcomes[1]?.confidence).toBe(0.75);
    expect(outcomes.every((o) => o.weightsRevision === -1)).toBe(true);
  });

  it('keeps up with many interactions at once, and a replay from scratch appends nothing again', async () => {
    await Promise.all(Array.from({ length: 60 }, (_, i) => log(`m-${i}`, [{ role: 'user', content: `q${i}` }], 'a', { conversationId: `c-${i}` })));
    await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        store.append(`interaction-m-${i}`, [signalRecorded(thumbs(`m-${i}`, i % 2 === 0, 's1')), signalRecorded(thumbs(`m-${i}`, true, 's2', 'speed'))]),
      ),
    );
    await settle();
    const head = await store.headPosition();
    const count = async () => (await raw.readAll({ filter: { eventTypes: ['OutcomeInferred'] }, maxCount: 1000 })).events.length;
    expect(await count()).toBe(60);

    for (const r of runners) await r.stop();
    for (const r of reactors()) await readStore.drop([], reactorCheckpoint(r.name));
    runners = reactors().map(runner);
    for (const r of runners) await r.start();
    for (const r of runners) await r.waitFor(head);
    expect(await store.headPosition()).toBe(head);
    expect(await count()).toBe(60);
  });
});
