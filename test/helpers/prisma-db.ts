// Shared by the Prisma tests: planning a project's Prisma part, writing it as apply() would, and checking
// the result with Prisma's own CLI and engine against a real PostgreSQL.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import postgres from 'postgres';
import type { PgServer } from '../harness/postgres.ts';
import { prismaCli } from './prisma.ts';
import { detectProject } from '../../src/core/project.ts';
import { preparePrisma, migrationList, readSchemaFiles, withEngine, type PrismaPrep } from '../../src/core/prisma/prepare.ts';
import type { MigrationName } from '../../src/core/provider.ts';

/** Each test runs Prisma's own CLI several times (each start loads its WebAssembly engine): minutes on a busy machine. */
export const SLOW = { timeout: 600_000 };

export const ALL: MigrationName[] = ['users', 'stripe-billing', 'stored-objects'];

let n = 0;
/** A new database on the server, as its superuser. */
export async function database(pg: PgServer): Promise<string> {
  const name = `prisma_${process.pid}_${++n}`;
  await pg.sql(`create database ${name}`);
  return pg.url(name);
}

export async function rows<T>(url: string, query: string): Promise<T[]> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    return (await sql.unsafe(query)) as unknown as T[];
  } finally {
    await sql.end();
  }
}

export const prepare = (dir: string, url: string | undefined, wanted = ALL) =>
  preparePrisma({ project: detectProject(dir), wanted, url, now: Date.parse('2026-12-06T12:00:00Z'), signal: new AbortController().signal });

/** What apply() would do with the plan's files. */
export function write(dir: string, prep: PrismaPrep): void {
  for (const f of prep.files) {
    mkdirSync(dirname(join(dir, f.path)), { recursive: true });
    writeFileSync(join(dir, f.path), f.after);
  }
}

/** Prisma's own deploy and status, then the bookkeeping a later deploy relies on. */
export async function deployAndCheck(dir: string, url: string, migrationsDir: string, count: number): Promise<void> {
  const deploy = await prismaCli(dir, ['migrate', 'deploy'], url);
  assert.equal(deploy.code, 0, deploy.out);
  assert.match(deploy.out, /successfully applied/);
  const status = await prismaCli(dir, ['migrate', 'status'], url);
  assert.equal(status.code, 0, status.out);
  assert.match(status.out, /Database schema is up to date!/);
  const applied = await rows<{ migration_name: string; checksum: string; finished_at: Date | null; applied_steps_count: number }>(
    url,
    'select migration_name, checksum, finished_at, applied_steps_count from _prisma_migrations order by migration_name',
  );
  assert.equal(applied.length, count);
  for (const r of applied) {
    const sql = readFileSync(join(dir, migrationsDir, r.migration_name, 'migration.sql'));
    assert.equal(r.checksum, createHash('sha256').update(sql).digest('hex'), `${r.migration_name}: Prisma's checksum is the sha256 of migration.sql`);
    assert.ok(r.finished_at);
    assert.equal(r.applied_steps_count, 1);
  }
}

/** No drift: the migrations replayed in a shadow database equal the schema (what `prisma migrate dev` checks). */
export async function assertNoDrift(dir: string, url: string): Promise<void> {
  const project = detectProject(dir);
  const { files } = readSchemaFiles(dir, project.migrations);
  const r = await withEngine(url, files, (e) =>
    e.diff({
      from: { tag: 'migrations', ...migrationList(dir, project.migrations.dir) },
      to: { tag: 'schemaDatamodel', files },
      script: false,
      shadowDatabaseUrl: null,
      exitCode: true,
      filters: { externalTables: [], externalEnums: [] },
    }),
  );
  assert.equal(r.exitCode, 0, `the migrations and the schema differ: ${r.stdout}`);
}

