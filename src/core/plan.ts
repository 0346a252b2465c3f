// Planning is pure: answers and current file contents in, the list of file changes out.
// Nothing here reads or writes the disk; `apply` is the only writer.
import { parse as parseYaml } from 'yaml';
import type { ProjectInfo } from './project.ts';
import type { Contribution, Provider, Values } from './provider.ts';
import type { Templates } from './templates.ts';
import { mergeDotenv, type EnvGroup } from './files/dotenv.ts';
import { renderEnvExample } from './files/env-example.ts';
import { mergeGitignore } from './files/gitignore.ts';
import { blueprintText, renderModel } from './files/render-yaml.ts';
import { composeModel, renderCompose } from './files/compose.ts';
import { planMigrations, type MigrationPlan, type MigrationSql, type MigrationState } from './files/migrations.ts';
import { MIGRATION_NAMES, type MigrationName } from './provider.ts';
import { memoryFor, parseMemory, renderMemory } from './files/memory.ts';
import { envModuleGroups, renderEnvModule } from './files/env-module.ts';
import { addToPackageJson } from './files/package-json.ts';

/** The zod the generated env module imports, added to the project's dependencies (it runs at app start). */
const ZOD = { section: 'dependencies', name: 'zod', value: '^4.0.0' } as const;

export const MANAGED_FILES = ['.gitignore', '.env', '.env.example', 'render.yaml', 'docker-compose.yml', 'prod-ready.json'] as const;
export type ManagedFile = (typeof MANAGED_FILES)[number];

export interface FileChange {
  /** A managed file, package.json, or a generated migration (e.g. migrations/0001_create-users.sql). */
  path: string;
  action: 'create' | 'update' | 'keep';
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
  /** The migrations folder and package.json as they are, the SQL templates and the time (for numbering). */
  migrations?: { state: MigrationState; sql: MigrationSql; now: number };
}

export interface Plan {
  changes: FileChange[];
  contributions: Contribution[];
  nextSteps: string[];
  /** Generated migrations (when PostgreSQL is selected and a provider needs tables). */
  migrations?: MigrationPlan;
  /** package.json gets new dependencies (zod, the migration tool): someone has to install them. */
  dependenciesAdded?: boolean;
}

const ENV_HEADER = '# Local secrets for this project, written by create-prod-ready. Never commit this file.\n';

/** Tables exist only with a database: each migration is wanted once, in a fixed order (users first). */
export function wantedMigrations(providers: Provider[], contributions: Contribution[]): MigrationName[] {
  return providers.some((p) => p.database) ? MIGRATION_NAMES.filter((n) => contributions.some((c) => c.migrations?.includes(n))) : [];
}

export const contributionsOf = (providers: Provider[], values: Values, project: ProjectInfo): Contribution[] =>
  providers.map((p) => p.contribute(values, { project, all: values }));

export function plan(input: PlanInput): Plan {
  const { providers, values, files, templates: t } = input;
  const contributions = contributionsOf(providers, values, input.project);
  const wanted = wantedMigrations(providers, contributions);
  const migrations = input.migrations && planMigrations({ project: input.project, wanted, ...input.migrations });
  // A migrate script added now is what render.yaml's preDeployCommand runs.
  const script = input.project.scripts.migrate ?? (migrations?.packageJson !== undefined ? migrations.script : undefined);
  const project = { ...input.project, scripts: { ...input.project.scripts, migrate: script } };

  const groups: EnvGroup[] = providers.map((p) => ({
    title: p.title,
    // an optional key left empty is not written, unless the user just emptied it (then .env follows)
    vars: p.env
      .filter((e) => values[e.key] !== undefined && !(e.optional && values[e.key] === '' && !input.overwrite.has(e.key)))
      .map((e) => ({ key: e.key, value: values[e.key]! })),
  }));
  const envBefore = files['.env'];
  const env = mergeDotenv(envBefore ?? ENV_HEADER, groups, input.overwrite);

  const renderYaml = blueprintText(files['render.yaml'], renderModel(project, contributions), t, project.name);

  const compose = renderCompose(files['docker-compose.yml'], composeModel(contributions), t, project.name);
  if (compose !== undefined) parseYaml(compose);

  const after: [ManagedFile, string | undefined, number?][] = [
    ['.gitignore', mergeGitignore(files['.gitignore'])],
    ['.env', env, 0o600],
    ['.env.example', renderEnvExample(files['.env.example'], providers, t, project.name)],
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
    const m = renderEnvModule(providers, project, t);
    if (input.envModule.existing === undefined) {
      change(m.path, undefined, m.text);
      pkg = addToPackageJson(pkg!, [ZOD]);
    } else {
      const lacking = envModuleGroups(providers, project).flatMap((g) => g.vars.map((v) => v.key)).filter((k) => !new RegExp(`\\b${k}\\b`).test(input.envModule!.existing!));
      if (lacking.length) nextSteps.push(`${m.path} does not check ${lacking.join(', ')}: add them, or delete the file and run again to regenerate it`);
    }
  }
  const dependenciesAdded = pkg !== undefined && pkg !== pkgBefore;
  if (dependenciesAdded) change('package.json', pkgBefore, pkg!);
  for (const m of migrations?.files ?? []) change(m.path, m.before, m.after);
  return { changes, contributions, nextSteps, migrations, dependenciesAdded };
}
