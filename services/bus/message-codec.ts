import { InvalidMessage, MAX_MESSAGE_BYTES, type BusMessage } from './bus';

/**
 * Both adapters serialise every message, the in-process one included, so a subscriber always
 * gets its own copy with JSON semantics (dates become strings, undefined fields vanish) and a
 * message that works in-process also works over NATS.
 */
export function encodeMessage(topic: string, message: BusMessage, maxBytes = MAX_MESSAGE_BYTES): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(message);
  } catch (error) {
    // Cycles and BigInt values: the caller's bug, reported as the port's error rather than a TypeError.
    throw new InvalidMessage(topic, error instanceof Error ? error.message : 'not serialisable');
  }
  if (text === undefined || !text.startsWith('{')) throw new InvalidMessage(topic, 'must serialise to a JSON object');
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > maxBytes) throw new InvalidMessage(topic, `${bytes} bytes is over the ${maxBytes}-byte limit`);
  return text;
}

/** Undefined when the text is not a JSON object: another publisher's garbage must not kill a subscriber. */
export function decodeMessage<T extends BusMessage>(text: string): T | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  // The port's T is the subscriber's claim about what is published on its topic; the bus has no
  // schema to check it against, so this is the one place that claim is taken on trust.
  return value as T;
}
