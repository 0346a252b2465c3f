// copySqliteToPostgres against real parts: SQLite files written here with node:sqlite (Prisma-shaped and
// Drizzle-shaped data: autoincrement ids, DateTime as ms integers and as text, Boolean 0/1, Json text,
// BigInt, Decimal, NULLs, blobs, a self-reference and a two-table foreign-key cycle), copied into a real
// PostgreSQL 15 whose schema is created here by SQL as the ORMs' migrations would. Needs node:sqlite
// (Node 22.13+): on an older Node every case is skipped with that reason.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { spawn as spawnPty } from '@lydell/node-pty';
import xterm from '@xterm/headless';
import { cleanEnv } from '../helpers/pty.ts';
import { startPostgres, type PgServer } from '../harness/postgres.ts';
import { copySqliteToPostgres, fkOrder, SqliteCopyError, TargetNotEmptyError, type CopyProgress } from '../../src/core/sqlite/copy.ts';
import { Cancelled } from '../../src/core/errors.ts';
import { withPostgres } from '../../providers/postgres/index.ts';

const require = createRequire(import.meta.url);
let sqlite: typeof import('node:sqlite') | undefined;
try {
  const w = process.emitWarning;
  process.emitWarning = () => undefined;
  sqlite = require('node:sqlite');
  process.emitWarning = w;
} catch {
  sqlite = undefined;
}
const skip = sqlite && typeof sqlite.StatementSync.prototype.iterate === 'function' ? false : `node:sqlite needs Node 22.13+ (this is ${process.version})`;

let pg: PgServer;
let dir: string;
before(async () => {
  if (skip) return;
  pg = await startPostgres({ password: 'pw-copy' });
  dir = mkdtempSync(join(tmpdir(), 'cpr-sqlite-'));
});
after(async () => {
  await pg?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

let dbCount = 0;
/** A fresh database with `schema` (statements as the ORM's migration would create them). */
async function database(schema: string): Promise<string> {
  const name = `copy${++dbCount}`;
  await pg.sql(`create database ${name}`);
  await pg.sql(schema, name);
  return pg.url(name);
}

async function query<T = Record<string, unknown>>(url: string, text: string): Promise<T[]> {
  const { default: postgres } = await import('postgres');
  const sql = postgres(url, { max: 1, onnotice: () => {}, types: { bigint: postgres.BigInt } });
  try {
    return (await sql.unsafe(text)) as unknown as T[];
  } finally {
    await sql.end({ timeout: 1 });
  }
}

function sqliteFile(name: string, statements: string, fill?: (db: import('node:sqlite').DatabaseSync) => void): string {
  const file = join(dir, `${name}.db`);
  const db = new sqlite!.DatabaseSync(file);
  db.exec(statements);
  fill?.(db);
  db.close();
  return file;
}

// --- a Prisma + SQLite app (Prisma's own DDL for SQLite and for PostgreSQL) ----------------------------

const PRISMA_SQLITE = `
CREATE TABLE "_prisma_migrations" ("id" TEXT PRIMARY KEY NOT NULL, "checksum" TEXT NOT NULL, "migration_name" TEXT NOT NULL);
INSERT INTO "_prisma_migrations" VALUES ('m1', 'abc', '20240101000000_init');
CREATE TABLE "User" (
  "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, "email" TEXT NOT NULL, "name" TEXT,
  "isAdmin" BOOLEAN NOT NULL DEFAULT false, "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "balance" BIGINT, "avatar" BLOB, "settings" JSONB, "score" REAL, "price" DECIMAL
);
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");
CREATE TABLE "Post" (
  "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, "title" TEXT NOT NULL, "body" TEXT, "published" BOOLEAN NOT NULL DEFAULT false,
  "publishedAt" DATETIME, "authorId" INTEGER NOT NULL,
  CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
CREATE TABLE "Comment" (
  "id" TEXT NOT NULL PRIMARY KEY, "postId" INTEGER NOT NULL, "parentId" TEXT, "text" TEXT NOT NULL,
  CONSTRAINT "Comment_postId_fkey" FOREIGN KEY ("postId") REFERENCES "Post" ("id"),
  CONSTRAINT "Comment_parentId_fkey" FOREIGN KEY ("parentId") REFERENCES "Comment" ("id")
);
CREATE TABLE "Tag" ("id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, "name" TEXT NOT NULL);
CREATE TABLE "_PostToTag" ("A" INTEGER NOT NULL, "B" INTEGER NOT NULL,
  FOREIGN KEY ("A") REFERENCES "Post" ("id"), FOREIGN KEY ("B") REFERENCES "Tag" ("id"));
CREATE UNIQUE INDEX "_PostToTag_AB_unique" ON "_PostToTag"("A", "B");
`;

const PRISMA_PG = `
CREATE TABLE "_prisma_migrations" ("id" VARCHAR(36) PRIMARY KEY, "checksum" VARCHAR(64) NOT NULL, "migration_name" VARCHAR(255) NOT NULL);
INSERT INTO "_prisma_migrations" VALUES ('pg1', 'def', '0_init');
CREATE TABLE "User" (
  "id" SERIAL NOT NULL, "email" TEXT NOT NULL, "name" TEXT, "isAdmin" BOOLEAN NOT NULL DEFAULT false,
  "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP, "balance" BIGINT, "avatar" BYTEA, "settings" JSONB,
  "score" DOUBLE PRECISION, "price" DECIMAL(10,2),
  CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");
CREATE TABLE "Post" (
  "id" SERIAL NOT NULL, "title" TEXT NOT NULL, "body" TEXT, "published" BOOLEAN NOT NULL DEFAULT false,
  "publishedAt" TIMESTAMP(3), "authorId" INTEGER NOT NULL, CONSTRAINT "Post_pkey" PRIMARY KEY ("id")
);
CREATE TABLE "Comment" ("id" TEXT NOT NULL, "postId" INTEGER NOT NULL, "parentId" TEXT, "text" TEXT NOT NULL, CONSTRAINT "Comment_pkey" PRIMARY KEY ("id"));
CREATE TABLE "Tag" ("id" SERIAL NOT NULL, "name" TEXT NOT NULL, CONSTRAINT "Tag_pkey" PRIMARY KEY ("id"));
CREATE TABLE "_PostToTag" ("A" INTEGER NOT NULL, "B" INTEGER NOT NULL, CONSTRAINT "_PostToTag_AB_pkey" PRIMARY KEY ("A","B"));
ALTER TABLE "Post" ADD CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "Comment" ADD CONSTRAINT "Comment_postId_fkey" FOREIGN KEY ("postId") REFERENCES "Post"("id");
ALTER TABLE "Comment" ADD CONSTRAINT "Comment_parentId_fkey" FOREIGN KEY ("parentId") REFERENCES "Comment"("id");
ALTER TABLE "_PostToTag" ADD CONSTRAINT "_PostToTag_A_fkey" FOREIGN KEY ("A") REFERENCES "Post"("id") ON DELETE CASCADE;
ALTER TABLE "_PostToTag" ADD CONSTRAINT "_PostToTag_B_fkey" FOREIGN KEY ("B") REFERENCES "Tag"("id") ON DELETE CASCADE;
`;

const BIG = 9007199254740993n; // 2^53 + 1: a double cannot hold it
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x5c, 0x09]);

function prismaFile(name: string): string {
  return sqliteFile(name, PRISMA_SQLITE, (db) => {
    const user = db.prepare('insert into "User" (email, name, isAdmin, createdAt, balance, avatar, settings, score, price) values (?, ?, ?, ?, ?, ?, ?, ?, ?)');
    user.run('ada@example.com', 'Ada', 1, 1704103200123, BIG, PNG, '{"theme": "dark", "tags": ["a", "b"], "n": 1.5}', 0.1, 19.99);
    user.run('bob@example.com', null, 0, '2024-02-29 23:59:59', null, null, null, null, null);
    user.run('cy@example.com', 'Cy\ttab\nnewline \\ backslash ✓', 0, '2024-03-01T08:30:00.5+02:00', -5n, new Uint8Array(), '[]', -1e-7, '0.305');
    // Ids with a gap (a deleted row): the sequence must continue after the largest.
    db.exec(`insert into "User" (id, email, isAdmin, createdAt) values (10, 'dee@example.com', 1, 1710000000000)`);
    const post = db.prepare('insert into "Post" (title, body, published, publishedAt, authorId) values (?, ?, ?, ?, ?)');
    post.run('Hello', 'first', 1, 1704103200000, 1);
    post.run('Draft', null, 0, null, 1);
    post.run('Later', 'x'.repeat(5000), 1, '2024-05-01 12:00:00', 10);
    // A reply stored before its parent (rowid order): the self-reference is checked at the end.
    db.exec(`insert into "Comment" values ('c_reply', 1, 'c_root', 'a reply'), ('c_root', 1, null, 'the root'), ('c_other', 3, 'c_root', 'another')`);
    db.exec(`insert into "Tag" (name) values ('news'), ('misc')`);
    db.exec(`insert into "_PostToTag" values (1, 1), (1, 2), (3, 2)`);
  });
}

test('a Prisma SQLite file moves into PostgreSQL: counts and checksums equal, values typed, sequences continue, bookkeeping skipped', { skip }, async () => {
  const file = prismaFile('prisma');
  const before = readFileSync(file);
  const url = await database(PRISMA_PG);
  const seen: CopyProgress[] = [];
  const report = await copySqliteToPostgres({ sqliteFile: file, databaseUrl: url, connect: withPostgres, signal: new AbortController().signal, onProgress: (p) => seen.push(p) });

  assert.deepEqual(
    report.tables.map((t) => [t.name, t.rows, t.targetRows]),
    [['User', 4, 4], ['Post', 3, 3], ['Comment', 3, 3], ['Tag', 2, 2], ['_PostToTag', 3, 3]].sort((a, b) => report.tables.findIndex((t) => t.name === a[0]) - report.tables.findIndex((t) => t.name === b[0])),
  );
  for (const t of report.tables) {
    assert.equal(t.sourceChecksum, t.targetChecksum, t.name);
    assert.match(t.sourceChecksum, /^[0-9a-f]{64}$/);
  }
  // foreign-key order: parents first
  const at = (n: string) => report.tables.findIndex((t) => t.name === n);
  assert.ok(at('User') < at('Post') && at('Post') < at('Comment') && at('Post') < at('_PostToTag') && at('Tag') < at('_PostToTag'));
  assert.deepEqual(report.skipped.map((s) => s.name).sort(), ['_prisma_migrations', 'sqlite_sequence']);
  assert.deepEqual(report.deferred, ['Comment.Comment_parentId_fkey → Comment']);
  assert.equal(report.totals.rows, 15);
  assert.ok(seen.some((p) => p.phase === 'copy' && p.table === 'User' && p.done === 4 && p.total === 4));

  const users = await query(url, 'select * from "User" order by id');
  assert.deepEqual(users[0], {
    id: 1,
    email: 'ada@example.com',
    name: 'Ada',
    isAdmin: true,
    createdAt: users[0]!.createdAt,
    balance: BIG,
    avatar: Buffer.from(PNG),
    settings: { theme: 'dark', tags: ['a', 'b'], n: 1.5 },
    score: 0.1,
    price: '19.99',
  });
  const times = await query<{ id: number; t: string }>(url, `select id, to_char("createdAt", 'YYYY-MM-DD HH24:MI:SS.MS') as t from "User" order by id`);
  assert.deepEqual(times.map((r) => r.t), ['2024-01-01 10:00:00.123', '2024-02-29 23:59:59.000', '2024-03-01 06:30:00.500', '2024-03-09 16:00:00.000']);
  assert.equal(users[1]!.name, null);
  assert.equal(users[1]!.isAdmin, false);
  assert.equal(users[1]!.balance, null);
  assert.equal(users[2]!.name, 'Cy\ttab\nnewline \\ backslash ✓');
  assert.deepEqual(users[2]!.avatar, Buffer.alloc(0));
  assert.deepEqual(users[2]!.settings, []);
  assert.equal(users[2]!.balance, -5n);
  assert.equal(users[2]!.score, -1e-7);
  assert.equal(users[2]!.price, '0.31'); // numeric(10,2) rounds half away from zero, on both sides of the checksum
  const posts = await query<{ id: number; published: boolean; body: string | null }>(url, 'select id, published, body from "Post" order by id');
  assert.deepEqual(posts.map((p) => [p.id, p.published, p.body?.length ?? null]), [[1, true, 5], [2, false, null], [3, true, 5000]]);

  // sequences continue at max+1: inserts without an id work
  assert.deepEqual(report.sequences.map((s) => [s.table, s.column, s.next]).sort(), [['Post', 'id', '4'], ['Tag', 'id', '3'], ['User', 'id', '11']]);
  const [u] = await query<{ id: number }>(url, `insert into "User" (email) values ('new@example.com') returning id`);
  assert.equal(u!.id, 11);
  const [p] = await query<{ id: number }>(url, `insert into "Post" (title, "authorId") values ('new', 11) returning id`);
  assert.equal(p!.id, 4);
  // the cycle's constraint is back as it was (not deferrable)
  const [c] = await query<{ condeferrable: boolean }>(url, `select condeferrable from pg_constraint where conname = 'Comment_parentId_fkey'`);
  assert.equal(c!.condeferrable, false);
  // Prisma's history on the PostgreSQL side untouched; nothing written to the SQLite file
  assert.deepEqual((await query(url, 'select id from "_prisma_migrations"')).map((r) => r.id), ['pg1']);
  assert.deepEqual(readFileSync(file), before);

  // a second run refuses, naming the tables that have rows, and changes nothing
  await assert.rejects(
    copySqliteToPostgres({ sqliteFile: file, databaseUrl: url, connect: withPostgres, signal: new AbortController().signal }),
    (e: unknown) => {
      assert.ok(e instanceof TargetNotEmptyError);
      assert.deepEqual([...e.tables].sort(), ['Comment', 'Post', 'Tag', 'User', '_PostToTag']);
      assert.match(e.message, /^PostgreSQL already has rows in "/);
      assert.doesNotMatch(e.message, /\n/);
      return true;
    },
  );
  assert.equal((await query(url, 'select count(*)::int as n from "User"'))[0]!.n, 5);
});

test('Drizzle-shaped data: seconds timestamps, timestamptz, text ids, a two-table cycle and a table without a primary key', { skip }, async () => {
  const file = sqliteFile(
    'drizzle',
    `PRAGMA foreign_keys = OFF;
     CREATE TABLE __drizzle_migrations (id INTEGER PRIMARY KEY, hash text NOT NULL, created_at numeric);
     INSERT INTO __drizzle_migrations VALUES (1, 'h', 1);
     CREATE TABLE teams (id text PRIMARY KEY NOT NULL, name text NOT NULL, captain_id text REFERENCES members(id), created_at integer NOT NULL, active integer NOT NULL);
     CREATE TABLE members (id text PRIMARY KEY NOT NULL, team_id text NOT NULL REFERENCES teams(id), joined integer, data text);
     CREATE TABLE audit (at text NOT NULL, what text);
     CREATE TABLE items (id integer PRIMARY KEY AUTOINCREMENT NOT NULL, name text NOT NULL);`,
    (db) => {
      db.exec(`insert into teams values ('B-team', 'Beta', 'm2', 1704103200, 1), ('a-team', 'Alpha', 'm1', 1717243200, 0)`);
      db.exec(`insert into members values ('m1', 'a-team', 1704103260, '{"b":1,"a":[true,null]}'), ('m2', 'B-team', null, null), ('m3', 'a-team', 1704103320, '"x"')`);
      db.exec(`insert into items (id, name) values (3, 'three'), (7, 'seven')`);
      db.exec(`insert into audit values ('2024-01-01T00:00:00Z', 'created'), ('2024-01-01T00:00:00Z', 'created'), ('2024-01-02 10:00:00', null)`);
    },
  );
  const url = await database(`
    create table teams (id text primary key, name text not null, captain_id text, created_at timestamptz not null, active boolean not null);
    create table members (id text primary key, team_id text not null references teams(id), joined timestamp with time zone, data json);
    alter table teams add constraint teams_captain_fk foreign key (captain_id) references members(id) deferrable initially immediate;
    create table audit (at timestamptz not null, what text);
    create table items (id integer primary key generated always as identity, name text not null);
    create schema drizzle; create table drizzle.__drizzle_migrations (id serial primary key, hash text);`);
  const report = await copySqliteToPostgres({ sqliteFile: file, databaseUrl: url, connect: withPostgres, signal: new AbortController().signal });
  for (const t of report.tables) assert.equal(t.sourceChecksum, t.targetChecksum, t.name);
  assert.match(report.tables.find((t) => t.name === 'audit')!.sourceChecksum, /^sum:/);
  assert.deepEqual(report.deferred.sort(), ['members.members_team_id_fkey → teams', 'teams.teams_captain_fk → members']);
  assert.deepEqual(report.skipped.map((s) => s.name), ['__drizzle_migrations', 'sqlite_sequence']);
  // an identity column (GENERATED ALWAYS, as drizzle's pg-core generatedAlwaysAsIdentity()) keeps the ids and continues after them
  assert.deepEqual(report.sequences.map((s) => [s.table, s.column, s.next]), [['items', 'id', '8']]);
  assert.deepEqual([...(await query(url, `insert into items (name) values ('next') returning id`))], [{ id: 8 }]);
  const teams = await query<{ id: string; t: string; active: boolean }>(url, `select id, to_char(created_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS') as t, active from teams order by id`);
  assert.deepEqual(teams.map((r) => [r.id, r.t, r.active]), [['B-team', '2024-01-01 10:00:00', true], ['a-team', '2024-06-01 12:00:00', false]]);
  const members = await query<{ data: unknown }>(url, 'select data from members order by id');
  assert.deepEqual(members.map((m) => m.data), [{ b: 1, a: [true, null] }, null, 'x']);
  assert.equal((await query(url, 'select count(*)::int as n from audit'))[0]!.n, 3);
  // the app's own queries, through Drizzle's pg-core client (node-postgres), read the rows back typed
  const { drizzle } = await import('drizzle-orm/node-postgres');
  const { pgTable, text, timestamp, boolean, json } = await import('drizzle-orm/pg-core');
  const { asc, eq } = await import('drizzle-orm');
  const pgTeams = pgTable('teams', { id: text('id').primaryKey(), name: text('name').notNull(), captainId: text('captain_id'), createdAt: timestamp('created_at', { withTimezone: true }).notNull(), active: boolean('active').notNull() });
  const pgMembers = pgTable('members', { id: text('id').primaryKey(), teamId: text('team_id').notNull(), joined: timestamp('joined', { withTimezone: true }), data: json('data') });
  const orm = drizzle(url);
  try {
    const joined = await orm.select({ team: pgTeams.name, active: pgTeams.active, createdAt: pgTeams.createdAt, member: pgMembers.id, joined: pgMembers.joined, data: pgMembers.data })
      .from(pgMembers).innerJoin(pgTeams, eq(pgMembers.teamId, pgTeams.id)).orderBy(asc(pgMembers.id));
    assert.deepEqual(joined, [
      { team: 'Alpha', active: false, createdAt: new Date('2024-06-01T12:00:00Z'), member: 'm1', joined: new Date('2024-01-01T10:01:00Z'), data: { b: 1, a: [true, null] } },
      { team: 'Beta', active: true, createdAt: new Date('2024-01-01T10:00:00Z'), member: 'm2', joined: null, data: null },
      { team: 'Alpha', active: false, createdAt: new Date('2024-06-01T12:00:00Z'), member: 'm3', joined: new Date('2024-01-01T10:02:00Z'), data: 'x' },
    ]);
  } finally {
    await orm.$client.end();
  }
  // the deferrable constraint stays deferrable (it was already)
  const cons = await query<{ conname: string; condeferrable: boolean }>(url, `select conname, condeferrable from pg_constraint where contype = 'f' order by conname`);
  assert.deepEqual(cons.map((c) => [c.conname, c.condeferrable]), [['members_team_id_fkey', false], ['teams_captain_fk', true]]);
});

test("edge values agree with what PostgreSQL stores: rounding of timestamp(p) and numeric(p,s), float4, char(n), uuid case, json vs jsonb, escapes", { skip }, async () => {
  const file = sqliteFile('edges', `CREATE TABLE "E" (id INTEGER PRIMARY KEY, t0 TEXT, t3 TEXT, tz TEXT, d TEXT, n TEXT, f REAL, c TEXT, u TEXT, j TEXT, jb TEXT, s TEXT, b INTEGER);`, (db) => {
    const ins = db.prepare('insert into "E" values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
    ins.run(1, '2024-01-01 10:00:00.5', '2024-01-01 10:00:00.1235', '2024-01-01T10:00:00.123456789Z', '2024-02-29', '1.005', 0.1, 'ab', 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', '{"b": 1,  "a": 2}', '{"b": 1.50, "a": [1e2, "\\u00e9"], "a": 3}', 'tab\there\\ \b\f\v\r', 9007199254740993n);
    ins.run(2, '1990-06-01 12:00:00.5', '1990-06-01 12:00:00.0005', '1969-12-31 23:59:59.9995+01:00', '1970-01-01', '-2.675', -3.4028234663852886e38, 'abcde', null, '[]', 'null', '', -9007199254740993n);
    ins.run(3, 1704103200500, 1704103200123, -1, 0, '1e3', 1.5, '', 'ffffffff-ffff-ffff-ffff-ffffffffffff', '"x"', '{}', 'üñí©ødé ✓ 😀', 0);
  });
  const url = await database(`create table "E" (id int primary key, t0 timestamp(0), t3 timestamp(3), tz timestamptz, d date, n numeric(10,2), f real,
    c char(5), u uuid, j json, jb jsonb, s text, b bigint);`);
  const report = await copySqliteToPostgres({ sqliteFile: file, databaseUrl: url, connect: withPostgres, signal: new AbortController().signal });
  assert.equal(report.tables[0]!.sourceChecksum, report.tables[0]!.targetChecksum);
  const rows = await query<Record<string, string>>(url, `select id, t0::text, t3::text, tz at time zone 'UTC' as tz, d::text, n::text, f::text, c, u::text, j::text, jb::text, s, b::text from "E" order by id`);
  assert.deepEqual(rows[0], {
    id: 1, t0: '2024-01-01 10:00:01', t3: '2024-01-01 10:00:00.124', tz: rows[0]!.tz, d: '2024-02-29', n: '1.01', f: '0.1', c: 'ab   ',
    u: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', j: '{"b": 1,  "a": 2}', jb: '{"a": 3, "b": 1.50}', s: 'tab\there\\ \b\f\v\r', b: '9007199254740993',
  });
  // half away from zero, counted from 2000-01-01: before 2000 a tie goes to the earlier time
  assert.equal(rows[1]!.t0, '1990-06-01 12:00:00');
  assert.equal(rows[1]!.t3, '1990-06-01 12:00:00');
  assert.equal(rows[1]!.n, '-2.68');
  assert.equal(rows[1]!.b, '-9007199254740993');
  assert.equal(rows[2]!.t0, '2024-01-01 10:00:01');
  assert.equal(rows[2]!.d, '1970-01-01');
  assert.equal(rows[2]!.n, '1000.00');
  assert.equal(rows[2]!.s, 'üñí©ødé ✓ 😀');
});

test('a value that does not fit its column: one line naming table, column and row; nothing copied', { skip }, async () => {
  const file = sqliteFile('bad', `CREATE TABLE "A" (id INTEGER PRIMARY KEY, ok TEXT); CREATE TABLE "B" (id INTEGER PRIMARY KEY, flag INTEGER);`, (db) => {
    db.exec(`insert into "A" values (1, 'fine'); insert into "B" values (1, 1), (2, 7)`);
  });
  const url = await database(`create table "A" (id int primary key, ok text); create table "B" (id int primary key, flag boolean);`);
  await assert.rejects(copySqliteToPostgres({ sqliteFile: file, databaseUrl: url, connect: withPostgres, signal: new AbortController().signal }), (e: unknown) => {
    assert.ok(e instanceof SqliteCopyError);
    assert.equal(e.message, '"B"."flag" (id=2): cannot read the number 7 as a boolean (0 or 1) for the PostgreSQL bool column; nothing was copied');
    return true;
  });
  assert.equal((await query(url, 'select count(*)::int as n from "A"'))[0]!.n, 0);
  // a SQLite column PostgreSQL lacks is refused before anything is copied
  const url2 = await database(`create table "A" (id int primary key); create table "B" (id int primary key, flag boolean);`);
  await assert.rejects(copySqliteToPostgres({ sqliteFile: file, databaseUrl: url2, connect: withPostgres, signal: new AbortController().signal }), /PostgreSQL table "A" has no column "ok"/);
  await assert.rejects(copySqliteToPostgres({ sqliteFile: join(dir, 'missing.db'), databaseUrl: url2, connect: withPostgres, signal: new AbortController().signal }), /^SqliteCopyError: No SQLite file at /);
});

test('abort (Ctrl+C) mid-copy: Cancelled (exit 130), every target table as empty as before, the sequence untouched', { skip }, async () => {
  const file = sqliteFile('big', `CREATE TABLE "Owner" (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT); CREATE TABLE "Event" (id INTEGER PRIMARY KEY AUTOINCREMENT, ownerId INTEGER REFERENCES "Owner"(id), at DATETIME, payload TEXT);`, (db) => {
    db.exec(`insert into "Owner" (name) values ('o')`);
    db.exec('begin');
    const ins = db.prepare('insert into "Event" (ownerId, at, payload) values (1, ?, ?)');
    for (let i = 0; i < 60_000; i++) ins.run(1704103200000 + i, `event ${i}`);
    db.exec('commit');
  });
  const url = await database(`create table "Owner" (id serial primary key, name text); create table "Event" (id serial primary key, "ownerId" int references "Owner"(id), at timestamp(3), payload text);`);
  const ac = new AbortController();
  let events = 0;
  await assert.rejects(
    copySqliteToPostgres({
      sqliteFile: file,
      databaseUrl: url, connect: withPostgres,
      signal: ac.signal,
      batchRows: 1000,
      onProgress: (p) => {
        if (p.table === 'Event' && p.done > 0) {
          events = p.done;
          ac.abort(new Cancelled());
        }
      },
    }),
    (e: unknown) => {
      assert.ok(e instanceof Cancelled);
      assert.equal(e.exitCode, 130);
      assert.match(e.message, /rolled back/);
      return true;
    },
  );
  assert.ok(events > 0 && events < 60_000);
  const counts = await query<{ o: number; e: number }>(url, 'select (select count(*)::int from "Owner") as o, (select count(*)::int from "Event") as e');
  assert.deepEqual(counts[0], { o: 0, e: 0 });
  // aborted while the rows are read back (after every row was written): rolled back as well
  const late = new AbortController();
  await assert.rejects(
    copySqliteToPostgres({ sqliteFile: file, databaseUrl: url, connect: withPostgres, signal: late.signal, onProgress: (p) => p.phase === 'verify' && late.abort(new Cancelled()) }),
    Cancelled,
  );
  const after = await query<{ o: number; e: number }>(url, 'select (select count(*)::int from "Owner") as o, (select count(*)::int from "Event") as e');
  assert.deepEqual(after[0], { o: 0, e: 0 });
  const [seq] = await query<{ id: number }>(url, `insert into "Owner" (name) values ('fresh') returning id`);
  assert.equal(seq!.id, 1);
});

test('abort while waiting for a lock another connection holds: the statement is cancelled after 2 s, Cancelled, nothing copied', { skip }, async () => {
  const file = sqliteFile('locked', `CREATE TABLE "L" (id INTEGER PRIMARY KEY, v TEXT);`, (db) => db.exec(`insert into "L" values (1, 'a')`));
  const url = await database(`create table "L" (id int primary key, v text);`);
  const { default: postgres } = await import('postgres');
  const holder = postgres(url, { max: 1, onnotice: () => {} });
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  const locked = new Promise<void>((ready) => {
    void holder.begin(async (tx) => {
      await tx.unsafe('lock table "L" in access exclusive mode');
      ready();
      await held;
    });
  });
  await locked;
  try {
    const ac = new AbortController();
    const t0 = performance.now();
    setTimeout(() => ac.abort(new Cancelled()), 300);
    await assert.rejects(copySqliteToPostgres({ sqliteFile: file, databaseUrl: url, connect: withPostgres, signal: ac.signal }), Cancelled);
    const ms = performance.now() - t0;
    assert.ok(ms >= 2000 && ms < 6000, `${ms} ms`); // the cancel request, not the last resort (closing the connection at 7 s)
  } finally {
    release();
    await holder.end({ timeout: 1 });
  }
  assert.equal((await query(url, 'select count(*)::int as n from "L"'))[0]!.n, 0);
});

test('fkOrder: parents first, cycles found, independent tables kept', () => {
  const { order, cyclic } = fkOrder(['c', 'b', 'a', 'x', 'y'], [
    { table: 'c', ref: 'b', name: 'c_b' },
    { table: 'b', ref: 'a', name: 'b_a' },
    { table: 'x', ref: 'y', name: 'x_y' },
    { table: 'y', ref: 'x', name: 'y_x' },
    { table: 'a', ref: 'a', name: 'a_a' },
  ]);
  assert.ok(order.indexOf('a') < order.indexOf('b') && order.indexOf('b') < order.indexOf('c'));
  assert.equal(order.length, 5);
  assert.deepEqual([...cyclic].sort(), ['a_a', 'x_y', 'y_x']);
});

const RUN = fileURLToPath(new URL('../helpers/sqlite-copy-run.ts', import.meta.url));

test('under a terminal: the progress bar, then the proof table; Ctrl+C mid-copy exits 130 with the target empty', { skip }, async () => {
  const file = sqliteFile('pty', `CREATE TABLE "Log" (id INTEGER PRIMARY KEY AUTOINCREMENT, at DATETIME NOT NULL, ok BOOLEAN, msg TEXT);`, (db) => {
    db.exec('begin');
    const ins = db.prepare('insert into "Log" (at, ok, msg) values (?, ?, ?)');
    for (let i = 0; i < 200_000; i++) ins.run(1704103200000 + i * 1000, i % 2, `line ${i}`);
    db.exec('commit');
  });
  const schema = `create table "Log" (id serial primary key, at timestamp(3) not null, ok boolean, msg text);`;
  const run = (url: string, extra: string[] = []) => {
    const term = new xterm.Terminal({ cols: 160, rows: 30, allowProposedApi: true });
    let raw = '';
    const p = spawnPty(process.execPath, ['--import', 'tsx', RUN, file, ...extra], { name: 'xterm-256color', cols: 160, rows: 30, cwd: process.cwd(), env: cleanEnv({ DATABASE_URL: url }) });
    p.onData((d) => {
      raw += d;
      term.write(d);
    });
    const exit = new Promise<number>((r) => p.onExit(({ exitCode }) => setTimeout(() => r(exitCode), 50)));
    const until = async (re: RegExp, ms = 30_000) => {
      const end = Date.now() + ms;
      while (!re.test(raw.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, ''))) {
        if (Date.now() > end) throw new Error(`no ${re} in:\n${raw}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    return { p, exit, until, text: () => raw.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '') };
  };

  const url = await database(schema);
  const cancelled = run(url, ['--batch-rows', '500']);
  await cancelled.until(/Copying Log .*[\d,]+\/200,000 rows/);
  cancelled.p.write('\x03');
  assert.equal(await cancelled.exit, 130, cancelled.text());
  assert.match(cancelled.text(), /Copy cancelled: rolled back/);
  assert.doesNotMatch(cancelled.text(), /ExperimentalWarning/);
  assert.match(cancelled.text(), /Cancelled: the copy was rolled back, PostgreSQL is as it was before/);
  assert.equal((await query(url, 'select count(*)::int as n from "Log"'))[0]!.n, 0);

  const done = run(url);
  assert.equal(await done.exit, 0, done.text());
  assert.match(done.text(), /ETA/);
  assert.match(done.text(), /Log\s+200,000\s+[0-9a-f]{12}\s+[0-9a-f]{12}\s+.*✔ equal/);
  assert.match(done.text(), /sequences continue at: Log\.id → 200001/);
  assert.equal((await query(url, 'select count(*)::int as n from "Log"'))[0]!.n, 200_000);
});

test('without a terminal: no bar; --json prints the report as JSON on stdout; a refusal is one line with exit 1', { skip }, async () => {
  const file = sqliteFile('json', `CREATE TABLE "T" (id INTEGER PRIMARY KEY AUTOINCREMENT, ok BOOLEAN);`, (db) => db.exec(`insert into "T" (ok) values (1), (0), (null)`));
  const url = await database(`create table "T" (id serial primary key, ok boolean);`);
  const { execFile } = await import('node:child_process');
  const run = (args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile(process.execPath, ['--import', 'tsx', RUN, file, ...args], { env: cleanEnv({ DATABASE_URL: url }) }, (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      ),
    );
  const first = await run(['--json']);
  assert.equal(first.code, 0, first.stderr);
  assert.equal(first.stderr, '');
  const report = JSON.parse(first.stdout);
  assert.deepEqual(report.tables.map((t: { name: string; rows: number }) => [t.name, t.rows]), [['T', 3]]);
  assert.equal(report.tables[0].sourceChecksum, report.tables[0].targetChecksum);
  assert.deepEqual(report.totals.rows, 3);
  const second = await run([]);
  assert.equal(second.code, 1);
  assert.equal(second.stdout, '');
  assert.equal(second.stderr.split('\n')[0], 'PostgreSQL already has rows in "T": the copy goes into empty tables only, nothing was copied');
  assert.doesNotMatch(second.stderr, /at .*\.ts:\d+/); // no stack trace
});
