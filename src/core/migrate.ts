// Applying migrations: through the project's own tool and script (what render.yaml's preDeployCommand
// runs), never through our own SQL runner, so what passed here is what runs in production. Before the
// user's database is touched the set is proven in a throwaway database on the same server (up, the new
// ones down, up again), and a failure is located to its migration and statement by replaying the SQL in
// a transaction that is always rolled back.
import { accessSync, constants, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { UserError } from './errors.ts';
import { statements, upSection } from './files/migrations.ts';
import type { MigrationSetup, ProjectInfo } from './project.ts';
import type { Database, Io } from './provider.ts';
import { redact } from './mask.ts';
import { CommandNotFound, CommandTimedOut, exec } from './exec.ts';

export class MigrationError extends UserError {}

export interface Migrator {
  project: ProjectInfo;
  setup: MigrationSetup;
  /** The package.json script that applies migrations (e.g. db:migrate); Prisma without one: setup.deploy. */
  script?: string;
  url: string;
  /** The names the app reads the database URL under (its Prisma datasource's, drizzle config's); DATABASE_URL is always set too. */
  urlNames?: string[];
  io: Io;
  /** The provider that owns the database (Provider.database): connections and URL descriptions. */
  db: Database;
  /** Prisma: the env var the datasource reads, when it is not DATABASE_URL. */
  envVar?: string;
}

export interface Pending {
  name: string;
  /** The SQL that will run (the up section), or a note for a migration that is not SQL. */
  sql: string;
}

/** Migration files in the order the tool applies them. */
function migrationFiles(m: Pick<Migrator, 'project' | 'setup'>): { name: string; path: string; when?: number }[] {
  const dir = join(m.project.cwd, m.setup.dir);
  if (m.setup.tool === 'drizzle') {
    const journal = join(dir, 'meta', '_journal.json');
    if (!existsSync(journal)) return [];
    const { entries } = JSON.parse(readFileSync(journal, 'utf8')) as { entries: { tag: string; when: number }[] };
    return entries.map((e) => ({ name: e.tag, path: join(dir, `${e.tag}.sql`), when: e.when }));
  }
  if (!existsSync(dir)) return [];
  if (m.setup.tool === 'prisma')
    return readdirSync(dir)
      .filter((f) => existsSync(join(dir, f, 'migration.sql')))
      .sort((a, b) => a.localeCompare(b))
      .map((f) => ({ name: f, path: join(dir, f, 'migration.sql') }));
  return readdirSync(dir)
    .filter((f) => /^\d+.*\.(sql|js|cjs|mjs|ts)$/.test(f))
    .sort((a, b) => Number(/^\d+/.exec(a)![0]) - Number(/^\d+/.exec(b)![0]) || a.localeCompare(b))
    .map((f) => ({ name: f.replace(/\.[^.]+$/, ''), path: join(dir, f) }));
}

function upSql(path: string): string {
  if (!path.endsWith('.sql')) return '-- (a JavaScript migration: its SQL is built when it runs)';
  return upSection(readFileSync(path, 'utf8'));
}

/** What the tool would apply to `url` now, read from its own bookkeeping table. */
export async function pendingMigrations(m: Migrator, url = m.url): Promise<Pending[]> {
  const files = migrationFiles(m);
  if (!files.length) return [];
  const done = await m.db.connect(url, m.io, async (sql) => {
    try {
      if (m.setup.tool === 'prisma') {
        // applied = finished and not rolled back; a failed one (finished_at null) is still to apply
        const rows = (await sql.unsafe('select migration_name from _prisma_migrations where finished_at is not null and rolled_back_at is null')) as { migration_name: string }[];
        return { names: new Set(rows.map((r) => r.migration_name)) };
      }
      if (m.setup.tool === 'drizzle') {
        const rows = (await sql.unsafe('select max(created_at)::text as last from drizzle.__drizzle_migrations')) as { last: string | null }[];
        return { last: Number(rows[0]?.last ?? 0) };
      }
      const rows = (await sql.unsafe('select name from pgmigrations')) as { name: string }[];
      return { names: new Set(rows.map((r) => r.name)) };
    } catch (e) {
      if ((e as { code?: string }).code === '42P01' || (e as { code?: string }).code === '3F000') return { names: new Set<string>(), last: 0 };
      throw e;
    }
  });
  const todo = files.filter((f) => ('names' in done && done.names ? !done.names.has(f.name) : (f.when ?? 0) > (done.last ?? 0)));
  return todo.map((f) => ({ name: f.name, sql: upSql(f.path) }));
}

/** The tool's package, installed in the project? If not, the package manager installs what package.json lists. */
export function toolInstalled(project: ProjectInfo, setup: MigrationSetup): boolean {
  return packageDir(project.cwd, setup.tool === 'drizzle' ? 'drizzle-kit' : setup.tool === 'prisma' ? 'prisma' : 'node-pg-migrate') !== undefined;
}

/** A package's folder as Node finds it: in the project's node_modules or a parent's (a workspace hoists it to the root). */
function packageDir(cwd: string, pkg: string): string | undefined {
  for (let dir = cwd; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'node_modules', pkg, 'package.json'))) return join(dir, 'node_modules', pkg);
    if (dirname(dir) === dir) return undefined;
  }
}

export async function installTool(project: ProjectInfo, signal: AbortSignal): Promise<void> {
  const r = await run(project.packageManager, ['install'], project.cwd, {}, signal, 300_000);
  if (r.code !== 0) throw new MigrationError(`${project.packageManager} install failed (exit ${r.code}): ${lastLine(r.output)}`, `run ${project.packageManager} install yourself, then ${project.commands.run('db:migrate')}`);
}

/**
 * Proves the migrations in a throwaway database on the same server: up, down (the pending ones), up
 * again, then drops it. Prisma has no down: its whole history is applied to the empty database (the
 * schema re-created from empty), after which Prisma's own table must list every migration. Returns why
 * the proof was skipped (no right to create a database), or nothing.
 */
export async function prove(m: Migrator, pending: Pending[]): Promise<string | undefined> {
  const name = `prod_ready_proof_${randomBytes(4).toString('hex')}`;
  const created = await m.db.connect(m.url, m.io, async (sql) => {
    try {
      await sql.unsafe(`create database "${name}"`);
      return undefined;
    } catch (e) {
      const err = e as { code?: string; message?: string };
      if (err.code === '42501') return `user "${m.db.describe(m.url).user}" may not create databases (no CREATEDB)`;
      return `a throwaway database could not be created: ${err.message ?? String(e)}`;
    }
  });
  if (created) return created;
  const url = new URL(m.url);
  url.pathname = `/${name}`;
  const throwaway = url.toString();
  try {
    await migrate(m, throwaway, 'up');
    if (m.setup.tool === 'node-pg-migrate') {
      await migrate(m, throwaway, 'down', pending.length);
      await migrate(m, throwaway, 'up');
    }
    const left = await pendingMigrations(m, throwaway);
    if (left.length) throw new MigrationError(`after up, down and up in a throwaway database, ${left.map((p) => p.name).join(', ')} still had not run`);
  } finally {
    await m.db.connect(m.url, m.io, (sql) => sql.unsafe(`drop database if exists "${name}" with (force)`)).catch(() => undefined);
  }
  return undefined;
}

/**
 * Applies everything pending to the user's database with the project's own script. Prisma: a baseline the
 * database already has (see existingBaseline) is first marked applied, never run; its name is returned.
 */
export async function applyMigrations(m: Migrator): Promise<{ baselined?: string }> {
  const baselined = await existingBaseline(m);
  if (baselined) await markApplied(m, baselined);
  await migrate(m, m.url, 'up');
  return baselined ? { baselined } : {};
}

/**
 * Prisma's baselining: the history's first migration, never run on the database (no `_prisma_migrations`
 * row at all), while every table it creates is already there (the app ran `prisma db push`). Deploying it
 * would fail on the first CREATE TABLE; `prisma migrate resolve --applied` is what Prisma's docs prescribe.
 */
export async function existingBaseline(m: Migrator, url = m.url): Promise<string | undefined> {
  if (m.setup.tool !== 'prisma') return undefined;
  const first = migrationFiles(m)[0];
  if (!first) return undefined;
  const tables = [...readFileSync(first.path, 'utf8').matchAll(/^\s*CREATE TABLE (?:"([^"]+)"\.)?"([^"]+)"/gm)].map((t) => (t[1] ? `"${t[1]}"."${t[2]}"` : `"${t[2]}"`));
  if (!tables.length) return undefined;
  return m.db.connect(url, m.io, async (sql) => {
    const history = (await sql.unsafe(`select to_regclass('_prisma_migrations') is not null as t`)) as { t: boolean }[];
    if (history[0]?.t && ((await sql.unsafe('select 1 from _prisma_migrations limit 1')) as unknown[]).length) return undefined;
    const values = tables.map((_, i) => `($${i + 1}::text)`).join(', ');
    const found = (await sql.unsafe(`select count(to_regclass(t)) as n from (values ${values}) as v(t)`, tables)) as { n: string | number }[];
    return Number(found[0]?.n) === tables.length ? first.name : undefined;
  });
}

/** What `prisma migrate resolve --applied <name>` writes: Prisma's table if missing, a finished row with the file's checksum. */
async function markApplied(m: Migrator, name: string, url = m.url): Promise<void> {
  const file = migrationFiles(m).find((f) => f.name === name)!;
  const checksum = createHash('sha256').update(readFileSync(file.path)).digest('hex');
  await m.db.connect(url, m.io, async (sql) => {
    await sql.unsafe(
      'CREATE TABLE IF NOT EXISTS "_prisma_migrations" ("id" VARCHAR(36) PRIMARY KEY NOT NULL, "checksum" VARCHAR(64) NOT NULL, "finished_at" TIMESTAMPTZ, "migration_name" VARCHAR(255) NOT NULL, "logs" TEXT, "rolled_back_at" TIMESTAMPTZ, "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(), "applied_steps_count" INTEGER NOT NULL DEFAULT 0)',
    );
    await sql.unsafe('insert into "_prisma_migrations" (id, checksum, started_at, finished_at, migration_name, applied_steps_count) values ($1, $2, now(), now(), $3, 0)', [randomUUID(), checksum, name]);
  });
}

/** The command that applies migrations, as argv: the project's script, or (Prisma) its deploy command. */
export function upCommand(m: Pick<Migrator, 'project' | 'setup' | 'script'>): [string, string[]] {
  if (m.script) return [m.project.packageManager, ['run', m.script]];
  const [cmd, ...args] = (m.setup.deploy ?? '').split(' ');
  // npx would offer to download a missing package: the project's own, or nothing
  return cmd === 'npx' ? ['npm', ['exec', '--no', '--', ...args]] : [cmd!, args];
}

async function migrate(m: Migrator, url: string, direction: 'up' | 'down', count?: number): Promise<void> {
  const env = Object.fromEntries([...new Set(['DATABASE_URL', ...(m.envVar ? [m.envVar] : []), ...(m.urlNames ?? [])])].map((n) => [n, url]));
  const [cmd, args] = upCommand(m);
  // up: the project's script, exactly as the pre-deploy runs it; down: node-pg-migrate's own bin, on the same folder.
  const r =
    direction === 'up'
      ? await run(cmd, args, m.project.cwd, env, m.io.signal, 120_000)
      : await run(process.execPath, [join(packageDir(m.project.cwd, 'node-pg-migrate') ?? join(m.project.cwd, 'node_modules', 'node-pg-migrate'), 'bin', 'node-pg-migrate.js'), 'down', String(count ?? 1), '-m', m.setup.dir], m.project.cwd, env, m.io.signal, 120_000);
  if (r.code === 0) return;
  const where = await locate(m, url, direction).catch(() => undefined);
  const secrets = [m.url, url, new URL(m.url).password].filter(Boolean);
  const detail = where ?? lastLine(r.output);
  const hint =
    m.setup.tool === 'prisma'
      ? url === m.url
        ? 'Prisma marks the migration failed in _prisma_migrations: fix migration.sql, run npx prisma migrate resolve --rolled-back <name>, then run again'
        : 'your database was not touched; fix the migration (or the schema and generate it again), then run again'
      : 'no migration was applied: they run in one transaction, so every table is as it was; fix the migration file, then run again';
  throw new MigrationError(redact(`${direction === 'up' ? 'migration' : 'down migration'} failed${url === m.url ? '' : ' in the throwaway database'}: ${detail}`, secrets), hint);
}

/**
 * Finds the first failing statement: the pending migrations' SQL replayed one statement at a time in a
 * transaction that is always rolled back (PostgreSQL DDL is transactional), so nothing is left behind.
 */
async function locate(m: Migrator, url: string, direction: 'up' | 'down'): Promise<string | undefined> {
  if (direction !== 'up') return undefined;
  const pending = await pendingMigrations(m, url);
  const ROLLBACK = Symbol('rollback');
  let found: string | undefined;
  let skipped: string | undefined;
  const failed = new Set<string>();
  await m.db.connect(
    url,
    m.io,
    (sql) =>
      sql
        .begin(async (tx) => {
          // Prisma's deploy (over a driver adapter) runs a script statement by statement, outside a
          // transaction: what a migration it marked failed did before failing is still there. Those
          // statements are skipped; the first other error is the real one.
          if (m.setup.tool === 'prisma' && ((await tx.unsafe(`select to_regclass('_prisma_migrations') is not null as t`)) as { t: boolean }[])[0]?.t)
            for (const r of (await tx.unsafe('select migration_name from _prisma_migrations where finished_at is null and rolled_back_at is null')) as { migration_name: string }[]) failed.add(r.migration_name);
          for (const p of pending)
            for (const stmt of statements(p.sql)) {
              try {
                await tx.unsafe('savepoint prod_ready_stmt').simple();
                await tx.unsafe(stmt).simple();
              } catch (e) {
                const err = e as { message?: string; code?: string };
                if (failed.has(p.name) && err.code && ALREADY_THERE.has(err.code)) {
                  skipped ??= describe(p.name, stmt, err);
                  await tx.unsafe('rollback to savepoint prod_ready_stmt').simple();
                  continue;
                }
                found = describe(p.name, stmt, err);
                throw ROLLBACK;
              }
            }
          throw ROLLBACK;
        })
        .catch((e) => {
          if (e !== ROLLBACK) throw e;
        }),
    { connectTimeoutMs: 60_000 },
  );
  return found ?? skipped;
}

/** `<migration>: <server error> (<code>) in: <first line of SQL>`: the line after Prisma's comment line. */
function describe(name: string, stmt: string, err: { message?: string; code?: string }): string {
  const lines = stmt.split('\n').filter((l) => l.trim() && !/^\s*--/.test(l));
  return `${name}: ${err.message}${err.code ? ` (${err.code})` : ''} in: ${lines[0]?.trim() ?? stmt}${lines.length > 1 ? ' …' : ''}`;
}

/** duplicate_table, duplicate_object, duplicate_column, duplicate_schema: a statement that already took effect. */
const ALREADY_THERE = new Set(['42P07', '42710', '42701', '42P06']);

function lastLine(output: string): string {
  const lines = output.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('at ') && !l.startsWith('npm '));
  return lines.at(-1) ?? 'no output';
}

/** Is this command on PATH (an executable file; on Windows with one of PATHEXT's extensions)? */
export function onPath(command: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const exts = process.platform === 'win32' ? (env.PATHEXT ?? '.COM;.EXE;.BAT;.CMD').split(';') : [''];
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean))
    for (const ext of exts)
      try {
        accessSync(join(dir, command + ext), constants.X_OK);
        if (statSync(join(dir, command + ext)).isFile()) return true;
      } catch {
        /* not here */
      }
  return false;
}

/** How to get a package manager that is missing, in one clause. */
export function howToGet(command: string): string {
  const manager = ({ npx: 'npm', bunx: 'bun' } as Record<string, string>)[command] ?? command;
  if (manager === 'npm') return 'npm comes with Node.js: reinstall Node.js from nodejs.org';
  if (manager === 'bun') return 'install Bun (bun.sh/docs/installation)';
  return `run \`corepack enable ${manager}\` (Corepack comes with Node.js up to 24; on newer Node.js first \`npm install -g corepack\`)`;
}

/** A child process with its output captured (src/core/exec.ts); secrets only in the environment, never in argv. */
export async function run(cmd: string, args: string[], cwd: string, env: Record<string, string>, signal: AbortSignal, timeoutMs: number): Promise<{ code: number; output: string; stdout: string }> {
  try {
    return await exec(cmd, args, { cwd, env, signal, timeoutMs });
  } catch (e) {
    if (e instanceof CommandNotFound) throw new MigrationError(['npm', 'pnpm', 'yarn', 'bun', 'npx', 'bunx'].includes(cmd) ? `${e.message}: ${howToGet(cmd)}` : e.message);
    if (e instanceof CommandTimedOut) throw new MigrationError(e.message);
    throw e;
  }
}
