import { MongoClient, MongoServerError, type Collection } from 'mongodb';
import { KeyVaultUnavailable, type KeyVault, type StoredDataKey } from './key-vault';

interface KeyDocument {
  /** The subject key: one live key per subject is the collection's primary key. */
  _id: string;
  keyId: string;
  wrapped: string;
  createdAt: string;
}

/**
 * The vault at scale: one MongoDB collection (`dataKeys`), `_id` = subject key. Thin on
 * purpose: insert-if-absent is an insert that tolerates a duplicate key, destroy is a delete.
 * A deleted document may survive in the oplog window and in backups; the wrapping master key
 * is what keeps such copies useless, so it must not be backed up with them.
 */
export class MongoKeyVault implements KeyVault {
  private constructor(
    private readonly client: MongoClient,
    private readonly keys: Collection<KeyDocument>,
  ) {}

  static async connect(options: { url: string; database: string; collection?: string }): Promise<MongoKeyVault> {
    const client = new MongoClient(options.url, { serverSelectionTimeoutMS: 10_000 });
    try {
      await client.connect();
      return new MongoKeyVault(client, client.db(options.database).collection<KeyDocument>(options.collection ?? 'dataKeys'));
    } catch (error) {
      await client.close().catch(() => undefined);
      throw new KeyVaultUnavailable('key vault: cannot connect to MongoDB', { cause: error });
    }
  }

  async putIfAbsent(key: StoredDataKey): Promise<StoredDataKey> {
    try {
      await this.keys.insertOne({ _id: key.subjectKey, keyId: key.keyId, wrapped: key.wrapped, createdAt: key.createdAt });
      return key;
    } catch (error) {
      if (!(error instanceof MongoServerError && error.code === 11000)) throw unavailable(error);
    }
    const live = await this.get(key.subjectKey);
    // Destroyed between the refused insert and the read: store ours.
    return live ?? this.putIfAbsent(key);
  }

  async get(subjectKey: string): Promise<StoredDataKey | null> {
    try {
      const doc = await this.keys.findOne({ _id: subjectKey });
      return doc ? { subjectKey: doc._id, keyId: doc.keyId, wrapped: doc.wrapped, createdAt: doc.createdAt } : null;
    } catch (error) {
      throw unavailable(error);
    }
  }

  async destroy(subjectKey: string): Promise<string | null> {
    try {
      const doc = await this.keys.findOneAndDelete({ _id: subjectKey }, { writeConcern: { w: 'majority', j: true } });
      return doc ? doc.keyId : null;
    } catch (error) {
      throw unavailable(error);
    }
  }

  /** For tests: drops the collection. */
  async drop(): Promise<void> {
    await this.keys.drop().catch(() => undefined);
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

function unavailable(error: unknown): KeyVaultUnavailable {
  return new KeyVaultUnavailable(`key vault: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
}
