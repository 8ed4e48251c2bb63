import { randomUUID } from 'node:crypto';
import type { DomainEvent, NewDomainEvent } from '../events/catalogue';
import { InteractionLogged, type InteractionLoggedData } from '../events/catalogue/ingest';
import { contentHashOf, type InteractionContent } from '../services/ingest/decider';

/** A stored event as the projector would hand it over. */
export function recorded(event: NewDomainEvent, position: number, revision = 0): DomainEvent {
  const stream = event.type === 'InteractionLogged' ? `interaction-${event.data.interactionId}` : `test-${event.id}`;
  return { ...event, stream, revision, position, recordedAt: new Date(Date.parse(event.metadata.occurredAt) + 5).toISOString() };
}

export function interactionContent(overrides: Partial<InteractionContent> = {}): InteractionContent {
  return {
    interactionId: overrides.interactionId ?? randomUUID(),
    workloadId: 'support-bot',
    clientId: 'web',
    conversationId: 'conv-1',
    sessionId: null,
    subjectId: 'user-1',
    model: 'gpt-4o-mini',
    request: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Where is my order?' }] },
    response: { model: 'gpt-4o-mini', choices: [{ message: { role: 'assistant', content: 'It ships today.' }, finish_reason: 'stop' }] },
    promptVersionId: 'v1',
    latencyMs: 640,
    usage: { promptTokens: 12, completionTokens: 5, totalTokens: 17 },
    costUsd: 0.00001,
    pipeline: null,
    tags: ['orders'],
    ...overrides,
  };
}

export function interactionLogged(overrides: Partial<InteractionContent> = {}, occurredAt = '2026-11-26T10:00:00.000Z'): NewDomainEvent {
  const content = interactionContent(overrides);
  const data: InteractionLoggedData = { ...content, contentHash: contentHashOf(content) };
  return InteractionLogged.create({ id: randomUUID(), data, metadata: { correlationId: randomUUID(), causationId: null, actor: 'key:test', occurredAt } });
}
