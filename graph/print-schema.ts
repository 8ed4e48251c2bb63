import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { printedSchema } from './schema';

// `npm run schema`: writes the SDL that is committed and checked by graph/schema.unit.test.ts.
writeFileSync(join(__dirname, 'schema.graphql'), printedSchema());
