// Which file holds this project's secrets, and whether git looks at it. A framework that loads `.env.local`
// (Next.js, Vite-built apps, SvelteKit, Astro, Nuxt, Remix / React Router) keeps secrets there: its own
// convention, ignored by its .gitignore, while `.env` may be committed with non-secret defaults. A plain
// Node server (Express, Hono, Fastify, NestJS: dotenv reads `.env`) keeps them in `.env`.
// `envFileFor` is pure; `gitView` runs git (the edge).
import { gitTracked } from './audits.ts';
import { exec } from './exec.ts';
import { dotenvValues, parseDotenv } from './files/dotenv.ts';
import { FileError } from './errors.ts';
import type { ProjectInfo } from './project.ts';

export type EnvFileName = '.env' | '.env.local';
export const ENV_FILES: readonly EnvFileName[] = ['.env', '.env.local'];
export const isEnvFile = (path: string): boolean => (ENV_FILES as readonly string[]).includes(path);

const LOADS_LOCAL = new Set(['nextjs', 'sveltekit', 'astro', 'remix', 'react-router']);

/** The framework reads `.env.local` itself (a server framework beside Vite still reads `.env` through dotenv). */
export function loadsEnvLocal(project: Pick<ProjectInfo, 'framework' | 'dependencies'>): boolean {
  if (LOADS_LOCAL.has(project.framework)) return true;
  return project.framework === 'node' && (project.dependencies.includes('nuxt') || project.dependencies.includes('vite'));
}

/**
 * The file this run writes. Where the framework loads `.env.local`: that file when it exists; else an
 * existing `.env` git does not track (the project's own secrets file, kept); else `.env.local` in a git
 * repository (where `.env` may be committed with defaults); else `.env`. A plain Node server: `.env`.
 */
export function envFileFor(
  project: Pick<ProjectInfo, 'framework' | 'dependencies'>,
  view: { inRepo: boolean; localExists: boolean; envExists?: boolean; tracked?: readonly string[] },
): EnvFileName {
  if (!loadsEnvLocal(project)) return '.env';
  if (view.localExists) return '.env.local';
  if (view.envExists && !view.tracked?.includes('.env')) return '.env';
  return view.inRepo ? '.env.local' : '.env';
}

/** envFileFor from what is on disk and what git tracks. */
export const envFileHere = (project: Pick<ProjectInfo, 'framework' | 'dependencies'>, files: Partial<Record<string, string>>, git: GitView): EnvFileName =>
  envFileFor(project, { inRepo: git.inRepo, localExists: files['.env.local'] !== undefined, envExists: files['.env'] !== undefined, tracked: git.tracked });

export interface GitView {
  inRepo: boolean;
  /** The env files git tracks (committed or staged), relative to the folder read (a monorepo's: apps/api/.env). */
  tracked: string[];
}

/** What git tracks of the env files in `dirs` (relative to `cwd`; '' is `cwd` itself: a monorepo passes its apps). */
export async function gitView(cwd: string, dirs: readonly string[] = ['']): Promise<GitView> {
  const files = await gitTracked(cwd).catch(() => null);
  if (files === null) return { inRepo: false, tracked: [] };
  return { inRepo: true, tracked: dirs.flatMap((d) => ENV_FILES.map((f) => (d ? `${d}/${f}` : f))).filter((f) => files.includes(f)) };
}

/** `git rm --cached <files>`: git stops tracking them; the files stay on disk (and in the history). */
export async function untrack(cwd: string, files: readonly string[]): Promise<void> {
  const r = await exec('git', ['rm', '--cached', '--quiet', '--', ...files], { cwd, timeoutMs: 30_000 });
  if (r.code !== 0) throw new FileError(`git rm --cached ${files.join(' ')} failed: ${r.stderr.trim().split('\n')[0] || `exit ${r.code}`}`, `run it yourself, then run again`);
}

/** The values of .env then .env.local (which wins, as every framework that loads it reads them). */
export function readEnvFiles(files: Partial<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of ENV_FILES) if (files[f] !== undefined) Object.assign(out, dotenvValues(parseDotenv(files[f]!)));
  return out;
}
