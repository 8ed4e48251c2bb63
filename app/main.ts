import { ConfigError, loadConfig, type Config } from './config';
import { createLogger } from './logger';
import { runKeys, runRebuild, runReplay } from './cli';
import { startServer } from './server';
import { createApp } from './wiring';

const USAGE = `usage: flywheel <command>

  serve                                   serve the GraphQL API (default)
  keys create --name N --scopes a,b [--workloads w1,w2] [--expires ISO]
  keys list [--all]
  keys revoke <keyId> [--reason TEXT]
  replay [--stream S | --prefix P] [--from ISO] [--to ISO] [--types A,B]
                                          NDJSON of stored events, oldest first
  replay --decrypt --reason R [--stream S | --subject ID | --conversation ID] [--from ISO] [--to ISO] [--limit N]
                                          the audit path: raw texts decrypted while their key exists; the access is recorded
  rebuild <readModel>                     drop a read model and replay it from position 0

Configuration comes from the environment (see README: Configuration).`;

async function serve(config: Config): Promise<void> {
  const logger = createLogger(config);
  const app = await createApp(config, { logger });
  if (app.generatedAdminKey) {
    // Shown once, on the terminal, not in the JSON logs: only its hash is kept.
    process.stderr.write(
      `\nFirst start: an admin API key was generated. It is shown this once; store it now.\n\n    ${app.generatedAdminKey}\n\n` +
        `Use it as: Authorization: Bearer <key>\n\n`,
    );
  }
  const server = await startServer(app, { port: config.PORT, host: config.HOST, logger });
  const shutdown = (signal: string) => {
    logger.info({ signal }, 'signal received');
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

export async function main(argv: readonly string[]): Promise<number> {
  const [command = 'serve', ...rest] = argv;
  if (command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
  switch (command) {
    case 'serve':
      await serve(config);
      return -1; // keeps running
    case 'keys':
      return runKeys(config, rest);
    case 'replay':
      return runReplay(config, rest);
    case 'rebuild':
      return runRebuild(config, rest);
    default:
      process.stderr.write(`unknown command ${command}\n\n${USAGE}\n`);
      return 2;
  }
}


if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      if (code >= 0) process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
