import type { LogInteractionInput } from '../services/ingest/commands';

/** A realistic logged chat completion: the request and response bodies as the OpenAI SDK has them. */
export function chatInteraction(overrides: Partial<LogInteractionInput> = {}): LogInteractionInput {
  return {
    workloadId: 'support-bot',
    clientId: 'web',
    conversationId: 'conv-1',
    sessionId: 'sess-1',
    subjectId: 'user-42',
    request: {
      model: 'gpt-4o-mini',
      temperature: 0.2,
      messages: [
        { role: 'system', content: 'You are a helpful support assistant for Acme routers.' },
        { role: 'user', content: 'My router keeps dropping Wi-Fi every evening — what can I do? 📶' },
      ],
    },
    response: {
      id: 'chatcmpl-123',
      model: 'gpt-4o-mini-2024-07-18',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'Try moving to channel 1, 6 or 11 and updating the firmware.' },
          finish_reason: 'stop',
        },
      ],
      usage: { prompt_tokens: 41, completion_tokens: 17, total_tokens: 58 },
    },
    latencyMs: 812,
    costUsd: 0.000021,
    promptVersionId: 'support-v3',
    tags: ['router', 'wifi'],
    ...overrides,
  };
}
