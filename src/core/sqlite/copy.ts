// Moves the rows of a SQLite file into the PostgreSQL tables the project's migration tool already made,
// and proves it: per table, the row count and a checksum of the converted values computed on both sides.
//
// - The SQLite file is opened read-only with node:sqlite (Node 22.13+; no native module, no download).
// - The target tables, columns, types, primary keys, foreign keys and sequences come from pg_catalog.
// - The whole copy is ONE transaction: tables locked against writers, refused when any already has rows,
//   copied in foreign-key order in batches (COPY … FROM STDIN, one statement per batch), read back and
//   compared, sequences set to max(id)+1, then committed. Any failure, mismatch or abort (Ctrl+C) rolls
//   it all back: the target is as it was before.
// - Foreign keys inside a cycle (a self-reference, or tables that point at each other) are checked at the
//   end of the transaction instead of per statement (made DEFERRABLE for the copy, restored after).
import { createHash, type Hash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import type postgres from 'postgres';
import { Cancelled, UserError } from '../errors.ts';
import type { Database } from '../provider.ts';
import { convert, ConvertError, copyField, kindOf, NEEDS_NORMALIZE, normalize, targetExpr, type EpochUnit, type Kind, type SqliteValue } from './values.ts';

export interface CopyProgress {
  /** The target table. */
  table: string;
  /** Rows of this table copied (or, in the `verify` phase, read back) so far, and its row count. */
  done: number;
  total: number;
  phase: 'copy' | 'verify';
  /** All tables: rows done and rows in total (copy phase). */
  allDone: number;
  allTotal: number;
}

export interface CopyOptions {
  sqliteFile: string;
  databaseUrl: string;
  /** The database provider's connection (`Provider.database.connect`). */
  connect: Database['connect'];
  /** Only these tables (SQLite names); default every table but the bookkeeping ones. */
  tables?: string[];
  signal: AbortSignal;
  onProgress?: (p: CopyProgress) => void;
  /** Rows per COPY statement (default 5,000). */
  batchRows?: number;
}

export interface TableReport {
  /** The PostgreSQL table name. */
  name: string;
  /** The SQLite table it came from (same name, or the same ignoring case). */
  source: string;
  rows: number;
  /** Rows PostgreSQL holds after the copy (read back). */
  targetRows: number;
  /** sha256 of the converted values, in primary-key order (or, without a primary key, a sum of row hashes). */
  sourceChecksum: string;
  targetChecksum: string;
  /** Time spent copying this table (not the read-back). */
  ms: number;
}

export interface CopyReport {
  tables: TableReport[];
  totals: { tables: number; rows: number; ms: number; rowsPerSecond: number };
  /** Tables not copied, and why (migration bookkeeping, SQLite internals). */
  skipped: { name: string; reason: string }[];
  /** Sequences and identity columns set so that the next insert gets max(id)+1. */
  sequences: { table: string; column: string; next: string }[];
  /** Foreign keys in a cycle, checked at the end of the copy. */
  deferred: string[];
}

/** Refused: the target already holds rows in these tables (nothing was copied). */
export class TargetNotEmptyError extends UserError {
  constructor(readonly tables: string[]) {
    super(
      `PostgreSQL already has rows in ${tables.map((t) => `"${t}"`).join(', ')}: the copy goes into empty tables only, nothing was copied`,
      'point DATABASE_URL at a new database, or empty those tables first (the SQLite file is unchanged)',
    );
    this.name = 'TargetNotEmptyError';
  }
}

/** The SQLite file, the target schema or a value does not fit; nothing was copied. */
export class SqliteCopyError extends UserError {
  constructor(message: string, hint?: string) {
    super(message, hint);
    this.name = 'SqliteCopyError';
  }
}

/** Migration bookkeeping and SQLite's own tables: never copied (the Postgres side keeps its own history). */
const BOOKKEEPING: Record<string, string> = {
  _prisma_migrations: "Prisma's migration history (PostgreSQL keeps its own)",
  __drizzle_migrations: "Drizzle's migration history (PostgreSQL keeps its own)",
  sqlite_sequence: "SQLite's autoincrement counters (sequences are set from the data instead)",
};
const TARGET_BOOKKEEPING = new Set(['_prisma_migrations', '__drizzle_migrations', 'pgmigrations', 'schema_migrations', 'knex_migrations', 'knex_migrations_lock']);

type Sql = Pick<postgres.Sql, 'unsafe'>;
type DatabaseSync = import('node:sqlite').DatabaseSync;

interface TargetColumn {
  name: string;
  kind: Kind;
  typname: string;
  /** pg_attribute.atttypmod: timestamp(p) precision, numeric(p,s) scale; -1 when none. */
  typmod: number;
  notNull: boolean;
  generated: boolean;
  collatable: boolean;
  sequence: string | null;
}
interface TargetTable {
  name: string;
  columns: TargetColumn[];
  pk: string[];
}
interface Fk {
  name: string;
  table: string;
  ref: string;
  deferrable: boolean;
}
interface Plan {
  source: string;
  target: TargetTable;
  /** Pairs of SQLite column and target column, in target order. */
  cols: { src: string; dst: TargetColumn; unit: EpochUnit }[];
  rows: number;
}

const q = (id: string) => `"${id.replace(/"/g, '""')}"`;

/** node:sqlite, without its one-time ExperimentalWarning (Node 22 prints it; the feature is what we need). */
export async function loadSqlite(): Promise<typeof import('node:sqlite')> {
  const emit = process.emitWarning;
  process.emitWarning = ((w: string | Error, ...rest: unknown[]) => {
    if (/sqlite/i.test(typeof w === 'string' ? w : w.message)) return;
    return (emit as (...a: unknown[]) => void).call(process, w, ...rest);
  }) as typeof process.emitWarning;
  try {
    const mod = await import('node:sqlite');
    if (typeof mod.StatementSync?.prototype?.iterate !== 'function') throw new Error('old');
    return mod;
  } catch {
    throw new SqliteCopyError(`Reading a SQLite file needs Node.js 22.13 or later (this is ${process.version})`, 'upgrade Node.js (22 LTS, 24 or 26) and run the command again');
  } finally {
    process.emitWarning = emit;
  }
}

async function openSqliteReadOnly(file: string): Promise<DatabaseSync> {
  if (!existsSync(file) || !statSync(file).isFile()) throw new SqliteCopyError(`No SQLite file at ${file}`);
  const { DatabaseSync } = await loadSqlite();
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(file, { readOnly: true });
    db.prepare('select count(*) from sqlite_master').get();
  } catch (e) {
    throw new SqliteCopyError(`${file} is not a readable SQLite database (${(e as Error).message.split('\n')[0]})`);
  }
  return db;
}

interface SourceTable {
  name: string;
  columns: string[];
}

function sourceTables(db: DatabaseSync): { tables: SourceTable[]; skipped: { name: string; reason: string }[] } {
  const skipped: { name: string; reason: string }[] = [];
  const tables: SourceTable[] = [];
  const rows = db.prepare("select name from sqlite_master where type = 'table' order by name").all() as { name: string }[];
  for (const { name } of rows) {
    if (BOOKKEEPING[name]) skipped.push({ name, reason: BOOKKEEPING[name]! });
    else if (name.startsWith('sqlite_')) skipped.push({ name, reason: "SQLite's internal table" });
    else {
      const cols = db.prepare(`select name from pragma_table_info(?) order by cid`).all(name) as { name: string }[];
      tables.push({ name, columns: cols.map((c) => c.name) });
    }
  }
  return { tables, skipped };
}

const CATALOG = `
select c.relname as "table", a.attname as "column", bt.typname as typname, a.atttypmod as typmod, a.attnotnull as "notNull",
  a.attgenerated <> '' as generated, bt.typcollation <> 0 as collatable,
  pg_get_serial_sequence(format('%I.%I', n.nspname, c.relname), a.attname) as sequence,
  coalesce(a.attnum = any(i.indkey), false) as pk, array_position(i.indkey::int2[], a.attnum) as "pkPos"
from pg_class c
join pg_namespace n on n.oid = c.relnamespace
join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
join pg_type t on t.oid = a.atttypid
join pg_type bt on bt.oid = case when t.typtype = 'd' then t.typbasetype else t.oid end
left join pg_index i on i.indrelid = c.oid and i.indisprimary
where n.nspname = current_schema() and c.relkind in ('r', 'p')
order by c.relname, a.attnum`;

const FKS = `
select con.conname as name, c.relname as "table", r.relname as ref, con.condeferrable as deferrable
from pg_constraint con
join pg_class c on c.oid = con.conrelid
join pg_class r on r.oid = con.confrelid
join pg_namespace n on n.oid = c.relnamespace
where con.contype = 'f' and n.nspname = current_schema()`;

async function targetCatalog(sql: Sql): Promise<{ tables: Map<string, TargetTable>; fks: Fk[] }> {
  const rows = (await sql.unsafe(CATALOG)) as unknown as {
    table: string; column: string; typname: string; typmod: number; notNull: boolean; generated: boolean; collatable: boolean; sequence: string | null; pk: boolean; pkPos: number | null;
  }[];
  const tables = new Map<string, TargetTable>();
  const pkPos = new Map<string, [number, string][]>();
  for (const r of rows) {
    if (TARGET_BOOKKEEPING.has(r.table)) continue;
    let t = tables.get(r.table);
    if (!t) tables.set(r.table, (t = { name: r.table, columns: [], pk: [] }));
    t.columns.push({ name: r.column, kind: kindOf(r.typname), typname: r.typname, typmod: r.typmod, notNull: r.notNull, generated: r.generated, collatable: r.collatable, sequence: r.sequence });
    if (r.pk) pkPos.set(r.table, [...(pkPos.get(r.table) ?? []), [r.pkPos ?? 0, r.column]]);
  }
  for (const [table, cols] of pkPos) tables.get(table)!.pk = cols.sort((a, b) => a[0] - b[0]).map(([, c]) => c);
  const fks = (await sql.unsafe(FKS)) as unknown as Fk[];
  return { tables, fks: fks.filter((f) => tables.has(f.table) && tables.has(f.ref)) };
}

/** Exact name, else the only one equal ignoring case (an unquoted Postgres identifier is lower case). */
function match<T>(name: string, names: Iterable<T>, key: (t: T) => string): T | undefined {
  const all = [...names];
  const exact = all.find((t) => key(t) === name);
  if (exact) return exact;
  const folded = all.filter((t) => key(t).toLowerCase() === name.toLowerCase());
  return folded.length === 1 ? folded[0] : undefined;
}

/** Tables ordered so that every table comes after the tables it references; cycles kept together. */
export function fkOrder(tables: string[], fks: { table: string; ref: string; name: string }[]): { order: string[]; cyclic: Set<string> } {
  // Tarjan's strongly connected components give the cycles; Kahn's algorithm orders the components.
  const edges = new Map(tables.map((t) => [t, [] as string[]]));
  for (const f of fks) if (edges.has(f.table) && edges.has(f.ref)) edges.get(f.table)!.push(f.ref);
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const comp = new Map<string, number>();
  const comps: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of edges.get(v)!) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const c: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        comp.set(w, comps.length);
        c.push(w);
      } while (w !== v);
      comps.push(c.sort());
    }
  };
  for (const t of tables) if (!idx.has(t)) visit(t);
  // Tarjan emits a component only after every component it references: that is already the order needed.
  const order = comps.flat();
  const cyclic = new Set<string>();
  for (const f of fks) if (comp.has(f.table) && comp.get(f.table) === comp.get(f.ref)) cyclic.add(f.name);
  return { order, cyclic };
}

/** A running checksum of canonical rows: ordered (sha256 over the rows in primary-key order) or, without a primary key, a sum of row hashes. */
class Checksum {
  private hash: Hash | undefined;
  private sum = 0n;
  constructor(ordered: boolean) {
    if (ordered) this.hash = createHash('sha256');
  }
  /** `lines`: canonical rows, each ending in \n (text, or its UTF-8 bytes). */
  add(lines: string | Buffer): void {
    if (this.hash) this.hash.update(lines);
    else
      for (const line of lines.toString().split('\n')) {
        if (!line) continue;
        this.sum = (this.sum + createHash('sha256').update(line).digest().readBigUInt64BE(0)) & 0xffffffffffffffffn;
      }
  }
  digest(): string {
    return this.hash ? this.hash.digest('hex') : `sum:${this.sum.toString(16).padStart(16, '0')}`;
  }
}

/** Copies every table of the SQLite file into the (empty) PostgreSQL tables of the same names. */
export async function copySqliteToPostgres(opts: CopyOptions): Promise<CopyReport> {
  const { signal } = opts;
  const t0 = performance.now();
  const batchRows = Math.max(1, opts.batchRows ?? 5000);
  let committing = false;
  let hardStop: NodeJS.Timeout | undefined;
  const connection = new AbortController();
  let current: { cancel(): void } | undefined;
  const forward = () => {
    if (committing) return;
    hardStop = setTimeout(() => {
      if (committing) return;
      current?.cancel(); // PostgreSQL's cancel request: the statement fails, the transaction rolls back
      hardStop = setTimeout(() => !committing && connection.abort(signal.reason), 5000);
    }, 2000);
  };
  if (signal.aborted) throw cancelled();
  const db = await openSqliteReadOnly(opts.sqliteFile);
  try {
    const src = sourceTables(db);
    let wanted = src.tables;
    if (opts.tables) {
      const unknown = opts.tables.filter((n) => !match(n, src.tables, (t) => t.name));
      if (unknown.length) throw new SqliteCopyError(`The SQLite file has no table ${unknown.map((n) => `"${n}"`).join(', ')}`, `its tables: ${src.tables.map((t) => t.name).join(', ') || 'none'}`);
      wanted = opts.tables.map((n) => match(n, src.tables, (t) => t.name)!);
    }
    // An abort is seen between batches (each ~5,000 rows): the transaction callback throws and the
    // transaction is rolled back on the connection. A statement still running 2 s later (waiting for a
    // lock) is cancelled (PostgreSQL's cancel request), and 5 s after that the connection is closed, which
    // rolls back as well. Once the commit starts the copy finishes (an abort there could no longer tell
    // whether the commit happened).
    signal.addEventListener('abort', forward, { once: true });
    const report = await opts.connect(
      opts.databaseUrl,
      { signal: connection.signal },
      async (sqlAny) => {
        const sql = sqlAny as unknown as postgres.Sql;
        const catalog = await targetCatalog(sql);
        const plans = plan(db, wanted, catalog.tables);
        const byName = new Map(plans.map((p) => [p.target.name, p]));
        const { order, cyclic } = fkOrder([...byName.keys()], catalog.fks);
        const deferred = catalog.fks.filter((f) => cyclic.has(f.name) && byName.has(f.table));
        const ordered = order.map((n) => byName.get(n)!);
        const allTotal = ordered.reduce((n, p) => n + p.rows, 0);
        return (await sql.begin(async (raw) => {
          // every statement of the transaction is remembered, so that a stuck one can be cancelled
          const tx: Sql = {
            unsafe: ((text: string) => {
              const pending = raw.unsafe(text);
              current = pending;
              return pending;
            }) as Sql['unsafe'],
          };
          await tx.unsafe("set local lock_timeout = '30s'");
          if (ordered.length) await tx.unsafe(`lock table ${ordered.map((p) => q(p.target.name)).join(', ')} in exclusive mode`);
          if (signal.aborted) throw cancelled();
          await refuseNonEmpty(tx, ordered);
          for (const f of deferred) if (!f.deferrable) await tx.unsafe(`alter table ${q(f.table)} alter constraint ${q(f.name)} deferrable initially deferred`);
          if (deferred.length) await tx.unsafe(`set constraints ${deferred.map((f) => q(f.name)).join(', ')} deferred`);
          const tables: TableReport[] = [];
          let allDone = 0;
          for (const p of ordered) {
            if (signal.aborted) throw cancelled();
            const started = performance.now();
            const sourceChecksum = await copyTable(db, tx, p, batchRows, signal, (done) => {
              opts.onProgress?.({ table: p.target.name, done, total: p.rows, phase: 'copy', allDone: allDone + done, allTotal });
            });
            allDone += p.rows;
            tables.push({ name: p.target.name, source: p.source, rows: p.rows, targetRows: 0, sourceChecksum, targetChecksum: '', ms: Math.round(performance.now() - started) });
          }
          if (deferred.length) {
            await tx.unsafe('set constraints all immediate');
            for (const f of deferred) if (!f.deferrable) await tx.unsafe(`alter table ${q(f.table)} alter constraint ${q(f.name)} not deferrable`);
          }
          for (const [i, p] of ordered.entries()) {
            const r = await readBack(tx, p, signal, (done) => opts.onProgress?.({ table: p.target.name, done, total: p.rows, phase: 'verify', allDone, allTotal }));
            tables[i]!.targetRows = r.rows;
            tables[i]!.targetChecksum = r.checksum;
          }
          const bad = tables.filter((t) => t.rows !== t.targetRows || t.sourceChecksum !== t.targetChecksum);
          if (bad.length)
            throw new SqliteCopyError(
              `The rows read back from PostgreSQL differ from the SQLite rows in ${bad.map((t) => `"${t.name}"`).join(', ')}: nothing was copied`,
              'a column type that changes values (a smaller numeric scale, float4, char(n)?) — compare the column types with the SQLite data',
            );
          if (signal.aborted) throw cancelled();
          committing = true; // setval() cannot be rolled back: from here on, the copy commits
          const sequences = await resetSequences(tx, ordered);
          const ms = Math.round(performance.now() - t0);
          const rows = tables.reduce((n, t) => n + t.rows, 0);
          return {
            tables,
            totals: { tables: tables.length, rows, ms, rowsPerSecond: ms ? Math.round((rows * 1000) / ms) : rows },
            skipped: src.skipped,
            sequences,
            deferred: deferred.map((f) => `${f.table}.${f.name} → ${f.ref}`),
          } satisfies CopyReport;
        })) as CopyReport;
      },
      { connectTimeoutMs: 15_000, deadlineConnectOnly: true },
    );
    return report;
  } catch (e) {
    if (signal.aborted && !committing) throw cancelled();
    throw e;
  } finally {
    signal.removeEventListener('abort', forward);
    clearTimeout(hardStop);
    db.close();
  }
}

function cancelled(): Cancelled {
  return new Cancelled('Cancelled: the copy was rolled back, PostgreSQL is as it was before. The SQLite file is unchanged.');
}

function plan(db: DatabaseSync, wanted: SourceTable[], targets: Map<string, TargetTable>): Plan[] {
  const missing = wanted.filter((s) => !match(s.name, targets.values(), (t) => t.name));
  if (missing.length)
    throw new SqliteCopyError(
      `PostgreSQL has no table ${missing.map((t) => `"${t.name}"`).join(', ')} in its current schema`,
      "create the schema first with the project's migrations (prisma migrate deploy, drizzle-kit migrate), then copy",
    );
  return wanted.map((s) => {
    const target = match(s.name, targets.values(), (t) => t.name)!;
    const lost = s.columns.filter((c) => !match(c, target.columns.filter((d) => !d.generated), (d) => d.name));
    if (lost.length)
      throw new SqliteCopyError(
        `PostgreSQL table "${target.name}" has no column ${lost.map((c) => `"${c}"`).join(', ')} for the SQLite data of "${s.name}"`,
        'the PostgreSQL schema must have every SQLite column (the copy never drops data)',
      );
    const cols = s.columns.map((c) => {
      const dst = match(c, target.columns, (d) => d.name)!;
      return { src: c, dst, unit: epochUnit(db, s.name, c, dst.kind) };
    });
    const rows = Number((db.prepare(`select count(*) as n from ${q(s.name)}`).get() as { n: number | bigint }).n);
    return { source: s.name, target, cols, rows };
  });
}

/**
 * How an integer timestamp column counts: milliseconds (Prisma, Drizzle timestamp_ms) when any value is
 * ≥ 1e11 (a date after 1973 in ms, after the year 5138 in seconds), else seconds (Drizzle timestamp).
 */
function epochUnit(db: DatabaseSync, table: string, col: string, kind: Kind): EpochUnit {
  if (kind !== 'timestamptz' && kind !== 'timestamp' && kind !== 'date') return 'ms';
  const r = db.prepare(`select max(abs(${q(col)})) as m from ${q(table)} where typeof(${q(col)}) in ('integer', 'real')`).get() as { m: number | null };
  return r.m === null || Number(r.m) >= 1e11 ? 'ms' : 's';
}

async function refuseNonEmpty(tx: Sql, plans: Plan[]): Promise<void> {
  if (!plans.length) return;
  const rows = (await tx.unsafe(
    plans.map((p) => `select ${lit(p.target.name)} as name where exists (select 1 from ${q(p.target.name)})`).join(' union all '),
  )) as unknown as { name: string }[];
  if (rows.length) throw new TargetNotEmptyError(rows.map((r) => r.name));
}

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** Any integer beyond 2^53 in these columns? Then the table is read with bigints (slower), else as numbers. */
function hasBigIntegers(db: DatabaseSync, table: string, cols: string[]): boolean {
  if (!cols.length) return false;
  const big = cols.map((c) => `(typeof(${q(c)}) = 'integer' and (${q(c)} > 9007199254740991 or ${q(c)} < -9007199254740991))`).join(' or ');
  return Boolean((db.prepare(`select exists (select 1 from ${q(table)} where ${big}) as big`).get() as { big: number }).big);
}

/** Resolves when the stream has finished, rejects on its error; `write` waits for the stream to drain. */
function copyStream(w: NodeJS.WritableStream): { write(chunk: Buffer): Promise<void>; end(): Promise<void>; fail(e: Error): void } {
  let error: Error | undefined;
  const finished = new Promise<void>((resolve, reject) => {
    w.on('error', (e: Error) => {
      error = e;
      reject(e);
    });
    w.on('finish', resolve);
  });
  finished.catch(() => undefined);
  return {
    async write(chunk) {
      if (error) throw error;
      if (!w.write(chunk)) await Promise.race([new Promise((r) => w.once('drain', r)), finished]);
      if (error) throw error;
    },
    async end() {
      w.end();
      await finished;
    },
    fail(e) {
      (w as unknown as { destroy(e: Error): void }).destroy(e);
    },
  };
}

/**
 * The source side: SQLite rows in primary-key order, converted, streamed into one COPY … FROM STDIN per
 * table in batches of `batchRows` (each batch waits for the connection to drain); returns the checksum.
 */
async function copyTable(db: DatabaseSync, tx: Sql, p: Plan, batchRows: number, signal: AbortSignal, progress: (done: number) => void): Promise<string> {
  const ordered = p.target.pk.length > 0;
  const sum = new Checksum(ordered);
  const srcOf = new Map(p.cols.map((c) => [c.dst.name, c.src]));
  const orderBy = ordered ? ` order by ${p.target.pk.map((c) => `${q(srcOf.get(c) ?? c)} collate binary`).join(', ')}` : '';
  const stmt = db.prepare(`select ${p.cols.map((c) => q(c.src)).join(', ')} from ${q(p.source)}${orderBy}`);
  // only columns where the digits matter (a boolean is 0/1, a timestamp in ms stays far below 2^53)
  const exact = p.cols.filter((c) => !['bool', 'timestamp', 'timestamptz', 'date', 'bytes'].includes(c.dst.kind));
  stmt.setReadBigInts(hasBigIntegers(db, p.source, exact.map((c) => c.src)));
  const arrays = typeof (stmt as { setReturnArrays?: unknown }).setReturnArrays === 'function';
  if (arrays) stmt.setReturnArrays(true);
  const kinds = p.cols.map((c) => c.dst.kind);
  const units = p.cols.map((c) => c.unit);
  const typmods = p.cols.map((c) => c.dst.typmod);
  const norm = kinds.some((k) => NEEDS_NORMALIZE.has(k));
  const keys = p.cols.map((c) => c.src);
  const w = copyStream((await tx.unsafe(`copy ${q(p.target.name)} (${p.cols.map((c) => q(c.dst.name)).join(', ')}) from stdin`).writable()) as unknown as NodeJS.WritableStream);
  let lines = '';
  let canon = '';
  let n = 0;
  let done = 0;
  const flush = async () => {
    if (!n) return;
    if (signal.aborted) throw cancelled();
    const bytes = Buffer.from(lines); // encoded once: sent, and hashed when it is the canonical text
    await w.write(bytes);
    sum.add(norm ? canon : bytes);
    done += n;
    lines = '';
    canon = '';
    n = 0;
    progress(done);
  };
  try {
    let rowNo = 0;
    for (const raw of stmt.iterate()) {
      rowNo++;
      const row = (arrays ? raw : keys.map((k) => (raw as Record<string, SqliteValue>)[k])) as SqliteValue[];
      let line = '';
      let cline = '';
      for (let i = 0; i < kinds.length; i++) {
        let v: string | null;
        let c: string | null = null;
        try {
          v = convert(kinds[i]!, row[i]!, units[i], typmods[i]);
          if (norm && v !== null && NEEDS_NORMALIZE.has(kinds[i]!)) c = copyField(normalize(kinds[i]!, v));
        } catch (e) {
          if (!(e instanceof ConvertError)) throw e;
          const key = p.target.pk.map((c) => `${c}=${String(row[p.cols.findIndex((x) => x.dst.name === c)])}`).join(', ');
          throw new SqliteCopyError(
            `"${p.source}"."${p.cols[i]!.src}" (${key || `row ${rowNo}`}): ${e.message} for the PostgreSQL ${p.cols[i]!.dst.typname} column; nothing was copied`,
            'fix that value in the SQLite file, or change the column type in the PostgreSQL schema',
          );
        }
        const f = copyField(v);
        line += i ? `\t${f}` : f;
        if (norm) cline += i ? `\t${c ?? f}` : (c ?? f);
      }
      lines += `${line}\n`;
      if (norm) canon += `${cline}\n`;
      if (++n >= batchRows) await flush();
    }
    await flush();
    await w.end();
  } catch (e) {
    w.fail(e instanceof Error ? e : new Error(String(e)));
    const code = (e as { code?: string }).code ?? '';
    if (code.startsWith('ERR_SQLITE') || code === 'ERR_OUT_OF_RANGE')
      throw new SqliteCopyError(`Reading "${p.source}" from the SQLite file failed: ${(e as Error).message.split('\n')[0]}; nothing was copied`);
    throw e;
  }
  return sum.digest();
}

/** COPY's text format back to the value (only for the columns that are normalized). */
function unescapeField(f: string): string | null {
  if (f === '\\N') return null;
  if (!f.includes('\\')) return f;
  return f.replace(/\\(.)/g, (_, c: string) => ({ n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', v: '\v' })[c] ?? c);
}

/**
 * The target side: the stored values read back from PostgreSQL (COPY (SELECT …) TO STDOUT) in
 * primary-key order, in canonical text; checksum and count. Without a column to normalize, PostgreSQL's
 * own output bytes are hashed as they arrive.
 */
async function readBack(tx: Sql, p: Plan, signal: AbortSignal, progress: (done: number) => void): Promise<{ rows: number; checksum: string }> {
  const ordered = p.target.pk.length > 0;
  const sum = new Checksum(ordered);
  const byName = new Map(p.target.columns.map((c) => [c.name, c]));
  // t."col": ORDER BY would otherwise mean the output column of that name (the ::text expression)
  const orderBy = ordered ? ` order by ${p.target.pk.map((c) => `t.${q(c)}${byName.get(c)?.collatable ? ' collate "C"' : ''}`).join(', ')}` : '';
  const kinds = p.cols.map((c) => c.dst.kind);
  const norm = kinds.some((k) => NEEDS_NORMALIZE.has(k));
  const select = `select ${p.cols.map((c) => targetExpr(c.dst.kind, `t.${q(c.dst.name)}`)).join(', ')} from ${q(p.target.name)} t${orderBy}`;
  const stream = (await tx.unsafe(`copy (${select}) to stdout`).readable()) as unknown as AsyncIterable<Buffer>;
  let rows = 0;
  let rest = '';
  let reported = 0;
  const decoder = new TextDecoder();
  // PostgreSQL sends one message per row: they are gathered into ~256 KiB pieces before any work
  let pending: Buffer[] = [];
  let size = 0;
  const take = (chunk: Buffer) => {
    let count = 0;
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) count++;
    rows += count;
    if (!norm && ordered) return sum.add(chunk);
    const text = rest + decoder.decode(chunk, { stream: true });
    const end = text.lastIndexOf('\n') + 1;
    rest = text.slice(end);
    let lines = norm ? '' : text.slice(0, end);
    if (norm)
      for (const line of text.slice(0, end).split('\n')) {
        if (!line) continue;
        const fields = line.split('\t');
        for (let i = 0; i < fields.length; i++) {
          if (!NEEDS_NORMALIZE.has(kinds[i]!)) continue;
          const v = unescapeField(fields[i]!);
          if (v !== null) fields[i] = copyField(normalize(kinds[i]!, v));
        }
        lines += `${fields.join('\t')}\n`;
      }
    sum.add(lines);
  };
  for await (const chunk of stream) {
    if (signal.aborted) throw cancelled();
    pending.push(chunk);
    size += chunk.length;
    if (size < 262_144) continue;
    take(pending.length === 1 ? pending[0]! : Buffer.concat(pending, size));
    pending = [];
    size = 0;
    if (rows - reported >= 2000) {
      reported = rows;
      progress(rows);
    }
  }
  if (size) take(pending.length === 1 ? pending[0]! : Buffer.concat(pending, size));
  progress(rows);
  return { rows, checksum: sum.digest() };
}

/** Every sequence or identity column of a copied table continues at max+1 (tables left empty keep theirs). */
async function resetSequences(tx: Sql, plans: Plan[]): Promise<{ table: string; column: string; next: string }[]> {
  const out: { table: string; column: string; next: string }[] = [];
  for (const p of plans) {
    if (!p.rows) continue;
    for (const c of p.target.columns) {
      if (!c.sequence) continue;
      const r = (await tx.unsafe(`select setval(${lit(c.sequence)}, m)::text as last from (select max(${q(c.name)}) as m from ${q(p.target.name)}) x where m is not null`)) as unknown as { last: string }[];
      if (r[0]) out.push({ table: p.target.name, column: c.name, next: (BigInt(r[0].last) + 1n).toString() });
    }
  }
  return out;
}
