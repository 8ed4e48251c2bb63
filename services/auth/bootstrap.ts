import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { AuthService, BOOTSTRAP_ACTOR, systemContext } from './auth-service';
import { MIN_SECRET_BYTES } from './feedback-token';
import { BOOTSTRAP_SCOPES } from './scopes';

export const BOOTSTRAP_KEY_NAME = 'bootstrap-admin';
/** Records that the bootstrap key was generated: its id and when, never the key. */
export const BOOTSTRAP_MARKER_FILE = 'bootstrap-admin.json';
export const FEEDBACK_SECRET_FILE = 'feedback-token.secret';

export interface BootstrapOptions {
  readonly auth: AuthService;
  /** FLYWHEEL_ADMIN_KEY, when the operator set one. */
  readonly configuredKey?: string | undefined;
  readonly dataDir: string;
}

export type BootstrapOutcome =
  /** The configured key is accepted as the bootstrap principal; nothing was generated. */
  | { readonly kind: 'configured' }
  /** First start: print `key` once, it is not kept anywhere. */
  | { readonly kind: 'generated'; readonly keyId: string; readonly key: string }
  /** Generated on an earlier start (or by another instance sharing the stores). */
  | { readonly kind: 'existing'; readonly keyId: string };

const markerSchema = z.object({ keyId: z.string(), generatedAt: z.string() });

/**
 * Makes sure someone can administer a fresh deployment. With FLYWHEEL_ADMIN_KEY, that key is
 * accepted as an admin principal. Without it, the first start issues an ordinary admin key
 * (an ApiKeyIssued event, so it is listed, audited and revocable like any other) and returns
 * it for the caller to print once; later starts find the marker file, or the key in the read
 * model, and generate nothing. A revoked bootstrap key is not replaced: set FLYWHEEL_ADMIN_KEY
 * to get back in.
 */
export async function bootstrapAdminKey(options: BootstrapOptions): Promise<BootstrapOutcome> {
  const { auth, configuredKey, dataDir } = options;
  if (configuredKey !== undefined) {
    auth.acceptAdminKey(configuredKey);
    return { kind: 'configured' };
  }

  const markerPath = join(dataDir, BOOTSTRAP_MARKER_FILE);
  const marker = await readMarker(markerPath);
  if (marker) return { kind: 'existing', keyId: marker.keyId };

  // Instances that share the event and read stores but not a data dir see each other's key here.
  const { keys } = await auth.listKeys({ issuedBy: BOOTSTRAP_ACTOR, limit: 1 });
  const known = keys[0];
  if (known) {
    await writeMarker(dataDir, markerPath, known.keyId, known.issuedAt);
    return { kind: 'existing', keyId: known.keyId };
  }

  // The append comes first: a crash before the marker is written means the key was never
  // shown, so generating another on the next start is the right outcome.
  const issued = await auth.issueKey({ name: BOOTSTRAP_KEY_NAME, scopes: BOOTSTRAP_SCOPES }, systemContext(BOOTSTRAP_ACTOR));
  await writeMarker(dataDir, markerPath, issued.keyId, issued.issuedAt);
  return { kind: 'generated', keyId: issued.keyId, key: issued.key };
}

export interface FeedbackSecretOptions {
  /** FLYWHEEL_TOKEN_SECRET, when the operator set one. */
  readonly configuredSecret?: string | undefined;
  readonly dataDir: string;
}

/**
 * The secret feedback tokens are signed with: the configured one, else 32 random bytes kept
 * in the data dir (created on first start, readable by the owner only) so tokens survive a
 * restart. Instances behind one load balancer must share it, so they should configure it.
 */
export async function loadFeedbackTokenSecret(options: FeedbackSecretOptions): Promise<Buffer> {
  if (options.configuredSecret !== undefined) {
    const secret = Buffer.from(options.configuredSecret, 'utf8');
    if (secret.length < MIN_SECRET_BYTES) throw new Error(`FLYWHEEL_TOKEN_SECRET must be at least ${MIN_SECRET_BYTES} bytes`);
    return secret;
  }
  const path = join(options.dataDir, FEEDBACK_SECRET_FILE);
  const existing = await readSecretFile(path);
  if (existing) return existing;
  await mkdir(options.dataDir, { recursive: true });
  try {
    // `wx`: never overwrite; a racing second process reads the winner's secret below.
    await writeFile(path, `${randomBytes(MIN_SECRET_BYTES).toString('base64url')}\n`, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if (!hasCode(error, 'EEXIST')) throw error;
  }
  const created = await readSecretFile(path);
  if (!created) throw new Error(`${path} holds no usable secret`);
  return created;
}

async function readSecretFile(path: string): Promise<Buffer | null> {
  const text = await readIfExists(path);
  if (text === null) return null;
  const secret = Buffer.from(text.trim(), 'base64url');
  // Refused rather than used: a truncated file would silently weaken every token.
  if (secret.length < MIN_SECRET_BYTES) throw new Error(`${path} holds a secret shorter than ${MIN_SECRET_BYTES} bytes`);
  return secret;
}

async function readMarker(path: string): Promise<z.infer<typeof markerSchema> | null> {
  const text = await readIfExists(path);
  if (text === null) return null;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${path} is not valid JSON; remove it to generate a new bootstrap key`);
  }
  const parsed = markerSchema.safeParse(json);
  if (!parsed.success) throw new Error(`${path} is not a bootstrap marker; remove it to generate a new bootstrap key`);
  return parsed.data;
}

async function writeMarker(dataDir: string, path: string, keyId: string, generatedAt: string): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  await writeFile(path, `${JSON.stringify({ keyId, generatedAt })}\n`, { mode: 0o600 });
}

async function readIfExists(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if (hasCode(error, 'ENOENT')) return null;
    throw error;
  }
}

// Not `instanceof Error`: errors from node's fs can come from another realm (jest's vm, for one).
function hasCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === code;
}
