import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runKeys, runRebuild, runReplay } from './cli';
import { parseConfig, type Config } from './config';
import { createApp } from './wiring';
import { silentLogger } from '../lib/logger';
import { chatInteraction } from '../test/fixtures';
import { settled } from '../test/settle';

/** Runs a CLI command in-process and returns what it printed on stdout, line by line. */
async function capture(run: () => Promise<number>): Promise<{ code: number; lines: string[] }> {
  let out = '';
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  });
  const errSpy = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    const code = await run();
    return { code, lines: out.split('\n').filter((l) => l !== '') };
  } finally {
    spy.mockRestore();
    errSpy.mockRestore();
  }
}

let dir: string;
let config: Config;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'flywheel-cli-'));
  config = parseConfig({ FLYWHEEL_DATA_DIR: dir, FLYWHEEL_ADMIN_KEY: 'cli-test-admin-key-0123456789', LOG_LEVEL: 'silent' });
  const app = await createApp(config, { logger: silentLogger });
  await app.ingest.log({ ...chatInteraction(), id: 'cli-1' }, { actor: 'test', correlationId: 'c1' });
  await app.ingest.log({ ...chatInteraction({ workloadId: 'other' }), id: 'cli-2' }, { actor: 'test', correlationId: 'c2' });
  await settled(app);
  await app.stop();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('flywheel CLI', () => {
  it('keys create, list and revoke', async () => {
    const created = await capture(() => runKeys(config, ['create', '--name', 'ci', '--scopes', 'ingest,read', '--workloads', 'support-bot']));
    expect(created.code).toBe(0);
    const issued: { keyId: string; key: string; scopes: string[]; workloadIds: string[] } = JSON.parse(created.lines[0] ?? '{}');
    expect(issued.key).toMatch(/^fw_/);
    expect(issued.scopes).toEqual(['ingest', 'read']);
    expect(issued.workloadIds).toEqual(['support-bot']);

    const listed = await capture(() => runKeys(config, ['list']));
    expect(listed.lines.some((l) => l.includes(issued.keyId))).toBe(true);
    expect(listed.lines.join('\n')).not.toContain('keyHash');

    const revoked = await capture(() => runKeys(config, ['revoke', issued.keyId, '--reason', 'rotated']));
    expect(revoked.code).toBe(0);
    const all = await capture(() => runKeys(config, ['list', '--all']));
    const row = all.lines.map((l) => JSON.parse(l)).find((k: { keyId: string }) => k.keyId === issued.keyId);
    expect(row).toMatchObject({ status: 'revoked' });

    expect((await capture(() => runKeys(config, ['create', '--name', 'no-scopes']))).code).toBe(2);
  });

  it('replay prints the stored events as NDJSON, filtered by stream or type', async () => {
    const everything = await capture(() => runReplay(config, []));
    expect(everything.code).toBe(0);
    const events = everything.lines.map((l) => JSON.parse(l));
    expect(events.filter((e: { type: string }) => e.type === 'InteractionLogged')).toHaveLength(2);
    const positions = events.map((e: { position: number }) => e.position);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);

    const one = await capture(() => runReplay(config, ['--stream', 'interaction-cli-2']));
    expect(one.lines.map((l) => JSON.parse(l).type)).toContain('InteractionLogged');
    expect(one.lines.every((l) => JSON.parse(l).stream === 'interaction-cli-2')).toBe(true);

    const typed = await capture(() => runReplay(config, ['--types', 'ApiKeyIssued']));
    expect(typed.lines.length).toBeGreaterThan(0);
    expect(typed.lines.every((l) => JSON.parse(l).type === 'ApiKeyIssued')).toBe(true);
  });

  it('rebuild drops a read model and replays it from position 0', async () => {
    const rebuilt = await capture(() => runRebuild(config, ['interactions']));
    expect(rebuilt.code).toBe(0);
    expect(JSON.parse(rebuilt.lines[0] ?? '{}')).toMatchObject({ readModel: 'interactions', events: 2 });
    expect((await capture(() => runRebuild(config, ['no-such-model']))).code).toBe(2);
  });
});
