import { z } from 'zod';
import type { RecordedEvent } from '../envelope';
import { InvalidEvent, InvalidEventType } from '../errors';
import { defineEvent, EventCatalogue, withVersion } from './define';

// A test-only event type that changed shape: v1 had one `name`, v2 splits it.
const v1 = defineEvent('PersonRegistered', z.object({ name: z.string() }));
const PersonRegistered = withVersion(v1, z.object({ firstName: z.string(), lastName: z.string() }), (d) => {
  const [firstName = '', ...rest] = d.name.split(' ');
  return { firstName, lastName: rest.join(' ') };
});
const catalogue = new EventCatalogue([PersonRegistered] as const);

/** What `run` throws; a run that does not throw fails the test. */
function thrownBy(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected it to throw');
}

function stored(data: unknown, schemaVersion: number): RecordedEvent {
  return {
    id: '00000000-0000-4000-8000-000000000001',
    type: 'PersonRegistered',
    data,
    metadata: { correlationId: 'c', causationId: null, actor: 'test', occurredAt: '2026-01-01T00:00:00.000Z', schemaVersion },
    stream: 'person-1',
    revision: 0,
    position: 0,
    recordedAt: '2026-01-01T00:00:00.000Z',
  };
}

describe('event catalogue', () => {
  it('reads a stored v1 event as v2 through its upcaster', () => {
    const event = catalogue.parseRecorded(stored({ name: 'Ada Lovelace King' }, 1));
    expect(event.data).toEqual({ firstName: 'Ada', lastName: 'Lovelace King' });
    expect(event.metadata.schemaVersion).toBe(2);
  });

  it('reads a current-version event as it is', () => {
    const event = catalogue.parseRecorded(stored({ firstName: 'Grace', lastName: 'Hopper' }, 2));
    expect(event.data).toEqual({ firstName: 'Grace', lastName: 'Hopper' });
  });

  it('stamps new events with the current schema version', () => {
    const parsed = catalogue.parseNew({ ...stored({ firstName: 'A', lastName: 'B' }, 1) });
    expect(parsed.metadata.schemaVersion).toBe(2);
  });

  it('refuses a new event that fails its schema, naming the field', () => {
    const error = thrownBy(() => catalogue.parseNew(stored({ firstName: 1 }, 2)));
    if (!(error instanceof InvalidEvent)) throw new Error(`expected InvalidEvent, got ${String(error)}`);
    expect(error.issues.map((i) => i.path)).toEqual(['firstName', 'lastName']);
  });

  it('refuses a stored v1 event whose data does not fit v1', () => {
    expect(() => catalogue.parseRecorded(stored({ nom: 'x' }, 1))).toThrow(InvalidEvent);
  });

  it('refuses unknown versions and unknown types', () => {
    expect(() => catalogue.parseRecorded(stored({ firstName: 'a', lastName: 'b' }, 3))).toThrow(InvalidEvent);
    expect(() => catalogue.parseRecorded({ ...stored({}, 1), type: 'NobodyKnows' })).toThrow(InvalidEventType);
  });

  it('refuses a type defined twice', () => {
    expect(() => new EventCatalogue([v1, v1] as const)).toThrow(/defined twice/);
  });
});

describe('EventDefinition.create', () => {
  const metadata = { correlationId: 'c', causationId: null, actor: 'test', occurredAt: '2026-01-01T00:00:00.000Z' };

  it('stamps the type and the current schema version: v1 of a new type, v2 after a change', () => {
    expect(v1.create({ id: 'e-1', data: { name: 'Ada' }, metadata })).toEqual({
      id: 'e-1',
      type: 'PersonRegistered',
      data: { name: 'Ada' },
      metadata: { ...metadata, schemaVersion: 1 },
    });
    expect(PersonRegistered.create({ id: 'e-2', data: { firstName: 'Ada', lastName: 'King' }, metadata }).metadata.schemaVersion).toBe(2);
  });

  it('overrides a version the caller carried along (a command’s metadata cannot pick the schema)', () => {
    const carried = { ...metadata, schemaVersion: 7 };
    const event = PersonRegistered.create({ id: 'e-3', data: { firstName: 'A', lastName: 'B' }, metadata: carried });
    expect(event.metadata.schemaVersion).toBe(2);
  });
});
