// Planning is pure: answers and current file contents in, the list of file changes out.
// Nothing here reads or writes the disk; `apply` is the only writer.
import { parse as parseYaml } from 'yaml';
import type { ProjectInfo } from './project.ts';
import type { Contribution, Provider, Values } from './provider.ts';
import type { Templates } from './templates.ts';
import { dotenvValues, mergeDotenv, parseDotenv, type EnvGroup } from './files/dotenv.ts';
import { renderEnvExample } from './files/env-example.ts';
import { mergeGitignore } from './files/gitignore.ts';
import { blueprintText, renderModel, renderPlanProblems } from './files/render-yaml.ts';
import { composeModel, hostPortClashes, renderCompose } from './files/compose.ts';
import { planMigrations, type MigrationPlan, type MigrationSql, type MigrationState } from './files/migrations.ts';
import { MIGRATION_NAMES, type MigrationName } from './provider.ts';
import { memoryFor, parseMemory, renderMemory } from './files/memory.ts';
import { envModuleGroups, renderEnvModule } from './files/env-module.ts';
import { addToPackageJson } from './files/package-json.ts';
import type { EnvContract } from './contract.ts';
import { SAME_NAMES, type NameMap } from './env-names.ts';
import type { EnvFileName } from './env-file.ts';
import type { RenderEnvVar } from './provider.ts';

/** The zod the generated env module imports, added to the project's dependencies (it runs at app start). */
const ZOD = { section: 'dependencies', name: 'zod', value: '^4.0.0' } as const;

export const MANAGED_FILES = ['.gitignore', '.env', '.env.local', '.env.example', 'render.yaml', 'docker-compose.yml', 'prod-ready.json'] as const;
export type ManagedFile = (typeof MANAGED_FILES)[number];

export interface FileChange {
  /** A managed file, package.json, or a generated migration (e.g. migrations/0001_create-users.sql). */
  path: string;
  /** `delete`: a file moved away (e.g. a SQLite migration history kept aside), removed after every other write. */
  action: 'create' | 'update' | 'keep' | 'delete';
  before?: string;
  after: string;
  /** File mode for a created file (and enforced for .env). */
  mode?: number;
}

export interface PlanInput {
  project: ProjectInfo;
  /** Selected providers, in catalog order. */
  providers: Provider[];
  /** Final values of every selected provider's keys ('' = optional and left empty). */
  values: Values;
  /** Keys whose existing .env value is replaced; every other existing key is kept. */
  overwrite: ReadonlySet<string>;
  files: Partial<Record<ManagedFile, string>>;
  templates: Templates;
  /**
   * The app's env module (src/env.ts or the like) as it is: undefined when missing (then it is created),
   * its text when present (then it is the user's: never rewritten; keys it lacks are named in the next steps).
   * Leave the field out to plan no module (a project without package.json).
   */
  envModule?: { existing: string | undefined };
  /** Ids of what this run created at providers (from actions), for prod-ready.json. */
  resources?: Record<string, string>;
  /** The app's env contract (the names it reads) and each provider key's names in it; default: the keys' own names. */
  contract?: EnvContract;
  names?: NameMap;
  /** The file the values go to (src/core/env-file.ts); default .env. */
  envFile?: EnvFileName;
  /** The migrations folder and package.json as they are, the SQL templates and the time (for numbering). */
  migrations?: { state: MigrationState; sql: MigrationSql; now: number };
}

export interface Plan {
  changes: FileChange[];
  /** The providers' contributions, render env vars under the app's names, plus one for the keys only the app reads. */
  contributions: Contribution[];
  nextSteps: string[];
  /** Generated migrations (when PostgreSQL is selected and a provider needs tables). */
  migrations?: MigrationPlan;
  /** package.json gets new dependencies (zod, the migration tool): someone has to install them. */
  dependenciesAdded?: boolean;
  /**
   * How the deploy fits the app, for the plan: `notes` say what was chosen and why (health check,
   * production migrations, Node version, package manager); `warnings` are what Render would refuse,
   * not run, or charge for.
   */
  deploy: { notes: string[]; warnings: string[] };
}

const ENV_HEADER = '# Local secrets for this project, written by create-prod-ready. Never commit this file.\n';

/** Tables exist only with a database: each migration is wanted once, in a fixed order (users first). */
export function wantedMigrations(providers: Provider[], contributions: Contribution[]): MigrationName[] {
  return providers.some((p) => p.database) ? MIGRATION_NAMES.filter((n) => contributions.some((c) => c.migrations?.includes(n))) : [];
}

export const contributionsOf = (providers: Provider[], values: Values, project: ProjectInfo): Contribution[] =>
  providers.map((p) => p.contribute(values, { project, all: values }));

/** Keys Render sets on every service itself (https://render.com/docs/environment-variables). */
const RENDER_SETS = new Set(['PORT', 'RENDER', 'IS_PULL_REQUEST', 'RENDER_EXTERNAL_URL', 'RENDER_SERVICE_NAME']);

/** One entry per key in each contribution's env vars: the first wins (two declarations may share an app name). */
function dedupeEnvVars(contributions: Contribution[]): Contribution[] {
  const seen = new Set<string>();
  return contributions.map((c) =>
    c.render?.envVars ? { ...c, render: { ...c.render, envVars: c.render.envVars.filter((v) => !seen.has(v.key) && seen.add(v.key)) } } : c,
  );
}

export function plan(input: PlanInput): Plan {
  const { providers, values, files, templates: t } = input;
  const contributions = contributionsOf(providers, values, input.project);
  const wanted = wantedMigrations(providers, contributions);
  const migrations = input.migrations && planMigrations({ project: input.project, wanted, ...input.migrations });
  // A migrate script added now is what render.yaml's preDeployCommand runs.
  const added = input.project.scripts.migrate === undefined && migrations?.packageJson !== undefined ? migrations.script : undefined;
  const project: ProjectInfo = {
    ...input.project,
    scripts: { ...input.project.scripts, migrate: input.project.scripts.migrate ?? added },
    migrateDeploy: added ? { command: input.project.commands.run(added), why: `the "${added}" script added for the generated migrations` } : input.project.migrateDeploy,
  };

  const names = input.names ?? SAME_NAMES;
  const envFile = input.envFile ?? '.env';
  // Values go to .env.local beside a .env the app may commit: a non-secret value .env already holds as is
  // stays there only.
  const committed = envFile !== '.env' ? dotenvValues(parseDotenv(files['.env'] ?? '')) : {};
  const written = new Set<string>();
  const groups: EnvGroup[] = providers.map((p) => ({
    title: p.title,
    // an optional key left empty is not written, unless the user just emptied it (then .env follows)
    vars: p.env
      .filter((e) => values[e.key] !== undefined && !(e.optional && values[e.key] === '' && !input.overwrite.has(e.key)))
      .flatMap((e) =>
        names.out(e.key).flatMap((name) => {
          if (written.has(name) || (!e.secret && committed[name] === values[e.key])) return [];
          written.add(name);
          return [{ key: name, value: values[e.key]! }];
        }),
      ),
  }));
  const envBefore = files[envFile];
  const env = mergeDotenv(envBefore ?? ENV_HEADER, groups, new Set([...input.overwrite].flatMap((k) => [k, ...names.out(k)])));

  // render.yaml declares every value under the app's names, and every other key the app reads (sync: false:
  // Render asks for it when the Blueprint is created).
  const renamed = contributions.map((c) =>
    c.render?.envVars ? { ...c, render: { ...c.render, envVars: c.render.envVars.flatMap((v) => names.out(v.key).map((key): RenderEnvVar => ({ ...v, key }))) } } : c,
  );
  const declared = new Set(renamed.flatMap((c) => c.render?.envVars ?? []).map((v) => v.key));
  const appOnly = names.unknown.filter((u) => !declared.has(u.key) && !RENDER_SETS.has(u.key)).map((u): RenderEnvVar => ({ key: u.key, sync: false }));
  if (appOnly.length) renamed.push({ render: { envVars: appOnly } });
  const model = renderModel(project, dedupeEnvVars(renamed));
  const renderYaml = blueprintText(files['render.yaml'], model, t, project.name);
  const parsedRender = parseYaml(renderYaml) as Parameters<typeof renderPlanProblems>[0];
  const deploy = { notes: deployNotes(project, files['render.yaml'] === undefined), warnings: [...model.notes, ...renderPlanProblems(parsedRender ?? {})] };

  const compose = renderCompose(files['docker-compose.yml'], composeModel(contributions), t, project.name);
  deploy.warnings.push(...composeWarnings(compose, project, files));

  const after: [ManagedFile, string | undefined, number?][] = [
    ['.gitignore', mergeGitignore(files['.gitignore'], { envFile })],
    [envFile, env, 0o600],
    ['.env.example', renderEnvExample(files['.env.example'], providers, t, project.name, names, project)],
    ['render.yaml', renderYaml],
    ['docker-compose.yml', compose],
    ['prod-ready.json', renderMemory(memoryFor(providers, values, project.framework, parseMemory(files['prod-ready.json']), input.resources), files['prod-ready.json'])],
  ];
  const changes: FileChange[] = [];
  const change = (path: string, before: string | undefined, text: string, mode?: number) =>
    changes.push({ path, action: before === undefined ? 'create' : before === text ? 'keep' : 'update', before, after: text, mode });
  for (const [path, text, mode] of after) if (text !== undefined) change(path, files[path], text, mode);
  const nextSteps = contributions.flatMap((c) => c.nextSteps ?? []);

  // The env module: created when missing; an existing one is the user's and only gets a next step.
  const pkgBefore = input.migrations?.state.packageJson;
  let pkg = migrations?.packageJson ?? pkgBefore;
  if (input.envModule && pkgBefore !== undefined) {
    const zodMajor = input.contract?.zodMajor ?? 4;
    const m = renderEnvModule(providers, project, t, { names, zodMajor });
    const checked = envModuleGroups(providers, project, names).flatMap((g) => g.vars.map((v) => v.key));
    const schema = input.contract?.schema;
    if (schema) {
      // The app checks its env itself (t3-env or zod): a second module is not wanted; say what it lacks.
      const lacking = checked.filter((k) => !schema.keys.includes(k));
      if (lacking.length) nextSteps.push(`${schema.path} (${schema.kind}) does not check ${lacking.join(', ')}: add ${lacking.length > 1 ? 'them' : 'it'} to its schema`);
    } else if (input.envModule.existing === undefined) {
      change(m.path, undefined, m.text);
      // the app's own zod when it has one (the module is written in its major), else zod 4
      pkg = addToPackageJson(pkg!, [ZOD]);
    } else {
      const lacking = checked.filter((k) => !new RegExp(`\\b${k}\\b`).test(input.envModule!.existing!));
      if (lacking.length) nextSteps.push(`${m.path} does not check ${lacking.join(', ')}: add them, or delete the file and run again to regenerate it`);
    }
  }
  const dependenciesAdded = pkg !== undefined && pkg !== pkgBefore;
  if (dependenciesAdded) change('package.json', pkgBefore, pkg!);
  for (const m of migrations?.files ?? []) m.delete ? changes.push({ path: m.path, action: 'delete', before: m.before, after: '' }) : change(m.path, m.before, m.after);
  // The health route render.yaml checks, when the framework makes it a new file: only with a new render.yaml
  // (an existing one keeps its own health check), and never over a file that is there.
  const health = project.shape?.health;
  if (health?.how === 'add' && files['render.yaml'] === undefined && health.file && health.kind)
    change(health.file, undefined, t.healthRoute[health.kind]({ path: health.path, typescript: project.typescript }));
  // the render env vars under the app's names, and its own keys: what Render asks for
  return { changes, contributions: dedupeEnvVars(renamed), nextSteps, migrations, dependenciesAdded, deploy };
}

/** What docker compose would trip on: the app's own compose file read instead of ours, a host port published twice. */
export function composeWarnings(text: string | undefined, project: ProjectInfo, files: PlanInput['files']): string[] {
  if (text === undefined) return [];
  const warnings: string[] = [];
  const own = project.shape?.compose.file;
  if (own && own !== 'docker-compose.yml' && files['docker-compose.yml'] === undefined)
    warnings.push(`your compose file is ${own}, which docker compose reads instead of docker-compose.yml: start the added services with docker compose -f docker-compose.yml up -d, or move them into ${own}`);
  const clashes = hostPortClashes(text);
  if (clashes.length) warnings.push(`docker-compose.yml publishes host port ${clashes.join(', ')} more than once: docker compose up would fail; change one of them`);
  return warnings;
}

/** What the deploy was fitted to, one line each: for the plan shown before anything is written. */
function deployNotes(project: ProjectInfo, newRenderYaml: boolean): string[] {
  const notes: string[] = [];
  if (project.packageManagerWhy) notes.push(`package manager: ${project.packageManager} (${project.packageManagerWhy})`);
  if (!newRenderYaml) return notes;
  const health = project.shape?.health;
  if (health) notes.push(`health check: ${health.path ? `${health.path}: ` : 'none: '}${health.why}`);
  if (project.migrateDeploy) notes.push(`production migrations: ${project.migrateDeploy.command} (${project.migrateDeploy.why})`);
  if (project.nodeVersion) notes.push(`Node.js on Render: NODE_VERSION ${project.nodeVersion} (the app's .nvmrc or .node-version when it pins one, else your local major within package.json's engines.node)`);
  return notes;
}
