// Offline audits for `check`: keys .env.example declares that .env lacks, test and live credentials
// mixed, a .env committed to git, and secret values pasted into tracked files. Everything here
// reports key names and file paths, never a value. The only effects are reading the project's
// files and running `git` (src/core/exec.ts: no shell; argv never holds a secret).
import { lstat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from './errors.ts';
import { CommandNotFound, exec } from './exec.ts';
import { parseDotenv } from './files/dotenv.ts';
import { secretNeedles, type KeyMode } from './mask.ts';
import type { Provider } from './provider.ts';

/** Keys declared in .env.example that are missing or empty in .env, in .env.example's order. */
export function missingFromDotenv(exampleText: string, dotenv: Record<string, string>): string[] {
  // The repo's own parser: commented-out lines define nothing, exactly as dotenv reads them.
  const keys = new Set(parseDotenv(exampleText).entries.map((e) => e.key));
  return [...keys].filter((k) => !dotenv[k]);
}

type Mode = KeyMode;

/** Keys whose test/live modes must agree: one provider's keys that declare a `mode` (EnvVar.mode). */
export interface ModeGroup {
  provider: string;
  keys: { key: string; mode: (value: string) => Mode | undefined }[];
  /** What to do when they disagree. */
  fix: string;
}

/** The mode groups the providers declare, in the order given. */
export function modeGroups(providers: readonly Provider[]): ModeGroup[] {
  return providers
    .map((p) => ({
      provider: p.title,
      keys: p.env.filter((e) => e.mode).map((e) => ({ key: e.key, mode: e.mode! })),
      fix: p.modeFix ?? 'take every key from the same environment (test or live)',
    }))
    .filter((g) => g.keys.length);
}

const are = (keys: string[], what: string) => `${keys.join(', ')} ${keys.length > 1 ? `are ${what}s` : `is a ${what}`}`;

/**
 * One line per problem when test and live credentials are mixed: inside a provider, across providers,
 * and live keys in a development or test NODE_ENV. Lines name keys, never values. Values without a
 * recognisable mode prefix are left to the providers' format checks.
 */
export function modeMix(values: Record<string, string>, modes: readonly ModeGroup[]): string[] {
  const lines: string[] = [];
  const groups = modes.map((g) => {
    const byMode: Record<Mode, string[]> = { test: [], live: [] };
    for (const k of g.keys) {
      const m = k.mode(values[k.key] ?? '');
      if (m) byMode[m].push(k.key);
    }
    return { ...g, byMode, keysSet: [...byMode.test, ...byMode.live] };
  });

  for (const g of groups)
    if (g.byMode.test.length && g.byMode.live.length)
      lines.push(`${g.provider} keys mix test and live (test: ${g.byMode.test.join(', ')}; live: ${g.byMode.live.join(', ')}): ${g.fix}`);

  // Across providers, only those whose own keys agree: a provider already mixed has its own line above,
  // and naming it again here would only repeat it.
  const settled = groups.filter((g) => !(g.byMode.test.length && g.byMode.live.length) && g.keysSet.length);
  const live = settled.filter((g) => g.byMode.live.length);
  const test = settled.filter((g) => g.byMode.test.length);
  if (live.length && test.length) {
    const side = (gs: typeof settled, mode: Mode) => gs.map((g) => `${g.provider} is ${mode} (${g.keysSet.join(', ')})`).join(', ');
    lines.push(
      `${side(live, 'live')} but ${side(test, 'test')}: real data in one service and development data in the other; use test keys for all of them locally and live keys for all of them in production`,
    );
  }

  const env = values.NODE_ENV;
  const liveKeys = groups.flatMap((g) => g.byMode.live);
  if ((env === 'development' || env === 'test') && liveKeys.length)
    lines.push(
      `NODE_ENV is ${env} but ${are(liveKeys, 'live key')}: a ${env} setup would touch real payments and real users; use test keys here and keep live keys on the production host`,
    );
  return lines;
}

// Variables that point git at a repository other than the one around `cwd` (git exports them to hooks,
// so `check` run from a hook with --cwd elsewhere would otherwise list the hook's repository).
const REPO_VARS = ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_COMMON_DIR', 'GIT_INDEX_FILE', 'GIT_OBJECT_DIRECTORY', 'GIT_NAMESPACE', 'GIT_PREFIX'];

function gitEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LC_ALL: 'C', LANGUAGE: '' }; // English messages, to recognise "not a repository"
  for (const k of REPO_VARS) delete env[k];
  return env;
}

const NOT_A_REPO = /not a git repository|must be run in a work tree/i;

/**
 * Files tracked by git under `cwd`, relative to it with `/` separators (what `git ls-files` lists).
 * null when `cwd` is not inside a work tree, does not exist, or git is not installed. Any other git
 * failure (e.g. "dubious ownership") throws: saying "not a repository" then would hide a committed .env.
 */
export async function gitTracked(cwd: string): Promise<string[] | null> {
  let r: Awaited<ReturnType<typeof exec>>;
  try {
    r = await exec('git', ['ls-files', '-z'], { cwd, env: gitEnv(), extendEnv: false, maxBuffer: 256 * 1024 * 1024 });
  } catch (e) {
    if (e instanceof CommandNotFound) return null; // no git, or no such folder
    throw e;
  }
  if (r.code === 0) return [...new Set(r.stdout.split('\0').filter(Boolean))];
  if (NOT_A_REPO.test(r.stderr)) return null;
  const why = r.stderr.split('\n').find((l) => l.trim()) ?? `git exited with code ${r.code}`;
  throw new UserError(`git could not list the tracked files in ${cwd}: ${why.replace(/^fatal:\s*/, '')}`, 'run `git ls-files` there to see the problem');
}

/** Whether `.env` (in `cwd`) is tracked by git; null when `cwd` is not in a git work tree. */
export async function dotenvTracked(cwd: string): Promise<boolean | null> {
  const files = await gitTracked(cwd);
  return files && files.includes('.env');
}

const MAX_BYTES = 2 * 1024 * 1024;
const BINARY_SNIFF = 8 * 1024;
// Shorter values (app, 3000, true) would be found all over an ordinary project.
const MIN_SECRET = 8;
// Enough reads in flight to hide latency, few enough never to run out of file descriptors.
const PARALLEL = 16;

export interface Leak {
  file: string;
  key: string;
}
export interface Secret {
  key: string;
  value: string;
}

/** The contents of a tracked regular file worth searching, or undefined (gone, too big, binary, unreadable). */
async function readText(path: string): Promise<Buffer | undefined> {
  try {
    // lstat: a tracked symlink's content in git is its target path, and following it could reach a
    // FIFO or a device that never ends; submodules are directories.
    const st = await lstat(path);
    if (!st.isFile() || st.size > MAX_BYTES) return undefined;
    const buf = await readFile(path);
    if (buf.length > MAX_BYTES || buf.subarray(0, BINARY_SNIFF).includes(0)) return undefined;
    return buf;
  } catch {
    return undefined;
  }
}

/** Which secret (by key) appears in which of the given files. Each file is read once for all secrets. */
async function scan(cwd: string, files: string[], secrets: Secret[], envFiles: readonly string[] = ['.env']): Promise<Leak[]> {
  // Every form the secret may take in text (itself, \n-escaped, a URL's password), as bytes, so that
  // files are searched without decoding them.
  const needles = secrets
    .map((s) => ({ key: s.key, bytes: secretNeedles(s.value).filter((n) => n.length >= MIN_SECRET).map((n) => Buffer.from(n)) }))
    .filter((s) => s.bytes.length);
  const todo = files.filter((f) => !envFiles.includes(f));
  if (!needles.length || !todo.length) return [];

  const found: Leak[][] = new Array(todo.length);
  let next = 0;
  const worker = async () => {
    while (next < todo.length) {
      const i = next++;
      const file = todo[i]!;
      const buf = await readText(join(cwd, file));
      found[i] = buf ? needles.filter((n) => n.bytes.some((b) => buf.includes(b))).map((n) => ({ file, key: n.key })) : [];
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, todo.length) }, worker));
  return found.flat();
}

/**
 * Tracked files (other than .env itself) that contain a secret's value, as { file, key } in git's file
 * order; never the value. Skips values under 8 characters, files over 2 MB, binary files (a NUL byte in
 * the first 8 KB) and files that cannot be read. Not a git work tree: nothing is tracked, so [].
 */
export async function secretsInTrackedFiles(cwd: string, secrets: Secret[]): Promise<Leak[]> {
  const files = await gitTracked(cwd);
  return files ? scan(cwd, files, secrets) : [];
}

export interface AuditInput {
  /** The text of .env.example, when the project has one. */
  example?: string;
  /** .env's values. */
  dotenv: Record<string, string>;
  /** The secret values to look for in tracked files. */
  secrets: Secret[];
  /** The values whose test/live modes are compared (usually .env with the environment on top). */
  values: Record<string, string>;
  /** Which keys carry a test/live mode (modeGroups of the providers); none: no mode audit. */
  modes?: readonly ModeGroup[];
  /** The secrets files (root-relative: .env, or .env.local beside a committed .env; in a monorepo one per app); default `.env`. */
  envFiles?: string[];
}

export interface AuditResult {
  missing: string[];
  modeMix: string[];
  /** null: not a git work tree (or no git). */
  dotenvTracked: boolean | null;
  /** The env files git tracks (in a monorepo, any app's). */
  trackedEnvFiles: string[];
  leaks: Leak[];
}

/** Every audit at once. One `git ls-files` serves both git audits; the file reads run concurrently. */
export async function audit(cwd: string, input: AuditInput): Promise<AuditResult> {
  const files = await gitTracked(cwd);
  const envFiles = input.envFiles ?? ['.env'];
  const tracked = envFiles.filter((f) => files?.includes(f));
  return {
    missing: input.example === undefined ? [] : missingFromDotenv(input.example, input.dotenv),
    modeMix: modeMix(input.values, input.modes ?? []),
    dotenvTracked: files && tracked.length > 0,
    trackedEnvFiles: tracked,
    // an env file is where secrets belong: it is reported as tracked, not as a leak
    leaks: files ? await scan(cwd, files, input.secrets, envFiles) : [],
  };
}
