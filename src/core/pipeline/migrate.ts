// The Prisma step before the plan (Prisma's own engine makes the models' migration) and the migrate stage
// after the write: the project's pending migrations applied to the checked database.
import { parse as parseYaml } from 'yaml';
import { UsageError, UserError } from '../errors.ts';
import { contributionsOf, wantedMigrations, type Plan } from '../plan.ts';
import { ioFor } from '../verify.ts';
import { commandsNeeded, migrateStep, type MigrationReport } from '../../commands/migrate-step.ts';
import type { InstallReport } from '../../commands/install-step.ts';
import type { Say } from '../../ui/say.ts';
import { filesChanged, type Run } from './plan.ts';
import { known, withDatasource } from './state.ts';

/** The checked database URL: undefined when PostgreSQL was not checked (skipped, failed, not selected). */
function checkedUrl(run: Run): string | undefined {
  const db = run.ctx.providers.find((p) => p.database);
  const r = run.results.find((x) => x.id === db?.id);
  return r?.ok && !r.skipped && db ? known(run.ctx, run.answers)[db.database!.urlKey] : undefined;
}

/** What the migration step works from (the same for the step and for checking its commands first). */
function migrateInput(run: Run, thePlan: Plan) {
  const { ctx } = run;
  const db = ctx.providers.find((p) => p.database);
  return {
    plan: thePlan,
    // in a monorepo, the package that owns the schema runs its migrations
    project: ctx.mono?.schemaOwner?.project ?? ctx.project,
    urlNames: db ? ctx.names.out(db.database!.urlKey) : undefined,
    postgres: db,
    url: checkedUrl(run),
    // a teammate's run never installs: npm install may rewrite the committed lockfile
    install: !ctx.joining,
  };
}

/**
 * A Prisma project: the missing models and their migration, made by Prisma's own engine before the plan
 * (the engine needs the checked database). A teammate's run changes no committed file: it only applies.
 */
export async function prismaStep(run: Run, say: Say): Promise<Run> {
  const { ctx } = run;
  const db = ctx.providers.find((p) => p.database);
  // in a monorepo, the package that owns the schema
  const project = ctx.mono?.schemaOwner?.project ?? ctx.project;
  const state = ctx.mono ? ctx.mono.migrations?.state : ctx.migrations.state;
  if (project.migrations.tool !== 'prisma' || !db || !state) return run;
  // a move from SQLite prepared Prisma's part (the switched schema and its baseline)
  const moved = run.sqliteMove?.prep;
  // a teammate only reads the schema (the env var its datasource reads) and applies what is committed
  const wanted = ctx.joining ? [] : wantedMigrations(ctx.providers, contributionsOf(ctx.providers, known(ctx, run.answers), ctx.project));
  const url = checkedUrl(run);
  const { preparePrisma } = await import('../prisma/prepare.ts');
  const prepare = (signal: AbortSignal) => preparePrisma({ project, wanted, url, now: ctx.migrations.now, signal, db: db.database!, io: ioFor(db, project, signal) });
  const prep = moved
    ? moved
    : wanted.length
    ? await say.step("Adding Prisma models and a migration (with Prisma's own engine)", prepare, (p) =>
        p.added.length ? `Prisma migration ${p.added.join(', ')} ready` : p.skipped ? 'No Prisma migration' : 'The Prisma schema has every model already',
      )
    : await prepare(new AbortController().signal);
  if (!moved) for (const n of prep.notes) say.info(`Prisma: ${n}`);
  const next = { ...state, prisma: prep };
  return {
    ...run,
    ctx: ctx.mono
      ? { ...ctx, mono: { ...ctx.mono, migrations: { ...ctx.mono.migrations!, state: next } } }
      : { ...ctx, migrations: { ...ctx.migrations, state: next } },
  };
}

/**
 * Every external command the run will use after writing (the package manager, for the migrations) is
 * found before anything is written or changed at a provider: a missing one is a usage error, exit 2.
 */
export async function missingCommands(run: Run, thePlan: Plan): Promise<UsageError | undefined> {
  const { onPath, howToGet, toolInstalled } = await import('../migrate.ts');
  const absent = commandsNeeded(migrateInput(run, thePlan), toolInstalled).find((n) => !onPath(n.command));
  if (!absent) return undefined;
  const { project } = run.ctx;
  const why = project.packageManagerWhy ? `; ${project.packageManager} because ${project.packageManagerWhy}` : '';
  return new UsageError(`${absent.command} is not on PATH, and this run needs it ${absent.why}${why}: ${howToGet(absent.command)}, then run again.`);
}

/**
 * SQLite in the app: said, offered or taken (--from-sqlite), its schema switch prepared for the plan
 * (src/commands/sqlite-step.ts). Drizzle's files join the migrations state; Prisma's go through prismaStep.
 */
export async function sqliteStage(run: Run, say: Say, interactive: boolean): Promise<Run> {
  const { ctx } = run;
  if (!ctx.sqlite) return run;
  const { decideMove } = await import('../../commands/sqlite-step.ts');
  const db = ctx.providers.find((p) => p.database);
  const signal = new AbortController().signal;
  const wanted = wantedMigrations(ctx.providers, contributionsOf(ctx.providers, known(ctx, run.answers), ctx.project));
  const move = await decideMove({
    finding: ctx.sqlite,
    flag: ctx.flags.fromSqlite !== undefined,
    interactive,
    postgres: !!db,
    say,
    prisma: { project: ctx.project, wanted, url: checkedUrl(run), now: ctx.migrations.now, signal, db: db?.database, io: db && ioFor(db, ctx.project, signal) },
  });
  if (!move) return run;
  const d = move.drizzle;
  const migrations = d ? { ...ctx.migrations, state: { ...ctx.migrations.state, move: d.files, journal: d.journal } } : ctx.migrations;
  // the switched config reads the URL under its new name: it is written there (the app's SQLite name keeps its file)
  const names = d?.urlEnv ? withDatasource(ctx, [d.urlEnv]) : ctx;
  return { ...run, sqliteMove: move, ctx: { ...names, migrations } };
}

/** Applies pending migrations once the files are written. A failure leaves the database as it was and says what was written. */
export async function migrateAfterWrite(run: Run, thePlan: Plan, say: Say, written: string[], install?: InstallReport): Promise<MigrationReport | undefined> {
  const input = migrateInput(run, thePlan);
  let report: MigrationReport | undefined;
  try {
    // an install that just failed is not tried again for the migration tool
    report = await migrateStep({ ...input, ...(install && !install.installed ? { install: false } : {}), say });
  } catch (err) {
    if (err instanceof UserError) {
      err.outcome = `${written.length ? `Wrote ${written.join(', ')}` : 'No file needed a change'}; no migration was applied.`;
      err.files = filesChanged(thePlan, written);
    }
    throw err;
  }
  // a move from SQLite: the rows are copied once the PostgreSQL schema exists
  if (run.sqliteMove) {
    const { copyData } = await import('../../commands/sqlite-step.ts');
    const render = thePlan.changes.find((c) => c.path === 'render.yaml')?.after;
    const renderPlan = render ? (parseYaml(render) as { databases?: { plan?: string }[] })?.databases?.[0]?.plan : undefined;
    try {
      await copyData({ move: run.sqliteMove, project: input.project, url: input.url, connect: run.ctx.providers.find((p) => p.database)?.database?.connect, schemaReady: !!report && report.note === null, migrateCommand: input.project.migrateDeploy?.command ?? 'the migrations', say, renderPlan, out: run.ctx.flags.json ? process.stderr : process.stdout });
    } catch (err) {
      if (err instanceof UserError) {
        err.outcome = `${written.length ? `Wrote ${written.join(', ')}` : 'No file needed a change'}${report?.applied.length ? `; applied ${report.applied.join(', ')}` : ''}; no row was copied (the SQLite file is unchanged).`;
        err.files = filesChanged(thePlan, written);
      }
      throw err;
    }
  }
  return report;
}
