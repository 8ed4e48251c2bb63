import { catalogue, type NewDomainEvent } from '../events/catalogue';
import { CataloguedEventStore } from '../events/catalogued-event-store';
import { JudgeSamplingSet, type JudgeSamplingData } from '../events/catalogue/evaluation';
import type { ReadStreamOptions } from '../events/event-store';
import { ExpectedRevisionConflict } from '../events/errors';
import { SqliteEventStore } from '../events/sqlite/sqlite-event-store';
import { interactionLogged } from '../test/events';
import { handleCommand } from './command-handler';
import * as signals from './feedback/decider';
import { thumbs } from './feedback/test-fixtures';
import * as interaction from './ingest/decider';
import { InteractionIdConflict } from './ingest/decider';
import { settingsDecider, type ReplaceSettings } from './settings-decider';

/** The real catalogued store, with a hook that runs after each stream read (a rival writer, say) and a read count. */
class WatchedStore extends CataloguedEventStore {
  reads = 0;
  afterRead: (() => Promise<void>) | null = null;

  override async readStream(stream: string, options?: ReadStreamOptions) {
    const events = await super.readStream(stream, options);
    this.reads += 1;
    const hook = this.afterRead;
    if (hook) await hook();
    return events;
  }
}

const sampling = settingsDecider({ event: JudgeSamplingSet, read: (e) => (e.type === 'JudgeSamplingSet' ? e.data : null) });
const metadata = { actor: 'key:test', correlationId: 'c-1', causationId: null, occurredAt: '2026-12-01T10:00:00.000Z' };
const setRate = (rate: number): ReplaceSettings<JudgeSamplingData> => ({
  type: 'ReplaceSettings',
  key: 'support-bot',
  data: { workloadId: 'support-bot', rate, nodeTypes: [], models: [] },
  metadata,
});
const STREAM = 'judgesampling-support-bot';

let raw: SqliteEventStore;
let store: WatchedStore;
beforeEach(async () => {
  raw = await SqliteEventStore.open({ path: ':memory:' });
  store = new WatchedStore(raw, catalogue);
});
afterEach(() => raw.close());

const rates = async () => (await store.readStream(STREAM)).map((e) => (e.type === 'JudgeSamplingSet' ? e.data.rate : null));

describe('handleCommand: load, decide, append', () => {
  it('given no stream, when a command is decided, then its events are appended and the state moves', async () => {
    const handled = await handleCommand(store, STREAM, sampling, setRate(0.5));
    expect(handled.events).toHaveLength(1);
    expect(handled.state).toMatchObject({ version: 1, current: { rate: 0.5 } });
    expect(handled.position).toBe(await store.headPosition());
    expect(await rates()).toEqual([0.5]);
  });

  it('given the decision already in the stream, then nothing is appended and the position is the stream’s last', async () => {
    const first = await handleCommand(store, STREAM, sampling, setRate(0.5));
    const again = await handleCommand(store, STREAM, sampling, setRate(0.5));
    expect(again.events).toEqual([]);
    expect(again.position).toBe(first.position);
    expect(await rates()).toEqual([0.5]);
  });

  it('given a rival write between the read and the append, then the command is decided again on the new history', async () => {
    store.afterRead = async () => {
      store.afterRead = null;
      await handleCommand(store, STREAM, sampling, setRate(0.2));
    };
    const handled = await handleCommand(store, STREAM, sampling, setRate(0.5));
    // Decided on top of the rival's change: version 2, after it.
    expect(handled.state).toMatchObject({ version: 2, current: { rate: 0.5 } });
    expect(await rates()).toEqual([0.2, 0.5]);
  });

  it('given a rival that made the same change meanwhile, then both land on one fact (same id): one event, one position', async () => {
    let rival: number | null = null;
    store.afterRead = async () => {
      store.afterRead = null;
      rival = (await handleCommand(store, STREAM, sampling, setRate(0.5))).position;
    };
    const handled = await handleCommand(store, STREAM, sampling, setRate(0.5));
    expect(handled.position).toBe(rival);
    expect(await rates()).toEqual([0.5]);
  });

  it('given rivals on every attempt, then ExpectedRevisionConflict after maxAttempts, and nothing of its own appended', async () => {
    let rival = 0;
    store.afterRead = async () => {
      if (store.reads > 3) return;
      await raw.append(STREAM, [JudgeSamplingSet.create({ id: crypto.randomUUID(), data: setRate(0.1 + rival++ / 10).data, metadata })].map((e) => catalogue.parseNew(e)));
    };
    await expect(handleCommand(store, STREAM, sampling, setRate(0.9), { maxAttempts: 3 })).rejects.toBeInstanceOf(ExpectedRevisionConflict);
    expect(await rates()).not.toContain(0.9);
  });
});

describe('handleCommand, optimistic', () => {
  const content = interactionLogged({ interactionId: 'i-1' });
  const logCommand = (changes: Partial<interaction.InteractionContent> = {}): interaction.LogInteraction => {
    if (content.type !== 'InteractionLogged') throw new Error('fixture');
    const { contentHash: _hash, ...c } = content.data;
    return { type: 'LogInteraction', content: { ...c, ...changes }, metadata };
  };
  const optimistic = { optimistic: { assume: interaction.initialState, expectedRevision: 'no_stream' as const } };

  it('given the assumed state holds, then it appends without reading the stream', async () => {
    const handled = await handleCommand(store, 'interaction-i-1', interaction, logCommand(), optimistic);
    expect(handled.events.map((e) => e.type)).toEqual(['InteractionLogged']);
    expect(store.reads).toBe(0);
  });

  it('given a retry of the same content, then the store answers with the original and nothing is appended twice', async () => {
    const first = await handleCommand(store, 'interaction-i-1', interaction, logCommand(), optimistic);
    const retry = await handleCommand(store, 'interaction-i-1', interaction, logCommand(), optimistic);
    expect(retry.position).toBe(first.position);
    expect(await store.readStream('interaction-i-1')).toHaveLength(1);
  });

  it('given the stream holds other content, then the conflict sends it to the decider with the history: InteractionIdConflict', async () => {
    await handleCommand(store, 'interaction-i-1', interaction, logCommand(), optimistic);
    await expect(handleCommand(store, 'interaction-i-1', interaction, logCommand({ latencyMs: 1 }), optimistic)).rejects.toBeInstanceOf(InteractionIdConflict);
    expect(store.reads).toBe(1);
  });

  describe('with detectRetry (a signal id the store recognises, whatever its content)', () => {
    const facts = { status: 'logged' as const, workloadId: 'support-bot', interactionAt: '2026-11-26T10:00:00.000Z', answer: 'It ships today.', signals: new Map<string, string>() };
    const record = (signal: ReturnType<typeof thumbs>): signals.RecordSignal => ({ type: 'RecordSignal', signal, metadata });
    const options = { optimistic: { assume: facts, expectedRevision: 'any' as const, detectRetry: true } };
    beforeEach(async () => {
      await store.append('interaction-i-1', [content]);
    });

    it('given a new signal, then it is appended without reading the stream', async () => {
      const handled = await handleCommand(store, 'interaction-i-1', signals, record(thumbs('i-1', true, 's-1')), options);
      expect(handled.events).toHaveLength(1);
      expect(store.reads).toBe(0);
    });

    it('given the same signal again, then nothing new, and the original position (a duplicate)', async () => {
      const first = await handleCommand(store, 'interaction-i-1', signals, record(thumbs('i-1', true, 's-1')), options);
      const again = await handleCommand(store, 'interaction-i-1', signals, record(thumbs('i-1', true, 's-1')), options);
      expect(again.events).toEqual([]);
      expect(again.position).toBe(first.position);
      expect((await store.readStream('interaction-i-1')).filter((e: NewDomainEvent) => e.type === 'SignalRecorded')).toHaveLength(1);
    });

    it('given other content under a signal id already used, then the decider refuses it: SignalIdConflict', async () => {
      await handleCommand(store, 'interaction-i-1', signals, record(thumbs('i-1', true, 's-1')), options);
      await expect(handleCommand(store, 'interaction-i-1', signals, record(thumbs('i-1', false, 's-1')), options)).rejects.toBeInstanceOf(signals.SignalIdConflict);
      const stored = (await store.readStream('interaction-i-1')).filter((e) => e.type === 'SignalRecorded');
      expect(stored.map((e) => (e.type === 'SignalRecorded' ? e.data.type : null))).toEqual(['thumbsUp']);
    });
  });
});
