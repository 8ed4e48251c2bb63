import { deciderSpec } from '../../test/gwt';
import { interactionLogged } from '../../test/events';
import { NotFound } from '../errors';
import type { SignalContent } from './commands';
import { decide, evolve, initialState, SignalIdConflict, type RecordSignal } from './decider';
import { signalRecorded, thumbs } from './test-fixtures';

const spec = deciderSpec({ decide, evolve, initialState });
const metadata = { correlationId: 'c', causationId: null, actor: 'key:test', occurredAt: '2026-11-26T10:01:00.000Z', schemaVersion: 1 };
const logged = interactionLogged({ interactionId: 'i-1', workloadId: 'support-bot' });
const record = (signal: SignalContent): RecordSignal => ({ type: 'RecordSignal', signal, metadata });

describe('recording a signal', () => {
  const up = thumbs('i-1', true, 's-1');

  it('given a logged interaction, when a thumbs up is recorded, then SignalRecorded on it', () => {
    spec.given([logged]).when(record(up)).then([signalRecorded(up)]);
  });

  it('given no interaction, when a signal is recorded, then NotFound', () => {
    spec.given([]).when(record(up)).thenThrows(NotFound);
  });

  it('given the same signal already recorded, when it is sent again, then nothing (a retry)', () => {
    spec.given([logged, signalRecorded(up)]).when(record(up)).then([]);
  });

  it('given a signal id already used, when other content comes under it, then SignalIdConflict', () => {
    spec.given([logged, signalRecorded(up)]).when(record(thumbs('i-1', false, 's-1'))).thenThrows(SignalIdConflict);
  });

  it('given the answer as logged, when an edit is recorded, then the edit distance is measured against it', () => {
    // The logged answer is "It ships today."; six character edits over the 18 of the longer text.
    const edit: SignalContent = { signalId: 's-2', interactionId: 'i-1', source: 'client', type: 'edited', editedText: 'It ships tomorrow.', editDistance: 0.9 };
    spec.given([logged]).when(record(edit)).then([signalRecorded(edit, { editDistance: 0.3333 })]);
  });

  it('given the interaction, when a regeneration links its replacement, then it is recorded with the link', () => {
    const regen: SignalContent = { signalId: 's-3', interactionId: 'i-1', source: 'client', type: 'regenerated', replacementInteractionId: 'i-2' };
    spec.given([logged]).when(record(regen)).then([signalRecorded(regen)]);
  });
});
