/**
 * `npm run bench -- <name> [args]` runs bench/<name>.ts. Each benchmark prints its figures as it
 * goes and, as its last line, one JSON object with them (goals and ratios included).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';

const [name, ...args] = process.argv.slice(2);
const available = readdirSync(__dirname)
  .filter((f) => f.endsWith('.ts') && !f.startsWith('_') && f !== 'run.ts')
  .map((f) => f.slice(0, -3))
  .sort();

if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- <name>\navailable: ${available.join(', ')}`);
  process.exit(2);
}
const file = join(__dirname, `${name}.ts`);
if (!existsSync(file)) process.exit(2);
// A child process per benchmark so each starts with a clean heap and its own event loop.
const child = spawn(process.execPath, ['--import', 'tsx', '--expose-gc', file, ...args], { stdio: 'inherit' });
// Pass stop signals on: `timeout` or Ctrl-C must stop the benchmark, not only this runner.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    child.kill(signal);
    // A benchmark whose event loop is blocked cannot handle the signal; make sure it ends.
    setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
  });
}
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
