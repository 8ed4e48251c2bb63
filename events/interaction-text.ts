import type { ChatMessage, InteractionLoggedData } from './catalogue/ingest';

/** The text of a message's content (string, or the text parts of a multi-part content). */
export function contentText(message: ChatMessage | undefined | null): string | null {
  const content = message?.content;
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    const texts = content.flatMap((part) => (typeof part['text'] === 'string' ? [part['text']] : []));
    return texts.length > 0 ? texts.join('') : null;
  }
  return null;
}

/** The answer the user saw: the first choice's message text. */
export function answerText(data: Pick<InteractionLoggedData, 'response'>): string | null {
  return contentText(data.response?.choices?.[0]?.message ?? null);
}

/** The last message of the request, when it is a user's: a new user turn (not a tool round trip). */
export function newUserTurn(data: Pick<InteractionLoggedData, 'request'>): string | null {
  const last = data.request.messages[data.request.messages.length - 1];
  return last?.role === 'user' ? contentText(last) : null;
}

/** The text of the last user message of the request, wherever it is. */
export function lastUserText(data: Pick<InteractionLoggedData, 'request'>): string | null {
  for (let i = data.request.messages.length - 1; i >= 0; i--) {
    const message = data.request.messages[i];
    if (message?.role === 'user') return contentText(message);
  }
  return null;
}

/**
 * The assistant answer the new user turn replies to, when the app sent the history: the last
 * assistant message before the final user message.
 */
export function answerRepliedTo(data: Pick<InteractionLoggedData, 'request'>): string | null {
  const messages = data.request.messages;
  for (let i = messages.length - 2; i >= 0; i--) {
    const message = messages[i];
    if (message?.role === 'assistant') return contentText(message);
    if (message?.role === 'user') return null;
  }
  return null;
}

export type QueryLengthBand = 'short' | 'medium' | 'long';

/** Bands by characters of the user's question: under 60, up to 240, longer. */
export function queryLengthBand(text: string | null): QueryLengthBand {
  const length = text?.trim().length ?? 0;
  return length < 60 ? 'short' : length <= 240 ? 'medium' : 'long';
}

export function excerpt(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}
