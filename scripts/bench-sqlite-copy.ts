// Bench section: SQLite → PostgreSQL copy speed. A 100,000-row Prisma-shaped table (autoincrement id,
// text, Boolean 0/1, DateTime as ms, BigInt, Json text, Float, NULLs) is copied with copySqliteToPostgres
// (read, convert, COPY in batches, read back and checksum both sides, sequences, commit), against
// `COPY … FROM STDIN` of a CSV of the same rows (made beforehand, not timed) through the same client
// (postgres.js, which the copy uses) into the same schema: the copy's rows per second, COPY's, the ratio.
// Median of BENCH_COPY_RUNS (default 5), interleaved. Run alone: node --import tsx scripts/bench-sqlite-copy.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { PgServer } from '../test/harness/postgres.ts';

const ROWS = Number(process.env.BENCH_COPY_ROWS) || 100_000;
const SCHEMA = `create table "User" ("id" serial primary key, "email" text not null, "name" text, "isAdmin" boolean not null default false,
  "createdAt" timestamp(3) not null, "balance" bigint, "settings" jsonb, "score" double precision)`;

export interface CopyBench {
  rows: number;
  /** The writing phase alone (read, convert, COPY), without the read-back proof and the commit. */
  writeMs: number;
  copyMs: number;
  copyRowsPerSecond: number;
  baselineMs: number;
  baselineRowsPerSecond: number;
  ratio: number;
}

/** undefined when this Node has no node:sqlite (Node < 22.13). */
export async function benchSqliteCopy(pg: PgServer, runs = Number(process.env.BENCH_COPY_RUNS) || 5): Promise<CopyBench | undefined> {
  const { copySqliteToPostgres, loadSqlite } = await import('../src/core/sqlite/copy.ts');
  let sqlite: typeof import('node:sqlite');
  try {
    sqlite = await loadSqlite();
  } catch {
    return undefined;
  }
  const { withPostgres } = await import('../providers/postgres/index.ts');
  const { default: postgres } = await import('postgres');
  const dir = mkdtempSync(join(tmpdir(), 'cpr-bench-copy-'));
  const file = join(dir, 'dev.db');
  const db = new sqlite.DatabaseSync(file);
  db.exec(`CREATE TABLE "User" ("id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, "email" TEXT NOT NULL, "name" TEXT, "isAdmin" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" DATETIME NOT NULL, "balance" BIGINT, "settings" JSONB, "score" REAL)`);
  const ins = db.prepare('insert into "User" (email, name, isAdmin, createdAt, balance, settings, score) values (?, ?, ?, ?, ?, ?, ?)');
  // The CSV the baseline loads: the same rows, already in PostgreSQL's spelling.
  const csv: string[] = [];
  db.exec('begin');
  for (let i = 1; i <= ROWS; i++) {
    const name = i % 7 ? `User number ${i}` : null;
    const at = 1704103200000 + i * 1000;
    const balance = i % 3 ? BigInt(i) * 1_000_003n : null;
    const settings = i % 5 ? `{"theme":"${i % 2 ? 'dark' : 'light'}","n":${i}}` : null;
    const score = i / 7;
    ins.run(`user${i}@example.com`, name, i % 2, at, balance, settings, score);
    const q = (s: string | null) => (s === null ? '' : `"${s.replace(/"/g, '""')}"`);
    csv.push(`${i},${q(`user${i}@example.com`)},${q(name)},${i % 2 ? 't' : 'f'},${new Date(at).toISOString()},${balance ?? ''},${q(settings)},${score}\n`);
  }
  db.exec('commit');
  db.close();
  const csvText = csv.join('');

  let n = 0;
  const fresh = async () => {
    const name = `bench_copy_${++n}`;
    await pg.sql(`create database ${name}`);
    await pg.sql(SCHEMA, name);
    return pg.url(name);
  };
  const writes: number[] = [];
  const viaCopy = async () => {
    const url = await fresh();
    const t0 = performance.now();
    const r = await copySqliteToPostgres({ sqliteFile: file, databaseUrl: url, connect: withPostgres, signal: new AbortController().signal });
    writes.push(r.tables.reduce((n, t) => n + t.ms, 0));
    return performance.now() - t0;
  };
  const viaCsv = async () => {
    const url = await fresh();
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    try {
      const t0 = performance.now();
      await sql.begin(async (tx) => {
        const w = await tx.unsafe(`copy "User" ("id", "email", "name", "isAdmin", "createdAt", "balance", "settings", "score") from stdin with (format csv)`).writable();
        await new Promise<void>((resolve, reject) => {
          w.on('error', reject);
          w.on('finish', resolve);
          w.end(csvText);
        });
      });
      return performance.now() - t0;
    } finally {
      await sql.end({ timeout: 1 });
    }
  };
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const a: number[] = [];
  const b: number[] = [];
  await viaCopy();
  await viaCsv(); // warm up
  for (let i = 0; i < runs; i++) {
    a.push(await viaCopy());
    b.push(await viaCsv());
  }
  rmSync(dir, { recursive: true, force: true });
  const copyMs = median(a);
  const baselineMs = median(b);
  return { rows: ROWS, writeMs: median(writes.slice(1)), copyMs, copyRowsPerSecond: Math.round((ROWS * 1000) / copyMs), baselineMs, baselineRowsPerSecond: Math.round((ROWS * 1000) / baselineMs), ratio: copyMs / baselineMs };
}

export function copyBenchLine(r: CopyBench | undefined): string {
  const label = 'sqlite → postgres copy, 100k rows'.padEnd(34);
  if (!r) return `${label} skipped: node:sqlite needs Node 22.13+ (this is ${process.version})`;
  const f = (x: number) => x.toLocaleString('en-US');
  return `${label} ${f(r.copyRowsPerSecond).padStart(10)} rows/s vs COPY csv ${f(r.baselineRowsPerSecond).padStart(10)} rows/s   ratio ${r.ratio.toFixed(2)} (${r.copyMs.toFixed(0)} ms vs ${r.baselineMs.toFixed(0)} ms, with the read-back proof; writing alone ${r.writeMs.toFixed(0)} ms, ratio ${(r.writeMs / r.baselineMs).toFixed(2)})`;
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) {
  const { startPostgres } = await import('../test/harness/postgres.ts');
  const pg = await startPostgres();
  try {
    const r = await benchSqliteCopy(pg);
    console.log(copyBenchLine(r));
    if (r) console.log(`target: within 3× of COPY (${r.ratio <= 3 ? 'met' : 'missed'})`);
  } finally {
    await pg.stop();
  }
}
