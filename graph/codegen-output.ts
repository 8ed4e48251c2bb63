import { generate } from '@graphql-codegen/cli';
import config from '../codegen';

// Prints what `npm run codegen` would write, without writing it (used by the drift test,
// which runs it as a child process because codegen's CLI loads ES modules jest cannot).
void generate({ ...config, silent: true }, false).then((outputs) => {
  for (const output of outputs) process.stdout.write(`${JSON.stringify({ filename: output.filename, content: output.content })}\n`);
});
