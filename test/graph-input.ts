import type { LogInteractionInput } from '../graph/generated/operations';

/** A logged chat completion as a GraphQL client sends it (the generated input type, no casts). */
export function logInput(overrides: Partial<LogInteractionInput> & Pick<LogInteractionInput, 'workloadId'>): LogInteractionInput {
  return {
    clientId: 'web',
    conversationId: 'conv-1',
    sessionId: 'sess-1',
    subjectId: 'user-42',
    request: {
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'You are a helpful support assistant for Acme routers.' },
        { role: 'user', content: 'My router keeps dropping Wi-Fi every evening — what can I do?' },
      ],
    },
    response: {
      id: 'chatcmpl-123',
      model: 'gpt-4o-mini-2024-07-18',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Try channel 1, 6 or 11.' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 41, completion_tokens: 17, total_tokens: 58 },
    },
    latencyMs: 812,
    costUsd: 0.000021,
    promptVersionId: 'support-v3',
    tags: ['router', 'wifi'],
    ...overrides,
  };
}
