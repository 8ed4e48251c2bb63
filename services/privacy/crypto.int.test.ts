import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DecryptionFailed, open, seal, unwrapKey, wrapKey } from './crypto';
import { DataKeys } from './data-keys';
import { loadMasterKey, parseMasterKey } from './master-key';
import { SqliteKeyVault } from './vault/sqlite-key-vault';

const key = Buffer.alloc(32, 7);

describe('AES-256-GCM sealing', () => {
  it('opens what it sealed, under the same key and associated data only', () => {
    const sealed = seal(key, Buffer.from('raw text'), 'interaction-1');
    expect(open(key, sealed, 'interaction-1').toString()).toBe('raw text');
    expect(() => open(Buffer.alloc(32, 8), sealed, 'interaction-1')).toThrow(DecryptionFailed);
    expect(() => open(key, sealed, 'interaction-2')).toThrow(DecryptionFailed);
    const flipped = Buffer.from(sealed.ciphertext, 'base64');
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    expect(() => open(key, { ...sealed, ciphertext: flipped.toString('base64') }, 'interaction-1')).toThrow(DecryptionFailed);
  });

  it('uses a fresh IV each time, so equal texts do not give equal ciphertexts', () => {
    expect(seal(key, Buffer.from('same'), 'a').ciphertext).not.toBe(seal(key, Buffer.from('same'), 'a').ciphertext);
  });

  it('wraps a data key under the master key, bound to its subject', () => {
    const wrapped = wrapKey(key, Buffer.alloc(32, 1), 'subject:a');
    expect(unwrapKey(key, wrapped, 'subject:a')).toEqual(Buffer.alloc(32, 1));
    expect(() => unwrapKey(key, wrapped, 'subject:b')).toThrow(DecryptionFailed);
  });
});

describe('master key', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('parses 64 hex digits or base64 of 32 bytes, nothing else', () => {
    expect(parseMasterKey('ab'.repeat(32))).toEqual(Buffer.alloc(32, 0xab));
    expect(parseMasterKey(Buffer.alloc(32, 3).toString('base64'))).toEqual(Buffer.alloc(32, 3));
    expect(parseMasterKey('too-short')).toBeNull();
  });

  it('generates one in the data dir (0600) when none is configured, and reads the same one back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flywheel-master-'));
    dirs.push(dir);
    const first = await loadMasterKey({ dataDir: dir });
    expect(first.generated).toBe(true);
    expect(statSync(join(dir, 'master.key')).mode & 0o777).toBe(0o600);
    const again = await loadMasterKey({ dataDir: dir });
    expect(again).toMatchObject({ generated: false, source: 'file' });
    expect(again.key).toEqual(first.key);
    expect((await loadMasterKey({ dataDir: dir, configured: 'cd'.repeat(32) })).key).toEqual(Buffer.alloc(32, 0xcd));
  });
});

describe('DataKeys on the embedded vault', () => {
  let clock = Date.parse('2026-11-26T10:00:00Z');
  const vault = SqliteKeyVault.open(':memory:');
  const keys = new DataKeys({ vault, masterKey: key, now: () => new Date(clock), cacheTtlMs: 1_000 });
  afterAll(() => vault.close());

  it('creates a subject key once and reuses it; decryption finds it by id', async () => {
    const a = await keys.forEncryption('subject:a');
    clock += 5_000; // past the cache: read back from the vault
    expect((await keys.forEncryption('subject:a')).keyId).toBe(a.keyId);
    expect(await keys.forDecryption('subject:a', a.keyId)).toEqual(a.key);
    expect(await keys.forDecryption('subject:a', 'otherkey0')).toBeNull();
    expect((await vault.get('subject:a'))?.wrapped).not.toContain(a.key.toString('base64'));
  });

  it('destroys a subject key for good: decryption fails, a returning subject gets another key', async () => {
    const a = await keys.forEncryption('subject:b');
    expect(await keys.destroy('subject:b')).toBe(a.keyId);
    expect(await keys.forDecryption('subject:b', a.keyId)).toBeNull();
    const b = await keys.forEncryption('subject:b');
    expect(b.keyId).not.toBe(a.keyId);
    expect(await keys.forDecryption('subject:b', a.keyId)).toBeNull();
  });
});
