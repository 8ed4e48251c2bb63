import type { NewEvent, RecordedEvent } from './envelope';
import type { ExpectedRevision } from './errors';

export interface AppendOptions {
  /** Default `any`. A number is the revision of the stream's last event. */
  readonly expectedRevision?: ExpectedRevision;
}

export interface AppendResult {
  /** Revision of the last event of this append (for a no-op retry: of the original append). */
  readonly lastRevision: number;
  /** Global position of the last event of this append. */
  readonly position: number;
}

export interface ReadStreamOptions {
  readonly direction?: 'forwards' | 'backwards';
  /** Inclusive. Default: the first revision forwards, the last backwards. */
  readonly fromRevision?: number;
  readonly maxCount?: number;
}

export interface AllFilter {
  /** Keep events whose type is one of these. */
  readonly eventTypes?: readonly string[];
  /** Keep events whose stream name starts with one of these (`interaction-` for a category). */
  readonly streamPrefixes?: readonly string[];
}

export interface ReadAllOptions {
  readonly direction?: 'forwards' | 'backwards';
  /**
   * Exclusive cursor: forwards returns positions greater than it, backwards positions smaller.
   * Default: the start forwards, the end backwards. Pass the previous page's `next` to page on.
   */
  readonly after?: number;
  /** Default 100, at most 10,000. */
  readonly maxCount?: number;
  readonly filter?: AllFilter;
}

export interface ReadAllPage {
  readonly events: readonly RecordedEvent[];
  /** Cursor for the next page, or null when this page reached the end. */
  readonly next: number | null;
}

export interface SubscribeOptions {
  /** Exclusive: deliver events with a greater position. Default: from the very start. */
  readonly after?: number;
  readonly filter?: AllFilter;
}

/**
 * A catch-up subscription to `$all`: stored events from the checkpoint, then live ones, in
 * position order, with no gap and no duplicate. Ends when closed (or the store closes).
 */
export interface AllSubscription extends AsyncIterable<RecordedEvent> {
  close(): Promise<void>;
}

export interface EventStore {
  append(stream: string, events: readonly NewEvent[], options?: AppendOptions): Promise<AppendResult>;
  /** Events of one stream; an empty list when the stream does not exist. */
  readStream(stream: string, options?: ReadStreamOptions): Promise<readonly RecordedEvent[]>;
  readAll(options?: ReadAllOptions): Promise<ReadAllPage>;
  subscribeToAll(options?: SubscribeOptions): AllSubscription;
  /** Position of the newest event, or -1 for an empty store. For lag and readiness. */
  headPosition(): Promise<number>;
  close(): Promise<void>;
}

export const MAX_READ_COUNT = 10_000;
export const DEFAULT_READ_COUNT = 100;
