import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KEY_BYTES } from './crypto';

export const MASTER_KEY_FILE = 'master.key';

export interface MasterKey {
  readonly key: Buffer;
  /** `configured`: FLYWHEEL_MASTER_KEY; `file`: kept in the data dir (generated now or earlier). */
  readonly source: 'configured' | 'file';
  readonly generated: boolean;
}

/** 32 bytes written as 64 hex digits or as base64 (44 characters). */
export function parseMasterKey(value: string): Buffer | null {
  const trimmed = value.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, 'hex');
  if (/^[A-Za-z0-9+/]{43}=$/.test(trimmed)) {
    const bytes = Buffer.from(trimmed, 'base64');
    return bytes.length === KEY_BYTES ? bytes : null;
  }
  return null;
}

/**
 * The key that wraps every data key: FLYWHEEL_MASTER_KEY when set, else one generated on first
 * start and kept in the data dir, readable by the owner only (0600). The file sits next to the
 * vault it protects, which is fine for one machine and not for more: set the variable there.
 */
export async function loadMasterKey(options: { configured?: string | undefined; dataDir: string }): Promise<MasterKey> {
  if (options.configured !== undefined) {
    const key = parseMasterKey(options.configured);
    if (!key) throw new Error('FLYWHEEL_MASTER_KEY must be 32 bytes as 64 hex digits or base64');
    return { key, source: 'configured', generated: false };
  }
  const path = join(options.dataDir, MASTER_KEY_FILE);
  try {
    const key = parseMasterKey(await readFile(path, 'utf8'));
    if (!key) throw new Error(`${path} does not hold a 32-byte key`);
    return { key, source: 'file', generated: false };
  } catch (error) {
    if (codeOf(error) !== 'ENOENT') throw error;
  }
  await mkdir(options.dataDir, { recursive: true });
  const key = randomBytes(KEY_BYTES);
  // `wx`: two instances starting together on one data dir must not overwrite each other's key.
  try {
    await writeFile(path, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if (codeOf(error) === 'EEXIST') return loadMasterKey(options);
    throw error;
  }
  await chmod(path, 0o600);
  return { key, source: 'file', generated: true };
}

/** fs errors carry a `code`; read it structurally (`instanceof Error` fails across jest realms). */
function codeOf(error: unknown): unknown {
  return typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
}
