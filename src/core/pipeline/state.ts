// The detect stage and what every later stage reads: the project as found (files, git, the app's env
// contract, prod-ready.json, a monorepo's apps), fixed once detected; choosing apps or providers returns a
// new context. The answers (values and where each came from) are a separate small value.
import { UsageError } from '../errors.ts';
import { detectContract, type EnvContract } from '../contract.ts';
import { mapNames, withPushNames, mappingLines, SAME_NAMES, type NameMap } from '../env-names.ts';
import { envFileHere, gitView, type EnvFileName, type GitView } from '../env-file.ts';
import { dotenvProblems, dotenvValues, parseDotenv } from '../files/dotenv.ts';
import { envModuleTarget } from '../files/env-module.ts';
import type { MigrationState } from '../files/migrations.ts';
import { MEMORY_FILE, parseMemory, type Memory } from '../files/memory.ts';
import { serviceKeys } from '../files/monorepo-render.ts';
import type { MonorepoState } from '../monorepo-plan.ts';
import { readAppShape } from '../app-shape.ts';
import { detectProject, type ProjectInfo } from '../project.ts';
import type { Provider, ProviderId } from '../provider.ts';
import type { Source } from '../resolve.ts';
import { readManagedFiles, readMigrationState, readProjectFile } from '../snapshot.ts';
import type { Workspace, WorkspacePackage } from '../workspaces.ts';
import { initialApps, monorepoNameLines, monorepoProject, readMonorepo } from '../../commands/monorepo-step.ts';
import { loadProviders } from '../../../providers/index.ts';
import { findSqlite, sqlitePackages } from '../../commands/sqlite-step.ts';
import type { SqliteFinding } from '../sqlite/detect.ts';

export interface InitFlags {
  cwd: string;
  providers?: ProviderId[];
  interactive: boolean;
  dryRun: boolean;
  skipVerify: boolean;
  json: boolean;
  version: string;
  /** Lines of the first frame already drawn by the boot file (replaced by clack's). */
  painted?: number;
  /** `join`: a teammate's run, also detected from prod-ready.json without .env. */
  join?: boolean;
  /** `--apps`: a monorepo's apps to deploy. */
  apps?: string[];
  /** --start-services: without prompts, start the local services the defaults point at (docker compose up -d --wait). */
  startServices?: boolean;
  /** --from-sqlite [FILE]: move the app from SQLite ('' without a file). */
  fromSqlite?: string;
}

/** What the run found, and what it chose (apps, providers). */
export interface Ctx {
  readonly flags: InitFlags;
  readonly project: ProjectInfo;
  readonly files: ReturnType<typeof readManagedFiles>;
  /** Every value of the env files read (.env, then .env.local which wins; a monorepo's apps' files). */
  readonly dotenv: Record<string, string>;
  /** The file each dotenv value was read from. */
  readonly origin: Record<string, string>;
  readonly problems: string[];
  /** The migrations folder and package.json as found, and the run's clock (for numbering). */
  readonly migrations: { state: MigrationState; now: number };
  readonly memory: Memory | undefined;
  /** The app's env module (src/env.ts…) as found. */
  readonly envModule: string | undefined;
  /** A teammate's first run: committed files are never changed, only the env files are written. */
  readonly joining: boolean;
  readonly workspace?: Workspace;
  readonly mono?: MonorepoState;
  /** The names the app reads, and each provider key's names in it (set once the providers are loaded). */
  readonly contract: EnvContract;
  readonly names: NameMap;
  /** The file the values go to (.env, or .env.local for a framework that loads it), and what git tracks. */
  readonly envFile: EnvFileName;
  readonly git: GitView;
  readonly providers: Provider[];
  /** SQLite found in the app (src/commands/sqlite-step.ts). */
  readonly sqlite?: SqliteFinding;
}

/** The values of the run's keys and where each came from; `foundAs`: the name an outside value was found under. */
export interface Answers {
  values: Record<string, string>;
  source: Record<string, Source>;
  foundAs: Record<string, string>;
}

/** Each env file's values (a later file wins), the file each came from, and one line per format problem. */
export function readDotenvFiles(texts: [string, string | undefined][]): { values: Record<string, string>; origin: Record<string, string>; problems: string[] } {
  const values: Record<string, string> = {};
  const origin: Record<string, string> = {};
  const problems: string[] = [];
  for (const [name, text] of texts) {
    if (text === undefined) continue;
    const doc = parseDotenv(text);
    const { duplicates, invalidLines, unclosedQuotes } = dotenvProblems(doc);
    if (duplicates.length) problems.push(`${name} defines ${duplicates.join(', ')} more than once; the last one wins and all are kept`);
    if (invalidLines.length) problems.push(`${name} line${invalidLines.length > 1 ? 's' : ''} ${invalidLines.join(', ')} ${invalidLines.length > 1 ? 'define nothing and are kept as they are' : 'defines nothing and is kept as it is'}`);
    for (const q of unclosedQuotes) problems.push(`${name} line ${q.line} (${q.key}) opens a quote that is not closed at the end of the value: the quote is read as part of the value`);
    for (const [k, v] of Object.entries(dotenvValues(doc))) {
      values[k] = v;
      origin[k] = name;
    }
  }
  return { values, origin, problems };
}

/** The detect stage: the project, its files, git, its env contract and prod-ready.json (a monorepo: at its root). */
export async function detect(flags: InitFlags, ws?: Workspace): Promise<Ctx> {
  // a monorepo's apps are read per app (readMonorepoState: each app's contract and shape)
  const detected = ws ? monorepoProject(ws) : detectProject(flags.cwd);
  const project: ProjectInfo = ws ? detected : { ...detected, shape: readAppShape(detected) };
  const files = readManagedFiles(flags.cwd);
  // a monorepo: what git tracks of every package's env files (each app's file follows the .env.local rule)
  const git = await gitView(flags.cwd, ws ? ['', ...ws.packages.map((p) => p.dir)] : undefined);
  // a monorepo: each app has its own env file (mono's targets); the root's .env is only read
  const envFile = ws ? '.env' : envFileHere(project, files, git);
  // Both files are read (.env.local wins, as every framework that loads it does); the run writes envFile.
  const read = readDotenvFiles([['.env', files['.env']], ['.env.local', files['.env.local']]]);
  const memory = parseMemory(files[MEMORY_FILE]);
  const ctx: Ctx = {
    flags,
    project,
    files,
    dotenv: read.values,
    origin: read.origin,
    problems: [...read.problems, ...project.warnings],
    migrations: { state: readMigrationState(flags.cwd, project.migrations), now: Date.now() },
    memory,
    envModule: readProjectFile(flags.cwd, envModuleTarget(project).path),
    // A clone with prod-ready.json but no .env is a teammate's first run (or `join`): only .env is written.
    // (a committed .env of defaults does not count: the teammate's own values go to .env.local)
    joining: !!flags.join || (memory !== undefined && files[envFile] === undefined),
    // a monorepo's apps have their contracts read per app (readMonorepoState), not the root's
    contract: project.hasPackageJson && !ws ? detectContract(flags.cwd) : { keys: {}, datasource: [] },
    names: SAME_NAMES,
    envFile,
    git,
    providers: [],
  };
  // SQLite in a single app: said, offered or moved later; --from-sqlite with none is refused here (exit 2)
  if (!ws) return ctx.joining ? ctx : { ...ctx, sqlite: await findSqlite(project, read.values, flags.fromSqlite) };
  // the move from SQLite works in a single app: a monorepo's packages on SQLite are named, the flag refused
  if (flags.fromSqlite !== undefined) throw new UsageError('--from-sqlite moves a single app from SQLite, not a package of a monorepo', 'move the schema package by hand (docs/sqlite.md), then run again without the flag');
  const mono = enterApps({ ...ctx, workspace: ws }, initialApps(ws, flags.apps, memory));
  const joining = !!flags.join || (memory !== undefined && !!memory.apps?.length && mono.mono!.targets.every((t) => mono.mono!.files[t.file] === undefined));
  return { ...mono, joining, problems: [...mono.problems, ...(joining ? [] : await sqlitePackages(ws, mono.dotenv))] };
}

/** The run deploys these apps of the monorepo: their env files are what it reads (as .env is for one app). */
export function enterApps(ctx: Ctx, chosen: WorkspacePackage[]): Ctx {
  const read = readMonorepo(ctx.workspace!, chosen, ctx.files['.env'], ctx.git);
  return withEnvNames({ ...ctx, mono: read.state, project: { ...ctx.project, serviceKeys: serviceKeys(ctx.workspace!, read.state.apps) }, dotenv: read.dotenv, origin: read.origin, problems: read.problems });
}

/** The providers are chosen: from now on each key has its names in this app. */
export async function withProviders(ctx: Ctx, ids: readonly ProviderId[]): Promise<Ctx> {
  const providers = await loadProviders(ids);
  return withEnvNames({ ...ctx, providers, names: mapNames(providers, ctx.contract) });
}

/** The app reads its database URL under `datasource` from now on (a config switched to PostgreSQL reads DATABASE_URL). */
export function withDatasource(ctx: Ctx, datasource: string[]): Ctx {
  const contract = { ...ctx.contract, datasource };
  return withEnvNames({ ...ctx, contract, names: mapNames(ctx.providers, contract) });
}

/** The names a push to the host uses (ProjectInfo.envNames): the app's, or every chosen app's in a monorepo. */
function withEnvNames(ctx: Ctx): Ctx {
  const maps = ctx.mono ? ctx.mono.targets.map((t) => mapNames(ctx.providers, t.sources.contract)) : [ctx.names];
  return { ...ctx, project: withPushNames(ctx.project, ctx.providers, maps) };
}

/** The files a teammate's run writes, and those kept after a failed action: the env files. */
export const isEnvFile = (ctx: Ctx, path: string) => (ctx.mono ? ctx.mono.targets.some((t) => t.file === path) : path === ctx.envFile);

/** What providers see: every value in the env files (e.g. STRIPE_PRICE_*), overridden by this run's answers. */
export const known = (ctx: Ctx, a: Answers) => ({ ...ctx.dotenv, ...a.values });

export const publicKeys = (providers: Provider[]) => new Set(providers.flatMap((p) => p.env.filter((e) => !e.secret).map((e) => e.key)));
export const generatedKeys = (providers: Provider[]) => new Set(providers.flatMap((p) => p.env.filter((e) => e.generate).map((e) => e.key)));

/** A key as the person knows it: under the app's name(s), the provider's key beside when they differ. */
export function nameLabel(ctx: Ctx, key: string): string {
  const out = ctx.names.out(key);
  return out.length === 1 && out[0] === key ? key : `${out.join(', ')} (${key})`;
}

/** The plan's lines about names: provider keys written under the app's names, and the app's own keys. */
export function nameLines(ctx: Ctx): string[] {
  if (ctx.mono) return monorepoNameLines(ctx.mono, ctx.providers);
  const lines = mappingLines(ctx.names);
  const own = ctx.names.unknown;
  if (own.length) lines.push(`read by the app, no provider here: ${own.map((u) => u.key + (u.required ? '' : '?')).join(', ')} (listed in .env.example, render.yaml asks for them)`);
  if (ctx.envFile !== '.env') lines.push(`values go to ${ctx.envFile} (${ctx.project.frameworkName} loads it; git ignores it)`);
  return lines;
}

const JOINING = `Joining: ${MEMORY_FILE} lists this project's providers and team settings. Only your own values are asked for, and only .env is written.`;
export const joiningLine = (ctx: Ctx) => (ctx.mono ? JOINING.replace('only .env is', "only the apps' env files are") : JOINING);
