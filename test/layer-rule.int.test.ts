import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * The layer rule of eslint.config.mjs (lib → events → projections → services → graph → app):
 * an import pointing up a layer fails lint, one pointing down passes. Run through ESLint itself,
 * so a config that stopped enforcing it shows here and not only in a review.
 */
const ROOT = join(__dirname, '..');

/**
 * ESLint loads its ESM config with a dynamic import, which jest's module sandbox does not run,
 * so the cases are linted in one child process and the test reads its answer.
 */
function lintAll(cases: readonly (readonly [string, string])[]): Map<string, string[]> {
  const script = `
    const { ESLint } = require('eslint');
    const cases = JSON.parse(process.argv[1]);
    (async () => {
      const eslint = new ESLint({ cwd: process.cwd() });
      const out = {};
      for (const [file, source] of cases) {
        const [result] = await eslint.lintText(source, { filePath: require('node:path').join(process.cwd(), file) });
        out[file] = result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
      }
      process.stdout.write(JSON.stringify(out));
    })().catch((error) => { console.error(error); process.exit(1); });`;
  const output = execFileSync(process.execPath, ['-e', script, JSON.stringify(cases)], { cwd: ROOT, encoding: 'utf8' });
  const parsed: Record<string, string[]> = JSON.parse(output);
  return new Map(Object.entries(parsed));
}

const UPWARD = [
    ['events/zz-upward.ts', "import type { ReadStore } from '../projections/read-store';\nexport type X = ReadStore;\n", 'projections'],
    ['projections/zz-upward.ts', "import type { Bus } from '../services/bus/bus';\nexport type X = Bus;\n", 'services'],
    ['projections/embedded/zz-upward.ts', "import type { Bus } from '../../services/bus/bus';\nexport type X = Bus;\n", 'services'],
    ['services/zz-upward.ts', "import type { GraphContext } from '../graph/context';\nexport type X = GraphContext;\n", 'graph'],
    ['services/feedback/zz-upward.ts', "import type { Config } from '../../app/config';\nexport type X = Config;\n", 'app'],
    ['graph/zz-upward.ts', "import type { FlywheelApp } from '../app/wiring';\nexport type X = FlywheelApp;\n", 'app'],
    ['lib/zz-upward.ts', "import type { DomainEvent } from '../events/catalogue';\nexport type X = DomainEvent;\n", 'events'],
] as const;

const DOWNWARD = [
    ['graph/zz-downward.ts', "import type { Bus } from '../services/bus/bus';\nexport type X = Bus;\n"],
    ['services/zz-downward.ts', "import type { ReadStore } from '../projections/read-store';\nexport type X = ReadStore;\n"],
    ['projections/zz-downward.ts', "import type { DomainEvent } from '../events/catalogue';\nexport type X = DomainEvent;\n"],
    ['app/zz-downward.ts', "import type { GraphContext } from '../graph/context';\nexport type X = GraphContext;\n"],
    // Tests wire layers together, like the composition root.
    ['projections/zz-upward.int.test.ts', "import type { Bus } from '../services/bus/bus';\nexport type X = Bus;\n"],
] as const;

describe('the layer rule', () => {
  let linted: Map<string, string[]>;
  beforeAll(() => {
    linted = lintAll([...UPWARD.map(([file, source]) => [file, source] as const), ...DOWNWARD]);
  });

  it.each(UPWARD)('refuses %s importing upwards', (file, _source, upper) => {
    const messages = linted.get(file);
    expect(messages).toHaveLength(1);
    expect(messages?.[0]).toContain(`below ${upper}/`);
  });

  it.each(DOWNWARD)('passes %s (an import downwards, or a test wiring layers together)', (file) => {
    expect(linted.get(file)).toEqual([]);
  });
});
