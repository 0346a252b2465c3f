// SQLite apps for tests: fixture projects copied from test/fixtures/sqlite/, and their database files
// created here with node:sqlite (Node 22.5+; built into Node, nothing downloaded). Rows are written the
// way each ORM writes them on SQLite: Prisma's DateTime as milliseconds since 1970, Booleans as 0/1,
// Json as text; Drizzle's integer `timestamp` mode as seconds.
import { cpSync, readdirSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { prismaProject } from './prisma.ts';
import { tempProject } from './project.ts';

const FIXTURES = fileURLToPath(new URL('../fixtures/sqlite/', import.meta.url));

/** node:sqlite's DatabaseSync, or undefined on a Node without it (the caller skips). */
export function sqliteModule(): undefined | (new (path: string) => { exec(sql: string): void; prepare(sql: string): { run(...v: unknown[]): unknown; all(...v: unknown[]): unknown[] }; close(): void }) {
  try {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return (createRequire(import.meta.url)('node:sqlite') as any).DatabaseSync;
  } catch {
    return undefined;
  }
}
export const NO_SQLITE = sqliteModule() ? false : `node:sqlite needs Node 22.5+ (this is ${process.version})`;

/** Every file of a fixture, project-relative. */
function fixtureFiles(name: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const n of readdirSync(join(FIXTURES, name, rel), { withFileTypes: true })) {
      const p = rel ? `${rel}/${n.name}` : n.name;
      if (n.isDirectory()) walk(p);
      else if (n.name !== 'README.md') out[p] = readFileSync(join(FIXTURES, name, p), 'utf8');
    }
  };
  walk('');
  return out;
}

/** The Prisma + SQLite blog, with `prisma/dev.db` created from its migration and a few rows; .env points at it. */
export function prismaSqliteApp(opts: { rows?: boolean; db?: boolean } = {}): string {
  const dir = prismaProject({ ...fixtureFiles('prisma'), '.env': 'DATABASE_URL="file:./dev.db"\n' });
  if (opts.db !== false) {
    const Db = sqliteModule();
    if (!Db) throw new Error(String(NO_SQLITE));
    const db = new Db(join(dir, 'prisma', 'dev.db'));
    db.exec(readFileSync(join(dir, 'prisma/migrations/20250101000000_init/migration.sql'), 'utf8'));
    if (opts.rows !== false) {
      const t = Date.parse('2026-01-02T03:04:05.678Z');
      db.prepare('insert into "User" (email, name, isAdmin, createdAt) values (?, ?, ?, ?)').run('ada@example.com', 'Ada', 1, t);
      db.prepare('insert into "User" (email, name, isAdmin, createdAt) values (?, ?, ?, ?)').run('bob@example.com', null, 0, t + 1000);
      db.prepare('insert into "Profile" (bio, settings, userId) values (?, ?, ?)').run('hi', '{"theme":"dark","n":[1,2]}', 1);
      db.prepare('insert into "Post" (title, published, views, publishedAt, authorId) values (?, ?, ?, ?, ?)').run('First', 1, 9007199254740993n, t, 1);
      db.prepare('insert into "Post" (title, published, views, publishedAt, authorId) values (?, ?, ?, ?, ?)').run('Draft', 0, 0, null, 2);
      db.prepare('insert into "Tag" (name) values (?)').run('news');
      db.prepare('insert into "_PostToTag" (A, B) values (?, ?)').run(1, 'news');
    }
    db.close();
  }
  return dir;
}

/** The Drizzle + SQLite app (better-sqlite3 in package.json), with sqlite.db created from its migration. */
export function drizzleSqliteApp(opts: { db?: boolean } = {}): string {
  const dir = tempProject();
  for (const p of Object.keys(fixtureFiles('drizzle'))) cpSync(join(FIXTURES, 'drizzle', p), join(dir, p));
  if (opts.db !== false && existsSync(join(dir, 'drizzle'))) {
    const Db = sqliteModule();
    if (!Db) throw new Error(String(NO_SQLITE));
    const db = new Db(join(dir, 'sqlite.db'));
    for (const f of readdirSync(join(dir, 'drizzle')).filter((f) => f.endsWith('.sql')).sort())
      db.exec(readFileSync(join(dir, 'drizzle', f), 'utf8').replace(/--> statement-breakpoint/g, ''));
    db.close();
  }
  writeFileSync(join(dir, '.env'), 'DB_FILE_NAME=file:sqlite.db\n');
  return dir;
}
