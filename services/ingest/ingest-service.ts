import { INTERACTION_CATEGORY } from '../../events/catalogue/ingest';
import { streamName } from '../../events/envelope';
import type { DomainEventStore } from '../../events/catalogued-event-store';
import type { NewDomainEvent } from '../../events/catalogue';
import { handleCommand } from '../command-handler';
import { eachItem, rawField, type CommandContext, type ItemResult } from '../commands';
import { InputInvalid, issuesFromZod } from '../errors';
import { logInteractionInputSchema, MAX_BATCH, type ParsedLogInteraction } from './commands';
import * as interaction from './decider';
import type { InteractionContent, LogInteraction } from './decider';

export interface LoggedInteraction {
  readonly interactionId: string;
  readonly workloadId: string;
  /** Global position of the InteractionLogged event (the original one, for a retry). */
  readonly position: number;
}

/**
 * What the privacy screen makes of an interaction before anything is appended: the content to
 * store (redacted unless the workload's policy allows it as sent) and the events that go with it
 * in the same append (findings, encrypted originals), ids derived from the InteractionLogged id.
 */
export interface ScreenedContent {
  readonly content: InteractionContent;
  readonly companions: LogInteraction['companions'];
}

export type InteractionScreen = (content: InteractionContent) => Promise<ScreenedContent>;

export interface IngestContext extends CommandContext {
  /** Called with the interaction's workload before anything is screened or appended; throws (Forbidden) to refuse it. */
  readonly authorize?: (workloadId: string) => void;
}

export interface IngestDeps {
  /** The catalogued store: events are parsed against their schema before they are appended. */
  readonly store: DomainEventStore;
  readonly now: () => Date;
  readonly newId: () => string;
  /** Runs on every interaction before the append; without it texts are stored as sent (FLYWHEEL_REDACTION=off). */
  readonly screen?: InteractionScreen;
}

export class IngestService {
  constructor(private readonly deps: IngestDeps) {}

  /** Parses, decides and appends one interaction; resolves once the event is durable. */
  async log(input: unknown, context: IngestContext): Promise<LoggedInteraction> {
    // Access first: a caller refused the workload learns nothing of what else is wrong.
    context.authorize?.(rawField(input, 'workloadId'));
    const parsed = logInteractionInputSchema.safeParse(input);
    if (!parsed.success) throw new InputInvalid(issuesFromZod(parsed.error));
    const screened = await this.screened(this.contentOf(parsed.data));
    const { content } = screened;
    const command: LogInteraction = {
      type: 'LogInteraction',
      content,
      companions: screened.companions,
      metadata: {
        actor: context.actor,
        correlationId: context.correlationId,
        causationId: null,
        occurredAt: new Date(parsed.data.occurredAt ?? this.deps.now()).toISOString(),
      },
    };
    // Optimistic: most interactions are new, so decide against the empty stream. A retry with
    // the same content carries the same event id, and the store answers it with the original
    // result; anything else already in the stream is a conflict, decided on its history.
    const handled = await handleCommand(this.deps.store, streamName(INTERACTION_CATEGORY, content.interactionId), interaction, command, {
      optimistic: { assume: interaction.initialState, expectedRevision: 'no_stream' },
    });
    const position = handled.events.length > 0 ? handled.position : loggedPosition(handled.history);
    return { interactionId: content.interactionId, workloadId: content.workloadId, position };
  }

  /** Each item is answered on its own; a bad item does not stop the others. */
  logMany(inputs: readonly unknown[], context: IngestContext): Promise<ItemResult<LoggedInteraction>[]> {
    return eachItem(inputs, { max: MAX_BATCH, context }, (input, itemContext) => this.log(input, itemContext));
  }

  private async screened(content: InteractionContent): Promise<ScreenedContent> {
    return this.deps.screen ? this.deps.screen(content) : { content, companions: () => [] };
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
}

/** Where the stream's InteractionLogged is (its companions come before it). */
function loggedPosition(history: readonly (NewDomainEvent & { readonly position: number })[]): number {
  return history.find((e) => e.type === 'InteractionLogged')?.position ?? -1;
}
