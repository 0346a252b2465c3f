// The fixture apps of test/fixtures/apps, copied to a throwaway git repository as a developer has them.
import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, renameSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tempProject } from './project.ts';

export const APPS_DIR = join(import.meta.dirname, '..', 'fixtures', 'apps');
export const FIXTURE_APPS = readdirSync(APPS_DIR, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

export interface FixtureInfo {
  /** The providers a run selects (--providers). */
  providers: string;
}
export const fixtureInfo = (name: string): FixtureInfo => JSON.parse(readFileSync(join(APPS_DIR, name, 'fixture.json'), 'utf8')) as FixtureInfo;

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' },
  });
}

/**
 * A copy of the app in a new folder: `_gitignore` → `.gitignore`, `_env` → `.env`, then `git init` and one
 * commit of what the app's .gitignore lets git see (the Next.js starter's committed .env included).
 */
export function fixtureApp(name: string, opts: { git?: boolean } = {}): string {
  const dir = tempProject();
  cpSync(join(APPS_DIR, name), dir, { recursive: true });
  rmSync(join(dir, 'fixture.json'));
  for (const [from, to] of [['_gitignore', '.gitignore'], ['_env', '.env']] as const)
    if (existsSync(join(dir, from))) renameSync(join(dir, from), join(dir, to));
  if (opts.git !== false) {
    git(dir, 'init', '-q', '-b', 'main');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-qm', 'initial');
  }
  return dir;
}

/** Files git tracks in the folder. */
export const tracked = (dir: string): string[] => git(dir, 'ls-files').split('\n').filter(Boolean);

/** Whether git ignores the file (`git check-ignore`). */
export function ignored(dir: string, file: string): boolean {
  try {
    git(dir, 'check-ignore', '-q', file);
    return true;
  } catch {
    return false;
  }
}
