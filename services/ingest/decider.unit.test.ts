import { deciderSpec } from '../../test/gwt';
import { decide, evolve, initialState, InteractionIdConflict, contentHashOf, type InteractionContent, type LogInteraction } from './decider';
import type { NewDomainEvent } from '../../events/catalogue';

const content: InteractionContent = {
  interactionId: 'int-1',
  workloadId: 'support-bot',
  clientId: 'web',
  conversationId: 'conv-1',
  sessionId: null,
  subjectId: 'user-42',
  model: 'gpt-4o-mini',
  request: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello' }] },
  response: { choices: [{ message: { role: 'assistant', content: 'hi!' } }] },
  promptVersionId: null,
  latencyMs: 120,
  usage: { promptTokens: 3, completionTokens: 2, totalTokens: 5 },
  costUsd: null,
  pipeline: null,
  tags: [],
};
const metadata = { actor: 'key:k1', correlationId: 'corr-1', causationId: null, occurredAt: '2026-11-26T10:00:00.000Z', schemaVersion: 1 };
const log = (c: InteractionContent): LogInteraction => ({ type: 'LogInteraction', content: c, metadata });

const spec = deciderSpec<LogInteraction, typeof initialState, NewDomainEvent>({ decide, evolve, initialState });

describe('ingest decider', () => {
  const logged = decide(log(content), initialState);

  it('given no history, when an interaction is logged, then InteractionLogged with its content hash', () => {
    expect(logged).toHaveLength(1);
    const event = logged[0];
    expect(event?.type).toBe('InteractionLogged');
    expect(event?.data).toEqual({ ...content, contentHash: contentHashOf(content) });
    expect(event?.metadata).toEqual(metadata);
  });

  it('derives the event id from id and content, so a retry carries the same id', () => {
    expect(decide(log(content), initialState)[0]?.id).toBe(logged[0]?.id);
    expect(decide(log({ ...content, latencyMs: 121 }), initialState)[0]?.id).not.toBe(logged[0]?.id);
  });

  it('given the interaction was logged, when the same content is logged again, then nothing', () => {
    spec.given(logged).when(log(content)).then([]);
  });

  it('given the interaction was logged, when other content comes with its id, then InteractionIdConflict', () => {
    spec.given(logged).when(log({ ...content, tags: ['changed'] })).thenThrows(InteractionIdConflict);
  });

  it('hashes content independently of key order', () => {
    const reordered: InteractionContent = { ...content, request: { messages: content.request.messages, model: 'gpt-4o-mini' } };
    expect(contentHashOf(reordered)).toBe(contentHashOf(content));
  });
});
