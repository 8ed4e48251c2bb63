import { DomainError, InputInvalid } from './errors';

/** Who is asking, for the events' metadata. Every command of every feature takes one. */
export interface CommandContext {
  readonly actor: string;
  readonly correlationId: string;
}

export type ItemResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: DomainError };

export class BatchTooLarge extends DomainError {
  readonly code = 'BATCH_TOO_LARGE';
  constructor(
    readonly size: number,
    readonly max: number,
  ) {
    super(`a batch holds at most ${max} items, got ${size}`);
  }
}

/**
 * A batch whose items are answered one by one: a refused item (any DomainError) does not stop
 * the others, and an InputInvalid names the item's place (`inputs.3.request.messages`). Every
 * item is in flight at once, so their appends share the event store's group commits; each gets
 * its own correlation id (`<correlationId>:<index>`). Anything but a DomainError fails the call.
 */
export async function eachItem<I, T, C extends CommandContext>(
  inputs: readonly I[],
  options: { readonly max: number; readonly context: C; readonly path?: string },
  handle: (input: I, context: C) => Promise<T>,
): Promise<ItemResult<T>[]> {
  if (inputs.length > options.max) throw new BatchTooLarge(inputs.length, options.max);
  const path = options.path ?? 'inputs';
  const { context } = options;
  return Promise.all(
    inputs.map(async (input, index): Promise<ItemResult<T>> => {
      try {
        return { ok: true, value: await handle(input, { ...context, correlationId: `${context.correlationId}:${index}` }) };
      } catch (error) {
        if (error instanceof InputInvalid) return { ok: false, error: error.within(`${path}.${index}`) };
        if (error instanceof DomainError) return { ok: false, error };
        throw error;
      }
    }),
  );
}

/**
 * A string field of an input not parsed yet, for checks that must come before parsing (who may
 * touch a workload or an interaction is answered before what is wrong with the rest); `''` when
 * it is missing or not a string, which no caller is allowed.
 */
export function rawField(input: unknown, field: string): string {
  if (typeof input !== 'object' || input === null) return '';
  const value: unknown = Reflect.get(input, field);
  return typeof value === 'string' ? value : '';
}
