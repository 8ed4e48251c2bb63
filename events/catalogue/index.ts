import { EventCatalogue, type EventOf, type NewEventOf } from './define';
import { authEvents } from './auth';
import { evaluationEvents } from './evaluation';
import { feedbackEvents } from './feedback';
import { ingestEvents } from './ingest';
import { privacyEvents } from './privacy';

/** Every event type Flywheel writes, one file per feature. */
export const definitions = [...ingestEvents, ...authEvents, ...feedbackEvents, ...privacyEvents, ...evaluationEvents] as const;

export const catalogue = new EventCatalogue(definitions);
export type DomainEvent = EventOf<typeof definitions>;
export type NewDomainEvent = NewEventOf<typeof definitions>;
export type DomainEventType = DomainEvent['type'];
