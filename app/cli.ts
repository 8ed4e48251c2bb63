import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { catalogue } from '../events/catalogue';
import type { EventStore } from '../events/event-store';
import { silentLogger } from '../lib/logger';
import { systemContext } from '../services/auth/auth-service';
import { DomainError } from '../services/errors';
import { openAdapters } from './adapters';
import { CataloguedEventStore } from '../events/catalogued-event-store';
import { openPrivacy } from './features/privacy';
import type { Config } from './config';
import { createApp, createProjector, projections } from './wiring';

function fail(message: string): number {
  process.stderr.write(`${message}\n`);
  return 2;
}

function list(value: string | undefined): string[] | undefined {
  return value === undefined ? undefined : value.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

/** `keys create|list|revoke`: the same commands as the admin mutations, recorded as the CLI. */
export async function runKeys(config: Config, args: readonly string[]): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: [...rest],
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      scopes: { type: 'string' },
      workloads: { type: 'string' },
      expires: { type: 'string' },
      reason: { type: 'string' },
      all: { type: 'boolean', default: false },
    },
  });
  const app = await createApp(config, { logger: silentLogger, instanceName: 'flywheel-cli' });
  const context = systemContext('system:cli');
  try {
    switch (sub) {
      case 'create': {
        if (!values.name || !values.scopes) return fail('keys create needs --name and --scopes');
        const issued = await app.auth.issueKey(
          { name: values.name, scopes: list(values.scopes) ?? [], workloadIds: list(values.workloads) ?? null, expiresAt: values.expires ?? null },
          context,
        );
        process.stdout.write(`${JSON.stringify({ keyId: issued.keyId, key: issued.key, scopes: issued.scopes, workloadIds: issued.workloadIds })}\n`);
        return 0;
      }
      case 'list': {
        const { keys } = await app.auth.listKeys({ includeRevoked: values.all, limit: 10_000 });
        for (const key of keys) process.stdout.write(`${JSON.stringify(key)}\n`);
        return 0;
      }
      case 'revoke': {
        const keyId = positionals[0];
        if (!keyId) return fail('keys revoke needs a keyId');
        const revoked = await app.auth.revokeKey(keyId, values.reason ?? null, context);
        process.stdout.write(`${JSON.stringify(revoked)}\n`);
        return 0;
      }
      default:
        return fail('usage: flywheel keys create|list|revoke');
    }
  } catch (error) {
    if (error instanceof DomainError) return fail(`${error.code}: ${error.message}`);
    throw error;
  } finally {
    await app.stop();
  }
}

/**
 * `replay`: the events as stored, oldest first, one JSON object a line, for auditors. Reads
 * the log only: no read model, no projector.
 */
export async function runReplay(config: Config, args: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      stream: { type: 'string' },
      prefix: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      types: { type: 'string' },
      decrypt: { type: 'boolean', default: false },
      reason: { type: 'string' },
      subject: { type: 'string' },
      conversation: { type: 'string' },
      limit: { type: 'string' },
    },
  });
  if (values.decrypt) return runAuditReplay(config, values);
  const from = values.from ? Date.parse(values.from) : null;
  const to = values.to ? Date.parse(values.to) : null;
  if ((from !== null && Number.isNaN(from)) || (to !== null && Number.isNaN(to))) return fail('--from and --to take ISO-8601 times');
  const adapters = await openAdapters(config, silentLogger, 'flywheel-replay');
  try {
    const write = (line: string) =>
      new Promise<void>((resolve) => (process.stdout.write(line) ? resolve() : process.stdout.once('drain', () => resolve())));
    for await (const event of replayEvents(adapters.eventStore, { stream: values.stream, prefix: values.prefix, types: list(values.types) })) {
      const at = Date.parse(event.recordedAt);
      if (from !== null && at < from) continue;
      if (to !== null && at >= to) break;
      await write(`${JSON.stringify(event)}\n`);
    }
    return 0;
  } finally {
    await adapters.close();
  }
}

/**
 * `replay --decrypt --reason R`: the audit path (as the auditTrail query): at most --limit events
 * (default 1,000, at most 10,000) of a stream, a subject or a time range, raw texts decrypted
 * while their key exists. The access is recorded (RawDataAccessed, via cli) before anything is
 * printed.
 */
async function runAuditReplay(
  config: Config,
  values: { reason?: string | undefined; stream?: string | undefined; subject?: string | undefined; conversation?: string | undefined; from?: string | undefined; to?: string | undefined; limit?: string | undefined },
): Promise<number> {
  if (!values.reason?.trim()) return fail('replay --decrypt needs --reason: every access to raw data is recorded with why');
  const adapters = await openAdapters(config, silentLogger, 'flywheel-replay');
  const store = new CataloguedEventStore(adapters.eventStore, catalogue);
  const privacy = await openPrivacy({ config, store, events: adapters.eventStore, readStore: adapters.readStore, now: () => new Date(), logger: silentLogger });
  try {
    const result = await privacy.services.audit.trail({
      query: { stream: values.stream ?? null, subjectId: values.subject ?? null, conversationId: values.conversation ?? null, from: values.from ?? null, to: values.to ?? null },
      reason: values.reason,
      decrypt: true,
      limit: values.limit ? Number(values.limit) : 1_000,
      accessor: 'system:cli',
      via: 'cli',
      correlationId: randomUUID(),
    });
    for (const { event, raw } of result.events) process.stdout.write(`${JSON.stringify(raw ? { ...event, raw } : event)}\n`);
    process.stderr.write(`${JSON.stringify({ accessId: result.accessId, events: result.events.length, decrypted: result.decrypted, erased: result.erased, truncated: result.truncated })}\n`);
    return 0;
  } catch (error) {
    if (error instanceof DomainError) return fail(`${error.code}: ${error.message}`);
    throw error;
  } finally {
    await privacy.close();
    await adapters.close();
  }
}

export async function* replayEvents(
  store: EventStore,
  options: { stream?: string | undefined; prefix?: string | undefined; types?: readonly string[] | undefined },
) {
  if (options.stream) {
    let fromRevision = 0;
    for (;;) {
      const events = await store.readStream(options.stream, { fromRevision, maxCount: 1000 });
      yield* events;
      if (events.length < 1000) return;
      fromRevision += events.length;
    }
  }
  const filter = {
    ...(options.prefix ? { streamPrefixes: [options.prefix] } : {}),
    ...(options.types ? { eventTypes: options.types } : {}),
  };
  let after: number | undefined;
  for (;;) {
    const page = await store.readAll({ maxCount: 1000, filter, ...(after !== undefined ? { after } : {}) });
    yield* page.events;
    if (page.next === null) return;
    after = page.next;
  }
}

/** `rebuild <readModel>`: drop it and replay it from position 0, then exit. */
export async function runRebuild(config: Config, args: readonly string[]): Promise<number> {
  const name = args[0];
  const known = projections.map((p) => p.name);
  if (!name || !known.includes(name)) return fail(`usage: flywheel rebuild <readModel>; read models: ${known.join(', ')}`);
  const adapters = await openAdapters(config, silentLogger, 'flywheel-rebuild');
  const projector = createProjector(adapters, silentLogger);
  try {
    const result = await projector.rebuild(name);
    process.stdout.write(`${JSON.stringify({ readModel: name, ...result, eventsPerSecond: Math.round(result.events / (result.ms / 1000)) })}\n`);
    return 0;
  } finally {
    await projector.stop();
    await adapters.close();
  }
}
