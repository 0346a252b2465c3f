#!/usr/bin/env node
// Shebang shim: check the Node version, then load the bundled CLI.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 12)) {
  process.stderr.write(`create-prod-ready needs Node.js 20.12 or newer (this is ${process.versions.node}).\n`);
  process.exit(1);
}
const { main } = await import('../dist/cli.mjs');
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    // A bug, not a user error: say so plainly, with the stack for the report.
    process.stderr.write(`create-prod-ready: internal error. Please report it with this output.\n${err && err.stack ? err.stack : err}\n`);
    process.exitCode = 1;
  },
);
