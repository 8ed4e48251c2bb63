import type { NewDomainEvent } from '../../events/catalogue';
import { INTERACTION_CATEGORY } from '../../events/catalogue/ingest';
import { streamName, type EventMetadata } from '../../events/envelope';
import { ExpectedRevisionConflict } from '../../events/errors';
import type { DomainEventStore } from '../../events/catalogued-event-store';
import { DomainError, InputInvalid, issuesFromZod } from '../errors';
import { logInteractionInputSchema, MAX_BATCH, type ParsedLogInteraction } from './commands';
import { decide, evolve, initialState, type InteractionContent } from './decider';

/** Who is asking, for the events' metadata. */
export interface CommandContext {
  readonly actor: string;
  readonly correlationId: string;
}

export interface LoggedInteraction {
  readonly interactionId: string;
  readonly workloadId: string;
  /** Global position of the InteractionLogged event (the original one, for a retry). */
  readonly position: number;
}

export type ItemResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: DomainError };

/**
 * What the privacy screen makes of an interaction before anything is appended: the content to
 * store (redacted unless the workload's policy allows it as sent) and the events that go with it
 * in the same append (findings, encrypted originals), ids derived from the InteractionLogged id.
 */
export interface ScreenedContent {
  readonly content: InteractionContent;
  companions(logged: { readonly id: string; readonly metadata: EventMetadata }): NewDomainEvent[];
}

export type InteractionScreen = (content: InteractionContent) => Promise<ScreenedContent>;

export interface IngestDeps {
  /** The catalogued store: events are parsed against their schema before they are appended. */
  readonly store: DomainEventStore;
  readonly now: () => Date;
  readonly newId: () => string;
  /** Runs on every interaction before the append; without it texts are stored as sent (FLYWHEEL_REDACTION=off). */
  readonly screen?: InteractionScreen;
}

export class BatchTooLarge extends DomainError {
  readonly code = 'BATCH_TOO_LARGE';
  constructor(
    readonly size: number,
    readonly max: number,
  ) {
    super(`a batch holds at most ${max} items, got ${size}`);
  }
}

export class IngestService {
  constructor(private readonly deps: IngestDeps) {}

  /** Parses, decides and appends one interaction; resolves once the event is durable. */
  async log(input: unknown, context: CommandContext): Promise<LoggedInteraction> {
    const parsed = logInteractionInputSchema.safeParse(input);
    if (!parsed.success) throw new InputInvalid(issuesFromZod(parsed.error));
    const content = this.contentOf(parsed.data);
    const screened = this.deps.screen ? await this.deps.screen(content) : { content, companions: () => [] };
    return this.append(screened, parsed.data.occurredAt ?? null, context);
  }

  /** Each item is answered on its own; a bad item does not stop the others. */
  async logMany(inputs: readonly unknown[], context: CommandContext): Promise<ItemResult<LoggedInteraction>[]> {
    if (inputs.length > MAX_BATCH) throw new BatchTooLarge(inputs.length, MAX_BATCH);
    // All appends are in flight together, so the store commits them as a few group commits.
    return Promise.all(
      inputs.map(async (input, index): Promise<ItemResult<LoggedInteraction>> => {
        try {
          return { ok: true, value: await this.log(input, { ...context, correlationId: `${context.correlationId}:${index}` }) };
        } catch (error) {
          if (error instanceof DomainError) return { ok: false, error };
          throw error;
        }
      }),
    );
  }

  private contentOf(input: ParsedLogInteraction): InteractionContent {
    const usage = input.response?.usage;
    return {
      interactionId: input.id ?? this.deps.newId(),
      workloadId: input.workloadId,
      clientId: input.clientId ?? null,
      conversationId: input.conversationId ?? null,
      sessionId: input.sessionId ?? null,
      subjectId: input.subjectId ?? null,
      model: input.response?.model ?? input.request.model,
      request: input.request,
      response: input.response ?? null,
      promptVersionId: input.promptVersionId ?? null,
      latencyMs: input.latencyMs ?? null,
      usage:
        usage && usage.prompt_tokens !== undefined && usage.completion_tokens !== undefined
          ? {
              promptTokens: usage.prompt_tokens,
              completionTokens: usage.completion_tokens,
              totalTokens: usage.total_tokens ?? usage.prompt_tokens + usage.completion_tokens,
            }
          : null,
      costUsd: input.costUsd ?? null,
      pipeline: input.pipeline ?? null,
      tags: input.tags ?? [],
    };
  }

  private async append(screened: ScreenedContent, occurredAt: string | null, context: CommandContext): Promise<LoggedInteraction> {
    const { content } = screened;
    const stream = streamName(INTERACTION_CATEGORY, content.interactionId);
    const metadata = {
      actor: context.actor,
      correlationId: context.correlationId,
      causationId: null,
      occurredAt: new Date(occurredAt ?? this.deps.now()).toISOString(),
      schemaVersion: 1,
    };
    const command = { type: 'LogInteraction' as const, content, metadata };
    // Optimistic: most interactions are new, so decide against the empty stream. A retry with
    // the same content carries the same event id, and the store answers it with the original
    // result; anything else already in the stream is a conflict, decided on its history.
    const logged = decide(command, initialState);
    // Companions go first, so the append's position (its last event) is InteractionLogged's.
    const events = logged[0] ? [...screened.companions(logged[0]), ...logged] : logged;
    const ids = { interactionId: content.interactionId, workloadId: content.workloadId };
    try {
      const result = await this.deps.store.append(stream, events, { expectedRevision: 'no_stream' });
      return { ...ids, position: result.position };
    } catch (error) {
      if (!(error instanceof ExpectedRevisionConflict)) throw error;
      const history = await this.deps.store.readStream(stream);
      const state = history.reduce(evolve, initialState);
      decide(command, state); // throws InteractionIdConflict when the content differs
      return { ...ids, position: history.find((e) => e.type === 'InteractionLogged')?.position ?? -1 };
    }
  }
}
