#!/usr/bin/env node
'use strict';
// Shebang shim, CommonJS so that it starts as fast as `node -e 0`: check the Node version, answer
// --help/--version or draw the wizard's first frame (dist/boot.cjs), then load the ESM bundle.
// Node 22 is the oldest line still maintained, and the one package.json's engines names.
if (parseInt(process.versions.node, 10) < 22) {
  process.stderr.write(`create-prod-ready needs Node.js 22 or newer (this is ${process.versions.node}): install the LTS from https://nodejs.org (or \`nvm install --lts\`), then run it again.\n`);
  process.exit(1);
}
const argv = process.argv.slice(2);
const { exit, painted } = require('../dist/boot.cjs').boot(argv);
if (exit !== undefined) {
  process.exitCode = exit;
} else {
  import('../dist/cli.mjs')
    .then(({ main }) => main(argv, painted))
    .then(
      (code) => {
        process.exitCode = code;
      },
      (err) => {
        // A bug, not a user error: say so plainly, with the stack for the report.
        process.stderr.write(`create-prod-ready: internal error. Please report it with this output.\n${(err && err.stack) || err}\n`);
        process.exitCode = 1;
      },
    );
}
