import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { MongoMemoryReplSet } from 'mongodb-memory-server';
import { describeIf } from '../../test/describe-if';
import { describeReadStoreContract } from '../contract/read-store-contract';
import { ReadStoreUnavailable } from '../errors';
import { MongoReadStore } from './mongo-read-store';

/**
 * Whether a MongoDB can be had, decided synchronously (describe blocks are declared before any
 * hook runs): a MONGODB_URL, or a mongod binary mongodb-memory-server would use without a download.
 */
function probe(): { readonly available: boolean; readonly reason: string } {
  if (process.env['MONGODB_URL']) return { available: true, reason: 'MONGODB_URL' };
  const system = process.env['MONGOMS_SYSTEM_BINARY'];
  if (system && existsSync(system)) return { available: true, reason: 'MONGOMS_SYSTEM_BINARY' };
  const dirs = [process.env['MONGOMS_DOWNLOAD_DIR'], join(process.cwd(), 'node_modules/.cache/mongodb-memory-server'), join(homedir(), '.cache/mongodb-binaries')];
  for (const dir of dirs) {
    if (dir && existsSync(dir) && readdirSync(dir).some((f) => f.startsWith('mongod'))) return { available: true, reason: `mongod in ${dir}` };
  }
  return { available: false, reason: 'no MONGODB_URL and no mongod binary for mongodb-memory-server (downloads are blocked)' };
}

const { available, reason } = probe();

describeIf(available, 'MongoReadStore', reason, () => {
  let replSet: MongoMemoryReplSet | null = null;
  let url: Promise<string> | null = null;

  function serverUrl(): Promise<string> {
    const given = process.env['MONGODB_URL'];
    if (given) return Promise.resolve(given);
    url ??= MongoMemoryReplSet.create({ replSet: { count: 1 } }).then((started) => {
      replSet = started;
      return started.getUri();
    });
    return url;
  }

  afterAll(async () => {
    await replSet?.stop();
  });

  function fixture(transactions: 'auto' | 'never') {
    return async () => {
      const uri = await serverUrl();
      // One database per fixture: the suite can share a server with anything else.
      const database = `flywheel_contract_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6)}`;
      const store = await MongoReadStore.connect({ url: uri, database, serverSelectionTimeoutMS: 5_000, transactions });
      return {
        store,
        cleanup: async () => {
          await store.close();
          const admin = new MongoClient(uri, { serverSelectionTimeoutMS: 5_000 });
          try {
            await admin.db(database).dropDatabase();
          } finally {
            await admin.close();
          }
        },
      };
    };
  }

  describeReadStoreContract('MongoReadStore', fixture('auto'));
  // The standalone-server path (guarded bulk writes, E11000 on a skipped upsert), on the same server.
  describeReadStoreContract('MongoReadStore without transactions', fixture('never'), { atomicApply: false });
});

describe('MongoReadStore without a server', () => {
  it('connecting to nothing is ReadStoreUnavailable', async () => {
    const attempt = MongoReadStore.connect({ url: 'mongodb://127.0.0.1:9/flywheel', serverSelectionTimeoutMS: 300 });
    await expect(attempt).rejects.toBeInstanceOf(ReadStoreUnavailable);
  });
});
