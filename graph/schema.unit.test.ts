import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { printedSchema } from './schema';

const root = join(__dirname, '..');

describe('committed GraphQL artefacts', () => {
  it('graph/schema.graphql is the schema the code builds (run `npm run schema` after a change)', () => {
    expect(readFileSync(join(__dirname, 'schema.graphql'), 'utf8')).toBe(printedSchema());
  });

  it('graph/generated/operations.ts is what codegen makes of the operations (run `npm run codegen`)', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, 'codegen-output.ts')], { cwd: root, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    const outputs: { filename: string; content: string }[] = run.stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(outputs.length).toBeGreaterThan(0);
    for (const output of outputs) {
      const path = join(root, relative(root, join(root, output.filename)));
      expect(readFileSync(path, 'utf8')).toBe(output.content);
    }
  }, 60_000);
});
