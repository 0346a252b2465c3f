// `create-prod-ready [init]`: pick providers → collect values → check them live → plan → preview →
// confirm → changes at providers (actions) → write. Nothing changes, at a provider or on disk, before
// the confirmation; a cancel anywhere before it writes nothing.
import { randomBytes } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import { styleText } from 'node:util';
import { BASE_PROVIDERS, configuredIds, initialSelection } from '../../providers/catalog.ts';
import { loadProviders } from '../../providers/index.ts';
import { apply } from '../core/apply.ts';
import { withProjectLock } from '../core/lock.ts';
import { Cancelled, UsageError, UserError, VerifyError } from '../core/errors.ts';
import { detectContract, type EnvContract } from '../core/contract.ts';
import { isPlaceholder } from '../core/placeholder.ts';
import { mapNames, mappingLines, SAME_NAMES, type NameMap } from '../core/env-names.ts';
import { envFileHere, gitView, untrack, type EnvFileName, type GitView } from '../core/env-file.ts';
import { dotenvProblems, dotenvValues, parseDotenv } from '../core/files/dotenv.ts';
import { maskSecret } from '../core/mask.ts';
import { contributionsOf, plan, wantedMigrations, type FileChange, type Plan, type PlanInput } from '../core/plan.ts';
import { planMonorepo, type MonorepoState } from '../core/monorepo-plan.ts';
import { serviceKeys } from '../core/files/monorepo-render.ts';
import { chooseApps, detectWorkspace, type Workspace, type WorkspacePackage } from '../core/workspaces.ts';
import { initialApps, monorepoProject, readMonorepo, workspaceLines } from './monorepo-step.ts';
import { detectProject, type ProjectInfo } from '../core/project.ts';
import { readAppShape } from '../core/app-shape.ts';
import type { Action, EnvVar, Provider, ProviderId, Verified } from '../core/provider.ts';
import type { LocalService } from './services.ts';
import { check, fromOutside, resolveAll, SOURCE_LABEL, type Source } from '../core/resolve.ts';
import { readManagedFiles, readMigrationSql, readMigrationState, readProjectFile } from '../core/snapshot.ts';
import { envModuleTarget } from '../core/files/env-module.ts';
import type { MigrationState } from '../core/files/migrations.ts';
import { MEMORY_FILE, parseMemory, type Memory } from '../core/files/memory.ts';
import { commandsNeeded, migrateStep, type MigrationReport } from './migrate-step.ts';
import { plainSay, wizardSay, type Say } from '../ui/say.ts';
import { loadTemplates } from '../core/templates.ts';
import { ioFor, runVerify, secretValues } from '../core/verify.ts';
import type { Ui } from '../ui/prompter.ts';
import { colors, plainOut, type Out } from '../ui/plain.ts';
import { planSummary, renderDiffs } from '../ui/preview.ts';
import { introTitle, PICK_MESSAGE, pickOptions, projectSummary } from '../ui/first-frame.ts';

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
}

export interface Result {
  id: ProviderId;
  ok: boolean;
  skipped?: boolean;
  identity: string | null;
  mode: string | null;
  warnings: string[];
  error: string | null;
}

/** Everything one run knows: what is on disk, what was answered, what the checks found. */
interface Run {
  flags: InitFlags;
  project: ProjectInfo;
  files: ReturnType<typeof readManagedFiles>;
  dotenv: Record<string, string>;
  problems: string[];
  providers: Provider[];
  values: Record<string, string>;
  source: Record<string, Source>;
  /** The name each value from the environment or .env was found under. */
  foundAs: Record<string, string>;
  results: Result[];
  actions: { provider: Provider; action: Action }[];
  /** The migrations folder and package.json as found, and the run's clock (for numbering). */
  migrations: { state: MigrationState; now: number };
  /** prod-ready.json as found. */
  memory: Memory | undefined;
  /** The app's env module (src/env.ts…) as found. */
  envModule: string | undefined;
  /** Ids of what actions created at providers, for prod-ready.json. */
  resources: Record<string, string>;
  /** A teammate's first run: committed files are never changed, only .env is written. */
  joining: boolean;
  /** A monorepo: its workspace, and what the run reads and writes per app. */
  workspace?: Workspace;
  mono?: MonorepoState;
  /** Local services this run started (docker compose), left out of the next steps. */
  started: string[];
  /** The names the app reads, and each provider key's names in it (set once the providers are loaded). */
  contract: EnvContract;
  names: NameMap;
  /** The file the values go to (.env, or .env.local for a framework that loads it), and what git tracks. */
  envFile: EnvFileName;
  git: GitView;
}


export function publicKeys(providers: Provider[]): Set<string> {
  return new Set(providers.flatMap((p) => p.env.filter((e) => !e.secret).map((e) => e.key)));
}

const generatedKeys = (providers: Provider[]) => new Set(providers.flatMap((p) => p.env.filter((e) => e.generate).map((e) => e.key)));

/** One run at a time per project: a second waits a little, then refuses. */
export function init(flags: InitFlags): Promise<number> {
  // In a monorepo (at its root or inside one of its apps) the run works at the root: one Blueprint, one lock.
  const found = detectWorkspace(flags.cwd);
  const ws = found?.packages.some((p) => p.deployable) ? found : undefined;
  if (flags.apps && !ws) throw new UsageError(`--apps: no workspace with a deployable app was found at ${flags.cwd}`, 'it chooses among the apps of a monorepo (npm/yarn/pnpm workspaces)');
  const f = ws ? { ...flags, cwd: ws.root } : flags;
  return withProjectLock(f.cwd, f.join ? 'join' : 'init', f.dryRun, () => initLocked(f, ws));
}

async function initLocked(flags: InitFlags, ws?: Workspace): Promise<number> {
  // a monorepo's apps are read per app (app-sources.ts: health routes, keys); the app shape is a single app's
  const detected = ws ? monorepoProject(ws) : detectProject(flags.cwd);
  const project: ProjectInfo = ws ? detected : { ...detected, shape: readAppShape(detected) };
  const files = readManagedFiles(flags.cwd);
  const git = await gitView(flags.cwd);
  // a monorepo: each app has its own env file (run.mono's targets); the root's .env is only read
  const envFile = ws ? '.env' : envFileHere(project, files, git);
  // Both files are read (.env.local wins, as every framework that loads it does); the run writes envFile.
  const problems: string[] = [];
  const dotenv: Record<string, string> = {};
  for (const name of ['.env', '.env.local'] as const) {
    if (files[name] === undefined) continue;
    const doc = parseDotenv(files[name]);
    const { duplicates, invalidLines, unclosedQuotes } = dotenvProblems(doc);
    if (duplicates.length) problems.push(`${name} defines ${duplicates.join(', ')} more than once; the last one wins and all are kept`);
    if (invalidLines.length) problems.push(`${name} line${invalidLines.length > 1 ? 's' : ''} ${invalidLines.join(', ')} ${invalidLines.length > 1 ? 'define nothing and are kept as they are' : 'defines nothing and is kept as it is'}`);
    for (const q of unclosedQuotes) problems.push(`${name} line ${q.line} (${q.key}) opens a quote that is not closed at the end of the value: the quote is read as part of the value`);
    Object.assign(dotenv, dotenvValues(doc));
  }
  problems.push(...project.warnings);
  const run: Run = {
    flags,
    project,
    files,
    dotenv,
    problems,
    providers: [],
    values: {},
    source: {},
    foundAs: {},
    results: [],
    actions: [],
    migrations: { state: readMigrationState(flags.cwd, project.migrations), now: Date.now() },
    memory: parseMemory(files[MEMORY_FILE]),
    envModule: readProjectFile(flags.cwd, envModuleTarget(project).path),
    resources: {},
    joining: false,
    started: [],
    // a monorepo's apps have their keys read per app (app-sources.ts), not through the root's contract
    contract: project.hasPackageJson && !ws ? detectContract(flags.cwd) : { keys: {}, datasource: [] },
    names: SAME_NAMES,
    envFile,
    git,
  };
  // A clone with prod-ready.json but no .env is a teammate's first run (or `join`): only .env is written.
  // (a committed .env of defaults does not count: the teammate's own values go to .env.local)
  run.joining = flags.join || (run.memory !== undefined && files[envFile] === undefined);
  if (ws) {
    run.workspace = ws;
    enterApps(run, initialApps(ws, flags.apps, run.memory));
    const apps = run.memory?.apps;
    run.joining = flags.join || (run.memory !== undefined && !!apps?.length && run.mono!.targets.every((t) => run.mono!.files[t.file] === undefined));
    // Secrets never go into a file git tracks: refuse before asking anything, naming the files.
    const { gitTracked } = await import('../core/audits.ts');
    const tracked = ((await gitTracked(ws.root)) ?? []).filter((f) => ws.packages.some((p) => f === `${p.dir}/.env` || f === `${p.dir}/.env.local`));
    if (tracked.length)
      throw new UsageError(`${tracked.join(', ')} ${tracked.length > 1 ? 'are' : 'is'} tracked by git: secrets are never written there`, `git rm --cached ${tracked.join(' ')} (history still has the old contents: rotate what they held), then run again`);
  }
  return flags.interactive ? interactive(run) : batch(run);
}

/** The run deploys these apps of the monorepo: their env files are what it reads (as .env is for one app). */
function enterApps(run: Run, chosen: WorkspacePackage[]): void {
  const read = readMonorepo(run.workspace!, chosen, run.files['.env']);
  run.mono = read.state;
  run.project = { ...run.project, serviceKeys: serviceKeys(run.workspace!, read.state.apps) };
  run.dotenv = read.dotenv;
  run.problems = read.problems;
}

/** The files a teammate's run writes, and those kept after a failed action: the env files. */
const isEnvFile = (run: Run, path: string) => (run.mono ? run.mono.targets.some((t) => t.file === path) : path === run.envFile);

/** The providers are chosen: from now on each key has its names in this app. */
async function load(run: Run, ids: readonly ProviderId[]): Promise<void> {
  run.providers = await loadProviders(ids);
  run.names = mapNames(run.providers, run.contract);
}

/** The plan's lines about names: provider keys written under the app's names, and the app's own keys. */
function nameLines(run: Run): string[] {
  const lines = mappingLines(run.names);
  const own = run.names.unknown;
  if (own.length) lines.push(`read by the app, no provider here: ${own.map((u) => u.key + (u.required ? '' : '?')).join(', ')} (listed in .env.example, render.yaml asks for them)`);
  if (run.envFile !== '.env') lines.push(`values go to ${run.envFile} (${run.project.frameworkName} loads it; git ignores it)`);
  return lines;
}

/**
 * A secret is never written into a file git tracks. Without a person (--yes): exit 2 naming the file,
 * nothing written. With one: offer `git rm --cached`, which stops tracking it (the history keeps it).
 */
async function guardTracked(run: Run, changes: FileChange[], ask?: (message: string) => Promise<boolean>): Promise<void> {
  const file = run.envFile;
  if (!run.git.tracked.includes(file) || !changes.some((c) => c.path === file && c.action !== 'keep')) return;
  const hint = `git rm --cached ${file} stops tracking it (its history keeps what was committed: rotate those secrets); then run again`;
  if (!ask) throw new UsageError(`${file} is tracked by git: no secret is written into it. Nothing was written.`, hint);
  const yes = await ask(`${file} is tracked by git, and secrets go into it. Run \`git rm --cached ${file}\` (the file stays; the repository's history still has what was committed)?`);
  if (!yes) throw new Cancelled(`${file} is tracked by git: nothing was written.`);
  await untrack(run.flags.cwd, file);
  run.git = { ...run.git, tracked: run.git.tracked.filter((f) => f !== file) };
}

/** What providers see: every value in .env (e.g. STRIPE_PRICE_*), overridden by this run's answers. */
const known = (run: Run) => ({ ...run.dotenv, ...run.values });

/** A passed check as reported (human and --json); `more` adds warnings (check's "not done yet" lines). */
export const passed = (p: Provider, v: Verified, more: string[] = []): Result => ({
  id: p.id,
  ok: true,
  identity: v.identity,
  mode: v.mode ?? null,
  warnings: [...v.warnings, ...more],
  error: null,
});

function record(run: Run, p: Provider, v: Verified): Result {
  for (const action of v.actions ?? []) run.actions.push({ provider: p, action });
  return passed(p, v);
}

const skipped = (p: Provider, error: string | null = null): Result => ({ id: p.id, ok: !error, skipped: true, identity: null, mode: null, warnings: [], error });

/**
 * The .env values this run replaces: those it got from somewhere other than .env itself (the environment,
 * a prompt, an action, a derivation) that differ from what .env holds. Every other .env value is kept.
 */
function overwrite(run: Run): Set<string> {
  // a monorepo: the values the apps' env files hold
  const target = run.mono ? run.dotenv : dotenvValues(parseDotenv(run.files[run.envFile] ?? ''));
  const out = new Set<string>();
  for (const [k, v] of Object.entries(run.values))
    for (const name of run.names.out(k)) {
      if (!(name in target) || target[name] === v) continue;
      // a value read from this very line stays as written (e.g. APP_URL with its trailing slash)
      if (run.source[k] === 'dotenv' && run.foundAs[k] === name && !isPlaceholder(target[name])) continue;
      out.add(name);
    }
  return out;
}

function makePlan(run: Run, templates: Awaited<ReturnType<typeof loadTemplates>>): Plan {
  const p = (run.mono ? (i: PlanInput) => planMonorepo(i, run.mono!) : plan)({
    project: run.project,
    providers: run.providers,
    values: known(run),
    overwrite: overwrite(run),
    files: run.files,
    templates,
    resources: run.resources,
    migrations: { ...run.migrations, sql: readMigrationSql() },
    envModule: run.project.hasPackageJson ? { existing: run.envModule } : undefined,
    contract: run.contract,
    names: run.names,
    envFile: run.envFile,
  });
  // A teammate writes .env and nothing else: every other file is committed and theirs to change by choice.
  return run.joining ? { ...p, changes: p.changes.filter((c) => isEnvFile(run, c.path)) } : p;
}

/**
 * When a later step fails after an action produced a value that exists nowhere else (a webhook secret
 * Stripe shows only once), .env is still written (with .gitignore first) so that value is not lost.
 */
function saveProduced(run: Run, templates: Awaited<ReturnType<typeof loadTemplates>>): string[] {
  if (!Object.values(run.source).includes('action')) return [];
  const changes = makePlan(run, templates).changes.filter((c) => c.path === '.gitignore' || isEnvFile(run, c.path));
  return apply(run.flags.cwd, changes);
}

/** Values an action produced (e.g. a webhook secret) replace what .env had; ids go to prod-ready.json. */
function take(run: Run, produced: Record<string, string> | undefined, resources: Record<string, string> = {}): void {
  Object.assign(run.resources, resources);
  for (const [k, v] of Object.entries(produced ?? {})) {
    run.values[k] = v;
    run.source[k] = 'action';
  }
}

// ─── non-interactive: --yes, CI, no TTY ──────────────────────────────────────────────────────────

async function batch(run: Run): Promise<number> {
  const { flags, project } = run;
  const out = plainOut(flags.json ? process.stderr : process.stdout);
  const ids = flags.providers ?? [...new Set([...(run.memory?.providers ?? BASE_PROVIDERS), ...configuredIds(run.dotenv, process.env)])];
  await load(run, ids);
  const lines = run.workspace ? workspaceLines(run.workspace, run.mono!.apps.map((a) => a.app)) : [];
  out.line(`create-prod-ready ${flags.version} · ${lines.shift() ?? projectSummary(project)}`);
  for (const l of lines) out.line(l);
  if (run.joining) out.line(joiningLine(run));
  for (const p of run.problems) out.warn(p);
  const resolved = resolveAll(run.providers, process.env, run.dotenv, project, run.memory?.settings, run.names);
  run.values = resolved.values;
  run.source = resolved.source;
  run.foundAs = resolved.foundAs;

  const templates = await loadTemplates();
  // Local services the defaults point at and nothing listens on: started with --start-services, else named.
  const svc = await import('./services.ts');
  const down = flags.skipVerify ? [] : await svc.notRunning(svc.localServices(run.providers, makePlan(run, templates), known(run), project));
  if (down.length && flags.startServices && !flags.dryRun) {
    const docker = await svc.dockerState(run.flags.cwd);
    if (!docker.ok) {
      out.fail(`${docker.reason}: cannot start ${svc.names(down).join(', ')}. Nothing was written.`);
      if (flags.json) printJson(false, [], []);
      return 1;
    }
    const written = writeCompose(run, templates);
    if (written.length) out.ok(`Wrote ${written.join(', ')} (to start ${svc.names(down).join(', ')})`);
    out.line(`Starting ${svc.names(down).join(', ')}: ${svc.composeCommand(down)}…`);
    try {
      await svc.composeUp(flags.cwd, down);
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      out.fail(`${err.message}. ${written.length ? `Wrote only ${written.join(', ')}.` : 'Nothing was written.'}`);
      if (flags.json) printJson(false, [], []);
      return 1;
    }
    run.started.push(...svc.names(down));
    out.ok(`Started ${svc.names(down).join(', ')} with Docker (${svc.composeCommand(down)})`);
  }

  run.results = await verifyAll(run.providers, known(run), project, flags.skipVerify, (p, v) => record(run, p, v));
  // A failed check of a local default nothing listens on says what would start it, not a command on a file that is not written yet.
  const stillDown = down.length ? await svc.notRunning(down) : [];
  for (const r of run.results) {
    const d = stillDown.filter((s) => s.provider.id === r.id);
    if (r.ok || !d.length) continue;
    r.error = `nothing listens on ${svc.where(d)}, the local docker-compose default — ${
      flags.dryRun ? 'start it, or set' : `pass --start-services to write docker-compose.yml and run ${svc.composeCommand(d)}, or set`
    } ${d[0]!.key} to a hosted ${d[0]!.key.endsWith('URL') ? 'URL' : 'value'}`;
  }
  // Checks finish in any order; actions run in catalog order (Render's push after what others create).
  run.actions.sort((a, b) => run.providers.indexOf(a.provider) - run.providers.indexOf(b.provider));
  for (const r of run.results) report(out, run.providers.find((p) => p.id === r.id)!, r);
  if (!run.results.every((r) => r.ok)) {
    out.fail('Nothing was written: fix the failing check (or pass --skip-verify to write unverified values).');
    if (flags.json) printJson(false, run.results, []);
    return 1;
  }

  dropTeamActions(run, (s) => out.warn(s));
  // An action that asks for itself is a decision for a person (it may replace what production uses):
  // without prompts it is reported, never taken.
  for (const { provider, action } of run.actions.filter((a) => a.action.ask))
    out.warn(`${provider.title}: not done without a person: ${action.title} (run the wizard in a terminal to decide)`);
  run.actions = run.actions.filter((a) => !a.action.ask);

  await prismaStep(run, plainSay(out, true));
  let thePlan = makePlan(run, templates);
  if (!flags.dryRun) await guardTracked(run, thePlan.changes);
  else if (run.git.tracked.includes(run.envFile)) out.warn(`${run.envFile} is tracked by git: a real run stops here (git rm --cached ${run.envFile} first)`);
  for (const l of nameLines(run)) out.line(`  ${l}`);
  for (const { provider, action } of run.actions) {
    out.line(`  at ${provider.title}: ${action.title}`);
    for (const d of action.details ?? []) out.line(`      ${d}`);
  }
  for (const l of await planSummary(thePlan.changes, publicKeys(run.providers), generatedKeys(run.providers))) out.line(`  ${l}`);
  for (const n of thePlan.deploy.notes) out.line(`  · ${n}`);
  for (const w of thePlan.deploy.warnings) out.warn(w);
  const changed = thePlan.changes.filter((c) => c.action !== 'keep');
  const missing = await missingCommands(run, thePlan);
  if (missing && flags.dryRun) out.warn(missing.message);
  else if (missing) throw new UsageError(`${missing.message} Nothing was written.`);

  if (flags.dryRun) {
    if (changed.length) out.line(`\n${await renderDiffs(changed, secretValues(run.providers, run.values), publicKeys(run.providers), generatedKeys(run.providers), colors)}`);
    out.line(changed.length || run.actions.length ? '\nDry run: nothing was changed or written.' : 'Nothing to change.');
    if (flags.json) printJson(true, run.results, thePlan.changes);
    return 0;
  }
  if (!changed.length && !run.actions.length) {
    out.ok('Nothing to change.');
    const migrations = await migrateAfterWrite(run, thePlan, plainSay(out, true), []);
    if (flags.json) printJson(true, run.results, thePlan.changes, migrations);
    return 0;
  }
  for (const { provider, action } of run.actions) {
    const r = await runAction(run, provider, action);
    if (typeof r === 'string') {
      out.fail(`${provider.title}: ${r}`);
      const saved = saveProduced(run, templates);
      out.fail(saved.length ? `Wrote only ${saved.join(', ')}, to keep what was already created at providers.` : 'Nothing was written.');
      if (flags.json) printJson(false, run.results, filesChanged(makePlan(run, templates), saved));
      return 1;
    }
    out.ok(`${provider.title}: ${r.done}`);
  }
  if (run.actions.length) thePlan = makePlan(run, templates);
  const written = apply(flags.cwd, thePlan.changes);
  out.ok(written.length ? `Wrote ${written.join(', ')}` : 'No file needed a change.');
  const migrations = await migrateAfterWrite(run, thePlan, plainSay(out, true), written);
  for (const s of nextSteps(run.project, thePlan, migrations, run.started, run.mono)) out.line(`  → ${s}`);
  if (flags.json) printJson(true, run.results, thePlan.changes, migrations);
  return 0;
}

const JOINING = `Joining: ${MEMORY_FILE} lists this project's providers and team settings. Only your own values are asked for, and only .env is written.`;
const joiningLine = (run: Run) => (run.mono ? JOINING.replace('only .env is', "only the apps' env files are") : JOINING);

/** A teammate's run changes nothing at providers (webhooks, CORS rules, pushes are the team's): reported instead. */
function dropTeamActions(run: Run, warn: (s: string) => void): void {
  if (!run.joining) return;
  for (const { provider, action } of run.actions) warn(`${provider.title}: not done when joining: ${action.title}`);
  run.actions = [];
}


/** What the migration step works from (the same for the step and for checking its commands first). */
function migrateInput(run: Run, thePlan: Plan) {
  const db = run.providers.find((p) => p.database);
  const pg = run.results.find((r) => r.id === db?.id);
  return {
    plan: thePlan,
    // in a monorepo, the package that owns the schema runs its migrations
    project: run.mono?.schemaOwner?.project ?? run.project,
    urlNames: db ? run.names.out(db.database!.urlKey) : undefined,
    postgres: db,
    url: pg?.ok && !pg.skipped && db ? known(run)[db.database!.urlKey] : undefined,
    // a teammate's run never installs: npm install may rewrite the committed lockfile
    install: !run.joining,
  };
}

/**
 * A Prisma project: the missing models and their migration, made by Prisma's own engine before the plan
 * (the engine needs the checked database). A teammate's run changes no committed file: it only applies.
 */
async function prismaStep(run: Run, say: Say): Promise<void> {
  const db = run.providers.find((p) => p.database);
  // in a monorepo, the package that owns the schema
  const project = run.mono?.schemaOwner?.project ?? run.project;
  const state = run.mono ? run.mono.migrations?.state : run.migrations.state;
  if (project.migrations.tool !== 'prisma' || !db || !state) return;
  // a teammate only reads the schema (the env var its datasource reads) and applies what is committed
  const wanted = run.joining ? [] : wantedMigrations(run.providers, contributionsOf(run.providers, known(run), run.project));
  const checked = run.results.find((r) => r.id === db.id);
  const url = checked?.ok && !checked.skipped ? known(run)[db.database!.urlKey] : undefined;
  const { preparePrisma } = await import('../core/prisma/prepare.ts');
  const prepare = (signal: AbortSignal) =>
    preparePrisma({ project, wanted, url, now: run.migrations.now, signal, db: db.database!, io: ioFor(db, project, signal) });
  const prep = wanted.length
    ? await say.step("Adding Prisma models and a migration (with Prisma's own engine)", prepare, (p) =>
        p.added.length ? `Prisma migration ${p.added.join(', ')} ready` : p.skipped ? 'No Prisma migration' : 'The Prisma schema has every model already',
      )
    : await prepare(new AbortController().signal);
  for (const n of prep.notes) say.info(`Prisma: ${n}`);
  state.prisma = prep;
}

/**
 * Applies pending migrations once the files are written. A failure leaves the database as it was and
 * says what was written.
 */
async function migrateAfterWrite(run: Run, thePlan: Plan, say: Say, written: string[]): Promise<MigrationReport | undefined> {
  try {
    return await migrateStep({ ...migrateInput(run, thePlan), say });
  } catch (err) {
    if (err instanceof UserError) {
      err.outcome = `${written.length ? `Wrote ${written.join(', ')}` : 'No file needed a change'}; no migration was applied.`;
      err.files = filesChanged(thePlan, written);
    }
    throw err;
  }
}

/** The files a run changed, as --json reports them: exactly those written, with what happened to each. */
function filesChanged(thePlan: Plan, written: string[]): { path: string; action: string }[] {
  return written.map((path) => ({ path, action: thePlan.changes.find((c) => c.path === path)?.action ?? 'update' }));
}

/**
 * Every external command the run will use after writing (the package manager, for the migrations) is
 * found before anything is written or changed at a provider: a missing one is a usage error, exit 2.
 */
async function missingCommands(run: Run, thePlan: Plan): Promise<UsageError | undefined> {
  const { onPath, howToGet, toolInstalled } = await import('../core/migrate.ts');
  const needed = commandsNeeded(migrateInput(run, thePlan), toolInstalled);
  const absent = needed.find((n) => !onPath(n.command));
  if (!absent) return undefined;
  const why = run.project.packageManagerWhy ? `; ${run.project.packageManager} because ${run.project.packageManagerWhy}` : '';
  return new UsageError(`${absent.command} is not on PATH, and this run needs it ${absent.why}${why}: ${howToGet(absent.command)}, then run again.`);
}

/** Runs one confirmed action; a failure is a one-line message (secrets redacted), never a throw. */
async function runAction(run: Run, p: Provider, action: Action, signal?: AbortSignal, progress?: (line: string) => void): Promise<{ done: string } | string> {
  try {
    const deadline = AbortSignal.timeout(action.timeoutMs ?? 30_000);
    const io = { ...ioFor(p, run.project, signal ? AbortSignal.any([signal, deadline]) : deadline), progress };
    const r = await action.run(io, known(run));
    take(run, r.values, r.resources);
    return { done: r.done };
  } catch (err) {
    if (err instanceof Cancelled) throw err;
    const secrets = secretValues(run.providers, run.values);
    const msg = err instanceof UserError ? err.message + (err.hint ? ` — ${err.hint}` : '') : `${action.title} failed: ${(err as Error).message?.split('\n')[0]}`;
    const { redact } = await import('../core/mask.ts');
    return redact(msg, secrets);
  }
}

export async function verifyAll(
  providers: Provider[],
  values: Record<string, string>,
  project: ProjectInfo,
  skip: boolean,
  onVerified: (p: Provider, v: Verified) => Result = passed,
): Promise<Result[]> {
  const one = async (p: Provider): Promise<Result> => {
    if (skip) return skipped(p);
    try {
      return onVerified(p, await runVerify(p, values, project));
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      return { id: p.id, ok: false, identity: null, mode: null, warnings: [], error: err.message + (err.hint ? ` — ${err.hint}` : '') };
    }
  };
  // Started last-first: the catalog ends with the providers whose clients are heaviest to load (the AWS
  // and Stripe SDKs take 50-185 ms of CPU), so their loading overlaps the others' network waits instead
  // of delaying them. Results keep the catalog order.
  const started = new Map([...providers].reverse().map((p) => [p, one(p)] as const));
  return Promise.all(providers.map((p) => started.get(p)!));
}

export function report(out: Out, p: Provider, r: Result): void {
  if (r.skipped) out.line(`- ${p.title}: not checked (--skip-verify)`);
  else if (r.ok) out.ok(`${p.title}: ${r.identity}`);
  else out.fail(`${p.title}: ${r.error}`);
  for (const w of r.warnings) out.warn(`${p.title}: ${w}`);
}

export function printJson(ok: boolean, providers: Result[], files: Pick<FileChange, 'path' | 'action'>[] | { path: string; action: string }[], migrations?: MigrationReport, audit?: object): void {
  process.stdout.write(
    `${JSON.stringify({ ok, providers, files: files.map((f) => ({ path: f.path, action: f.action })), ...(migrations ? { migrations } : {}), ...(audit ? { audit } : {}) }, null, 2)}\n`,
  );
}

function nextSteps(project: ProjectInfo, thePlan: Plan, migrations?: MigrationReport, started: string[] = [], mono?: MonorepoState): string[] {
  // One `docker compose up -d a b` for every local service that the values point at (and this run did not start).
  const compose = thePlan.nextSteps.filter((s) => s.startsWith('docker compose up -d ')).map((s) => s.slice(21)).filter((s) => !started.includes(s));
  const steps = thePlan.nextSteps.filter((s) => !s.startsWith('docker compose up -d '));
  // unless the migration step already ran the install
  if (thePlan.dependenciesAdded && !migrations?.installed) steps.unshift(`Install the new dependencies: ${project.packageManager} install`);
  if (compose.length) steps.unshift(`Start the local services: docker compose up -d ${compose.join(' ')}`);
  const render = thePlan.changes.find((c) => c.path === 'render.yaml');
  if (render && render.action !== 'keep') {
    // a monorepo's services also prompt for the keys only their app reads
    const services = mono ? ((parseYaml(render.after) as { services?: { envVars?: Record<string, unknown>[] }[] }).services ?? []) : [];
    const prompted = mono
      ? services.flatMap((s) => s.envVars ?? []).filter((e) => e.sync === false).map((e) => String(e.key))
      : thePlan.contributions.flatMap((c) => c.render?.envVars ?? []).filter((e) => 'sync' in e).map((e) => e.key);
    steps.push('Rehearse the deploy here, the way Render runs it: npx create-prod-ready rehearse');
    steps.push(
      `Deploy on Render: commit render.yaml, then Dashboard → New → Blueprint${prompted.length ? `, and enter ${[...new Set(prompted)].join(', ')} when asked` : ''}`,
    );
    // a monorepo's health checks are routes found in each app's sources (none: Render checks the port)
    const health = mono ? undefined : project.shape?.health;
    if (health?.how === 'add' && thePlan.changes.some((c) => c.path === health.file && c.action === 'create'))
      steps.push(`Commit ${health.file}: render.yaml's health check (GET ${health.path}) is served by it`);
    else if (health && !health.path) steps.push(`Health check: ${health.why}`);
  }
  const owner = mono?.schemaOwner ? `${mono.schemaOwner.dir}/` : '';
  if (migrations?.note && thePlan.migrations?.script && !thePlan.migrations.skipped)
    steps.push(`Apply the migrations: ${owner}${thePlan.migrations.setup.dir}/ (${migrations.note.replace(/^not applied: /, '')}${owner ? ` in ${owner.slice(0, -1)}` : ''})`);
  steps.push('Check everything again at any time: npx create-prod-ready check');
  return steps;
}

// ─── interactive: the wizard ─────────────────────────────────────────────────────────────────────
//
// Questions first, and only the ones that need a person: a value only the user knows is asked for; every
// other value (the environment, .env, prod-ready.json, a local default, a generated secret) is settled
// and shown in one "Settings" summary, confirmed once, with a way to change any one. Local services the
// defaults point at are started there too, when the person agrees. Then the live checks, then the plan.

async function interactive(run: Run): Promise<number> {
  const { flags, project } = run;
  const { ui } = await import('../ui/prompter.ts');
  const { withSpinner } = await import('../ui/spinner.ts');
  if (flags.painted) process.stdout.write(`\x1b[${flags.painted}A\x1b[J`); // clack redraws the boot file's frame
  ui.intro(introTitle(flags.version));
  ui.info(`Detected ${run.workspace ? workspaceLines(run.workspace, [])[0] : projectSummary(project)}`);
  for (const p of run.problems) ui.warn(p);

  if (run.joining) ui.info(joiningLine(run));
  const ids =
    flags.providers ??
    (run.joining ? run.memory!.providers : await ui.multiselect<ProviderId>({ message: PICK_MESSAGE, options: pickOptions(), initial: initialSelection(run.dotenv, process.env, run.memory?.providers) }));
  await load(run, ids);
  if (run.workspace && !flags.apps && !run.joining) {
    const ws = run.workspace;
    for (const l of workspaceLines(ws, run.mono!.apps.map((a) => a.app)).slice(1).filter((l) => /^\s+-/.test(l))) ui.info(l.trim().replace(/^- /, 'Not deployed: '));
    const dirs = await ui.multiselect<string>({
      message: 'Which apps do you deploy?',
      options: ws.packages.filter((p) => p.deployable).map((p) => ({ value: p.dir, label: p.dir, hint: p.why })),
      initial: run.mono!.apps.map((a) => a.app.dir),
    });
    enterApps(run, chooseApps(ws, dirs));
  }
  const templates = await loadTemplates();

  const asked = new Set<string>();
  for (const p of run.providers) {
    const { ask, invalid } = settle(run, p);
    for (const line of invalid) ui.warn(line);
    for (const e of ask) {
      await askValue(ui, run, e);
      asked.add(e.key);
    }
  }
  deriveAll(run);
  const start = await confirmSettings(ui, run, asked, templates);
  if (start.length) await startServices(ui, run, start, templates);

  for (const p of run.providers) {
    for (;;) {
      if (flags.skipVerify) {
        run.results.push(skipped(p));
        break;
      }
      try {
        const v = await withSpinner(`Checking ${p.title}`, (signal) => runVerify(p, known(run), project, signal), (r) => `${p.title}: ${r.identity}`);
        for (const w of v.warnings) ui.warn(w);
        for (const d of v.details ?? []) ui.message(styleText('dim', d));
        run.results.push(record(run, p, v));
        break;
      } catch (err) {
        if (!(err instanceof VerifyError)) throw err;
        const svc = await import('./services.ts');
        // A local default nothing listens on: say so, and offer Docker or a hosted URL instead.
        const down = await svc.notRunning(svc.localServices([p], makePlan({ ...run, providers: [p] }, templates), known(run), project));
        const docker = down.length && !flags.dryRun ? await svc.dockerState(run.flags.cwd) : undefined;
        if (down.length) ui.error(`${p.title}: nothing listens on ${svc.where(down)}, the local docker-compose default`);
        else ui.error(`${err.message}${err.hint ? `\n${styleText('dim', err.hint)}` : ''}`);
        if (docker && !docker.ok) ui.warn(`${docker.reason}: ${svc.names(down).join(', ')} cannot be started here`);
        const options: { value: 'start' | 'retry' | 'hosted' | 'skip' | 'abort'; label: string; hint?: string }[] = [];
        if (docker?.ok) options.push({ value: 'start', label: `Start ${svc.names(down).join(', ')} with Docker`, hint: svc.composeCommand(down) });
        if (down.length) options.push({ value: 'hosted', label: 'Enter a hosted URL instead' });
        else options.push({ value: 'retry', label: 'Re-enter the values' });
        options.push({ value: 'skip', label: 'Keep them unverified', hint: 'written as entered' }, { value: 'abort', label: 'Abort', hint: 'nothing is written' });
        const next = await ui.select({ message: `What now?`, options });
        if (next === 'abort') throw new VerifyError(`${p.title} check failed. Nothing was written.`);
        if (next === 'skip') {
          run.results.push(skipped(p, err.message));
          break;
        }
        if (next === 'start') await startServices(ui, run, down, templates);
        else if (next === 'hosted') await enterHosted(ui, run, down);
        else for (const e of p.env.filter(askable)) await askValue(ui, run, e);
        refreshDefaults(run);
        deriveAll(run);
      }
    }
  }

  dropTeamActions(run, ui.warn);
  // Actions that ask for themselves are settled before the plan is shown.
  const confirmed = [];
  for (const a of run.actions)
    if (!a.action.ask || (await ui.confirm({ message: a.action.ask, initial: true }))) confirmed.push(a);
  run.actions = confirmed;

  const say: Say = await wizardSay(true);
  await prismaStep(run, say);
  let thePlan = makePlan(run, templates);
  const changed = thePlan.changes.filter((c) => c.action !== 'keep');
  if (!changed.length && !run.actions.length) {
    const m = await migrateAfterWrite(run, thePlan, say, []);
    ui.outro(m?.applied.length ? 'Every file was already up to date; the migrations are applied.' : 'Nothing to change: every file is already up to date.');
    return 0;
  }
  const styled = {
    add: (s: string) => styleText('green', s),
    del: (s: string) => styleText('red', s),
    meta: (s: string) => styleText('cyan', s),
  };
  const publicK = publicKeys(run.providers);
  const generated = generatedKeys(run.providers);
  ui.note(
    [
      ...nameLines(run),
      ...run.actions.flatMap(({ provider, action }) => [`${provider.title}: ${action.title}`, ...(action.details ?? []).map((d) => `    ${d}`)]),
      ...(await planSummary(thePlan.changes, publicK, generated)),
      ...thePlan.deploy.notes.map((n) => styleText('dim', `· ${n}`)),
    ].join('\n'),
    'Plan',
  );
  for (const w of thePlan.deploy.warnings) ui.warn(w);
  const diff = () => renderDiffs(changed, secretValues(run.providers, run.values), publicK, generated, styled);
  const missing = await missingCommands(run, thePlan);
  if (missing && flags.dryRun) ui.warn(missing.message);
  else if (missing) throw missing;
  if (flags.dryRun) {
    if (changed.length) ui.message(await diff());
    ui.outro('Dry run: nothing was changed or written.');
    return 0;
  }
  await guardTracked(run, thePlan.changes, (message) => ui.confirm({ message, initial: false }));
  const what = [
    run.actions.length ? `make ${run.actions.length} change${run.actions.length > 1 ? 's' : ''} at providers` : '',
    changed.length ? `write ${changed.length} file${changed.length > 1 ? 's' : ''}` : '',
  ].filter(Boolean);
  const question = `${what.join(' and ').replace(/^./, (c) => c.toUpperCase())}?`;
  // The summary is enough for most runs; the full diff (secrets masked) is one answer away.
  let go: 'yes' | 'diff' | 'no' = changed.length
    ? await ui.select({
        message: question,
        options: [
          { value: 'yes', label: 'Yes' },
          { value: 'diff', label: 'Show the full diff first' },
          { value: 'no', label: 'No', hint: 'nothing is written' },
        ],
      })
    : (await ui.confirm({ message: question })) ? 'yes' : 'no';
  if (go === 'diff') {
    ui.message(await diff());
    go = (await ui.confirm({ message: question })) ? 'yes' : 'no';
  }
  if (go !== 'yes') throw new Cancelled('Nothing was written.');

  for (const { provider, action } of run.actions) {
    let r: { done: string } | string;
    try {
      r = await withSpinner(action.title, (signal, progress) => runAction(run, provider, action, signal, progress), (x) => (typeof x === 'string' ? `${action.title}: failed` : x.done));
    } catch (err) {
      if (err instanceof UserError) err.written = saveProduced(run, templates);
      throw err;
    }
    if (typeof r === 'string') {
      const e = new VerifyError(`${provider.title}: ${r}`);
      e.written = saveProduced(run, templates);
      throw e;
    }
  }
  if (run.actions.length) thePlan = makePlan(run, templates);
  const written = apply(flags.cwd, thePlan.changes);
  if (written.length) ui.success(`Wrote ${written.join(', ')}`);
  const migrations = await migrateAfterWrite(run, thePlan, say, written);
  ui.note(nextSteps(run.project, thePlan, migrations, run.started, run.mono).map((s, i) => `${i + 1}. ${s}`).join('\n'), 'Next steps');
  ui.outro(run.results.some((r) => !r.ok) ? 'Done, with unverified values: run `npx create-prod-ready check` when they are ready.' : 'Production-ready.');
  return 0;
}

/** A key as the person knows it: under the app's name(s), the provider's key beside when they differ. */
function nameLabel(run: Run, key: string): string {
  const out = run.names.out(key);
  return out.length === 1 && out[0] === key ? key : `${out.join(', ')} (${key})`;
}

/** Keys a person may give: not generated, not derived, not produced by an action. */
const askable = (e: EnvVar) => !e.generate && !e.derive && e.prompt !== false;

function setValue(run: Run, e: EnvVar, value: string, source: Source): void {
  const c = check(e, value);
  run.values[e.key] = c.ok ? c.value : value;
  run.source[e.key] = source;
}

/**
 * Everything of one provider the run has without asking: the environment, .env, prod-ready.json, a
 * generated secret, a local default, or an optional key's built-in default. Returns what is left to ask
 * (the values only the user knows), and a line for each outside value that fails its check.
 */
function settle(run: Run, p: Provider): { ask: EnvVar[]; invalid: string[] } {
  const ask: EnvVar[] = [];
  const invalid: string[] = [];
  for (const e of p.env) {
    if (e.derive) continue;
    const o = fromOutside(e, process.env, run.dotenv, run.memory?.settings, run.names);
    if (o) {
      const c = check(e, o.value);
      if (c.ok) {
        run.values[e.key] = c.value;
        run.source[e.key] = o.source;
        run.foundAs[e.key] = o.name;
        continue;
      }
      if (askable(e)) {
        invalid.push(`${c.message} (in ${SOURCE_LABEL[o.source]}): asked again`);
        ask.push(e);
        continue;
      }
    }
    if (e.generate) {
      setValue(run, e, e.generate((n) => randomBytes(n)), 'generated');
      continue;
    }
    if (e.prompt === false) continue;
    const def = e.localDefault?.(run.values, run.project);
    if (def !== undefined && check(e, def).ok) setValue(run, e, def, 'default');
    else if (e.optional && e.emptyMeans !== undefined) {
      run.values[e.key] = '';
      run.source[e.key] = 'default';
    } else ask.push(e);
  }
  return { ask, invalid };
}

/** Defaults follow what they are made from (APP_URL from PORT) after a value changes; derived values too. */
function refreshDefaults(run: Run): void {
  for (const p of run.providers)
    for (const e of p.env) {
      if (run.source[e.key] !== 'default' || !e.localDefault) continue;
      const d = e.localDefault(run.values, run.project);
      if (d !== undefined && check(e, d).ok) setValue(run, e, d, 'default');
    }
}

function deriveAll(run: Run): void {
  for (const p of run.providers)
    for (const e of p.env) {
      if (!e.derive) continue;
      const d = e.derive(known(run), run.project);
      if (d === undefined) continue;
      run.values[e.key] = d;
      run.source[e.key] = 'default';
    }
}

/** How a value is shown in the settings summary and the edit list. */
function shownValue(run: Run, e: EnvVar): string {
  const v = run.values[e.key] ?? '';
  if (v === '') return e.emptyMeans ? `(empty: ${e.emptyMeans.length > 60 ? `${e.emptyMeans.slice(0, 57)}…` : e.emptyMeans})` : '(empty)';
  if (!e.secret) return v;
  return run.source[e.key] === 'generated' ? '•••••••• generated' : maskSecret(v);
}

const SHOWN_SOURCE: Partial<Record<Source, string>> = { env: 'from the environment', dotenv: 'from .env', memory: 'from prod-ready.json', default: 'default', prompt: 'entered' };

/**
 * The one settings confirmation: every value that was not asked, grouped by provider, and the local
 * services the defaults point at that are not running. Returns the services to start (the person agreed).
 */
async function confirmSettings(ui: Ui, run: Run, asked: Set<string>, templates: Awaited<ReturnType<typeof loadTemplates>>): Promise<LocalService[]> {
  const svc = await import('./services.ts');
  for (;;) {
    const groups = run.providers
      .map((p) => ({ p, keys: p.env.filter((e) => !e.derive && !asked.has(e.key) && run.values[e.key] !== undefined) }))
      .filter((g) => g.keys.length);
    const down = run.flags.skipVerify ? [] : await svc.notRunning(svc.localServices(run.providers, makePlan(run, templates), known(run), run.project));
    if (!groups.length && !down.length) return [];
    // --dry-run writes and starts nothing: the services are only named
    const docker = down.length && !run.flags.dryRun ? await svc.dockerState(run.flags.cwd) : undefined;
    const width = Math.max(...groups.flatMap((g) => g.keys.map((e) => nameLabel(run, e.key).length)));
    const lines = groups.flatMap(({ p, keys }) => [
      p.title,
      ...keys.map((e) => {
        const from = SHOWN_SOURCE[run.source[e.key]!];
        return `  ${nameLabel(run, e.key).padEnd(width)}  ${shownValue(run, e)}${from ? `  ${styleText('dim', from)}` : ''}`;
      }),
    ]);
    if (down.length)
      lines.push(
        '',
        docker?.ok
          ? `Not running: ${svc.where(down)}. Docker can start ${svc.names(down).join(' and ')}: docker-compose.yml is written, then ${svc.composeCommand(down)}.`
          : `Not running: ${svc.where(down)}.`,
      );
    ui.note(lines.join('\n'), 'Settings');
    if (docker && !docker.ok) ui.warn(`${docker.reason}: ${svc.names(down).join(', ')} cannot be started here. Enter a hosted URL instead, or start them yourself.`);
    type Pick = 'use' | 'start' | 'hosted' | 'change';
    const options: { value: Pick; label: string; hint?: string }[] = [];
    if (docker?.ok) {
      options.push({ value: 'start', label: `Yes, and start ${svc.names(down).join(', ')} with Docker`, hint: svc.composeCommand(down) });
      options.push({ value: 'use', label: 'Yes, start nothing' });
    } else if (down.length && docker) {
      options.push({ value: 'hosted', label: `Enter a hosted ${[...new Set(down.map((s) => s.key))].join(', ')} instead` });
      options.push({ value: 'use', label: 'Yes, use them anyway', hint: 'their checks fail until the services run' });
    } else options.push({ value: 'use', label: 'Yes' });
    options.push({ value: 'change', label: 'Change a value' });
    const pick = await ui.select<Pick>({ message: 'Use these settings?', options });
    if (pick === 'start') return down;
    if (pick === 'use') return [];
    if (pick === 'hosted') await enterHosted(ui, run, down);
    else {
      const editable = run.providers.flatMap((p) => p.env.filter(askable));
      const key = await ui.select({ message: 'Which value?', options: editable.map((e) => ({ value: e.key, label: nameLabel(run, e.key), hint: shownValue(run, e) })) });
      const e = editable.find((x) => x.key === key)!;
      await askValue(ui, run, e);
      asked.delete(e.key);
    }
    refreshDefaults(run);
    deriveAll(run);
  }
}

/** A hosted URL for each key whose local service does not run (the local default is not offered again). */
async function enterHosted(ui: Ui, run: Run, down: LocalService[]): Promise<void> {
  for (const key of new Set(down.map((s) => s.key))) {
    const e = down.find((s) => s.key === key)!.provider.env.find((x) => x.key === key)!;
    await askValue(ui, run, e, true);
  }
}

/** Writes docker-compose.yml through the plan (the only writer), then `docker compose up -d --wait`. */
async function startServices(ui: Ui, run: Run, services: LocalService[], templates: Awaited<ReturnType<typeof loadTemplates>>): Promise<void> {
  const svc = await import('./services.ts');
  const { withSpinner } = await import('../ui/spinner.ts');
  const written = writeCompose(run, templates);
  if (written.length) ui.success(`Wrote ${written.join(', ')}`);
  try {
    await withSpinner(`Starting ${svc.names(services).join(', ')}: ${svc.composeCommand(services)}`, (signal) => svc.composeUp(run.flags.cwd, services, signal), () =>
      `Started ${svc.names(services).join(', ')} with Docker (${svc.composeCommand(services)})`,
    );
    run.started.push(...svc.names(services));
  } catch (err) {
    if (!(err instanceof UserError) || err instanceof Cancelled) throw err;
    ui.error(err.message);
  }
}

/** docker-compose.yml now, before the plan's confirmation, because the person asked to start its services. */
function writeCompose(run: Run, templates: Awaited<ReturnType<typeof loadTemplates>>): string[] {
  const compose = makePlan(run, templates).changes.filter((c) => c.path === 'docker-compose.yml' && c.action !== 'keep');
  const written = apply(run.flags.cwd, compose);
  // the plan shown later starts from the file as it now is
  for (const c of compose) if (c.after !== undefined) run.files['docker-compose.yml'] = c.after;
  return written;
}

/**
 * Ask for one value. What the run already holds (typed earlier, from .env, a default) is the default of a
 * plain prompt; a secret offers to keep it (masked), the local default, or a new value. `direct`: straight
 * to a new value (a hosted URL instead of the local default).
 */
async function askValue(ui: Ui, run: Run, e: EnvVar, direct = false): Promise<void> {
  const cur = run.values[e.key] || undefined;
  const label = nameLabel(run, e.key);
  const local = e.localDefault?.(run.values, run.project);
  const validate = (v: string) => {
    if (!v && e.optional) return undefined;
    const c = check(e, v);
    return c.ok ? undefined : c.message;
  };
  let value: string;
  if (!e.secret) {
    const def = direct ? undefined : (cur ?? local);
    value = await ui.text({ message: label, hint: e.where, default: def, placeholder: !def && e.emptyMeans ? `${e.emptyMeans} (the default when empty)` : undefined, validate });
  } else {
    type Pick = 'current' | 'local' | 'new' | 'clear';
    const options: { value: Pick; label: string; hint?: string }[] = [];
    if (!direct) {
      if (cur && cur !== local)
        options.push({ value: 'current', label: run.source[e.key] === 'prompt' ? 'Keep the value entered' : 'Keep the current value', hint: maskSecret(cur) });
      if (local) options.push({ value: 'local', label: 'Use the local docker-compose default', hint: maskSecret(local) });
    }
    let pick: Pick = 'new';
    if (options.length) {
      options.push({ value: 'new', label: 'Enter a value', hint: e.where });
      if (cur && e.optional) options.push({ value: 'clear', label: 'Clear it', hint: 'left empty' });
      pick = await ui.select({ message: `Which ${label}?`, options });
    }
    value = pick === 'current' ? cur! : pick === 'local' ? local! : pick === 'clear' ? '' : await ui.password({ message: label, hint: e.where, validate });
  }
  setValue(run, e, value, 'prompt');
}
