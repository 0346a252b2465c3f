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
  // The CLI is ESM: its `import { spawn } from 'node:child_process'` (execa's too) sees the wrappers only once
  // the builtin's ESM exports are synced with the patched CommonJS ones.
  require('node:module').syncBuiltinESMExports();
}

// When the first outgoing connection of the process tree starts (ms since the epoch, written once to
// $PROD_READY_CONNECT_LOG): the fault suite times a deadline from this event, not from the process start,
// which a busy machine stretches.
const connectLog = process.env.PROD_READY_CONNECT_LOG;
if (connectLog) {
  const net = require('node:net');
  const original = net.Socket.prototype.connect;
  let seen = false;
  net.Socket.prototype.connect = function (...args) {
    if (!seen) {
      seen = true;
      try {
        fs.writeFileSync(connectLog, String(Date.now()), { flag: 'wx' });
      } catch {
        /* an earlier process of the tree wrote it first */
      }
    }
    return original.apply(this, args);
  };
}
