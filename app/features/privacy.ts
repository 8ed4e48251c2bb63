import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { privacyPoliciesProjection, PRIVACY_POLICY_TOPIC } from '../../projections/privacy-policies';
import { privacyRecordsProjection, SUBJECT_FORGOTTEN_TOPIC } from '../../projections/privacy-records';
import type { BusSubscription } from '../../services/bus/bus';
import { AuditService } from '../../services/privacy/audit';
import { DataKeys } from '../../services/privacy/data-keys';
import { loadMasterKey, MASTER_KEY_FILE } from '../../services/privacy/master-key';
import { PrivacyService } from '../../services/privacy/privacy-service';
import type { KeyVault } from '../../services/privacy/vault/key-vault';
import { MongoKeyVault } from '../../services/privacy/vault/mongo-key-vault';
import { SqliteKeyVault } from '../../services/privacy/vault/sqlite-key-vault';
import type { FeatureDeps, FeatureParts } from './feature';

export const KEY_VAULT_FILE = 'keys.db';

export const privacyProjections = [privacyPoliciesProjection, privacyRecordsProjection];

export interface PrivacyServices {
  readonly privacy: PrivacyService;
  readonly audit: AuditService;
}

export interface PrivacyParts extends FeatureParts<PrivacyServices> {
  readonly vault: KeyVault;
  readonly keys: DataKeys;
}

/** What the audit path needs (the CLI's replay opens only this). */
export type PrivacyDeps = Pick<FeatureDeps, 'config' | 'store' | 'events' | 'readStore' | 'now' | 'logger'> &
  Partial<Pick<FeatureDeps, 'bus' | 'waitForProjection' | 'projecting'>>;

/**
 * The privacy side, wired: the key vault (its own SQLite file in the data dir, or a MongoDB
 * collection when MONGODB_URL is set), the master key, the data keys, the policy and erasure
 * service, and the audit path. On start (where the projector runs), erasures a crash left half
 * done are finished.
 */
export async function openPrivacy(deps: PrivacyDeps): Promise<PrivacyParts> {
  const { config } = deps;
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
  const waitForProjection = deps.waitForProjection;
  const privacy = new PrivacyService({
    store: deps.store,
    readStore: deps.readStore,
    keys,
    now: deps.now,
    ...(waitForProjection ? { waitForProjection: (position: number) => waitForProjection(position) } : {}),
  });
  const audit = new AuditService({ events: deps.events, store: deps.store, readStore: deps.readStore, keys, now: deps.now });
  if (config.FLYWHEEL_REDACTION === 'off') {
    deps.logger.warn({ redaction: 'off' }, 'FLYWHEEL_REDACTION=off: interaction texts are stored as sent, whatever the workload policies say');
  }
  // Without the bus the caches' TTLs bound staleness (policies 2 s, encryption keys 5 s).
  const subscriptions: BusSubscription[] = [];
  const listening: Promise<void>[] = [];
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
  return {
    services: { privacy, audit },
    projections: privacyProjections,
    reactors: [],
    routes: [],
    vault,
    keys,
    start: async () => {
      // Erasures a crash left half done (key destroyed or not, SubjectForgotten not yet recorded).
      if (deps.projecting) await privacy.completePendingErasures({ actor: 'system:erasure', correlationId: randomUUID() });
    },
    close: async () => {
      for (const subscription of subscriptions) await subscription.close();
      await Promise.all(listening);
      await vault.close();
    },
  };
}
