import { randomUUID } from 'node:crypto';
import type { DomainEventStore } from '../../events/catalogued-event-store';
import { RawDataAccessed, RAW_ACCESS_CATEGORY, rawTextEncryptedV1, type AuditQuery, type RawTextEncryptedData } from '../../events/catalogue/privacy';
import { commandMetadata, streamName, type RecordedEvent } from '../../events/envelope';
import type { EventStore } from '../../events/event-store';
import { INTERACTIONS, type InteractionDoc } from '../../projections/interactions';
import { PRIVACY_ACCESSES, type PrivacyAccessDoc } from '../../projections/privacy-records';
import type { ReadStore } from '../../projections/read-store';
import { InputInvalid, type FieldIssue } from '../errors';
import { DecryptionFailed, open } from './crypto';
import type { DataKeys } from './data-keys';
import { subjectKeyFromInput } from './privacy-service';
import { rawTextAad } from './screen';

export interface AuditRequest {
  readonly query: Partial<AuditQuery>;
  /** Why: required, recorded with the access. */
  readonly reason: string;
  /** Decrypt raw texts whose key still exists. */
  readonly decrypt: boolean;
  /** At most this many events (default 1,000, at most 10,000); `truncated` says when more matched. */
  readonly limit?: number;
  readonly accessor: string;
  readonly via: 'api' | 'cli';
  readonly correlationId: string;
}

export type RawText =
  | { readonly status: 'decrypted'; readonly texts: Readonly<Record<string, string>> }
  | { readonly status: 'erased' }
  | { readonly status: 'sealed' }
  /** The key exists but does not open it: altered ciphertext, or a different master key. */
  | { readonly status: 'unreadable' };

export interface AuditedEvent {
  /** The event exactly as stored (its stored schema version, not upcast). */
  readonly event: RecordedEvent;
  /** For RawTextEncrypted only: the originals, or why they are not here. */
  readonly raw: RawText | null;
}

export interface AuditResult {
  readonly accessId: string;
  /** Position of the RawDataAccessed event recording this very access. */
  readonly position: number;
  readonly events: readonly AuditedEvent[];
  readonly truncated: boolean;
  readonly decrypted: number;
  readonly erased: number;
}

export interface AuditServiceDeps {
  /** The raw store: events as stored. */
  readonly events: EventStore;
  /** The catalogued store, for recording the access. */
  readonly store: DomainEventStore;
  readonly readStore: ReadStore;
  readonly keys: Pick<DataKeys, 'forDecryption'>;
  readonly now: () => Date;
}

const PAGE = 1_000;

/**
 * The audit path: the log as stored, raw texts decrypted only on request, only with a reason,
 * only while the subject's key exists; every access recorded (RawDataAccessed) before anything
 * is returned, so a trail shows who looked, when and why.
 */
export class AuditService {
  constructor(private readonly deps: AuditServiceDeps) {}

  async trail(request: AuditRequest): Promise<AuditResult> {
    const query = normalizeQuery(request.query);
    const reason = request.reason.trim();
    const issues: FieldIssue[] = [];
    if (reason.length === 0) issues.push({ path: 'reason', message: 'an audit access needs a stated reason' });
    if (reason.length > 500) issues.push({ path: 'reason', message: 'at most 500 characters' });
    const from = query.from === null ? null : Date.parse(query.from);
    const to = query.to === null ? null : Date.parse(query.to);
    if (Number.isNaN(from)) issues.push({ path: 'from', message: 'an ISO-8601 time' });
    if (Number.isNaN(to)) issues.push({ path: 'to', message: 'an ISO-8601 time' });
    if (!query.subjectId && !query.conversationId && !query.stream && from === null && to === null) {
      issues.push({ path: 'query', message: 'name a subjectId, a conversationId, a stream or a time range' });
    }
    if (issues.length > 0) throw new InputInvalid(issues);
    const limit = Math.min(Math.max(Math.trunc(request.limit ?? 1_000), 1), 10_000);

    const inRange = (e: RecordedEvent) => {
      const at = Date.parse(e.recordedAt);
      return (from === null || at >= from) && (to === null || at < to);
    };
    const matched = (await this.collect(query, from, to, limit + 1)).filter(inRange);
    const truncated = matched.length > limit;
    const events = matched.slice(0, limit);

    let decrypted = 0;
    let erased = 0;
    const subjectKeys = new Set<string>();
    const audited: AuditedEvent[] = [];
    for (const event of events) {
      if (event.type !== 'RawTextEncrypted') {
        audited.push({ event, raw: null });
        continue;
      }
      const sealed = rawTextEncryptedV1.safeParse(event.data);
      if (!sealed.success) {
        audited.push({ event, raw: { status: 'sealed' } });
        continue;
      }
      subjectKeys.add(sealed.data.subjectKey);
      if (!request.decrypt) {
        audited.push({ event, raw: { status: 'sealed' } });
        continue;
      }
      const raw = await this.decrypt(sealed.data);
      if (raw.status === 'erased') erased++;
      if (raw.status === 'decrypted') decrypted++;
      audited.push({ event, raw });
    }

    const accessId = randomUUID();
    const result = await this.deps.store.append(
      streamName(RAW_ACCESS_CATEGORY, accessId),
      [
        RawDataAccessed.create({
          id: accessId,
          data: {
            accessId,
            accessor: request.accessor,
            via: request.via,
            reason,
            query,
            decrypt: request.decrypt,
            events: events.length,
            decrypted,
            erased,
            subjectKeys: [...subjectKeys].slice(0, 10_000),
          },
          metadata: commandMetadata({ actor: request.accessor, correlationId: request.correlationId, now: this.deps.now() }),
        }),
      ],
      { expectedRevision: 'no_stream' },
    );
    return { accessId, position: result.position, events: audited, truncated, decrypted, erased };
  }

  private async decrypt(d: RawTextEncryptedData): Promise<RawText> {
    try {
      const key = await this.deps.keys.forDecryption(d.subjectKey, d.keyId);
      if (key === null) return { status: 'erased' };
      const texts: unknown = JSON.parse(open(key, d, rawTextAad(d.interactionId, d.subjectKey, d.keyId)).toString('utf8'));
      return { status: 'decrypted', texts: stringRecord(texts) };
    } catch (error) {
      // One unreadable event must not hide the rest of the trail from the auditor.
      if (error instanceof DecryptionFailed) return { status: 'unreadable' };
      throw error;
    }
  }

  private async collect(query: AuditQuery, from: number | null, to: number | null, max: number): Promise<RecordedEvent[]> {
    if (query.stream) return [...(await this.deps.events.readStream(query.stream, { maxCount: max }))];
    if (query.subjectId || query.conversationId) return this.subjectEvents(query, max);
    // A time range alone: the log in order, from the start, until past `to`.
    const out: RecordedEvent[] = [];
    let after: number | undefined;
    for (;;) {
      const page = await this.deps.events.readAll({ maxCount: PAGE, ...(after !== undefined ? { after } : {}) });
      for (const e of page.events) {
        const at = Date.parse(e.recordedAt);
        if (to !== null && at >= to) return out;
        if (from === null || at >= from) out.push(e);
        if (out.length >= max) return out;
      }
      if (page.next === null) return out;
      after = page.next;
    }
  }

  /** Every stream that holds the subject's data or its privacy history, merged in log order. */
  private async subjectEvents(query: AuditQuery, max: number): Promise<RecordedEvent[]> {
    const subjectKey = subjectKeyFromInput(query);
    const filter = query.subjectId ? { subjectId: query.subjectId } : { conversationId: query.conversationId };
    const interactions = await this.deps.readStore.find<InteractionDoc>(INTERACTIONS, filter, { limit: 10_000 });
    const accesses = await this.deps.readStore.find<PrivacyAccessDoc>(PRIVACY_ACCESSES, { subjectKeys: subjectKey }, { limit: 10_000 });
    const streams = new Set([
      ...interactions.docs.map((d) => `interaction-${d._id}`),
      `privacysubject-${subjectKey}`,
      ...accesses.docs.map((d) => d.stream),
    ]);
    const all: RecordedEvent[] = [];
    for (const stream of streams) {
      all.push(...(await this.deps.events.readStream(stream, { maxCount: max })));
      if (all.length > max * 4) break;
    }
    return all.sort((a, b) => a.position - b.position).slice(0, max);
  }
}

function normalizeQuery(q: Partial<AuditQuery>): AuditQuery {
  return { subjectId: q.subjectId ?? null, conversationId: q.conversationId ?? null, stream: q.stream ?? null, from: q.from ?? null, to: q.to ?? null };
}

function stringRecord(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof value !== 'object' || value === null) return out;
  for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
  return out;
}
