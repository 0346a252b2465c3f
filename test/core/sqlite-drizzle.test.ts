// A Drizzle + SQLite app moved to PostgreSQL: its sqlite-core tables rewritten as pg-core tables that
// type-check against drizzle-orm's own pg-core (TypeScript's compiler, strict), its config switched, the
// PostgreSQL baseline written by the real drizzle-kit generate and applied by the real drizzle-kit migrate
// to a real PostgreSQL 15; what only a person can change is listed with file and line.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { startPostgres, type PgServer } from '../harness/postgres.ts';
import { linkTools } from '../helpers/project.ts';
import { run } from '../helpers/cli.ts';
import { cleanEnv } from '../helpers/pty.ts';
import { rows } from '../helpers/prisma-db.ts';
import { drizzleSqliteApp, NO_SQLITE } from '../helpers/sqlite.ts';
import { detectProject } from '../../src/core/project.ts';
import { detectSqlite } from '../../src/core/sqlite/detect.ts';
import { prepareDrizzleMove, rewriteDrizzleConfig, rewriteDrizzleSchema } from '../../src/core/sqlite/drizzle.ts';
import { planMigrations } from '../../src/core/files/migrations.ts';
import { apply } from '../../src/core/apply.ts';
import type { FileChange } from '../../src/core/plan.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURE = (p: string) => readFileSync(join(ROOT, 'test/fixtures/sqlite/drizzle', p), 'utf8');

let pg: PgServer;
before(async () => {
  pg = await startPostgres({ password: 'pw-drizzle' });
});
after(async () => {
  await pg?.stop();
});

/** TypeScript's errors for a file that imports drizzle-orm (resolved from this repository's node_modules). */
function typeErrors(source: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'cpr-drizzle-tsc-'));
  try {
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
    writeFileSync(join(dir, 'schema.ts'), source);
    writeFileSync(join(dir, 'use.ts'), "import { posts, users } from './schema';\nexport const u: typeof users.$inferInsert = { email: 'a@b.c', isAdmin: true, createdAt: new Date() };\nexport const p: typeof posts.$inferInsert = { title: 't', authorId: 1, meta: { tags: ['x'] }, cover: Buffer.from('x'), score: 1.5 };\n");
    const program = ts.createProgram([join(dir, 'schema.ts'), join(dir, 'use.ts')], {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      skipLibCheck: true,
      types: ['node'],
      typeRoots: [join(ROOT, 'node_modules/@types')],
    });
    return ts.getPreEmitDiagnostics(program).map((d) => `${d.file?.fileName.split('/').pop()}:${d.file ? d.file.getLineAndCharacterOfPosition(d.start!).line + 1 : 0}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('sqlite-core tables become pg-core tables that type-check against drizzle-orm\'s pg-core', () => {
  const r = rewriteDrizzleSchema('src/db/schema.ts', FIXTURE('src/db/schema.ts'));
  assert.deepEqual(r.manual, []);
  assert.doesNotMatch(r.after.replace(/\/\/.*$/gm, ''), /sqlite-core|sqliteTable|AnySQLiteColumn/);
  assert.match(r.after, /import \{ type AnyPgColumn, boolean, customType, doublePrecision, index, integer, jsonb, pgTable, serial, text, timestamp, uniqueIndex, varchar \} from 'drizzle-orm\/pg-core';/);
  assert.match(r.after, /id: serial\('id'\)\.primaryKey\(\),/);
  assert.match(r.after, /isAdmin: boolean\('is_admin'\)\.notNull\(\)\.default\(false\),/);
  assert.match(r.after, /createdAt: timestamp\('created_at', \{ withTimezone: true \}\)\.notNull\(\)\.defaultNow\(\),/);
  assert.match(r.after, /meta: jsonb\('meta'\)\.\$type<\{ tags: string\[\] \}>\(\),/);
  assert.match(r.after, /score: doublePrecision\('score'\),/);
  assert.match(r.after, /cover: bytea\('cover'\),/);
  assert.match(r.after, /name: varchar\('name', \{ length: 120 \}\),/);
  assert.match(r.after, /role: text\('role', \{ enum: \['admin', 'member'\] \}\)/);
  assert.match(r.after, /references\(\(\): AnyPgColumn => users\.id\)/);
  // a comment that looks like code is left alone
  assert.match(r.after, /\/\/ "text\('x', \{ mode: 'json' \}\)" in a comment is not code/);
  assert.ok(r.switched.some((l) => l === "src/db/schema.ts:11: integer { mode: 'timestamp' } → timestamp with time zone"), r.switched.join('\n'));
  assert.deepEqual(typeErrors(r.after), []);
  // the check can fail: the SQLite original used as pg-core tables does not type-check
  assert.notDeepEqual(typeErrors(FIXTURE('src/db/schema.ts').replace(/sqlite-core/g, 'pg-core')), []);
});

test('what the rewrite cannot do safely is listed with file and line, and the file is left as it is', () => {
  const text = "import { integer, sqliteTable, text, sqliteTableCreator } from 'drizzle-orm/sqlite-core';\nimport { sql } from 'drizzle-orm';\nexport const t = sqliteTable('t', {\n  id: integer('id').primaryKey(),\n  at: text('at').default(sql`(strftime('%s','now'))`),\n  n: integer('n', { mode: someMode }),\n});\n";
  const r = rewriteDrizzleSchema('db/schema.ts', text);
  assert.equal(r.after, text);
  assert.deepEqual(r.manual, [
    'db/schema.ts:1: sqliteTableCreator from drizzle-orm/sqlite-core has no pg-core counterpart this rewrite knows',
    "db/schema.ts:5: default sql`(strftime('%s','now'))` is SQLite SQL: write its PostgreSQL form",
    "db/schema.ts:6: integer('n', { mode: someMode }): options this rewrite cannot read",
  ]);
  // a hosted SQLite (Turso) is named, not rewritten
  const turso = rewriteDrizzleConfig('drizzle.config.ts', "export default { dialect: 'turso', driver: 'turso', dbCredentials: { url: process.env.TURSO_URL!, authToken: process.env.TURSO_TOKEN! } };");
  assert.match(turso.manual[0]!, /dialect "turso"|driver "turso" is a hosted SQLite/);
});

test('the Drizzle move: schema and config switched, drizzle-kit\'s baseline applied by drizzle-kit migrate, the SQLite history aside, the client listed', { timeout: 300_000, skip: NO_SQLITE }, async () => {
  const dir = drizzleSqliteApp();
  linkTools(dir, ['drizzle-kit', 'drizzle-orm', 'pg', 'dotenv']);
  const project = detectProject(dir);
  const found = detectSqlite({ project, env: { DB_FILE_NAME: 'file:sqlite.db' } });
  assert.ok(found);
  assert.equal(found.orm, 'drizzle');
  assert.equal(found.file, 'sqlite.db');
  assert.equal(found.fileExists, true);
  assert.ok(found.evidence.includes('SQLite driver in package.json: better-sqlite3'), found.evidence.join('; '));

  const move = await prepareDrizzleMove(project, found, new AbortController().signal);
  assert.match(move.manual.join('\n'), /^src\/db\/index\.ts:1: imports drizzle-orm\/better-sqlite3: use drizzle-orm\/node-postgres/m);
  assert.equal(move.manual.length, 1, move.manual.join('\n'));
  assert.equal(move.aside, 'drizzle_sqlite');
  assert.match(move.baseline!, /^drizzle\/0000_init\.sql$/);
  assert.match(JSON.parse(move.journal!).dialect, /postgresql/);
  const plan = planMigrations({ project, wanted: [], state: { existing: [], move: move.files }, sql: {} as never, now: 0 });
  const changes: FileChange[] = plan.files.map((f) => (f.delete ? { path: f.path, action: 'delete', before: f.before, after: '' } : { path: f.path, action: f.before === undefined ? 'create' : 'update', before: f.before, after: f.after }));
  apply(dir, changes);
  assert.match(readFileSync(join(dir, 'drizzle.config.ts'), 'utf8'), /dialect: 'postgresql'[\s\S]*dbCredentials: \{ url: process\.env\.DATABASE_URL! \}/);
  assert.match(readFileSync(join(dir, 'drizzle/0000_init.sql'), 'utf8'), /"id" serial PRIMARY KEY NOT NULL/);
  assert.match(readFileSync(join(dir, 'drizzle_sqlite/0000_init.sql'), 'utf8'), /AUTOINCREMENT/);
  assert.match(readFileSync(join(dir, 'drizzle_sqlite/meta/_journal.json'), 'utf8'), /"dialect": "sqlite"/);
  assert.ok(existsSync(join(dir, 'sqlite.db')), 'the SQLite file stays');

  await pg.sql('create database drizzle_move');
  const url = pg.url('drizzle_move');
  const r = await run(process.execPath, [join(dir, 'node_modules/drizzle-kit/bin.cjs'), 'migrate'], { cwd: dir, env: cleanEnv({ DATABASE_URL: url }), timeoutMs: 120_000 });
  assert.equal(r.code, 0, r.out);
  const cols = (await rows<{ c: string }>(url, "select table_name || '.' || column_name || ' ' || data_type as c from information_schema.columns where table_schema = 'public' order by 1")).map((x) => x.c);
  for (const c of ['users.is_admin boolean', 'users.created_at timestamp with time zone', 'posts.meta jsonb', 'posts.score double precision', 'posts.cover bytea', 'users.name character varying'])
    assert.ok(cols.includes(c), `${c} in ${cols.join(', ')}`);
});
