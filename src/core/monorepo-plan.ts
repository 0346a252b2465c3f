// Planning for a monorepo, pure like plan(): the shared files come from plan() (compose, .gitignore), and
// this adds what is per app: one Blueprint at the root with a service per app, an env file per app with
// the keys that app reads (shared values from one answer), an .env.example per app, the migrations in the
// package that owns the schema, and prod-ready.json recording the apps.
import { z } from 'zod';
import { mapNames, type NameMap } from './env-names.ts';
import { mergeDotenv, dotenvValues, parseDotenv, type EnvGroup } from './files/dotenv.ts';
import { renderEnvExample } from './files/env-example.ts';
import { mergeGitignore } from './files/gitignore.ts';
import { memoryFor, parseMemory, renderMemory, type MemoryApp } from './files/memory.ts';
import { planMigrations, type MigrationSql, type MigrationState } from './files/migrations.ts';
import { API_URL_KEY, PUBLIC, apiApp, monorepoRenderModel, readsAny, serviceNames, type AppReads, type ChosenApp } from './files/monorepo-render.ts';
import { parse as parseYaml } from 'yaml';
import { blueprintText, renderPlanProblems } from './files/render-yaml.ts';
import { composeWarnings, plan, wantedMigrations, type FileChange, type Plan, type PlanInput } from './plan.ts';
import type { EnvVar, Provider } from './provider.ts';
import type { Workspace, WorkspacePackage } from './workspaces.ts';

/** One env file this run writes: a chosen app's, or the schema owner's (its migration tool reads DATABASE_URL). */
export interface EnvTarget {
  app: WorkspacePackage;
  /** What it reads: its env contract, with those of the workspace packages it uses. */
  sources: AppReads;
  /** Root-relative path of its env file (apps/web/.env.local) and example. */
  file: string;
  example: string;
  /** Local port when it is a server that reads PORT (unique across the apps). */
  port?: number;
  /** It gets Render services (false: the schema owner, which only migrates). */
  deployed: boolean;
}

export interface MonorepoState {
  ws: Workspace;
  apps: ChosenApp[];
  targets: EnvTarget[];
  /** The package that owns the database schema (packages/db, or the app with prisma/ or drizzle.config.*). */
  schemaOwner?: WorkspacePackage;
  /** Each target's env file and example as they are (root-relative path → text). */
  files: Record<string, string | undefined>;
  /** The schema owner's migrations folder and package.json, the SQL templates and the clock. */
  migrations?: { state: MigrationState; sql: MigrationSql; now: number };
}

/** The package owning the schema: prisma/, drizzle.config.* or a migrate script (chosen apps first). */
export function schemaOwnerOf(ws: Workspace, apps: WorkspacePackage[]): WorkspacePackage | undefined {
  const owners = ws.packages.filter((p) => p.ownsSchema);
  return owners.find((p) => apps.includes(p)) ?? owners.find((p) => apps.some((a) => a.deps.includes(p.dir))) ?? owners[0];
}

/**
 * The env files to write: every chosen app's (`envFile`: the one its framework loads, env-file.ts), plus the
 * schema owner's `.env` when it reads DATABASE_URL (its migration tool loads .env); ports made unique.
 */
export function envTargets(apps: ChosenApp[], owner: WorkspacePackage | undefined, ownerSources: AppReads | undefined, envFile: (p: WorkspacePackage) => string): EnvTarget[] {
  // A server that does not read PORT listens where its scripts say (next start -p 3000): that port is taken.
  const readsPort = (a: ChosenApp) => a.sources.reads.includes('PORT') || !a.sources.reads.length;
  const used = new Set<number>(apps.filter((a) => a.app.kind === 'web' && !readsPort(a)).map((a) => a.app.project.port));
  const targets: EnvTarget[] = apps.map((a) => {
    let port: number | undefined;
    if (a.app.kind === 'web' && readsPort(a)) {
      port = a.app.project.port;
      while (used.has(port)) port++;
      used.add(port);
    }
    const file = `${a.app.dir}/${envFile(a.app)}`;
    return { app: a.app, sources: a.sources, file, example: `${a.app.dir}/.env.example`, port, deployed: true };
  });
  if (owner && ownerSources && !apps.some((a) => a.app === owner) && ownerSources.reads.length)
    targets.push({ app: owner, sources: ownerSources, file: `${owner.dir}/.env`, example: `${owner.dir}/.env.example`, deployed: false });
  return targets;
}

const ENV_HEADER = (dir: string) => `# Local secrets for ${dir}, written by create-prod-ready. Never commit this file.\n`;

/** The keys of the app's own that no provider knows, as declarations for its .env.example (never a value). */
function ownKeys(keys: string[]): Provider {
  const env: EnvVar[] = keys.map((key) => ({
    key,
    description: API_URL_KEY.test(key)
      ? "The API's public URL (Render sets it from the API service; locally the API's port)."
      : 'Read by this app; not set up by create-prod-ready: give it a value yourself (Render asks for it).',
    secret: !PUBLIC.test(key) && !API_URL_KEY.test(key),
    schema: z.string(),
  }));
  return {
    id: 'app',
    title: 'This app',
    hint: '',
    docsUrl: 'https://12factor.net/config',
    env,
    verify: async () => ({ identity: '', warnings: [] }),
    contribute: () => ({}),
  };
}

export function planMonorepo(input: PlanInput, mono: MonorepoState): Plan {
  const { ws } = mono;
  const { providers, values, templates: t, files } = input;
  // The shared files: compose and .gitignore. The root's single-app files (.env, render.yaml, the env
  // module and zod in the root package.json) are not planned: each app gets its own.
  // (the root's compose file is reused as for a single app: input.project.shape, monorepoProject)
  const base = plan({ ...input, project: { ...ws.rootProject, shape: input.project.shape }, envModule: undefined, migrations: undefined });
  const changes: FileChange[] = base.changes.filter((c) => c.path === 'docker-compose.yml');
  const change = (path: string, before: string | undefined, text: string, mode?: number) =>
    changes.push({ path, action: before === undefined ? 'create' : before === text ? 'keep' : 'update', before, after: text, mode });
  change('.gitignore', files['.gitignore'], mergeGitignore(files['.gitignore'], { nested: true }));

  // Migrations: in the package that owns the schema, applied by its own script.
  const owner = mono.schemaOwner;
  let migrations: Plan['migrations'];
  let script: string | undefined;
  let dependenciesAdded = false;
  if (owner && mono.migrations) {
    const wanted = wantedMigrations(providers, base.contributions);
    migrations = planMigrations({ project: owner.project, wanted, ...mono.migrations });
    script = owner.project.scripts.migrate ?? (migrations.packageJson !== undefined ? migrations.script : undefined);
    for (const m of migrations.files) change(`${owner.dir}/${m.path}`, m.before, m.after);
    if (migrations.packageJson !== undefined) {
      change(`${owner.dir}/package.json`, mono.migrations.state.packageJson, migrations.packageJson);
      dependenciesAdded = true;
    }
  }

  // Without a script, the tool's own deploy form (never `migrate dev`, which resets data in production)
  const deployForm = owner && !script ? { prisma: 'prisma migrate deploy', drizzle: 'drizzle-kit migrate' }[owner.project.migrations.tool as 'prisma' | 'drizzle'] : undefined;
  // Each app's names for the provider keys: the names its own contract reads (aliases, public prefixes).
  const namesOf = new Map<WorkspacePackage, NameMap>(mono.targets.map((x) => [x.app, mapNames(providers, x.sources.contract)]));
  const newFile = files['render.yaml'] === undefined;
  const model = monorepoRenderModel({
    ws,
    apps: mono.apps,
    contributions: base.contributions,
    migrations: owner && (script || deployForm) ? { owner, script, command: deployForm } : undefined,
    names: namesOf,
    newFile,
  });
  const renderYaml = blueprintText(files['render.yaml'], model, t, ws.rootProject.name);
  change('render.yaml', files['render.yaml'], renderYaml);
  // Render's plan rules on the final file (a free web service runs no preDeployCommand, no free workers)
  const deploy = { notes: deployNotes(mono, newFile), warnings: [...model.notes, ...composeWarnings(changes.find((c) => c.path === 'docker-compose.yml')?.after, input.project, files), ...renderPlanProblems((parseYaml(renderYaml) as Parameters<typeof renderPlanProblems>[0]) ?? {})] };
  // The health routes render.yaml checks that the tool adds as new files (only with a new render.yaml)
  if (newFile)
    for (const a of mono.apps) {
      const h = a.sources.health;
      if (h?.how === 'add' && h.file && h.kind && a.app.kind === 'web')
        change(`${a.app.dir}/${h.file}`, undefined, t.healthRoute[h.kind]({ path: h.path, typescript: a.app.project.typescript }));
    }

  // Env per app: the keys it reads, under its own names, values from the run's one answer per key.
  const api = apiApp(mono.apps.map((a) => a.app));
  const apiPort = mono.targets.find((x) => x.app === api)?.port;
  for (const target of mono.targets) {
    const names = namesOf.get(target.app)!;
    const chosen: ChosenApp = { app: target.app, sources: target.sources };
    const server = target.app.kind !== 'static';
    // nothing detected in a server: it may read its env through a package we did not find, so it gets every key
    const wants = (e: EnvVar) => (target.sources.reads.length ? readsAny(chosen, names, e.key) : server);
    // a static site is public: it gets only non-secret values under public names
    const fits = (e: EnvVar, name: string) => server || (!e.secret && PUBLIC.test(name));
    const groups: EnvGroup[] = providers.map((p) => ({
      title: p.title,
      vars: p.env
        .filter((e) => wants(e) && values[e.key] !== undefined && !(e.optional && values[e.key] === ''))
        .flatMap((e) => names.out(e.key).filter((name) => fits(e, name)).map((key) => ({ key, value: e.key === 'PORT' && target.port ? String(target.port) : values[e.key]! }))),
    }));
    const own = names.unknown.map((u) => u.key);
    const apiUrl = apiPort && target.app !== api ? `http://localhost:${apiPort}` : undefined;
    const urls = own.filter((k) => API_URL_KEY.test(k) && apiUrl);
    if (urls.length) groups.push({ title: 'The API (locally)', vars: urls.map((key) => ({ key, value: apiUrl! })) });
    const before = mono.files[target.file];
    const have = dotenvValues(parseDotenv(before ?? ''));
    // One answer per shared key: a value that differs from the run's is replaced (the plan shows it);
    // this app's own port and API URL stay as the user set them.
    const overwrite = new Set(
      groups.flatMap((g) => g.vars).filter((v) => v.key !== 'PORT' && !urls.includes(v.key) && have[v.key] !== undefined && have[v.key] !== '' && have[v.key] !== v.value).map((v) => v.key),
    );
    change(target.file, before, mergeDotenv(before ?? ENV_HEADER(target.app.dir), groups, overwrite), 0o600);
    const exampleProviders = providers
      .map((p) => ({ ...p, env: p.env.filter((e) => wants(e) && names.out(e.key).some((name) => fits(e, name))) }))
      .filter((p) => p.env.length);
    if (own.length) exampleProviders.push(ownKeys(own.filter((k) => server || PUBLIC.test(k))));
    change(target.example, mono.files[target.example], renderEnvExample(mono.files[target.example], exampleProviders, t, target.app.name, names));
  }

  // prod-ready.json: the run's memory, plus the apps and their services.
  const names = serviceNames(ws, mono.apps.map((a) => a.app));
  const apps: MemoryApp[] = mono.targets
    .filter((x) => x.deployed)
    .map((x) => {
      const n = names.get(x.app)!;
      return { dir: x.app.dir, name: x.app.name, kind: x.app.kind, env: x.file, services: [n.main, ...(n.worker ? [n.worker] : [])] };
    });
  const framework = (api ?? mono.apps[0]?.app)?.project.framework ?? ws.rootProject.framework;
  const before = parseMemory(files['prod-ready.json']);
  // Apps recorded earlier and not chosen this time stay recorded (their services stay in render.yaml).
  const kept = (before?.apps ?? []).filter((a) => !apps.some((b) => b.dir === a.dir) && ws.packages.some((p) => p.dir === a.dir));
  const memory = { ...memoryFor(providers, values, framework, before, input.resources), apps: [...apps, ...kept].sort((a, b) => a.dir.localeCompare(b.dir)) };
  change('prod-ready.json', files['prod-ready.json'], renderMemory(memory, files['prod-ready.json']));

  const nextSteps = [
    ...base.nextSteps,
    `Each app reads its own env file: ${mono.targets.map((x) => x.file).join(', ')} (git ignores them; each .env.example beside it is committed)`,
  ];
  return { changes, contributions: base.contributions, nextSteps, migrations: migrations && { ...migrations, script: script ?? migrations.script }, dependenciesAdded, deploy };
}

/** What each app's deploy was fitted to, one line each (with a new render.yaml): health check and Node version. */
function deployNotes(mono: MonorepoState, newFile: boolean): string[] {
  if (!newFile) return [];
  const notes: string[] = [];
  for (const a of mono.apps) {
    const h = a.sources.health;
    if (h) notes.push(`${a.app.dir}: health check ${h.path ? `${h.path}: ` : 'none: '}${h.why}`);
  }
  const versions = [...new Set(mono.apps.map((a) => a.app.project.nodeVersion).filter(Boolean))];
  if (versions.length) notes.push(`Node.js on Render: NODE_VERSION ${versions.join(', ')} on every service (an app's or the root's .nvmrc/.node-version when pinned, else your local major within engines.node)`);
  return notes;
}
