import type { Socket } from 'node:net';
import { UserError, VerifyError } from '../../src/core/errors.ts';
import type { ProjectInfo } from '../../src/core/project.ts';
import { type Io, type Sql, type Verified } from '../../src/core/provider.ts';
import { isLoopbackHost } from '../../src/core/urls.ts';
import { abortToError, toVerifyError } from './errors.ts';
import { openSocket } from './tls.ts';
import { parsePostgresUrl, type Phase, type PgTarget, type SslMode } from './url.ts';

// --- the live check -------------------------------------------------------------------------------------

interface Row {
  version: string;
  version_num: number;
  user: string;
  database: string;
  schema: string | null;
  can_create: boolean | null;
  ssl?: boolean | null;
}

const QUERY_BASE = `select version() as version, current_setting('server_version_num')::int as version_num,
  current_user as "user", current_database() as database, current_schema() as schema,
  case when current_schema() is null then null else has_schema_privilege(current_schema(), 'CREATE') end as can_create`;
const QUERY = `${QUERY_BASE}, (select ssl from pg_stat_ssl where pid = pg_backend_pid()) as ssl`;

/**
 * The live check behind `verify`. `connectTimeoutMs` bounds the whole check (connect, TLS, authentication
 * and query); `io.signal` aborts it at once.
 */
export async function verifyPostgresUrl(url: string, io: Io, opts: { connectTimeoutMs?: number } = {}): Promise<Verified> {
  const run = async (sql: Sql): Promise<Row> => {
    try {
      return ((await sql.unsafe(QUERY)) as unknown as Row[])[0]!;
    } catch (e) {
      // pg_stat_ssl hidden or missing (some Postgres-compatible servers): the socket already knows.
      if ((e as { code?: string }).code === '42P01' || (e as { code?: string }).code === '42501')
        return ((await sql.unsafe(QUERY_BASE)) as unknown as Row[])[0]!;
      throw e;
    }
  };
  const c = await connected(url, io, opts, run);
  return describe(c.result, c.t, c.where, c.mode, c.state, io.project);
}

/**
 * Runs `fn` on one connection made exactly as the live check makes it (sslmode, sslrootcert, the
 * deadline, no PG* variables). A failure to connect, or an error `fn` lets through, is a one-line
 * VerifyError; the connection is always closed.
 */
export async function withPostgres<T>(url: string, io: Pick<Io, 'signal'>, fn: (sql: Sql) => Promise<T>, opts: ConnectOptions = {}): Promise<T> {
  return (await connected(url, io, opts, fn)).result;
}

interface ConnectOptions {
  connectTimeoutMs?: number;
  /** The deadline covers connecting and logging in only, not `fn` (a long copy); `io.signal` still aborts it. */
  deadlineConnectOnly?: boolean;
}

async function connected<T>(url: string, io: Pick<Io, 'signal'>, opts: ConnectOptions, fn: (sql: Sql) => Promise<T>) {
  const t = parsePostgresUrl(url);
  const where = `${t.host.includes(':') ? `[${t.host}]` : t.host}:${t.port}`;
  const timeoutMs = opts.connectTimeoutMs ?? 10_000;
  if (io.signal.aborted) throw abortToError(io.signal, where, undefined, 'connect');

  let ca: string | undefined;
  if (t.sslrootcert && t.sslrootcert !== 'system' && t.sslmode !== 'disable') {
    // A path the user gave in their own URL; read only here, only when TLS may be used.
    const { readFile } = await import('node:fs/promises');
    try {
      ca = await readFile(t.sslrootcert, 'utf8');
    } catch (e) {
      throw new VerifyError(`cannot read sslrootcert ${t.sslrootcert} (${(e as NodeJS.ErrnoException).code ?? 'error'})`, 'sslrootcert must be the path of a PEM CA certificate file', 'SSLROOTCERT');
    }
  }
  // libpq: with a root certificate file, sslmode=require behaves as verify-ca; sslrootcert=system (libpq 16)
  // means the system CAs with verify-full.
  const mode: SslMode =
    t.sslrootcert === 'system' && t.sslmode !== 'disable' ? 'verify-full' : t.sslmode === 'require' && ca ? 'verify-ca' : t.sslmode;

  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new DOMException('deadline', 'TimeoutError')), timeoutMs);
  const signal = AbortSignal.any([io.signal, deadline.signal]);
  const state: { phase: Phase; tls: boolean; protocol?: string; sockets: Socket[] } = { phase: 'connect', tls: false, sockets: [] };

  const { default: postgres } = await import('postgres');
  const options = {
    host: t.host,
    port: t.port,
    user: t.user,
    // A function: an empty password must stay empty (a string '' would fall back to $PGPASSWORD).
    pass: () => t.password,
    database: t.database,
    // Every option is explicit, so postgres.js reads none of the PG* environment variables.
    ssl: false as const, // TLS is done by the socket factory below
    sslnegotiation: null,
    max: 1,
    connect_timeout: Math.max(1, Math.ceil(timeoutMs / 1000)),
    idle_timeout: 0,
    max_lifetime: 0,
    max_pipeline: 1,
    keep_alive: 0,
    backoff: 0,
    prepare: false, // works through transaction-mode poolers (pgbouncer, Supavisor)
    fetch_types: false,
    debug: false,
    publications: 'alltables',
    onnotice: () => {},
    onparameter: () => {
      state.phase = 'query'; // ParameterStatus messages follow a successful login
      if (opts.deadlineConnectOnly) clearTimeout(timer);
    },
    connection: { application_name: 'create-prod-ready', ...(t.options ? { options: t.options } : {}) },
    socket: () => openSocket(t, mode, ca, signal, state),
  };
  const sql = withoutPgEnv(() => postgres(options as unknown as Parameters<typeof postgres>[0]));

  const ended = { done: false };
  const end = async () => {
    if (ended.done) return;
    ended.done = true;
    clearTimeout(timer);
    for (const s of state.sockets) s.destroy();
    await sql.end({ timeout: 0 }).catch(() => undefined);
  };

  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(io.signal.aborted ? abortToError(io.signal, where, undefined, state.phase) : abortToError(deadline.signal, where, timeoutMs, state.phase));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  aborted.catch(() => undefined);

  let result: T;
  try {
    const query = fn(sql as unknown as Sql);
    query.catch(() => undefined);
    result = await Promise.race([query, aborted]);
  } catch (e) {
    if (signal.aborted) {
      await end();
      throw io.signal.aborted ? abortToError(io.signal, where, undefined, state.phase) : abortToError(deadline.signal, where, timeoutMs, state.phase);
    }
    await end();
    if (e instanceof UserError) throw e; // fn's own one-line error, as it is
    throw toVerifyError(e, t, where, mode, state.phase, timeoutMs);
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
    clearTimeout(timer);
  }
  // A clean goodbye (Terminate message) for the server's log; bounded.
  ended.done = true;
  await sql.end({ timeout: 1 }).catch(() => undefined);
  return { result, t, where, mode, state };
}

/**
 * Runs `fn` (synchronously) with every PG* environment variable hidden. postgres.js reads them while it
 * parses its options; every option is passed explicitly, but PGTARGETSESSIONATTRS cannot be overridden by
 * an "unset" value, so the variables are hidden for that one synchronous call and put back at once.
 */
function withoutPgEnv<T>(fn: () => T): T {
  const saved: [string, string][] = [];
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('PG') && v !== undefined) {
      saved.push([k, v]);
      delete process.env[k];
    }
  }
  try {
    return fn();
  } finally {
    for (const [k, v] of saved) process.env[k] = v;
  }
}

export function describe(row: Row, t: PgTarget, where: string, mode: SslMode, state: { tls: boolean; protocol?: string }, project: ProjectInfo): Verified {
  const tls = row.ssl ?? state.tls;
  const version = /PostgreSQL (\d+(?:\.\d+)?(?:\w+)?)/.exec(row.version)?.[1] ?? formatVersionNum(row.version_num);
  const major = Math.floor(Number(row.version_num) / 10000);
  const warnings: string[] = [];
  const details: string[] = [];

  details.push(tls ? `TLS${state.protocol ? ` (${state.protocol})` : ''}, ${certNote(mode)}` : 'not encrypted (plaintext)');
  if (row.schema === null) {
    warnings.push(`user "${row.user}" has no schema on its search_path: migrations will fail (set search_path or create a schema)`);
  } else if (row.can_create) {
    details.push(`may CREATE in schema ${row.schema}`);
  } else {
    warnings.push(
      `user "${row.user}" may not CREATE in schema ${row.schema}: migrations will fail (as the owner: GRANT CREATE ON SCHEMA ${row.schema} TO ${row.user})`,
    );
  }
  if (!tls && !isLoopbackHost(t.host))
    warnings.push(`the connection to ${where} is not encrypted: add ?sslmode=require to DATABASE_URL (most hosted Postgres requires it)`);
  if (major > 0 && major < 13) warnings.push(`PostgreSQL ${major} is past end of life; upgrade to 13 or newer (Render offers up to 17)`);
  if (t.sslmode === 'require' && project.dependencies.includes('pg'))
    warnings.push(
      'node-postgres (pg) treats sslmode=require as verify-full and will reject a self-signed certificate chain; in the URL your app uses, write sslmode=no-verify, or add &uselibpqcompat=true',
    );
  if (t.sslmode === 'no-verify') warnings.push('sslmode=no-verify is a node-postgres spelling: psql and other libpq tools reject it (they call it sslmode=require)');

  return {
    identity: `${row.user}@${row.database} on PostgreSQL ${version} (${where})`,
    mode: tls ? 'tls' : 'plaintext',
    details,
    warnings,
  };
}

function certNote(mode: SslMode): string {
  if (mode === 'verify-full') return 'certificate and host name verified';
  if (mode === 'verify-ca') return 'certificate chain verified';
  return 'certificate not verified';
}

function formatVersionNum(n: number): string {
  const v = Number(n);
  if (!v) return 'unknown';
  return v >= 100000 ? `${Math.floor(v / 10000)}.${v % 10000}` : `${Math.floor(v / 10000)}.${Math.floor(v / 100) % 100}`;
}
