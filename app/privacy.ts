import { join } from 'node:path';
import type { CataloguedEventStore } from '../events/catalogued-event-store';
import type { EventStore } from '../events/event-store';
import type { Logger } from '../lib/logger';
import { PRIVACY_POLICY_TOPIC } from '../projections/privacy-policies';
import { SUBJECT_FORGOTTEN_TOPIC } from '../projections/privacy-records';
import type { ReadStore } from '../projections/read-store';
import type { Bus, BusSubscription } from '../services/bus/bus';
import { AuditService } from '../services/privacy/audit';
import { DataKeys } from '../services/privacy/data-keys';
import { loadMasterKey, MASTER_KEY_FILE } from '../services/privacy/master-key';
import { PrivacyService } from '../services/privacy/privacy-service';
import type { KeyVault } from '../services/privacy/vault/key-vault';
import { MongoKeyVault } from '../services/privacy/vault/mongo-key-vault';
import { SqliteKeyVault } from '../services/privacy/vault/sqlite-key-vault';
import type { Config } from './config';

export const KEY_VAULT_FILE = 'keys.db';

export interface PrivacyParts {
  readonly vault: KeyVault;
  readonly keys: DataKeys;
  readonly privacy: PrivacyService;
  readonly audit: AuditService;
  close(): Promise<void>;
}

/**
 * The privacy side, wired: the key vault (its own SQLite file in the data dir, or a MongoDB
 * collection when MONGODB_URL is set), the master key, the data keys, the policy and erasure
 * service, and the audit path.
 */
export async function openPrivacy(
  config: Config,
  deps: {
    readonly store: CataloguedEventStore;
    readonly events: EventStore;
    readonly readStore: ReadStore;
    readonly now: () => Date;
    readonly logger: Logger;
    readonly waitForProjection?: (position: number) => Promise<void>;
    /** When given, policy changes and erasures announced by any instance drop this one's caches at once. */
    readonly bus?: Bus;
  },
): Promise<PrivacyParts> {
  const master = await loadMasterKey({ configured: config.FLYWHEEL_MASTER_KEY, dataDir: config.FLYWHEEL_DATA_DIR });
  if (master.generated) {
    deps.logger.warn(
      { file: join(config.FLYWHEEL_DATA_DIR, MASTER_KEY_FILE) },
      'generated a privacy master key in the data dir; set FLYWHEEL_MASTER_KEY to keep it elsewhere (it must not be backed up with the key vault)',
    );
  }
  const vault: KeyVault = config.MONGODB_URL
    ? await MongoKeyVault.connect({ url: config.MONGODB_URL, database: config.MONGODB_DATABASE })
    : SqliteKeyVault.open(join(config.FLYWHEEL_DATA_DIR, KEY_VAULT_FILE));
  const keys = new DataKeys({ vault, masterKey: master.key, now: deps.now });
  const privacy = new PrivacyService({
    store: deps.store,
    readStore: deps.readStore,
    keys,
    now: deps.now,
    ...(deps.waitForProjection ? { waitForProjection: deps.waitForProjection } : {}),
  });
  const audit = new AuditService({ events: deps.events, store: deps.store, readStore: deps.readStore, keys, now: deps.now });
  if (config.FLYWHEEL_REDACTION === 'off') {
    deps.logger.warn({ redaction: 'off' }, 'FLYWHEEL_REDACTION=off: interaction texts are stored as sent, whatever the workload policies say');
  }
  // Without the bus the caches' TTLs bound staleness (policies 2 s, encryption keys 5 s).
  const subscriptions: BusSubscription[] = [];
  const listening: Promise<void>[] = [];
  if (deps.bus) {
    const listen = (topic: string, onMessage: (message: Readonly<Record<string, unknown>>) => void) => {
      const subscription = deps.bus?.subscribe(topic);
      if (!subscription) return;
      subscriptions.push(subscription);
      listening.push(
        (async () => {
          for await (const message of subscription) onMessage(message);
        })().catch((error: unknown) => deps.logger.warn({ err: error, topic }, 'privacy cache subscription ended')),
      );
    };
    listen(PRIVACY_POLICY_TOPIC, (m) => typeof m['workloadId'] === 'string' && privacy.forgetPolicy(m['workloadId']));
    listen(SUBJECT_FORGOTTEN_TOPIC, (m) => typeof m['subjectKey'] === 'string' && keys.forget(m['subjectKey']));
  }
  return {
    vault,
    keys,
    privacy,
    audit,
    close: async () => {
      for (const subscription of subscriptions) await subscription.close();
      await Promise.all(listening);
      await vault.close();
    },
  };
}
