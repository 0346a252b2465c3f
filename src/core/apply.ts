// The only module that writes to the project. Two phases: every new version goes to a temp file next
// to its target (any failure removes them all, so nothing changed); then each is renamed over its
// target, .gitignore first so .env is ignored before it exists. No backups of secrets are made.
import { closeSync, fsyncSync, mkdirSync, rmdirSync, openSync, readdirSync, realpathSync, renameSync, statSync, lstatSync, unlinkSync, writeSync, chmodSync } from 'node:fs';
import { basename, dirname, join, relative, isAbsolute } from 'node:path';
import { randomBytes } from 'node:crypto';
import { FileError } from './errors.ts';
import { crashPoint } from './crash.ts';
import type { FileChange } from './plan.ts';

function target(cwd: string, path: string): string {
  const p = join(cwd, path);
  if (dirname(path) !== '.') {
    // A file in a folder (migrations/…): the folder is made, and must not lead out of the project.
    try {
      mkdirSync(dirname(p), { recursive: true });
    } catch (err) {
      throw new FileError(`cannot create ${dirname(path)}/: ${describe(err)}`);
    }
    const rel = relative(realpathSync(cwd), realpathSync(dirname(p)));
    if (rel.startsWith('..') || isAbsolute(rel)) throw new FileError(`${dirname(path)}/ leads out of the project; refusing to write ${path} there`);
  }
  let st;
  try {
    st = lstatSync(p);
  } catch {
    return p; // does not exist yet
  }
  if (!st.isSymbolicLink()) return p;
  let real: string;
  try {
    real = realpathSync(p);
  } catch {
    throw new FileError(`${path} is a symbolic link to a file that does not exist; refusing to write through it`);
  }
  const rel = relative(realpathSync(cwd), real);
  if (rel.startsWith('..') || isAbsolute(rel))
    throw new FileError(`${path} is a symbolic link that leaves the project (${real}); refusing to write through it`, 'replace the link with a file, or run the wizard where the file lives');
  return real;
}

function describe(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'EACCES' || e.code === 'EPERM') return 'permission denied';
  if (e.code === 'EROFS') return 'read-only file system';
  if (e.code === 'ENOSPC') return 'no space left on device';
  return e.code ?? String(e.message);
}

/** Our temp files: `.<name>.<pid>-<8 hex>.tmp`, next to their target. */
const TEMP = /^\..+\.(\d+)-[0-9a-f]{8}\.tmp$/;

/**
 * Temp files a killed run left behind (they may hold secrets: a staged .env) are removed before anything
 * else is written. Runs hold the project lock, so no other live run owns them.
 */
function removeLeftovers(dirs: Iterable<string>): void {
  for (const dir of dirs) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const n of names) {
      const m = TEMP.exec(n);
      if (m && Number(m[1]) !== process.pid)
        try {
          unlinkSync(join(dir, n));
        } catch {
          /* gone, or not ours to remove */
        }
    }
  }
}

export function apply(cwd: string, changes: FileChange[]): string[] {
  const todo = changes.filter((c) => c.action !== 'keep' && c.action !== 'delete');
  const gone = changes.filter((c) => c.action === 'delete');
  removeLeftovers(new Set([cwd, ...todo.map((c) => dirname(join(cwd, c.path)))]));
  const staged: { tmp: string; dest: string; path: string }[] = [];
  try {
    for (const c of todo) {
      const dest = target(cwd, c.path);
      let mode = c.mode ?? 0o644;
      if (c.mode === undefined)
        try {
          mode = statSync(dest).mode & 0o777;
        } catch {
          /* new file */
        }
      const tmp = join(dirname(dest), `.${basename(dest)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
      let fd: number;
      try {
        fd = openSync(tmp, 'wx', mode);
      } catch (err) {
        throw new FileError(`cannot write ${c.path}: ${describe(err)}`, `check that you may write to ${dirname(dest)}`);
      }
      staged.push({ tmp, dest, path: c.path });
      try {
        writeSync(fd, c.after);
        fsyncSync(fd);
      } catch (err) {
        throw new FileError(`cannot write ${c.path}: ${describe(err)}`);
      } finally {
        closeSync(fd);
      }
      chmodSync(tmp, mode); // openSync's mode is filtered by the umask
    }
  } catch (err) {
    for (const s of staged) try { unlinkSync(s.tmp); } catch { /* already gone */ }
    throw err;
  }
  crashPoint('staged');
  const written: string[] = [];
  for (const s of staged) {
    try {
      renameSync(s.tmp, s.dest);
      written.push(s.path);
      crashPoint(`renamed-${written.length}`);
    } catch (err) {
      for (const r of staged.slice(staged.indexOf(s))) try { unlinkSync(r.tmp); } catch { /* gone */ }
      const e = new FileError(`cannot write ${s.path}: ${describe(err)}${written.length ? ` (already written: ${written.join(', ')})` : ''}`);
      e.files = todo.filter((c) => written.includes(c.path)).map((c) => ({ path: c.path, action: c.action }));
      throw e;
    }
  }
  // Files moved away go last, once their new copies are in place; folders they leave empty go too.
  for (const c of gone) {
    const p = target(cwd, c.path);
    try {
      unlinkSync(p);
      written.push(c.path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      const e = new FileError(`cannot delete ${c.path}: ${describe(err)} (already written: ${written.join(', ')})`);
      e.files = changes.filter((x) => written.includes(x.path)).map((x) => ({ path: x.path, action: x.action }));
      throw e;
    }
    for (let dir = dirname(p); relative(cwd, dir) && !relative(cwd, dir).startsWith('..'); dir = dirname(dir))
      try {
        rmdirSync(dir);
      } catch {
        break; // not empty
      }
  }
  return written;
}
