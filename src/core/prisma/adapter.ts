// The PostgreSQL driver adapter (@prisma/adapter-pg) that Prisma's WASM schema engine talks through,
// with the two adapter bugs measured in Prisma 6.19.3 worked around:
// 1. (prisma/orm#27403) the adapter cannot read PostgreSQL catalog types ("char", name, oid vectors,
//    pg_node_tree, regproc…) that the engine's introspection returns: the pg client reports them as
//    text (and their arrays as text arrays), which is how the engine reads them anyway.
// 2. the shadow-database connection kept the main `connectionString` (so it reached the main database)
//    and dropped the shadow database while its pool was still open: the pool here is configured with
//    fields (host, port, user, database), and the shadow pool is closed before its database is dropped.
import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import { randomUUID } from 'node:crypto';

/** Catalog types the adapter does not map: read as text (25) or, for their arrays, as text[] (1009). */
const AS_TEXT = new Set([18, 19, 22, 24, 30, 194, 2205, 2206]);
const AS_TEXT_ARRAY = new Set([1002, 1003]);
const parseTextArray = pg.types.getTypeParser(1009 as Parameters<typeof pg.types.getTypeParser>[0]) as (v: string) => string[];

type Field = { dataTypeID: number };
type QueryResult = { fields?: Field[]; rows?: unknown[][] };

function asText(result: QueryResult | QueryResult[] | undefined): void {
  for (const r of Array.isArray(result) ? result : result ? [result] : [])
    r.fields?.forEach((f, i) => {
      if (AS_TEXT.has(f.dataTypeID)) f.dataTypeID = 25;
      else if (AS_TEXT_ARRAY.has(f.dataTypeID)) {
        f.dataTypeID = 1009;
        for (const row of r.rows ?? []) if (Array.isArray(row) && typeof row[i] === 'string') row[i] = parseTextArray(row[i] as string);
      }
    });
}

/** A pg client whose results report catalog types as text (bug 1). */
class CatalogAsTextClient extends pg.Client {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override query(...args: any[]): any {
    const cb = typeof args.at(-1) === 'function' ? (args.pop() as (err: Error | null, r: QueryResult) => void) : undefined;
    if (cb)
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      return (super.query as any)(...args, (err: Error | null, r: QueryResult) => {
        if (!err) asText(r);
        cb(err, r);
      });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const p = (super.query as any)(...args);
    return p && typeof p.then === 'function' ? p.then((r: QueryResult) => (asText(r), r)) : p;
  }
}

export interface PgFields {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  ssl?: pg.ConnectionConfig['ssl'];
}

/** Connection fields from a postgres:// URL (the adapter must not get a connectionString: bug 2). */
export function pgFields(url: string): PgFields {
  const u = new URL(url);
  const mode = u.searchParams.get('sslmode');
  const ssl = mode === 'disable' || !mode ? undefined : mode === 'verify-full' || mode === 'verify-ca' ? { rejectUnauthorized: true } : { rejectUnauthorized: false };
  return {
    host: decodeURIComponent(u.hostname).replace(/^\[|\]$/g, '') || 'localhost',
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: decodeURIComponent(u.pathname.slice(1)) || decodeURIComponent(u.username),
    ssl,
  };
}

class FixedPrismaPg extends PrismaPg {
  constructor(private readonly fields: PgFields) {
    super({ ...fields, Client: CatalogAsTextClient } as pg.PoolConfig);
  }

  /** A throwaway database on the same server for the engine's shadow work, dropped after its pool is closed. */
  override async connectToShadowDb() {
    const main = await this.connect();
    const database = `prisma_migrate_shadow_db_${randomUUID()}`;
    await main.executeScript(`CREATE DATABASE "${database}"`);
    const shadow = new FixedPrismaPg({ ...this.fields, database });
    const conn = await shadow.connect();
    const dispose = conn.dispose.bind(conn);
    conn.dispose = async () => {
      await dispose().catch(() => undefined);
      await main.executeScript(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`).finally(() => main.dispose());
    };
    return conn;
  }
}

/**
 * The adapter factory, unbound: what a prisma.config.ts `adapter: async () => …` returns (Prisma binds
 * it). Tests use it to run Prisma's own CLI (`migrate deploy`, `migrate status`) where its engine
 * binary cannot be downloaded.
 */
export const prismaPg = (url: string) => new FixedPrismaPg(pgFields(url));

/** The adapter factory as the schema engine wants it (bound: errors cross the WASM boundary as records). */
export function engineAdapter(url: string): object {
  return bindMigrationAwareSqlAdapterFactory(prismaPg(url));
}
