#!/usr/bin/env node
// `npx flywheel …`: runs the TypeScript sources through tsx, as `npm start` does.
require('tsx/cjs');
const { main } = require('../app/main.ts');
main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`${error && error.stack ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
