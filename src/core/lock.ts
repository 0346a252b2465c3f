// One run at a time per project. A lock file in the system temp folder (never in the project), named by a
// hash of the project's real path, holds the owner's pid. A second run waits for it a little, then refuses
// with a clear line; a lock whose process is gone (killed) is taken over.
import { closeSync, openSync, readFileSync, realpathSync, unlinkSync, writeSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { UserError } from './errors.ts';

export class LockedError extends UserError {}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

export function lockPath(cwd: string): string {
  return join(tmpdir(), `create-prod-ready-${createHash('sha256').update(realpathSync(cwd)).digest('hex').slice(0, 16)}.lock`);
}

/** Takes the project's lock (waiting up to `waitMs`); returns the release function (also run at exit). */
export async function lockProject(cwd: string, command: string, opts: { waitMs?: number; onWait?: (line: string) => void } = {}): Promise<() => void> {
  const path = lockPath(cwd);
  const waitMs = opts.waitMs ?? (Number(process.env.PROD_READY_LOCK_WAIT_MS) || 5000);
  const deadline = Date.now() + waitMs;
  let told = false;
  for (;;) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, JSON.stringify({ pid: process.pid, command, started: new Date().toISOString() }));
      closeSync(fd);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        process.off('exit', release);
        try {
          unlinkSync(path);
        } catch {
          /* already gone */
        }
      };
      process.on('exit', release);
      return release;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let owner: { pid: number; command: string; started: string } | undefined;
    try {
      owner = JSON.parse(readFileSync(path, 'utf8')) as typeof owner;
    } catch {
      owner = undefined; // being written this instant, or garbage: looked at again below
    }
    if (owner && !alive(owner.pid)) {
      try {
        unlinkSync(path); // its process is gone (killed): the lock is stale
      } catch {
        /* someone else took it over first */
      }
      continue;
    }
    if (Date.now() >= deadline) {
      const since = owner ? ` since ${owner.started.slice(11, 19)} UTC` : '';
      throw new LockedError(
        `another create-prod-ready run${owner ? ` (${owner.command}, pid ${owner.pid}${since})` : ''} is working on this project; nothing was done`,
        'wait for it to finish, then run again',
      );
    }
    if (!told && owner) {
      told = true;
      opts.onWait?.(`waiting for another create-prod-ready run (${owner.command}, pid ${owner.pid}) on this project…`);
    }
    await sleep(100);
  }
}

/** Runs `fn` holding the project's lock (a dry run, which writes nothing, takes none). */
export async function withProjectLock<T>(cwd: string, command: string, dryRun: boolean, fn: () => Promise<T>): Promise<T> {
  const release = dryRun ? () => {} : await lockProject(cwd, command, { onWait: (l) => process.stderr.write(`${l}\n`) });
  try {
    return await fn();
  } finally {
    release();
  }
}
