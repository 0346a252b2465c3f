// The clean copy a rehearsal runs in: the files git would commit (tracked files as they are now, plus
// untracked files .gitignore does not exclude), plus the untracked .env/.env.local. Never node_modules,
// build output or anything else ignored; the user's folder is only read.
import { execFile } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, lstatSync, mkdirSync, readlinkSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface CopyReport {
  files: number;
  /** Changed or new files since the last commit: they are rehearsed, but Render only sees them once pushed. */
  uncommitted: number;
  git: boolean;
  /** The untracked .env files copied along (relative paths). */
  envFiles: string[];
}

/**
 * git's output, or undefined outside a repository (or without git). node:child_process rather than
 * src/core/exec.ts: two fixed git commands need nothing of execa, whose loading (~25 ms) every rehearsal
 * would otherwise pay before its first step.
 */
function git(cwd: string, args: string[]): Promise<string | undefined> {
  return new Promise((resolve) =>
    execFile('git', args, { cwd, maxBuffer: 100 * 1024 * 1024, windowsHide: true }, (err, stdout) => resolve(err ? undefined : stdout)),
  );
}

/** What git would commit from a folder; `listed` undefined outside a repository. */
export interface GitListing {
  listed?: string;
  status: string;
}

/** Asked once and early (while the Blueprint is read): the same for every service's copy. */
export async function gitListing(from: string): Promise<GitListing> {
  const [listed, status = ''] = await Promise.all([
    git(from, ['ls-files', '-z', '--cached', '--others', '--exclude-standard']),
    git(from, ['status', '--porcelain', '-z', '--untracked-files=all', '--', '.']),
  ]);
  return { listed, status };
}

/** `envDirs`: folders (relative, '' for the top) whose .env and .env.local are copied too. */
export async function copyProject(from: string, to: string, envDirs: string[] = [''], listing: Promise<GitListing> = gitListing(from)): Promise<CopyReport> {
  mkdirSync(to, { recursive: true });
  const { listed, status } = await listing;
  if (listed === undefined) {
    // not a git repository: everything but dependencies and git's own folder
    cpSync(from, to, { recursive: true, verbatimSymlinks: true, filter: (src) => !/[\\/](node_modules|\.git)$/.test(src) });
    return { files: -1, uncommitted: 0, git: false, envFiles: envDirs.flatMap((d) => ['.env', '.env.local'].map((f) => (d ? `${d}/${f}` : f))).filter((f) => existsSync(join(from, f))) };
  }
  const files = [...new Set(listed.split('\0').filter(Boolean))];
  let copied = 0;
  for (const f of files) {
    const src = join(from, f);
    let st;
    try {
      st = lstatSync(src);
    } catch {
      continue; // deleted in the working tree: it will not be committed either
    }
    const dst = join(to, f);
    mkdirSync(dirname(dst), { recursive: true });
    if (st.isSymbolicLink()) symlinkSync(readlinkSync(src), dst);
    else if (st.isFile()) copyFileSync(src, dst);
    else continue;
    copied++;
  }
  const envFiles: string[] = [];
  for (const d of envDirs)
    for (const f of ['.env', '.env.local']) {
      const rel = d ? `${d}/${f}` : f;
      if (existsSync(join(from, rel)) && !files.includes(rel)) {
        copyFileSync(join(from, rel), join(to, rel));
        envFiles.push(rel);
      }
    }
  return { files: copied, uncommitted: status.split('\0').filter((l) => /^.. /.test(l)).length, git: true, envFiles };
}
