// One Blueprint for a monorepo: a service per chosen app, built from the repository root so workspace
// packages resolve, each rebuilt only when its own files, the workspace packages it uses or the lockfile
// change. Static frontends are static sites (an SPA gets its rewrite); workers share the API's env and
// database; the migrations run once, on the service that owns the database. Pure: workspace in, model out.
import type { HealthChoice } from '../app-shape.ts';
import type { EnvContract } from '../contract.ts';
import { SAME_NAMES, type NameMap } from '../env-names.ts';
import type { Contribution, RenderEnvVar } from '../provider.ts';
import type { Workspace, WorkspacePackage } from '../workspaces.ts';
import { fitMigrations, freeDataNotes, renderSettings, workerPlan, type RenderModel } from './render-yaml.ts';

/** What one app reads and serves: its env contract (with the workspace packages it uses) and its health route. */
export interface AppReads {
  /** Env names the app reads (its own sources and those of the workspace packages it uses), sorted. */
  reads: string[];
  /** The app's env contract (contract.ts), the packages' keys merged in: what maps provider keys to its names. */
  contract: EnvContract;
  /** Its health check: a route it serves, one the tool adds as a new file, or none (app-shape.ts). */
  health?: HealthChoice;
}

/** One chosen app and what it reads. */
export interface ChosenApp {
  app: WorkspacePackage;
  sources: AppReads;
}

/** The env names a declaration has in this app (its key when the app reads none of them). */
export const readsAny = (a: ChosenApp, names: NameMap, key: string): boolean => !a.sources.reads.length || names.out(key).some((n) => a.sources.reads.includes(n));

/** `script` run in one workspace package, from the root, in the package manager's own form. */
export function runIn(ws: Workspace, p: WorkspacePackage, script: string): string {
  switch (ws.packageManager) {
    case 'pnpm':
      return `pnpm --filter ${p.name} run ${script}`;
    case 'yarn':
      return `yarn workspace ${p.name} run ${script}`;
    case 'bun':
      return `bun run --filter ${p.name} ${script}`;
    default:
      return `npm run ${script} -w ${p.dir}`;
  }
}

/** A binary of one workspace package (prisma, drizzle-kit), run in its folder from the root. */
export function execIn(ws: Workspace, p: WorkspacePackage, command: string): string {
  switch (ws.packageManager) {
    case 'pnpm':
      return `pnpm --filter ${p.name} exec ${command}`;
    case 'yarn':
      return `yarn workspace ${p.name} ${command}`;
    case 'bun':
      return `cd ${p.dir} && bunx ${command}`;
    default:
      return `npm exec -w ${p.dir} -- ${command}`;
  }
}

/**
 * The build of one app from the root: turbo when the repository has it installed (it builds the
 * workspace packages the app depends on first, as turbo.json says); otherwise pnpm's `name...` filter,
 * or the dependencies' builds chained before the app's own.
 */
export function buildCommand(ws: Workspace, p: WorkspacePackage): string | undefined {
  const withBuild = (q: WorkspacePackage) => q.project.scripts.build !== undefined;
  if (ws.runner === 'turbo' && ws.turboInstalled) {
    const turbo = { npm: 'npx turbo', pnpm: 'pnpm turbo', yarn: 'yarn turbo', bun: 'bunx turbo' }[ws.packageManager];
    return withBuild(p) || p.deps.some((d) => withBuild(pkg(ws, d))) ? `${turbo} run build --filter=${p.name}` : undefined;
  }
  const deps = p.deps.map((d) => pkg(ws, d)).filter(withBuild);
  if (ws.packageManager === 'pnpm' && (deps.length || withBuild(p))) return `pnpm --filter "${p.name}..." run build`;
  const steps = [...deps, ...(withBuild(p) ? [p] : [])].map((q) => runIn(ws, q, 'build'));
  return steps.length ? steps.join(' && ') : undefined;
}

function migrateCommand(ws: Workspace, m: { owner: WorkspacePackage; script?: string; command?: string }): string {
  return m.script ? runIn(ws, m.owner, m.script) : execIn(ws, m.owner, m.command!);
}

const pkg = (ws: Workspace, dir: string) => ws.packages.find((q) => q.dir === dir)!;

/** The service names, one per app (and one more per `worker` script of a server app), unique in the file. */
export function serviceNames(ws: Workspace, apps: WorkspacePackage[]): Map<WorkspacePackage, { main: string; worker?: string }> {
  const used = new Set<string>();
  const root = ws.rootProject.name;
  const unique = (s: string) => {
    let name = s;
    for (let i = 2; used.has(name); i++) name = `${s}-${i}`;
    used.add(name);
    return name;
  };
  const out = new Map<WorkspacePackage, { main: string; worker?: string }>();
  for (const a of apps) {
    const main = unique(a.slug === root || a.slug.startsWith(`${root}-`) ? a.slug : `${root}-${a.slug}`);
    out.set(a, { main, worker: a.kind === 'web' && a.project.scripts.worker ? unique(`${main}-worker`) : undefined });
  }
  return out;
}

/**
 * The env keys each service's app reads, by service name (what a push may send it): a static site only its
 * public keys; a server where no env read was found is left out (it gets every key, as in render.yaml).
 */
export function serviceKeys(ws: Workspace, apps: ChosenApp[]): Record<string, string[]> {
  const names = serviceNames(ws, apps.map((a) => a.app));
  const out: Record<string, string[]> = {};
  for (const a of apps) {
    const n = names.get(a.app)!;
    if (a.app.kind === 'static') out[n.main] = a.sources.reads.filter((k) => PUBLIC.test(k));
    else if (a.sources.reads.length) for (const name of [n.main, ...(n.worker ? [n.worker] : [])]) out[name] = a.sources.reads;
  }
  return out;
}

/** Env names Render or the runtime sets, never declared. */
const RUNTIME = new Set(['PORT', 'HOST', 'HOSTNAME', 'CI', 'HOME', 'PATH', 'PWD', 'TZ', 'npm_package_version']);
/** Names a browser bundle may carry. */
export const PUBLIC = /^(NEXT_PUBLIC_|VITE_|PUBLIC_|EXPO_PUBLIC_|NUXT_PUBLIC_|REACT_APP_)/;
/** A frontend's pointer at the API (VITE_API_URL, NEXT_PUBLIC_API_BASE_URL, PUBLIC_API_URL…). */
export const API_URL_KEY = /^(NEXT_PUBLIC_|VITE_|PUBLIC_|EXPO_PUBLIC_|NUXT_PUBLIC_|REACT_APP_)?(API|BACKEND|SERVER)_(BASE_)?URL$/;

/** The server app other apps call: a plain HTTP server before a full-stack framework. */
export function apiApp(apps: WorkspacePackage[]): WorkspacePackage | undefined {
  const servers = apps.filter((a) => a.kind === 'web');
  const fullStack = ['nextjs', 'remix', 'react-router', 'sveltekit', 'astro'];
  return servers.find((a) => !fullStack.includes(a.project.framework)) ?? servers[0];
}

/**
 * The service that owns the database (runs the migrations before each deploy): the server app that is,
 * or uses, the package owning the schema; else the first server app that reads DATABASE_URL.
 */
export function databaseOwner(apps: ChosenApp[], schemaOwner: WorkspacePackage | undefined): ChosenApp | undefined {
  const servers = apps.filter((a) => a.app.kind === 'web' || a.app.kind === 'worker');
  const uses = (a: ChosenApp) => schemaOwner && (a.app === schemaOwner || a.app.deps.includes(schemaOwner.dir));
  return (
    servers.find((a) => a.app.kind === 'web' && uses(a)) ??
    servers.find((a) => uses(a)) ??
    servers.find((a) => a.app.kind === 'web' && a.sources.reads.includes('DATABASE_URL')) ??
    servers.find((a) => a.sources.reads.includes('DATABASE_URL'))
  );
}

export function monorepoRenderModel(input: {
  ws: Workspace;
  apps: ChosenApp[];
  contributions: Contribution[];
  /** The package owning the schema and its migrate script (or the tool's deploy command), when migrations run before deploys. */
  migrations?: { owner: WorkspacePackage; script?: string; command?: string };
  /** Each app's names for the provider keys (env-names.ts mapNames over its contract). */
  names: ReadonlyMap<WorkspacePackage, NameMap>;
  /** render.yaml is created now: a health route the tool adds as a new file may be checked. */
  newFile: boolean;
}): RenderModel {
  const { ws, apps, contributions } = input;
  const { region, plan, free, placed } = renderSettings(contributions);
  const model: RenderModel = { services: [], databases: [], comments: [], notes: [] };
  const provided = contributions.flatMap((c) => c.render?.envVars ?? []);
  const names = serviceNames(ws, apps.map((a) => a.app));
  const namesOf = (a: ChosenApp) => input.names.get(a.app) ?? SAME_NAMES;
  const api = apiApp(apps.map((a) => a.app));
  const apiName = api && names.get(api)!.main;
  const owner = databaseOwner(apps, input.migrations?.owner);
  // A generated secret (JWT_SECRET) is generated once, by the first web service that reads it (else the
  // first worker), under that app's name for it; every other service reads that one.
  const generatedBy = new Map<string, { name: string; type: string; key: string }>();
  for (const e of provided.filter((x) => 'generateValue' in x)) {
    const by = [...apps.filter((a) => a.app.kind === 'web'), ...apps.filter((a) => a.app.kind === 'worker')].find((a) => readsAny(a, namesOf(a), e.key));
    if (by) generatedBy.set(e.key, { name: names.get(by.app)!.main, type: by.app.kind, key: namesOf(by).out(e.key)[0]! });
  }
  const install = ws.rootProject.commands.install;

  const envFor = (a: ChosenApp, self: string, isStatic: boolean): RenderEnvVar[] => {
    const appNames = namesOf(a);
    // Render runs the Node.js the app was built for (its pin, else the local major within engines.node)
    const out: RenderEnvVar[] = a.app.project.nodeVersion ? [{ key: 'NODE_VERSION', value: a.app.project.nodeVersion }] : [];
    for (const e of provided) {
      // nothing detected: the app may read its env elsewhere, so it gets everything the providers declare
      if (!readsAny(a, appNames, e.key)) continue;
      const from = 'generateValue' in e ? generatedBy.get(e.key) : undefined;
      for (const key of appNames.out(e.key)) {
        // a static site is public: only what the browser may see (its public names), never a generated secret
        if (isStatic && (!PUBLIC.test(key) || from)) continue;
        out.push(from && from.name !== self ? { key, fromService: { type: from.type, name: from.name, envVarKey: from.key } } : { ...e, key });
      }
    }
    const declared = new Set(out.map((e) => e.key));
    for (const { key } of appNames.unknown) {
      if (declared.has(key) || RUNTIME.has(key) || key === 'NODE_ENV') continue;
      if (isStatic && !PUBLIC.test(key)) continue;
      // The browser calls the API at its public URL, which Render gives every web service as RENDER_EXTERNAL_URL.
      if (API_URL_KEY.test(key) && apiName && apiName !== self) out.push({ key, fromService: { type: 'web', name: apiName, envVarKey: 'RENDER_EXTERNAL_URL' } });
      else out.push({ key, sync: false });
    }
    return out;
  };

  for (const a of apps) {
    const p = a.app;
    const { main, worker } = names.get(p)!;
    const build = p.selfContained ? p.project.commands.build : [install, buildCommand(ws, p)].filter(Boolean).join(' && ');
    const source = p.selfContained
      ? { rootDir: p.dir }
      : { buildFilter: { paths: [`${p.dir}/**`, ...p.deps.map((d) => `${d}/**`), ...ws.rootFiles] } };
    const start = (script: string) => (p.selfContained ? p.project.commands.run(script) : runIn(ws, p, script));
    if (p.kind === 'static') {
      model.services.push({
        type: 'web',
        name: main,
        runtime: 'static',
        buildCommand: build,
        staticPublishPath: p.selfContained ? (p.publishDir ?? 'dist') : `${p.dir}/${p.publishDir ?? 'dist'}`,
        ...source,
        ...(p.spa ? { routes: [{ type: 'rewrite', source: '/*', destination: '/index.html' }] } : {}),
        envVars: envFor(a, main, true),
      });
      continue;
    }
    const envVars = envFor(a, main, false);
    const servicePlan = p.kind === 'worker' ? workerPlan(plan, main, model.notes) : plan;
    // the free plan runs no preDeployCommand: the migrations then start the start command
    const commands = fitMigrations(
      main,
      input.migrations && owner === a ? migrateCommand(ws, input.migrations) : undefined,
      start(p.kind === 'worker' && !p.project.scripts.start ? p.project.scripts.worker! : 'start'),
      servicePlan === 'free',
      model,
    );
    // a route the app serves; one the tool adds as a file only with a new render.yaml (the file is added then)
    const health = a.sources.health;
    const healthPath = p.kind === 'web' && health?.path && (health.how === 'found' || input.newFile) ? health.path : undefined;
    model.services.push({
      type: p.kind === 'worker' ? 'worker' : 'web',
      name: main,
      runtime: 'node',
      plan: servicePlan,
      region,
      ...source,
      buildCommand: build,
      ...(commands.preDeployCommand ? { preDeployCommand: commands.preDeployCommand } : {}),
      startCommand: commands.startCommand,
      ...(healthPath ? { healthCheckPath: healthPath } : {}),
      envVars,
    });
    if (worker)
      model.services.push({
        type: 'worker',
        name: worker,
        runtime: 'node',
        plan: workerPlan(plan, worker, model.notes),
        region,
        ...source,
        buildCommand: build,
        startCommand: start(p.project.scripts.worker!),
        // the worker shares its app's env: generated values are the web service's own
        envVars: envVars.map((e): RenderEnvVar => ('generateValue' in e ? { key: e.key, fromService: { type: 'web', name: main, envVarKey: e.key } } : e)),
      });
  }
  for (const c of contributions) model.services.push(...(c.render?.services ?? []).map(placed));
  model.databases = contributions.flatMap((c) => c.render?.databases ?? []).map(placed);
  if (free) model.notes.push(...freeDataNotes(model));
  return model;
}
