// Fixture apps (test/fixtures/…) as a user has them: copied into a throwaway folder with its own git
// repository and a first commit, plus whatever the test adds (.env, edits).
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempProject } from './project.ts';

export function commitAll(dir: string, message = 'change'): void {
  execFileSync('git', ['add', '-A'], { cwd: dir });
  execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', 'commit', '-qm', message], { cwd: dir });
}

/** A copy of test/fixtures/<path> in a git repository with one commit; `files` are written after the commit (untracked: .env). */
export function fixtureApp(path: string, files: Record<string, string> = {}): string {
  const dir = tempProject();
  cpSync(fileURLToPath(new URL(`../fixtures/${path}`, import.meta.url)), dir, { recursive: true });
  execFileSync('git', ['init', '-q'], { cwd: dir });
  commitAll(dir, 'first');
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** Processes (pid → command line) whose working directory is inside `root`: what a rehearsal started there. */
export function processesUnder(root: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (!readlinkSync(`/proc/${d}/cwd`).startsWith(root)) continue;
      out.set(Number(d), readFileSync(`/proc/${d}/cmdline`, 'utf8').replace(/\0/g, ' ').trim());
    } catch {
      /* gone, or not ours */
    }
  }
  return out;
}

/** Whether the process still runs (a zombie waiting to be collected has ended). */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2)[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** The rehearsal's temporary folders left in `tmp`. */
export const leftovers = (tmp: string) => (existsSync(tmp) ? readdirSync(tmp).filter((f) => f.startsWith('cpr-rehearse-')) : []);
