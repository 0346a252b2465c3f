// A Prisma + SQLite app moved to PostgreSQL: detection from Prisma's own reading of the schema, the
// schema switched and validated by Prisma's formatter, the PostgreSQL baseline written by Prisma's engine,
// applied by Prisma's own CLI (`migrate deploy`, then `migrate status` up to date) to a real PostgreSQL 15,
// and the SQLite history kept aside. The files are written by apply(), the project's only writer.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startPostgres, type PgServer } from '../harness/postgres.ts';
import { database, rows, SLOW } from '../helpers/prisma-db.ts';
import { prismaCli, prismaProject, DATASOURCE } from '../helpers/prisma.ts';
import { NO_SQLITE, prismaSqliteApp } from '../helpers/sqlite.ts';
import { detectProject } from '../../src/core/project.ts';
import { readSchemaFiles } from '../../src/core/prisma/prepare.ts';
import { readSchema } from '../../src/core/prisma/schema.ts';
import { loadSchemaWasm } from '../../src/core/prisma/wasm.ts';
import { detectSqlite, findingLine, sqlitePath } from '../../src/core/sqlite/detect.ts';
import { switchPrismaSchema } from '../../src/core/sqlite/prisma.ts';
import { preparePrismaMove } from '../../src/core/sqlite/move.ts';
import { planMigrations } from '../../src/core/files/migrations.ts';
import { apply } from '../../src/core/apply.ts';
import type { FileChange } from '../../src/core/plan.ts';

let pg: PgServer;
before(async () => {
  pg = await startPostgres({ password: 'pw-sqlite' });
});
after(async () => {
  await pg?.stop();
});

const finding = (dir: string, env: Record<string, string> = { DATABASE_URL: 'file:./dev.db' }) => {
  const project = detectProject(dir);
  const info = readSchema(loadSchemaWasm(), readSchemaFiles(dir, project.migrations).files);
  return { project, found: detectSqlite({ project, env, prisma: info }) };
};

test('SQLite URLs: file:, sqlite:, a bare .db path; not a server URL', () => {
  assert.equal(sqlitePath('file:./dev.db'), './dev.db');
  assert.equal(sqlitePath('file:dev.db?connection_limit=1'), 'dev.db');
  assert.equal(sqlitePath('sqlite:///data/app.sqlite'), '/data/app.sqlite');
  assert.equal(sqlitePath('./local.sqlite3'), './local.sqlite3');
  assert.equal(sqlitePath('postgres://u:p@h/db'), undefined);
  assert.equal(sqlitePath('libsql://my-db.turso.io'), undefined);
});

test('detection reads the datasource with Prisma\'s parser and finds the file beside the schema', { skip: NO_SQLITE }, () => {
  const dir = prismaSqliteApp({ rows: false });
  const { found } = finding(dir);
  assert.ok(found);
  assert.equal(found.orm, 'prisma');
  assert.equal(found.file, 'prisma/dev.db');
  assert.equal(found.fileExists, true);
  assert.ok(found.bytes! > 0);
  assert.equal(found.envVar, 'DATABASE_URL');
  assert.match(findingLine(found), /^SQLite found: prisma\/schema\.prisma: datasource provider = "sqlite"; DATABASE_URL = file:\.\/dev\.db; database prisma\/dev\.db \(\d+ KB\)$/);
  // a PostgreSQL datasource is not SQLite
  const pgApp = prismaProject({ 'prisma/schema.prisma': DATASOURCE() });
  assert.equal(finding(pgApp, { DATABASE_URL: 'postgres://u:p@localhost/db' }).found, undefined);
});

test('the switched schema: provider, a literal file: url, every SQLite type named with its PostgreSQL form, valid for Prisma', () => {
  const wasm = loadSchemaWasm();
  const schema = readFileSync(new URL('../fixtures/sqlite/prisma/prisma/schema.prisma', import.meta.url), 'utf8').replace('env("DATABASE_URL")', '"file:./dev.db"');
  const files = [{ path: 'prisma/schema.prisma', content: schema }];
  const s = switchPrismaSchema(wasm, files, readSchema(wasm, files));
  assert.equal(s.info.provider, 'postgresql');
  assert.equal(s.info.envVar, 'DATABASE_URL');
  const text = s.files[0]!.content;
  assert.match(text, /provider = "postgresql"/);
  assert.match(text, /url\s+= env\("DATABASE_URL"\)/);
  // the comment above the datasource and every model are kept
  assert.match(text, /^\/\/ A blog on SQLite/);
  assert.equal(s.info.models.length, 4);
  const lines = s.switched.join('\n');
  assert.match(lines, /provider = "sqlite" → "postgresql"/);
  assert.match(lines, /url = "file:\.\/dev\.db" → env\("DATABASE_URL"\)/);
  assert.match(lines, /autoincrement Int: .*→ serial.*: User\.id, Profile\.id, Post\.id/);
  assert.match(lines, /DateTime: .*→ timestamp\(3\): User\.createdAt, Post\.publishedAt/);
  assert.match(lines, /Boolean: 0\/1 → boolean: User\.isAdmin, Post\.published/);
  assert.match(lines, /Json: text → jsonb: Profile\.settings/);
  assert.match(lines, /BigInt: integer → bigint: Post\.views/);
});

test('a datasource reading another env var for the SQLite file reads DATABASE_URL after the switch', () => {
  const wasm = loadSchemaWasm();
  const files = [{ path: 'schema.prisma', content: 'datasource db {\n  provider = "sqlite"\n  url      = env("SQLITE_FILE")\n}\n\nmodel A {\n  id Int @id @default(autoincrement())\n}\n' }];
  const s = switchPrismaSchema(wasm, files, readSchema(wasm, files));
  assert.equal(s.info.envVar, 'DATABASE_URL');
  assert.match(s.switched.join('\n'), /url = env\("SQLITE_FILE"\) → env\("DATABASE_URL"\)/);
});

test('a native type PostgreSQL does not have is removed where Prisma\'s linter points, and nothing else', () => {
  const wasm = loadSchemaWasm();
  const schema = 'datasource db {\n  provider = "sqlite" // was postgres once\n  url = env("DATABASE_URL")\n}\n\nmodel A {\n  id Int @id\n  // @db.Foo in a comment stays\n  b String @db.TinyText @default("x")\n}\n';
  const files = [{ path: 'schema.prisma', content: schema }];
  // SQLite's own reading refuses @db.*: the linter of the switched schema finds it
  const info = { ...readSchema(wasm, [{ path: 'schema.prisma', content: schema.replace(' @db.TinyText', '') }]), models: [] };
  const s = switchPrismaSchema(wasm, files, info);
  assert.match(s.files[0]!.content, /b\s+String @default\("x"\)\n/);
  assert.match(s.files[0]!.content, /\/\/ @db\.Foo in a comment stays/);
  assert.match(s.files[0]!.content, /provider = "postgresql" \/\/ was postgres once/);
  assert.match(s.switched.join('\n'), /removed attributes PostgreSQL does not have: @db\.TinyText/);
});

test('the move: schema switched, Prisma\'s baseline <ts>_init applied by prisma migrate deploy, the SQLite history kept aside', { ...SLOW, skip: NO_SQLITE }, async () => {
  const dir = prismaSqliteApp();
  const { project, found } = finding(dir);
  const url = await database(pg);
  const { prep, summary } = await preparePrismaMove({ project, wanted: [], url, now: Date.parse('2026-12-06T12:00:00Z'), signal: new AbortController().signal, finding: found! });
  assert.equal(prep.skipped, undefined, prep.skipped);
  assert.deepEqual(prep.added, ['20261206120000_init']);
  assert.equal(summary.baseline, 'prisma/migrations/20261206120000_init/migration.sql');
  assert.equal(summary.aside, 'prisma/migrations_sqlite');
  // through the plan and apply(), as init writes them
  const plan = planMigrations({ project, wanted: [], state: { existing: [], prisma: prep }, sql: {} as never, now: 0 });
  const changes: FileChange[] = plan.files.map((f) => (f.delete ? { path: f.path, action: 'delete', before: f.before, after: '' } : { path: f.path, action: f.before === undefined ? 'create' : 'update', before: f.before, after: f.after }));
  assert.deepEqual(changes.map((c) => `${c.action} ${c.path}`).sort(), [
    'create prisma/migrations/20261206120000_init/migration.sql',
    'create prisma/migrations_sqlite/20250101000000_init/migration.sql',
    'create prisma/migrations_sqlite/migration_lock.toml',
    'delete prisma/migrations/20250101000000_init/migration.sql',
    'update prisma/migrations/migration_lock.toml',
    'update prisma/schema.prisma',
  ]);
  apply(dir, changes);
  assert.equal(existsSync(join(dir, 'prisma/migrations/20250101000000_init')), false, 'the old migration folder is gone');
  assert.match(readFileSync(join(dir, 'prisma/migrations_sqlite/20250101000000_init/migration.sql'), 'utf8'), /AUTOINCREMENT/);
  assert.match(readFileSync(join(dir, 'prisma/migrations_sqlite/migration_lock.toml'), 'utf8'), /provider = "sqlite"/);
  assert.match(readFileSync(join(dir, 'prisma/migrations/migration_lock.toml'), 'utf8'), /provider = "postgresql"/);
  const baseline = readFileSync(join(dir, summary.baseline!), 'utf8');
  assert.match(baseline, /CREATE TABLE "User" \(\n\s+"id" SERIAL NOT NULL/);
  assert.doesNotMatch(baseline, /AUTOINCREMENT|DATETIME/);

  // Prisma's own CLI applies it and reports the database up to date
  const deploy = await prismaCli(dir, ['migrate', 'deploy'], url);
  assert.equal(deploy.code, 0, deploy.out);
  const status = await prismaCli(dir, ['migrate', 'status'], url);
  assert.match(status.out, /Database schema is up to date!/, status.out);
  const types = await rows<{ c: string }>(url, "select table_name || '.' || column_name || ' ' || data_type as c from information_schema.columns where table_schema = 'public' and table_name <> '_prisma_migrations' order by 1");
  const got = types.map((r) => r.c);
  for (const c of ['Post.views bigint', 'Post.published boolean', 'Post.publishedAt timestamp without time zone', 'Profile.settings jsonb', 'User.createdAt timestamp without time zone', 'User.isAdmin boolean', '_PostToTag.B text'])
    assert.ok(got.includes(c), `${c} in ${got.join(', ')}`);
  const seq = await rows<{ s: string | null }>(url, `select pg_get_serial_sequence('"User"', 'id') as s`);
  assert.ok(seq[0]!.s, 'User.id has a sequence');
});
