// The last step of init, after the files are written: apply the project's pending migrations to the
// checked DATABASE_URL, with the project's own tool and script (the one render.yaml's preDeployCommand
// runs), after showing the SQL, asking, and proving the set in a throwaway database.
import type { Plan } from '../core/plan.ts';
import type { ProjectInfo } from '../core/project.ts';
import type { Provider } from '../core/provider.ts';
import { ioFor } from '../core/verify.ts';
import type { Say } from '../ui/say.ts';

export interface MigrationReport {
  tool: string;
  /** Migration files this run created. */
  generated: string[];
  /** Migrations applied to the database by this run. */
  applied: string[];
  /** 'passed', or why the throwaway-database proof was skipped; null when nothing was applied. */
  proof: string | null;
  /** Why migrations were not generated or not applied, when they were not. */
  note: string | null;
  /** The package manager installed what package.json lists (so "npm install" is no longer a next step). */
  installed: boolean;
}


export interface MigrateStepInput {
  plan: Plan;
  project: ProjectInfo;
  postgres: Provider | undefined;
  /** DATABASE_URL as checked; undefined when PostgreSQL was not checked (skipped, unverified, not selected). */
  url: string | undefined;
  /** May the tool be installed (`npm install`) when it is missing? */
  install: boolean;
  /** The names the app reads the database URL under. */
  urlNames?: string[];
  say: Say;
}

/**
 * The external commands the migration step will run (the package manager, for `install` and `run`),
 * decided by the same conditions as the step: checked before anything is written.
 */
export function commandsNeeded(input: Omit<MigrateStepInput, 'say'>, toolInstalled: (project: ProjectInfo, setup: NonNullable<Plan['migrations']>['setup']) => boolean): { command: string; why: string }[] {
  const { plan, project } = input;
  const m = plan.migrations;
  if (!m || !input.postgres || m.skipped || !input.url) return [];
  if (m.setup.tool !== 'prisma' && project.scripts.migrate === undefined && m.packageJson === undefined) return [];
  const installed = toolInstalled(project, m.setup);
  if (!installed && !input.install) return [];
  const script = scriptOf(plan, project);
  const run = script ? project.commands.run(script) : (m.setup.deploy ?? project.commands.run('db:migrate'));
  const why = installed ? `to apply the migrations (${run})` : `to install ${m.setup.tool} and apply the migrations (${run})`;
  const commands = [...new Set([...(installed ? [] : [project.packageManager]), run.split(' ')[0]!])];
  return commands.map((command) => ({ command, why }));
}

/**
 * The script that applies migrations: the one added for generated migrations, else the app's own (deploy-safe)
 * one; none for Prisma without one (setup.deploy, `prisma migrate deploy`, applies them).
 */
const scriptOf = (plan: Plan, project: ProjectInfo): string | undefined =>
  plan.migrations?.script ?? (plan.migrations?.setup.tool === 'prisma' ? undefined : project.scripts.migrate);

export async function migrateStep(input: MigrateStepInput): Promise<MigrationReport | undefined> {
  const { plan, project, say } = input;
  const m = plan.migrations;
  if (!m || !input.postgres) return undefined;
  const report: MigrationReport = { tool: m.setup.tool, generated: m.added, applied: [], proof: null, note: null, installed: false };
  const prisma = m.setup.tool === 'prisma';
  const script = scriptOf(plan, project);
  const run = script ? project.commands.run(script) : (m.setup.deploy ?? project.commands.run('db:migrate'));
  if (m.skipped) {
    say.warn(m.skipped);
    return { ...report, note: m.skipped };
  }
  // Prisma applies with `prisma migrate deploy` (or the app's script running it): no script is needed
  const hasScript = prisma || project.scripts.migrate !== undefined || m.packageJson !== undefined;
  if (!hasScript) {
    if (m.added.length) say.warn(`No package.json: the migrations in ${m.setup.dir}/ are written but not applied; run them with ${m.setup.tool}`);
    return m.added.length ? { ...report, note: 'no package.json' } : undefined;
  }
  if (!input.url) {
    const note = `not applied: PostgreSQL was not checked; run ${run} once the database is reachable`;
    if (m.added.length) say.warn(`Migrations ${note}`);
    return { ...report, note };
  }
  const { applyMigrations, installTool, pendingMigrations, prove, toolInstalled } = await import('../core/migrate.ts');
  const migrator = (signal: AbortSignal) => ({
    project,
    setup: m.setup,
    script,
    url: input.url!,
    urlNames: input.urlNames,
    io: ioFor(input.postgres!, project, signal),
    db: input.postgres!.database!,
    envVar: m.envVar,
  });

  if (!toolInstalled(project, m.setup) && !input.install) {
    const note = `not applied: ${m.setup.tool} is not installed yet; run ${project.packageManager} install, then ${run}`;
    say.warn(`Migrations ${note}`);
    return { ...report, note };
  }
  if (!toolInstalled(project, m.setup)) {
    await say.step(`Installing ${m.setup.tool} (${project.packageManager} install)`, (signal) => installTool(project, signal), () => `Installed ${m.setup.tool}`);
    report.installed = true;
  }
  const pending = await say.step('Reading which migrations the database has run', (signal) => pendingMigrations(migrator(signal)), (p) =>
    p.length ? `${p.length} migration${p.length > 1 ? 's' : ''} to apply` : 'The database is up to date: no migration to apply',
  );
  if (!pending.length) return report;

  const t = input.postgres.database!.describe(input.url);
  const target = `${t.user}@${t.host}:${t.port}/${t.database}`;
  say.note(pending.map((p) => `-- ${p.name}\n${p.sql}`).join('\n\n'), `SQL to apply to ${target}`);
  if (!(await say.confirm(`Apply ${pending.length} migration${pending.length > 1 ? 's' : ''} to ${target} with ${run}?`))) {
    const note = `not applied: you chose to wait; run ${run} when ready`;
    say.info(`Migrations ${note}`);
    return { ...report, note };
  }
  const how = prisma ? 'the whole history from empty: Prisma has no down' : 'up, down, up';
  const skipped = await say.step(`Proving them in a throwaway database (${how})`, (signal) => prove(migrator(signal), pending), (why) =>
    why
      ? `Proof skipped: ${why}`
      : prisma
        ? 'Proved in a throwaway database: every migration applied from empty (Prisma has no down), then dropped'
        : 'Proved in a throwaway database: up, down and up again, then dropped',
  );
  report.proof = skipped ?? 'passed';
  await say.step(`Applying with ${run}`, (signal) => applyMigrations(migrator(signal)), () => `Applied ${pending.map((p) => p.name).join(', ')}`);
  report.applied = pending.map((p) => p.name);
  return report;
}
