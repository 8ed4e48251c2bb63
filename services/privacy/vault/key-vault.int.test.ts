import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeIf } from '../../../test/describe-if';
import { describeKeyVaultContract } from './key-vault-contract';
import { MongoKeyVault } from './mongo-key-vault';
import { SqliteKeyVault } from './sqlite-key-vault';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function vaultPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'flywheel-vault-'));
  dirs.push(dir);
  return join(dir, 'keys.db');
}

describeKeyVaultContract('SQLite', async () => SqliteKeyVault.open(vaultPath()));

describe('SqliteKeyVault', () => {
  it('overwrites a destroyed key in the file (secure_delete), not just unlinks it from the table', async () => {
    const path = vaultPath();
    const vault = SqliteKeyVault.open(path);
    const wrapped = 'UNIQUE-WRAPPED-MARKER-0123456789';
    await vault.putIfAbsent({ subjectKey: 'subject:x', keyId: 'key00001', wrapped, createdAt: '2026-01-01T00:00:00.000Z' });
    expect(readFileSync(path).includes(wrapped)).toBe(true);
    await vault.destroy('subject:x');
    await vault.close();
    expect(readFileSync(path).includes(wrapped)).toBe(false);
  });
});

const mongoUrl = process.env['MONGODB_URL'];
describeIf(Boolean(mongoUrl), 'MongoKeyVault', 'MONGODB_URL is not set', () => {
  let n = 0;
  describeKeyVaultContract('MongoDB', async () => {
    const vault = await MongoKeyVault.connect({ url: mongoUrl ?? '', database: 'flywheel_test_vault', collection: `keys_${Date.now()}_${n++}` });
    await vault.drop();
    return vault;
  });
});
