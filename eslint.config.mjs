import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The layers, bottom up: lib → events → projections → services → graph → app. A layer imports
 * only from those below it (the dependency rule of docs/architecture.md). Tests, fixtures and
 * benchmarks wire layers together like the composition root does, so they are exempt.
 */
const LAYERS = ['lib', 'events', 'projections', 'services', 'graph', 'app'];

function layerRule(layer) {
  const above = LAYERS.slice(LAYERS.indexOf(layer) + 1);
  return {
    files: [`${layer}/**/*.ts`],
    ignores: ['**/*.test.ts', '**/*.fixture.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: above.map((upper) => ({
            group: [`**/${upper}`, `**/${upper}/**`],
            message: `${layer}/ is below ${upper}/ and must not import from it (the layer rule: lib → events → projections → services → graph → app).`,
          })),
        },
      ],
    },
  };
}

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', 'coverage/', '**/*.js', '**/*.mjs', 'graph/generated/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Read configuration through app/config.' }],
    },
  },
  ...LAYERS.slice(0, -1).map(layerRule),
  {
    files: ['app/config.ts', 'test/**', 'bench/**', '**/*.test.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
);
