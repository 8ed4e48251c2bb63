import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Typed documents for the operations the tests, client/ and dashboard/ send. The schema is the
 * committed SDL (`npm run schema` prints it); `npm run codegen` regenerates the output, and a
 * test fails when either has drifted from the code.
 */
const config: CodegenConfig = {
  schema: 'graph/schema.graphql',
  documents: ['graph/operations/**/*.graphql'],
  generates: {
    'graph/generated/operations.ts': {
      plugins: ['typescript-operations', 'typed-document-node'],
      config: {
        scalars: { DateTime: 'string', JSON: 'unknown', JSONObject: 'Record<string, unknown>' },
        enumsAsTypes: true,
        avoidOptionals: { field: true, inputValue: false, object: true },
        useTypeImports: true,
        skipTypename: false,
      },
    },
  },
  hooks: {},
};

export default config;
