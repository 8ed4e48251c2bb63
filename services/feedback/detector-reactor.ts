import type { DomainEventStore } from '../../events/catalogued-event-store';
import type { InteractionLoggedData } from '../../events/catalogue/ingest';
import { INTERACTION_CATEGORY } from '../../events/catalogue/ingest';
import { streamName } from '../../events/envelope';
import { sha256Hex } from '../../lib/ids';
import { INTERACTIONS, type InteractionDoc } from '../../projections/interactions';
import type { ReadStore } from '../../projections/read-store';
import { defineReactor, type Reactor } from '../reactor';
import type { SignalContent } from './commands';
import { detect } from './correction';
import { decide, evolve, initialState } from './decider';
import { answerRepliedTo, excerpt, lastUserText, newUserTurn } from '../../events/interaction-text';

/** A turn of the conversation logged before the one at hand. */
export interface PreviousTurn {
  readonly interactionId: string;
  readonly workloadId: string;
  readonly question: string | null;
  readonly answer: string | null;
  readonly pipeline: boolean;
}

export interface ConversationTurns {
  /** Turns of the conversation logged before `position` (the log's order), newest first. */
  before(conversationId: string, position: number): Promise<readonly PreviousTurn[]>;
}

/**
 * The conversation's earlier turns from the interactions read model. The reactor first waits for
 * the read model to reach the event at hand, and only reads documents logged before it, so a
 * replay reads the same turns.
 */
export function turnsFromReadModel(readStore: ReadStore, waitFor: (position: number) => Promise<void>): ConversationTurns {
  return {
    async before(conversationId, position) {
      await waitFor(position);
      const page = await readStore.find<InteractionDoc>(
        INTERACTIONS,
        { conversationId, position: { $lt: position } },
        { sort: { conversationId: 1, occurredAt: -1 }, limit: 20 },
      );
      return [...page.docs]
        .sort((a, b) => b.position - a.position)
        .map((doc) => ({
          interactionId: doc._id,
          workloadId: doc.workloadId,
          question: questionOf(doc.messages),
          answer: isMessage(doc.responseMessage) ? textOfContent(doc.responseMessage.content) : null,
          pipeline: doc.pipelineRunId !== null,
        }));
    },
  };
}

export interface DetectorDeps {
  readonly store: Pick<DomainEventStore, 'readStream'>;
  readonly turns: ConversationTurns;
}

/**
 * Reads each new user turn of a conversation against the answer it replies to, and records a
 * `corrected` signal ("No, I meant…") or a re-ask (`followUp` with `reask`) on the interaction
 * that gave that answer, with the evidence. Pipeline steps and tool round trips are not user
 * turns and are skipped.
 */
export function correctionDetector(deps: DetectorDeps): Reactor {
  return defineReactor({
    name: 'feedback-detector',
    partitionKey: (event) => (event.type === 'InteractionLogged' ? (event.data.conversationId ?? event.stream) : event.stream),
    on: {
      InteractionLogged: async (event, context) => {
        const d = event.data;
        const next = newUserTurn(d);
        if (!d.conversationId || d.pipeline || next === null || next.trim() === '') return [];
        const previous = pickPrevious(d, await deps.turns.before(d.conversationId, event.position));
        if (!previous) return [];
        const detection = detect({ question: previous.question, answer: previous.answer, next });
        if (detection.kind === 'none') return [];
        const evidence = { nextInteractionId: d.interactionId, language: detection.language, rule: detection.rule, excerpt: excerpt(next) };
        const suffix = d.interactionId.length <= 100 ? d.interactionId : sha256Hex(d.interactionId).slice(0, 32);
        const signal: SignalContent =
          detection.kind === 'correction'
            ? { signalId: `detected-correction:${suffix}`, interactionId: previous.interactionId, source: 'detector', type: 'corrected', evidence }
            : { signalId: `detected-reask:${suffix}`, interactionId: previous.interactionId, source: 'detector', type: 'followUp', reask: true, evidence };
        const stream = streamName(INTERACTION_CATEGORY, previous.interactionId);
        const state = (await deps.store.readStream(stream)).reduce(evolve, initialState);
        const events = decide({ type: 'RecordSignal', signal, metadata: context.metadata() }, state);
        return events.length === 0 ? [] : [{ stream, events, expectedRevision: 'any' }];
      },
    },
  });
}

/**
 * The turn whose answer the new user message replies to. When the app sent the history, that is
 * the turn whose answer is the last assistant message before it; without history, the latest
 * turn, unless the new message repeats that turn's question word for word (a regeneration or a
 * retry of the same call, not a re-ask).
 */
function pickPrevious(d: InteractionLoggedData, turns: readonly PreviousTurn[]): PreviousTurn | null {
  const candidates = turns.filter((t) => !t.pipeline && t.answer !== null && t.workloadId === d.workloadId);
  const repliedTo = answerRepliedTo(d);
  if (repliedTo !== null) return candidates.find((t) => t.answer === repliedTo) ?? null;
  const latest = candidates[0];
  if (!latest) return null;
  return latest.question !== null && latest.question.trim() === (lastUserText(d) ?? '').trim() ? null : latest;
}

function isMessage(value: unknown): value is { role: string; content?: unknown } {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'role' in value && typeof value.role === 'string';
}

function questionOf(messages: unknown): string | null {
  if (!Array.isArray(messages)) return null;
  for (let i = messages.length - 1; i >= 0; i--) {
    const message: unknown = messages[i];
    if (isMessage(message) && message.role === 'user') return textOfContent(message.content);
  }
  return null;
}

function textOfContent(content: unknown): string | null {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return null;
  const texts = content.flatMap((part: unknown) =>
    typeof part === 'object' && part !== null && 'text' in part && typeof part.text === 'string' ? [part.text] : [],
  );
  return texts.length > 0 ? texts.join('') : null;
}
