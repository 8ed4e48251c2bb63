import type { KeyVault, StoredDataKey } from './key-vault';

/** The one suite every KeyVault adapter must pass. `open` gives a fresh, empty vault. */
export function describeKeyVaultContract(name: string, open: () => Promise<KeyVault>): void {
  describe(`KeyVault contract: ${name}`, () => {
    let vault: KeyVault;
    beforeEach(async () => {
      vault = await open();
    });
    afterEach(() => vault.close());

    const key = (subjectKey: string, keyId: string): StoredDataKey => ({ subjectKey, keyId, wrapped: `w-${keyId}`, createdAt: '2026-01-01T00:00:00.000Z' });

    it('stores a key and reads it back', async () => {
      expect(await vault.putIfAbsent(key('subject:a', 'key00001'))).toEqual(key('subject:a', 'key00001'));
      expect(await vault.get('subject:a')).toEqual(key('subject:a', 'key00001'));
      expect(await vault.get('subject:b')).toBeNull();
    });

    it('keeps the first key when two are put for one subject (concurrent first interactions)', async () => {
      const [a, b] = await Promise.all([vault.putIfAbsent(key('subject:a', 'key00001')), vault.putIfAbsent(key('subject:a', 'key00002'))]);
      expect(a).toEqual(b);
      expect(await vault.get('subject:a')).toEqual(a);
    });

    it('destroys a key for good and answers which one; a second destroy finds none', async () => {
      await vault.putIfAbsent(key('subject:a', 'key00001'));
      await vault.putIfAbsent(key('subject:b', 'key00009'));
      expect(await vault.destroy('subject:a')).toBe('key00001');
      expect(await vault.get('subject:a')).toBeNull();
      expect(await vault.destroy('subject:a')).toBeNull();
      expect(await vault.get('subject:b')).toEqual(key('subject:b', 'key00009'));
    });

    it('gives a forgotten subject a new key when it comes back, never the old one', async () => {
      await vault.putIfAbsent(key('subject:a', 'key00001'));
      await vault.destroy('subject:a');
      expect(await vault.putIfAbsent(key('subject:a', 'key00002'))).toEqual(key('subject:a', 'key00002'));
    });
  });
}
