// The monorepo part of init: which apps are deployed (--apps, prod-ready.json, a picker, or every
// deployable one), what the run reads for them (their env files), and how the workspace is described.
import { readCompose } from '../core/app-shape.ts';
import type { GitView } from '../core/env-file.ts';
import { mapNames, mappingLines } from '../core/env-names.ts';
import type { Provider } from '../core/provider.ts';
import { dotenvProblems, dotenvValues, parseDotenv } from '../core/files/dotenv.ts';
import { MEMORY_FILE, parseMemory, type Memory } from '../core/files/memory.ts';
import type { MonorepoState } from '../core/monorepo-plan.ts';
import type { ProjectInfo } from '../core/project.ts';
import type { EnvContract } from '../core/contract.ts';
import { readMonorepoState, readProjectFile } from '../core/snapshot.ts';
import { serviceKeys } from '../core/files/monorepo-render.ts';
import { chooseApps, detectWorkspace, type Workspace, type WorkspacePackage } from '../core/workspaces.ts';

/** The project the providers see in a monorepo: the API's framework and port, the repository's name and root. */
export function monorepoProject(ws: Workspace): ProjectInfo {
  const servers = ws.packages.filter((p) => p.kind === 'web');
  const api = servers.find((p) => !['nextjs', 'remix', 'react-router', 'sveltekit', 'astro'].includes(p.project.framework)) ?? servers[0];
  const base = api?.project ?? ws.rootProject;
  // APP_URL is the address people open: the frontend's port locally (Vite's dev server, Astro's, Next's).
  const front = ws.packages.find((p) => p.deployable && (p.kind === 'static' || p.project.framework === 'nextjs'));
  const port = !front ? base.port : front.kind !== 'static' ? front.project.port : 'astro' in Object.fromEntries(front.project.dependencies.map((d) => [d, 1])) ? 4321 : 5173;
  // the root's compose file: its Postgres and Redis are reused (the local defaults point at them), as for one app
  const shape = { health: { how: 'none' as const, why: 'each app has its own' }, compose: readCompose(ws.root) };
  return { ...base, port, cwd: ws.root, name: ws.rootProject.name, packageManager: ws.packageManager, lockfile: ws.lockfile, commands: ws.rootProject.commands, hasPackageJson: ws.rootProject.hasPackageJson, shape };
}

/** The apps of this run: --apps, else those prod-ready.json recorded (a teammate's or a re-run), else every deployable one. */
export function initialApps(ws: Workspace, flagApps: string[] | undefined, memory: Memory | undefined): WorkspacePackage[] {
  if (flagApps) return chooseApps(ws, flagApps);
  const remembered = memory?.apps?.map((a) => a.dir).filter((d) => ws.packages.some((p) => p.dir === d && p.deployable));
  return remembered?.length ? chooseApps(ws, remembered) : chooseApps(ws, undefined);
}

export interface MonorepoRead {
  state: MonorepoState;
  /** Every value in the apps' env files (the first app's value wins, the root .env first of all). */
  dotenv: Record<string, string>;
  /** The file each value was read from. */
  origin: Record<string, string>;
  problems: string[];
  /** No app has an env file yet. */
  noEnvFile: boolean;
}

export function readMonorepo(ws: Workspace, chosen: WorkspacePackage[], rootEnv: string | undefined, git: GitView): MonorepoRead {
  const state = readMonorepoState(ws, chosen, Date.now(), git);
  const dotenv: Record<string, string> = {};
  const origin: Record<string, string> = {};
  const problems: string[] = [];
  const texts: [string, string | undefined][] = [['.env', rootEnv], ...state.targets.map((t) => [t.file, state.files[t.file]] as [string, string | undefined])];
  for (const [file, text] of texts) {
    if (text === undefined) continue;
    const doc = parseDotenv(text);
    const { duplicates, unclosedQuotes } = dotenvProblems(doc);
    if (duplicates.length) problems.push(`${file} defines ${duplicates.join(', ')} more than once; the last one wins and all are kept`);
    for (const q of unclosedQuotes) problems.push(`${file} line ${q.line} (${q.key}) opens a quote that is not closed at the end of the value`);
    for (const [k, v] of Object.entries(dotenvValues(doc)))
      if (dotenv[k] === undefined || dotenv[k] === '') {
        dotenv[k] = v;
        origin[k] = file;
      }
  }
  return { state, dotenv, origin, problems, noEnvFile: state.targets.every((t) => state.files[t.file] === undefined) };
}

/** The plan's lines about names, per app: provider keys written under the app's names, the file its values go to. */
export function monorepoNameLines(state: MonorepoState, providers: readonly Provider[]): string[] {
  return state.targets.flatMap((t) => [
    ...mappingLines(mapNames(providers, t.sources.contract)).map((l) => `${t.app.dir}: ${l}`),
    ...(t.file.endsWith('.env.local') ? [`${t.app.dir}: values go to ${t.file} (${t.app.kind === 'static' ? t.app.why.split(/,| \(/)[0] : t.app.project.frameworkName} loads it; git ignores it)`] : []),
  ]);
}

/** Lines describing the workspace: each package, what it is, and whether it is deployed. */
export function workspaceLines(ws: Workspace, chosen: WorkspacePackage[]): string[] {
  const tool = `${ws.packageManager} workspaces${ws.runner ? ` + ${ws.runner}` : ''}`;
  const lines = [`monorepo ${ws.rootProject.name}: ${tool}, ${ws.packages.length} packages${ws.current ? ` (run from ${ws.current})` : ''}`];
  for (const p of ws.packages) {
    const mark = chosen.includes(p) ? '●' : p.deployable ? '○' : '-';
    lines.push(`  ${mark} ${p.dir.padEnd(18)} ${p.why}${p.deployable && !chosen.includes(p) ? ' (not chosen)' : ''}`);
  }
  return lines;
}

/** One env file of a monorepo (or a single app's .env) and its example, as they are. */
export interface EnvFile {
  file: string;
  example: string;
  text?: string;
  exampleText?: string;
  /** A monorepo app's env contract: the names its sources read (its file holds values under them). */
  contract?: EnvContract;
}

/**
 * The env files `check` and `rotate` work across: in a monorepo set up by this tool (prod-ready.json lists
 * its apps), every app's file and the schema package's, at the root found upward. Undefined otherwise.
 */
export function monorepoEnvFiles(cwd: string): { root: string; files: EnvFile[]; serviceKeys: Record<string, string[]> } | undefined {
  const ws = detectWorkspace(cwd);
  if (!ws) return undefined;
  const memory = parseMemory(readProjectFile(ws.root, MEMORY_FILE));
  if (!memory?.apps?.length) return undefined;
  const state = readMonorepoState(ws, initialApps(ws, undefined, memory), Date.now());
  return {
    root: ws.root,
    files: state.targets.map((t) => ({ file: t.file, example: t.example, text: state.files[t.file], exampleText: state.files[t.example], contract: t.sources.contract })),
    serviceKeys: serviceKeys(ws, state.apps),
  };
}

/** Every value in the env files, the first file's winning (they hold one answer per shared key). */
export function mergedValues(files: EnvFile[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of files)
    for (const [k, v] of Object.entries(dotenvValues(parseDotenv(f.text ?? '')))) if (out[k] === undefined || out[k] === '') out[k] = v;
  return out;
}
