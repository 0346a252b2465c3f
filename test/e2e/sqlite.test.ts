// SQLite apps through the built CLI: `--from-sqlite` with nothing to move is a one-line usage error (exit
// 2); a Prisma + SQLite app run with --yes and without the flag is warned and left on SQLite; with
// `--yes --from-sqlite --json` its schema is switched, Prisma's PostgreSQL baseline is proved and applied by
// Prisma's own `migrate deploy` to a real PostgreSQL 15, the SQLite history kept aside, the rows copied
// (src/core/sqlite/copy.ts) with counts and checksums equal and read back as PostgreSQL types, the move
// reported in --json, and a second run refused because the tables have rows.
import { test, before, after } from 'node:test';
import { parse as parseDotenv } from 'dotenv';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRoleAndDatabase, startPostgres, type PgServer } from '../harness/postgres.ts';
import { cleanEnv, KEY, runPty } from '../helpers/pty.ts';
import { acceptSettings, answerPlan } from '../helpers/wizard.ts';
import { runCli } from '../helpers/cli.ts';
import { tempProject } from '../helpers/project.ts';
import { prismaCli } from '../helpers/prisma.ts';
import { rows } from '../helpers/prisma-db.ts';
import { drizzleSqliteApp, NO_SQLITE, prismaSqliteApp } from '../helpers/sqlite.ts';
import { linkTools } from '../helpers/project.ts';

const SLOW = { timeout: 600_000 };
let pg: PgServer | undefined;
before(async () => {
  if (!NO_SQLITE) pg = await startPostgres({ password: 'pg-Sqlite#secret' });
});
after(async () => {
  await pg?.stop();
});

const cli = (args: string[], cwd: string, env: Record<string, string> = {}) => runCli(args, { cwd, env: cleanEnv({ FORCE_COLOR: '0', ...env }), timeoutMs: 240_000 });

let dbs = 0;
async function database(): Promise<string> {
  const name = `sqlite_app_${++dbs}`;
  await createRoleAndDatabase(pg!, { user: name, password: `pw-${name}-Secret`, database: name, canCreate: true });
  await pg!.sql(`alter role "${name}" createdb`);
  return pg!.url(name, name, `pw-${name}-Secret`);
}

test('--from-sqlite in an app without SQLite: exit 2, one line, nothing written', async () => {
  const dir = tempProject({ 'package.json': JSON.stringify({ name: 'pg-app', dependencies: { pg: '^8.0.0' } }) });
  const r = await cli(['--yes', '--skip-verify', '--providers', 'postgres', '--from-sqlite'], dir, { DATABASE_URL: 'postgres://u:p@localhost:5432/db' });
  assert.equal(r.code, 2, r.out);
  assert.match(r.stderr, /^create-prod-ready: --from-sqlite: no SQLite found in .* \(no Prisma datasource "sqlite", no Drizzle dialect "sqlite", no SQLite driver or file: URL\)\n/);
  assert.doesNotMatch(r.out, /\n\s+at /);
  assert.equal(existsSync(join(dir, '.env')), false);
  // a named file that does not exist is the same kind of error
  const missing = await cli(['--yes', '--skip-verify', '--providers', 'postgres', '--from-sqlite', 'nope.db'], dir, { DATABASE_URL: 'postgres://u:p@localhost:5432/db' });
  assert.equal(missing.code, 2, missing.out);
  assert.match(missing.stderr, /--from-sqlite/);
});

test('a Prisma + SQLite app with --yes and no flag: what was found is said, the app stays on SQLite with a warning', { ...SLOW, skip: NO_SQLITE }, async () => {
  const dir = prismaSqliteApp({ rows: false });
  const r = await cli(['--yes', '--skip-verify', '--providers', 'postgres'], dir, { DATABASE_URL: 'postgres://u:p@localhost:5432/db' });
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /SQLite found: prisma\/schema\.prisma: datasource provider = "sqlite"; DATABASE_URL = file:\.\/dev\.db; database prisma\/dev\.db/);
  assert.match(r.out, /This app runs on SQLite: DATABASE_URL is written for PostgreSQL, but the app keeps reading SQLite\. Pass --from-sqlite/);
  assert.match(readFileSync(join(dir, 'prisma/schema.prisma'), 'utf8'), /provider = "sqlite"/);
  assert.ok(existsSync(join(dir, 'prisma/migrations/20250101000000_init/migration.sql')));
});

test('--yes --from-sqlite --json: schema switched, Prisma baseline proved and applied by migrate deploy, history kept aside, the move in --json', { ...SLOW, skip: NO_SQLITE }, async () => {
  const dir = prismaSqliteApp();
  const url = await database();
  const r = await cli(['--yes', '--json', '--providers', 'postgres', '--from-sqlite'], dir, { DATABASE_URL: url });
  if (process.env.SHOW_OUTPUT) console.error(r.stdout, r.stderr);
  assert.equal(r.code, 0, r.out);
  const doc = JSON.parse(r.stdout) as { ok: boolean; files: { path: string; action: string }[]; migrations: { applied: string[]; proof: string }; sqlite: Record<string, unknown> };
  assert.equal(doc.ok, true);
  const s = doc.sqlite as { moved: boolean; orm: string; file: string; switched: string[]; baseline: string; aside: string; found: string[] };
  assert.equal(s.moved, true);
  assert.equal(s.orm, 'prisma');
  assert.equal(s.file, 'prisma/dev.db');
  assert.match(s.baseline, /^prisma\/migrations\/\d{14}_init\/migration\.sql$/);
  assert.equal(s.aside, 'prisma/migrations_sqlite');
  assert.ok(s.switched.some((l) => /provider = "sqlite" → "postgresql"/.test(l)));
  assert.ok(doc.files.some((f) => f.path === 'prisma/migrations/20250101000000_init/migration.sql' && f.action === 'delete'));
  assert.deepEqual(doc.migrations.applied, [s.baseline.split('/')[2]]);
  assert.equal(doc.migrations.proof, 'passed');
  assert.match(readFileSync(join(dir, 'prisma/schema.prisma'), 'utf8'), /provider = "postgresql"/);
  assert.ok(existsSync(join(dir, 'prisma/migrations_sqlite/20250101000000_init/migration.sql')));
  assert.equal(existsSync(join(dir, 'prisma/migrations/20250101000000_init')), false);
  // the SQLite file is untouched, and .env now reads PostgreSQL
  assert.ok(existsSync(join(dir, 'prisma/dev.db')));
  assert.match(readFileSync(join(dir, '.env'), 'utf8'), /DATABASE_URL=.*postgres/);
  // production notes: pooling for Prisma and the Render plan's backups
  assert.match(r.stderr, /connection_limit/);
  assert.match(r.stderr, /Backups: the "basic-256mb" plan in render\.yaml is a paid instance type/);
  const status = await prismaCli(dir, ['migrate', 'status'], url);
  assert.match(status.out, /Database schema is up to date!/, status.out);

  // the data (src/core/sqlite/copy.ts): every row copied, counts and checksums equal on both sides, read back as PostgreSQL types
  const copy = (s as unknown as { copy: { tables: { name: string; rows: number; targetRows: number; sourceChecksum: string; targetChecksum: string }[] } }).copy;
  assert.deepEqual(Object.fromEntries(copy.tables.map((t) => [t.name, t.rows])), { User: 2, Profile: 1, Post: 2, Tag: 1, _PostToTag: 1 });
  for (const t of copy.tables) {
    assert.equal(t.targetRows, t.rows, t.name);
    assert.equal(t.targetChecksum, t.sourceChecksum, t.name);
  }
  assert.match(r.stderr, /Rows and checksums, SQLite → PostgreSQL/);
  const users = await rows<{ id: number; email: string; isAdmin: boolean; createdAt: string }>(url, `select id, email, "isAdmin", to_char("createdAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS') as "createdAt" from "User" order by id`);
  assert.deepEqual(users.map((u) => ({ ...u })), [
    { id: 1, email: 'ada@example.com', isAdmin: true, createdAt: '2026-01-02T03:04:05.678' },
    { id: 2, email: 'bob@example.com', isAdmin: false, createdAt: '2026-01-02T03:04:06.678' },
  ]);
  const post = await rows<{ views: string; settings: unknown }>(url, `select p.views::text as views, pr.settings from "Post" p join "Profile" pr on pr."userId" = p."authorId" where p.id = 1`);
  assert.deepEqual(post[0], { views: '9007199254740993', settings: { theme: 'dark', n: [1, 2] } });
  // the sequence continues after the copied ids
  const next = await rows<{ id: number }>(url, `insert into "User" (email) values ('new@example.com') returning id`);
  assert.equal(next[0]!.id, 3);

  // a second run finds the schema on PostgreSQL and copies again: refused, naming the tables with rows
  const again = await cli(['--yes', '--providers', 'postgres', '--from-sqlite', 'prisma/dev.db'], dir, { DATABASE_URL: url });
  assert.equal(again.code, 1, again.out);
  assert.match(again.stderr, /PostgreSQL already has rows in .*"User"/);
  assert.match(again.stderr, /no row was copied \(the SQLite file is unchanged\)/);
  assert.equal((await rows<{ n: string }>(url, 'select count(*)::text as n from "User"'))[0]!.n, '3');
});

/** Every file of the project outside node_modules, with its text (a .db as its size). */
function files(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(dir, { recursive: true }) as string[]) {
    if (f.startsWith('node_modules') || !existsSync(join(dir, f)) || !/\.[a-z]+$/.test(f)) continue;
    try {
      out[f] = f.endsWith('.db') ? String(readFileSync(join(dir, f)).length) : readFileSync(join(dir, f), 'utf8');
    } catch {
      /* a folder named like a file */
    }
  }
  return out;
}

test('the wizard says what it found and offers the move; declined: a warning; accepted: the switch is in the plan, and No at the plan writes nothing', { ...SLOW, skip: NO_SQLITE }, async () => {
  const url = await database();
  const dir = prismaSqliteApp();
  const before = files(dir);
  // declined: the app stays on SQLite, with a warning saying what that means
  const s = runPty(['--providers', 'postgres'], { cwd: dir, env: cleanEnv({ DATABASE_URL: url }) });
  await s.waitFor('Use these settings?', 30_000);
  await acceptSettings(s);
  await s.waitForPrompt('Move this app from SQLite to PostgreSQL?', 60_000);
  assert.match(s.screen(), /SQLite found: prisma\/schema\.prisma: datasource provider = "sqlite"; DATABASE_URL = file:\.\/dev\.db; database prisma\/dev\.db/);
  // `n` answers by itself; the Enter a person types after it must not say Yes to the plan (it is dropped)
  s.write('n');
  s.write(KEY.enter);
  await s.waitFor(/The app stays on SQLite: DATABASE_URL is written for PostgreSQL, but the app does not read it until its schema is switched/, 60_000);
  await answerPlan(s, /Write \d+ files\?/, 'No');
  assert.equal((await s.exit).code, 130, s.transcript());

  // accepted: the switched schema, the baseline and the history moved aside are in the plan; No writes nothing
  const t = runPty(['--providers', 'postgres'], { cwd: dir, env: cleanEnv({ DATABASE_URL: url }) });
  await t.waitFor('Use these settings?', 30_000);
  await acceptSettings(t);
  await t.waitForPrompt('Move this app from SQLite to PostgreSQL?', 60_000);
  t.write('y');
  t.write(KEY.enter);
  await t.waitFor(/Write \d+ files\?/, 180_000);
  const screen = t.transcript();
  assert.match(screen, /update\s+prisma\/schema\.prisma/);
  assert.match(screen, /create\s+prisma\/migrations\/\d{14}_init\/migration\.sql/);
  assert.match(screen, /delete\s+prisma\/migrations\/20250101000000_init\/migration\.sql/);
  assert.match(screen, /create\s+prisma\/migrations_sqlite\/20250101000000_init\/migration\.sql/);
  assert.match(screen, /Boolean: 0\/1 → boolean: User\.isAdmin, Post\.published/);
  await answerPlan(t, /Write \d+ files\?/, 'No');
  assert.equal((await t.exit).code, 130, t.transcript());
  assert.deepEqual(files(dir), before, 'nothing written');
});

test('a Drizzle + SQLite app with --yes --from-sqlite: pg-core schema, drizzle-kit\'s baseline applied by the app\'s db:migrate, the SQLite client listed', { ...SLOW, skip: NO_SQLITE }, async () => {
  const dir = drizzleSqliteApp();
  linkTools(dir, ['drizzle-kit', 'drizzle-orm', 'pg', 'dotenv']);
  const url = await database();
  const r = await cli(['--yes', '--json', '--providers', 'postgres', '--from-sqlite'], dir, { DATABASE_URL: url });
  if (process.env.SHOW_OUTPUT) console.error(r.stdout, r.stderr);
  assert.equal(r.code, 0, r.out);
  const doc = JSON.parse(r.stdout) as { migrations: { applied: string[] }; sqlite: { moved: boolean; orm: string; file: string; baseline: string; aside: string; manual: string[] } };
  assert.equal(doc.sqlite.moved, true);
  assert.equal(doc.sqlite.orm, 'drizzle');
  assert.equal(doc.sqlite.file, 'sqlite.db');
  assert.equal(doc.sqlite.baseline, 'drizzle/0000_init.sql');
  assert.equal(doc.sqlite.aside, 'drizzle_sqlite');
  assert.match(doc.sqlite.manual.join('\n'), /^src\/db\/index\.ts:1: imports drizzle-orm\/better-sqlite3/m);
  assert.deepEqual(doc.migrations.applied, ['0000_init']);
  assert.match(readFileSync(join(dir, 'src/db/schema.ts'), 'utf8'), /from 'drizzle-orm\/pg-core'/);
  assert.match(readFileSync(join(dir, 'drizzle/meta/_journal.json'), 'utf8'), /"dialect": "postgresql"/);
  assert.ok(existsSync(join(dir, 'drizzle_sqlite/0000_init.sql')));
  const cols = (await rows<{ c: string }>(url, "select table_name || '.' || column_name || ' ' || data_type as c from information_schema.columns where table_schema = 'public' order by 1")).map((x) => x.c);
  assert.ok(cols.includes('users.is_admin boolean'), cols.join(', '));
  // the copy ran into the new tables (the fixture's database has its tables, no rows)
  assert.ok(doc.sqlite && (doc.sqlite as { copy?: unknown }).copy, 'copied');
  // the switched drizzle.config reads DATABASE_URL: that is where the URL goes (in .env, which it loads, and on
  // Render); DB_FILE_NAME, which the app's own SQLite client still reads until it is changed, keeps its file
  const env = parseDotenv(readFileSync(join(dir, '.env'), 'utf8'));
  assert.equal(env.DATABASE_URL, url);
  assert.equal(env.DB_FILE_NAME, 'file:sqlite.db');
  const blueprint = readFileSync(join(dir, 'render.yaml'), 'utf8');
  assert.match(blueprint, /- key: "DATABASE_URL"\n\s+fromDatabase:/);
  assert.doesNotMatch(blueprint, /- key: "DB_FILE_NAME"\n\s+fromDatabase:/);
});
