import pino from 'pino';
import type { Logger } from '../lib/logger';
import type { Config } from './config';

/** Structured JSON logs on stdout; each request's lines carry its request id. */
export function createLogger(config: Pick<Config, 'LOG_LEVEL'>, destination: 1 | 2 = 1): Logger {
  return pino({ level: config.LOG_LEVEL, base: { service: 'flywheel' } }, pino.destination({ fd: destination, sync: false }));
}
