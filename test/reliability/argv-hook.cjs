// Preloaded into every CLI child of the reliability suite (NODE_OPTIONS=--require …): records the argv of
// every process it starts (npm, git, node-pg-migrate…) as JSON lines in $PROD_READY_ARGV_LOG, so the suite
// can prove that no secret is ever put in a child's arguments (where `ps` shows it to every user).
const cp = require('node:child_process');
const fs = require('node:fs');
const log = process.env.PROD_READY_ARGV_LOG;
if (log) {
  const record = (file, args) => {
    try {
      fs.appendFileSync(log, `${JSON.stringify({ parent: process.argv.slice(1, 3), file, args: Array.isArray(args) ? args : [] })}\n`);
    } catch {
      /* never break the run being observed */
    }
  };
  for (const name of ['spawn', 'spawnSync', 'execFile', 'execFileSync', 'fork']) {
    const original = cp[name];
    cp[name] = function (file, args, ...rest) {
      record(file, args);
      return original.call(this, file, args, ...rest);
    };
  }
  for (const name of ['exec', 'execSync']) {
    const original = cp[name];
    cp[name] = function (command, ...rest) {
      record(command, []);
      return original.call(this, command, ...rest);
    };
  }
  record(process.execPath, process.argv.slice(1));
}
