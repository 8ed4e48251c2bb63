import { z } from 'zod';

/**
 * Every setting, parsed once from the environment. Nothing else reads process.env: the
 * composition root passes what each part needs.
 */
const emptyToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optionalString = z.preprocess(emptyToUndefined, z.string().optional());
const optionalUrl = (protocols: readonly string[]) =>
  z.preprocess(
    emptyToUndefined,
    z
      .string()
      .refine((v) => {
        try {
          return protocols.includes(new URL(v).protocol);
        } catch {
          return false;
        }
      }, `must be a URL with one of: ${protocols.join(', ')}`)
      .optional(),
  );
const int = (def: number, min: number, max: number) =>
  z.preprocess(emptyToUndefined, z.coerce.number().int().min(min).max(max).default(def));

export const configSchema = z.object({
  NODE_ENV: z.preprocess(emptyToUndefined, z.enum(['development', 'production', 'test']).default('development')),
  PORT: int(4000, 0, 65_535),
  HOST: z.preprocess(emptyToUndefined, z.string().default('0.0.0.0')),
  FLYWHEEL_DATA_DIR: z.preprocess(emptyToUndefined, z.string().default('./data')),
  /** Accepted as an admin key; when unset a bootstrap key is generated and printed once. */
  FLYWHEEL_ADMIN_KEY: z.preprocess(emptyToUndefined, z.string().min(24, 'at least 24 characters').optional()),
  /** Signs feedback tokens; when unset a random secret is kept in the data dir. */
  FLYWHEEL_TOKEN_SECRET: z.preprocess(emptyToUndefined, z.string().min(32, 'at least 32 characters').optional()),
  EVENTSTORE_URL: optionalUrl(['esdb:', 'esdb+discover:', 'kurrentdb:', 'kurrentdb+discover:', 'kdb:', 'kdb+discover:']),
  MONGODB_URL: optionalUrl(['mongodb:', 'mongodb+srv:']),
  MONGODB_DATABASE: z.preprocess(emptyToUndefined, z.string().default('flywheel')),
  NATS_URL: optionalUrl(['nats:', 'tls:', 'ws:', 'wss:']),
  OPENAI_API_KEY: optionalString,
  OPENAI_BASE_URL: optionalUrl(['http:', 'https:']),
  /** Embeddings through the OpenAI endpoint with this model; unset: the offline lexical embedder. */
  FLYWHEEL_EMBEDDING_MODEL: optionalString,
  FLYWHEEL_EMBEDDING_DIMENSIONS: int(1536, 1, 16_384),
  /** The judge's model when a metric names none (refused on interactions answered by its own family). */
  FLYWHEEL_JUDGE_MODEL: z.preprocess(emptyToUndefined, z.string().default('gpt-4o-mini')),
  /** Judge calls in flight at once. */
  FLYWHEEL_JUDGE_CONCURRENCY: int(4, 1, 64),
  /**
   * Whether this instance runs the projector. Scaled out, many stateless API instances share
   * the stores and one worker instance projects (and publishes notifications).
   */
  FLYWHEEL_PROJECTOR: z.preprocess(emptyToUndefined, z.enum(['on', 'off']).default('on')),
  LOG_LEVEL: z.preprocess(emptyToUndefined, z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info')),
  /** Largest string any single input field may hold, in bytes. */
  FLYWHEEL_MAX_FIELD_BYTES: int(256 * 1024, 1024, 16 * 1024 * 1024),
  /** Requests per second per API key (a token bucket holding one second's worth). */
  FLYWHEEL_RATE_LIMIT: int(200, 1, 1_000_000),
  /**
   * Wraps every privacy data key: 32 bytes as 64 hex digits or base64. When unset, one is
   * generated on first start and kept in the data dir (master.key, mode 0600).
   */
  FLYWHEEL_MASTER_KEY: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^(?:[0-9a-fA-F]{64}|[A-Za-z0-9+/]{43}=)$/, '32 bytes as 64 hex digits or base64 (44 characters)')
      .optional(),
  ),
  /**
   * `on` (default): every interaction passes the PII detector before it is appended, as its
   * workload's policy says. `off`: texts are stored as sent, whatever the policy (benchmarks,
   * deployments that redact upstream).
   */
  FLYWHEEL_REDACTION: z.preprocess(emptyToUndefined, z.enum(['on', 'off']).default('on')),
});

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  constructor(readonly issues: readonly { variable: string; message: string }[]) {
    super(`invalid configuration:\n${issues.map((i) => `  ${i.variable}: ${i.message}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function parseConfig(env: Readonly<Record<string, string | undefined>>): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => ({ variable: i.path.map(String).join('.'), message: i.message })));
  }
  return parsed.data;
}

/** The one place the process environment is read. */
export function loadConfig(): Config {
  return parseConfig(process.env);
}

/** What `npm run demo` needs: where the API is and a key with the ingest scope. */
export const demoConfigSchema = z.object({
  FLYWHEEL_URL: z.preprocess(emptyToUndefined, z.url().default('http://127.0.0.1:4000/graphql')),
  FLYWHEEL_API_KEY: z.preprocess(emptyToUndefined, z.string().optional()),
  FLYWHEEL_ADMIN_KEY: z.preprocess(emptyToUndefined, z.string().optional()),
});

export function loadDemoConfig(): z.infer<typeof demoConfigSchema> {
  const parsed = demoConfigSchema.safeParse(process.env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => ({ variable: i.path.map(String).join('.'), message: i.message })));
  }
  return parsed.data;
}
