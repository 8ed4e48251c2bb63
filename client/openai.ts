import { newId, type FlywheelClient } from './client';
import type { ChatRequest, InteractionInput, LoggedInteraction } from './types';

/** What the wrapper needs of an OpenAI client (the official SDK, or anything shaped like it). */
export interface OpenAILike {
  readonly chat: { readonly completions: { create(...args: never[]): PromiseLike<unknown> } };
}

export interface WrapOptions {
  readonly workloadId: string;
  /** Context for each call, from its request body (conversation, subject, …). */
  readonly context?: (body: ChatRequest) => Omit<InteractionInput, 'workloadId' | 'request' | 'response' | 'latencyMs' | 'id'>;
  /** Called with each logged interaction (hand `feedbackToken` to the browser); errors go to onLogError. */
  readonly onLogged?: (logged: LoggedInteraction, body: ChatRequest) => void;
  readonly onLogError?: (error: unknown) => void;
}

export interface LoggedCall {
  readonly interactionId: string;
  /** Resolves once Flywheel has the interaction, with its feedback token. */
  readonly logged: Promise<LoggedInteraction>;
}

const calls = new WeakMap<object, LoggedCall>();

/** The Flywheel interaction of a response (or stream) a wrapped client returned. */
export function interactionOf(response: object): LoggedCall | undefined {
  return calls.get(response);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function chatRequestOf(value: unknown): ChatRequest | null {
  if (!isRecord(value) || typeof value['model'] !== 'string' || !Array.isArray(value['messages'])) return null;
  return { ...value, model: value['model'], messages: value['messages'] };
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> & object {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

/**
 * Wraps an OpenAI client so every chat completion is logged to Flywheel, without changing what
 * the app gets back: the call is made, timed and returned as is, and logged in the background
 * (a Flywheel outage never fails the app's call). A streamed answer is logged when the stream
 * ends; a stream the app stops early is logged with what arrived and a `stopped` signal.
 */
export function wrapOpenAI<T extends OpenAILike>(openai: T, flywheel: FlywheelClient, options: WrapOptions): T {
  const completions = openai.chat.completions;
  const create = async (...args: unknown[]): Promise<unknown> => {
    const started = Date.now();
    const interactionId = newId();
    const result: unknown = await Reflect.apply(completions.create, completions, args);
    const body = chatRequestOf(args[0]);
    // Not a chat request we understand: the app's call goes through untouched, unlogged.
    if (!body) return result;
    const log = (response: Record<string, unknown> | null, stoppedAfter: number | null): Promise<LoggedInteraction> => {
      const input: InteractionInput = {
        ...options.context?.(body),
        id: interactionId,
        workloadId: options.workloadId,
        request: body,
        response,
        latencyMs: Date.now() - started,
      };
      const logged = flywheel.logInteraction(input);
      logged.then(
        (l) => {
          options.onLogged?.(l, body);
          if (stoppedAfter !== null) flywheel.feedback(l.interactionId).stopped(stoppedAfter);
        },
        (error: unknown) => options.onLogError?.(error),
      );
      return logged;
    };
    if (isRecord(args[0]) && args[0]['stream'] === true && isAsyncIterable(result)) return streamed(result, interactionId, log);
    const logged = log(isRecord(result) ? result : null, null);
    logged.catch(() => undefined);
    if (typeof result === 'object' && result !== null) calls.set(result, { interactionId, logged });
    return result;
  };
  const wrappedCompletions = new Proxy(completions, { get: (target, prop) => (prop === 'create' ? create : Reflect.get(target, prop)) });
  const chat = new Proxy(openai.chat, { get: (target, prop) => (prop === 'completions' ? wrappedCompletions : Reflect.get(target, prop)) });
  return new Proxy(openai, { get: (target, prop) => (prop === 'chat' ? chat : Reflect.get(target, prop)) });
}

/** Passes a stream through, assembling the answer from its chunks, and logs it when it ends. */
function streamed(
  source: AsyncIterable<unknown> & object,
  interactionId: string,
  log: (response: Record<string, unknown> | null, stoppedAfter: number | null) => Promise<LoggedInteraction>,
): AsyncIterable<unknown> {
  let content = '';
  let chunks = 0;
  let model: unknown;
  let usage: unknown;
  let finish: unknown = null;
  let done = false;
  const logged = deferred<LoggedInteraction>();
  logged.promise.catch(() => undefined);
  const finished = (early: boolean): void => {
    if (done) return;
    done = true;
    const message = { role: 'assistant', content };
    const response = { model, choices: [{ index: 0, message, finish_reason: early ? 'stop_by_user' : finish }], ...(usage ? { usage } : {}) };
    // Content chunks carry about one token each: the count of what the user saw before stopping.
    log(response, early ? chunks : null).then(logged.resolve, logged.reject);
  };
  const wrapped: AsyncIterable<unknown> = {
    async *[Symbol.asyncIterator]() {
      let completed = false;
      try {
        for await (const chunk of source) {
          if (isRecord(chunk)) {
            model ??= chunk['model'];
            if (chunk['usage']) usage = chunk['usage'];
            const choice = Array.isArray(chunk['choices']) ? chunk['choices'][0] : undefined;
            if (isRecord(choice)) {
              const delta = choice['delta'];
              if (isRecord(delta) && typeof delta['content'] === 'string' && delta['content'] !== '') {
                content += delta['content'];
                chunks += 1;
              }
              if (choice['finish_reason']) finish = choice['finish_reason'];
            }
          }
          yield chunk;
        }
        completed = true;
      } finally {
        finished(!completed);
      }
    },
  };
  calls.set(wrapped, { interactionId, logged: logged.promise });
  return wrapped;
}

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void } {
  let resolve: (value: T) => void = () => undefined;
  let reject: (error: unknown) => void = () => undefined;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
