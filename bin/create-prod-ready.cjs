#!/usr/bin/env node
'use strict';
// Shebang shim, CommonJS so that it starts as fast as `node -e 0`: check the Node version, answer
// --help/--version or draw the wizard's first frame (dist/boot.cjs), then load the ESM bundle.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 12)) {
  process.stderr.write(`create-prod-ready needs Node.js 20.12 or newer (this is ${process.versions.node}).\n`);
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
