// init's part of a move from SQLite to PostgreSQL, in three calls:
//   findSqlite   at the start: what says SQLite (or exit 2 when --from-sqlite finds nothing);
//   decideMove   before planning: said to the user, offered (interactive) or taken (--from-sqlite), and
//                the schema switch, baseline and history move prepared for the plan;
//   copyData     after the baseline is applied: the rows copied by src/core/sqlite/copy.ts, proven by
//                counts and checksums, and the production notes (pooling, backups).
// Without the flag and without a person, the app stays on SQLite and the user is warned.
import { isAbsolute, join } from 'node:path';
import { UsageError } from '../core/errors.ts';
import type { ProjectInfo } from '../core/project.ts';
import type { Database } from '../core/provider.ts';
import type { PrepareInput, PrismaPrep } from '../core/prisma/prepare.ts';
import { detectSqlite, findingLine, WHY_BASELINE, type SqliteFinding } from '../core/sqlite/detect.ts';
import type { MoveSummary } from '../core/sqlite/move.ts';
import type { MigrationFile } from '../core/files/migrations.ts';
import type { Say } from '../ui/say.ts';
import type { Workspace } from '../core/workspaces.ts';
import type { CopyReport } from '../core/sqlite/copy.ts';

/** What --json reports of the move. */
export interface SqliteReport {
  found: string[];
  file?: string;
  moved: boolean;
  orm?: 'prisma' | 'drizzle';
  switched: string[];
  baseline?: string;
  aside?: string;
  manual: string[];
  /** The copy, when it ran; `note` says why it did not. */
  copy?: CopyReport;
  note?: string;
}

/**
 * At the start of init: what says SQLite. `fromSqlite`: the flag (`''` without a file). A flag that finds
 * nothing to move is a usage error (exit 2), before anything is asked or checked.
 */
export async function findSqlite(project: ProjectInfo, env: Record<string, string>, fromSqlite: string | undefined): Promise<SqliteFinding | undefined> {
  let prisma;
  if (project.migrations.tool === 'prisma') {
    const [{ readSchemaFiles }, { readSchema }, { loadSchemaWasm }] = await Promise.all([import('../core/prisma/prepare.ts'), import('../core/prisma/schema.ts'), import('../core/prisma/wasm.ts')]);
    const files = readSchemaFiles(project.cwd, project.migrations).files;
    try {
      // Prisma's parser (a WebAssembly module to load) reads the schema only when it may say "sqlite"
      prisma = files.some((f) => f.content.includes('"sqlite"')) ? readSchema(loadSchemaWasm(), files) : undefined;
    } catch {
      prisma = undefined; // an unreadable schema is reported by the Prisma step
    }
  }
  const found = detectSqlite({ project, env: { ...process.env, ...env } as Record<string, string>, prisma, file: fromSqlite || undefined });
  if (fromSqlite === undefined) return found;
  const real = found && (found.orm || found.evidence.some((e) => !e.startsWith('--from-sqlite')));
  if (!real && !(fromSqlite && found?.fileExists))
    throw new UsageError(`--from-sqlite: no SQLite found in ${project.cwd} (no Prisma datasource "sqlite", no Drizzle dialect "sqlite", no SQLite driver or file: URL)`, 'see docs/sqlite.md');
  if (fromSqlite && !found!.fileExists) throw new UsageError(`--from-sqlite ${fromSqlite}: no such file`);
  return found;
}

/** A monorepo's packages on SQLite, one line each (the move itself works in a single app). */
export async function sqlitePackages(ws: Workspace, env: Record<string, string>): Promise<string[]> {
  const lines: string[] = [];
  for (const p of ws.packages) {
    const found = await findSqlite(p.project, env, undefined);
    if (found)
      lines.push(`${p.dir}: ${findingLine(found)}. DATABASE_URL is written for PostgreSQL, but this package keeps reading SQLite: --from-sqlite moves a single app only, so move it by hand (docs/sqlite.md)`);
  }
  return lines;
}

export interface DecideInput {
  finding: SqliteFinding | undefined;
  /** `--from-sqlite` was given (consent without a question). */
  flag: boolean;
  interactive: boolean;
  /** PostgreSQL is among the chosen providers. */
  postgres: boolean;
  say: Say;
  /** Prisma's move needs what the Prisma step gets (the checked URL, the engine's database). */
  prisma?: Omit<PrepareInput, 'project'> & { project: ProjectInfo };
}

/** The move as planned: Prisma's files for the plan (state.prisma), and what to report. */
export interface PlannedMove {
  report: SqliteReport;
  prep?: PrismaPrep;
  /**
   * Drizzle: the move's files for the plan, the new history's journal (generated migrations follow it), and the
   * name the switched config reads the URL from (the URL is written there).
   */
  drizzle?: { files: MigrationFile[]; journal?: string; urlEnv?: string };
}

/** Says what was found; offers or takes the move; prepares its files. Undefined: no SQLite. */
export async function decideMove(input: DecideInput): Promise<PlannedMove | undefined> {
  const { finding, say } = input;
  if (!finding) return undefined;
  const report: SqliteReport = { found: finding.evidence, file: finding.file, moved: false, orm: finding.orm, switched: [], manual: [] };
  const stay = (note: string) => {
    say.warn(note);
    report.note = note;
    return { report };
  };
  say.info(findingLine(finding));
  if (!input.postgres && input.flag) throw new UsageError('--from-sqlite moves the app to PostgreSQL, which is not among the chosen providers', 'add postgres to --providers');
  if (!input.postgres) return stay('PostgreSQL is not among the chosen providers: the app stays on SQLite');
  if (!finding.orm) {
    // the schema was already switched (a re-run to copy the data), or an app without an ORM schema
    if (input.flag && finding.fileExists) return { report: { ...report, moved: true } };
    return stay(`the app reads SQLite (${finding.evidence.join('; ')}) without a Prisma or Drizzle schema to switch: move its queries to PostgreSQL yourself; DATABASE_URL is written for PostgreSQL`);
  }
  const what = `Move this app from SQLite to PostgreSQL? The ${finding.orm === 'prisma' ? 'Prisma schema' : 'Drizzle schema'} is switched, a PostgreSQL baseline migration replaces the SQLite history (kept aside), and after the migration the rows of ${finding.file ?? 'the SQLite file'} are copied and proven (the SQLite file is never changed)`;
  const go = input.flag || (input.interactive && (await say.confirm(what)));
  if (!go)
    return stay(
      input.interactive
        ? 'The app stays on SQLite: DATABASE_URL is written for PostgreSQL, but the app does not read it until its schema is switched (npx create-prod-ready --from-sqlite; see docs/sqlite.md)'
        : 'This app runs on SQLite: DATABASE_URL is written for PostgreSQL, but the app keeps reading SQLite. Pass --from-sqlite to move its schema and data (docs/sqlite.md)',
    );
  if (finding.orm === 'prisma' && input.prisma) {
    const { preparePrismaMove } = await import('../core/sqlite/move.ts');
    const p = input.prisma;
    const { prep, summary } = await say.step("Switching the Prisma schema to PostgreSQL (Prisma's formatter and engine)", (signal) => preparePrismaMove({ ...p, signal, finding }), (r) =>
      r.prep.skipped ? 'The schema was not moved' : `Schema switched; PostgreSQL baseline ${r.prep.added[0]}`,
    );
    if (prep.skipped) {
      say.warn(prep.skipped);
      return { report: { ...report, note: prep.skipped }, prep };
    }
    Object.assign(report, summaryFields(summary), { moved: true });
    say.note(summary.switched.join('\n'), 'Schema on PostgreSQL');
    for (const n of prep.notes) say.info(`Prisma: ${n}`);
    for (const m of summary.manual) say.warn(m);
    return { report, prep };
  }
  if (finding.orm === 'drizzle' && input.prisma) {
    const project = input.prisma.project;
    const { prepareDrizzleMove } = await import('../core/sqlite/drizzle.ts');
    const move = await say.step('Switching the Drizzle schema to PostgreSQL (pg-core, drizzle-kit generate)', (signal) => prepareDrizzleMove(project, finding, signal), (m) =>
      m.files.length ? `Schema switched${m.baseline ? `; PostgreSQL baseline ${m.baseline}` : ''}` : 'The schema was not moved',
    );
    Object.assign(report, summaryFields(move), { moved: move.files.length > 0 });
    if (move.switched.length) say.note(move.switched.join('\n'), 'Schema on PostgreSQL');
    if (move.aside) say.info(`Drizzle: ${WHY_BASELINE(project.migrations.dir, move.aside)}`);
    for (const m of move.manual) say.warn(m);
    return { report, drizzle: { files: move.files, journal: move.journal, urlEnv: move.urlEnv } };
  }
  return { report };
}

const summaryFields = (s: MoveSummary) => ({ switched: s.switched, baseline: s.baseline, aside: s.aside, manual: s.manual });

export interface CopyInput {
  move: PlannedMove | undefined;
  project: ProjectInfo;
  /** The checked DATABASE_URL; undefined: not checked, nothing is copied. */
  url: string | undefined;
  /** The database provider's connection (`Provider.database.connect`); none: nothing is copied. */
  connect: Database['connect'] | undefined;
  /** The PostgreSQL schema exists: the migration step applied the baseline (or had nothing to apply). */
  schemaReady: boolean;
  /** The command that applies the migrations, for the next step when they were not applied. */
  migrateCommand: string;
  say: Say;
  /** Render's plan for the database (render.yaml), for what its backups are. */
  renderPlan?: string;
  /** Where the progress bar goes (stderr when --json owns stdout). */
  out?: NodeJS.WriteStream;
}

/** The copy (after the baseline is applied), its proof as a table, and the production notes. */
export async function copyData(input: CopyInput): Promise<SqliteReport | undefined> {
  const { move, say } = input;
  if (!move) return undefined;
  const report = move.report;
  if (!report.moved) return report;
  const file = report.file;
  const rerun = `npx create-prod-ready --from-sqlite${file ? ` ${file}` : ''}`;
  const notCopied = (why: string) => {
    report.note = `data not copied: ${why}`;
    say.warn(`SQLite data not copied: ${why}`);
  };
  if (!file) notCopied('no SQLite file is known; name it with --from-sqlite FILE');
  else if (!input.url || !input.connect) notCopied(`PostgreSQL was not checked; run ${rerun} once it is reachable`);
  else if (!input.schemaReady) notCopied(`the PostgreSQL schema is not created yet; run ${input.migrateCommand}, then ${rerun}`);
  else {
    const { copyWithProgress, renderCopyReport } = await import('../ui/copy-progress.ts');
    say.info(`Copying the rows of ${file} into PostgreSQL (one transaction: Ctrl+C leaves PostgreSQL as it was)`);
    report.copy = await copyWithProgress({ sqliteFile: isAbsolute(file) ? file : join(input.project.cwd, file), databaseUrl: input.url, connect: input.connect, out: input.out });
    say.note(renderCopyReport(report.copy), 'Rows and checksums, SQLite → PostgreSQL');
  }
  say.note(productionNotes(report.orm, input.renderPlan).join('\n'), 'In production');
  return report;
}

/**
 * Pooling and backups, from what the ORMs and Render document: Prisma's pool is num_cpus × 2 + 1
 * connections per client unless `connection_limit` says otherwise; node-postgres and postgres.js default
 * to 10. Render's backups depend on the database's instance type (render.com/docs/postgresql-backups).
 */
function productionNotes(orm: 'prisma' | 'drizzle' | undefined, plan: string | undefined): string[] {
  const pooling =
    orm === 'prisma'
      ? 'Pooling: each Prisma Client opens num_cpus × 2 + 1 connections unless DATABASE_URL says ?connection_limit=N; keep N × instances below the database\'s max_connections (SHOW max_connections). On Render DATABASE_URL comes from the database (fromDatabase), so set it in code: new PrismaClient({ datasourceUrl: `${process.env.DATABASE_URL}?connection_limit=N` })'
      : 'Pooling: node-postgres (new Pool({ max })) and postgres.js (postgres(url, { max })) open up to 10 connections per process by default; keep max × instances below the database\'s max_connections (SHOW max_connections)';
  const backups =
    plan === undefined
      ? 'Backups: see what your Render database\'s instance type includes (render.com/docs/postgresql-backups); take a logical export before deleting the SQLite file'
      : plan === 'free'
        ? `Backups: Render does not back up free databases (plan "${plan}" in render.yaml): choose a paid plan before real data lands there`
        : `Backups: the "${plan}" plan in render.yaml is a paid instance type: Render keeps point-in-time recovery (the past 3 days on a Hobby workspace, 7 on Professional or higher) and logical exports on demand (Dashboard → Recovery → Export, or POST /v1/postgres/{id}/export); see render.com/docs/postgresql-backups`;
  return [pooling, backups, 'Keep the SQLite file until the app has run on PostgreSQL: nothing was deleted from it'];
}

