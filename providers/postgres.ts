// PostgreSQL: DATABASE_URL. `verify` connects with postgres.js (porsager), loaded lazily so that startup
// never pays for it, and runs one read-only query: server version, user, database, whether the user may
// CREATE in its schema, and whether the connection is encrypted.
//
// TLS is negotiated here, not by the driver: a socket factory sends the SSLRequest itself and hands the
// driver a ready (TLS or plain) socket. That gives libpq's sslmode semantics, precise errors ("server does
// not support SSL", which certificate check failed) and an exact tls/plaintext answer.
//
// sslmode, as libpq (psql, most managed-Postgres docs) defines it:
//   disable          plaintext
//   allow, prefer    (and no sslmode) TLS if the server offers it, else plaintext
//   require          TLS, certificate NOT verified (verify-ca when sslrootcert is given, as libpq does)
//   no-verify        TLS, certificate not verified (a node-postgres spelling)
//   verify-ca        TLS, chain verified against sslrootcert (or the system CAs), host name not checked
//   verify-full      TLS, chain and host name verified
// node-postgres (`pg`) differs: since pg 8 / pg-connection-string 2.6 it treats sslmode=require (and
// prefer, verify-ca) as verify-full, so the self-signed or private-CA chains of Render, Heroku-style and
// some other managed databases fail there with DEPTH_ZERO_SELF_SIGNED_CERT / SELF_SIGNED_CERT_IN_CHAIN
// even though psql connects fine. `verify` follows libpq (what users of managed Postgres expect) and
// warns when the project depends on `pg` and the URL says sslmode=require.
import type { Socket } from 'node:net';
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { checkedString } from '../src/core/schema.ts';
import { UserError, VerifyError } from '../src/core/errors.ts';
import type { ProjectInfo } from '../src/core/project.ts';
import { defineProvider, type Io, type Sql, type Verified } from '../src/core/provider.ts';

export type { Sql };
import { localService } from '../src/core/files/compose.ts';
import { connectionUrl, isLoopbackHost } from '../src/core/urls.ts';
import { TLS_CERT_CODES } from '../src/net/tls-codes.ts';

export const LOCAL_DATABASE_URL = 'postgres://app:app@localhost:5432/app';
const SHAPE = 'postgres://USER:PASSWORD@HOST:5432/DATABASE';
const SSLMODES = ['disable', 'allow', 'prefer', 'require', 'no-verify', 'verify-ca', 'verify-full'] as const;
type SslMode = (typeof SSLMODES)[number];

export interface PgTarget {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  sslmode: SslMode;
  /** true when the URL names an sslmode (else the default, prefer). */
  sslmodeGiven: boolean;
  sslrootcert?: string;
  /** Startup `options` (e.g. Neon's endpoint=…), passed through. */
  options?: string;
}

// --- format check ---------------------------------------------------------------------------------------

/** Why a DATABASE_URL is not usable, or undefined. The value itself is never echoed (it holds a password). */
export function postgresUrlProblem(value: string): string | undefined {
  const u = connectionUrl('DATABASE_URL', value, ['postgres', 'postgresql'], SHAPE);
  if (typeof u === 'string') return u;
  if (!u.username) return `DATABASE_URL has no user name: ${SHAPE}`;
  const db = u.pathname.replace(/^\//, '');
  if (!db) return `DATABASE_URL has no database name: add it after the host, as in ${SHAPE}`;
  if (db.includes('/')) return 'DATABASE_URL database name must not contain "/"';
  const sslmode = u.searchParams.get('sslmode');
  if (sslmode !== null && !(SSLMODES as readonly string[]).includes(sslmode))
    return `DATABASE_URL sslmode must be one of ${SSLMODES.join(', ')}${/^[a-z-]{1,16}$/.test(sslmode) ? ` (not "${sslmode}")` : ''}`;
  return undefined;
}

export const databaseUrlSchema = checkedString(postgresUrlProblem);

export function parsePostgresUrl(value: string): PgTarget {
  const p = postgresUrlProblem(value);
  if (p) throw new VerifyError(p, `DATABASE_URL looks like ${SHAPE}`, 'BAD_URL');
  const u = new URL(value);
  const q = u.searchParams;
  const given = q.get('sslmode') as SslMode | null;
  return {
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: u.port ? Number(u.port) : 5432,
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: decodeURIComponent(u.pathname.slice(1)),
    sslmode: given ?? 'prefer',
    sslmodeGiven: given !== null,
    sslrootcert: q.get('sslrootcert') || undefined,
    options: q.get('options') || undefined,
  };
}

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

type Phase = 'connect' | 'ssl-request' | 'tls' | 'startup' | 'query';

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

/** A postgres.js client on one connection, as `fn` sees it. */

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

function describe(row: Row, t: PgTarget, where: string, mode: SslMode, state: { tls: boolean; protocol?: string }, project: ProjectInfo): Verified {
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

// --- TLS negotiation ------------------------------------------------------------------------------------

const SSL_REQUEST = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]); // length 8, code 80877103

class NegotiationError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/** A connected socket for postgres.js: plain, or TLS after a successful SSLRequest. */
async function openSocket(
  t: PgTarget,
  mode: SslMode,
  ca: string | undefined,
  signal: AbortSignal,
  state: { phase: Phase; tls: boolean; protocol?: string; sockets: Socket[] },
): Promise<Socket> {
  const net = await import('node:net');
  const raw = new net.Socket();
  state.sockets.push(raw);
  state.phase = 'connect';
  await new Promise<void>((resolve, reject) => {
    const onAbort = () => (raw.destroy(), reject(new NegotiationError('aborted', 'ABORTED')));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    raw.once('error', (e) => (signal.removeEventListener('abort', onAbort), reject(e)));
    raw.once('connect', () => (signal.removeEventListener('abort', onAbort), raw.removeAllListeners('error'), resolve()));
    raw.connect(t.port, t.host);
  });
  if (mode === 'disable') {
    state.phase = 'startup';
    return raw;
  }

  state.phase = 'ssl-request';
  const answer = await new Promise<number>((resolve, reject) => {
    const cleanup = () => {
      signal.removeEventListener('abort', onAbort);
      raw.removeListener('data', onData);
      raw.removeListener('error', onError);
      raw.removeListener('close', onClose);
    };
    const onAbort = () => (cleanup(), raw.destroy(), reject(new NegotiationError('aborted', 'ABORTED')));
    const onError = (e: Error) => (cleanup(), reject(e));
    const onClose = () => (cleanup(), reject(new NegotiationError('the server closed the connection after the SSL request', 'CLOSED_ON_SSL_REQUEST')));
    const onData = (d: Buffer) => {
      cleanup();
      raw.pause();
      // More than the one answer byte before the handshake would be injected plaintext (CVE-2021-23222).
      if (d.length !== 1) return reject(new NegotiationError('unexpected data in answer to the SSL request', 'NOT_POSTGRES'));
      resolve(d[0]!);
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    raw.on('data', onData);
    raw.once('error', onError);
    raw.once('close', onClose);
    raw.write(SSL_REQUEST);
  });

  if (answer === 0x4e /* N */) {
    if (mode === 'prefer' || mode === 'allow') {
      state.phase = 'startup';
      raw.resume();
      return raw;
    }
    raw.destroy();
    throw new NegotiationError('the server does not support SSL', 'SSL_NOT_SUPPORTED');
  }
  if (answer !== 0x53 /* S */) {
    raw.destroy();
    throw new NegotiationError(`unexpected answer to the SSL request (0x${answer.toString(16)})`, 'NOT_POSTGRES');
  }

  state.phase = 'tls';
  const tls = await import('node:tls');
  const verify = mode === 'verify-ca' || mode === 'verify-full';
  const secure = tls.connect({
    socket: raw,
    // `host` is what the certificate is checked against: with only `socket` given, Node checks 'localhost'.
    host: t.host,
    servername: net.isIP(t.host) ? undefined : t.host,
    rejectUnauthorized: verify,
    ...(verify && ca ? { ca } : {}),
    ...(mode === 'verify-ca' ? { checkServerIdentity: () => undefined } : {}),
  });
  state.sockets.push(secure);
  await new Promise<void>((resolve, reject) => {
    const cleanup = () => {
      signal.removeEventListener('abort', onAbort);
      secure.removeListener('error', onError);
    };
    const onAbort = () => (cleanup(), secure.destroy(), reject(new NegotiationError('aborted', 'ABORTED')));
    const onError = (e: Error) => (cleanup(), secure.destroy(), reject(e));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    secure.once('error', onError);
    secure.once('secureConnect', () => (cleanup(), resolve()));
  });
  state.tls = true;
  state.protocol = secure.getProtocol() ?? undefined;
  state.phase = 'startup';
  return secure;
}

// --- errors ---------------------------------------------------------------------------------------------


/** The error for an aborted check: a timeout (ours, or the caller's AbortSignal.timeout) or the caller's abort reason. */
function abortToError(signal: AbortSignal, where: string, timeoutMs: number | undefined, phase: Phase): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name === 'TimeoutError') return timeoutError(where, timeoutMs, phase);
  if (reason instanceof Error) return reason;
  return new DOMException('The PostgreSQL check was aborted', 'AbortError');
}

function timeoutError(where: string, timeoutMs: number | undefined, phase: Phase): VerifyError {
  const s = timeoutMs === undefined ? 'the time allowed' : `${Math.round(timeoutMs / 100) / 10} s`;
  const what: Record<Phase, string> = {
    connect: `no connection to ${where} within ${s}`,
    'ssl-request': `${where} accepted the connection but did not answer within ${s} (is it a PostgreSQL server?)`,
    tls: `the TLS handshake with ${where} did not finish within ${s}`,
    startup: `${where} did not complete the login within ${s}`,
    query: `${where} did not answer the query within ${s}`,
  };
  return new VerifyError(
    `Timed out: ${what[phase]}`,
    phase === 'connect' ? 'check the host and port, and that a firewall or IP allow list lets you in' : 'check that the host and port are a PostgreSQL server',
    'TIMEOUT',
  );
}

function toVerifyError(e: unknown, t: PgTarget, where: string, mode: SslMode, phase: Phase, timeoutMs: number): VerifyError {
  const err = e as { code?: string; message?: string; severity?: string; name?: string };
  const code = err.code ?? '';
  const redact = (s: string) => (t.password ? s.split(t.password).join('****') : s).replace(/\s+/g, ' ').trim();
  const serverMsg = redact(err.message ?? String(e)).slice(0, 200);
  const local = isLoopbackHost(t.host);
  const isLocalDefault = local && t.port === 5432;

  if (err.name === 'PostgresError' || (/^[0-9A-Z]{5}$/.test(code) && err.severity)) {
    switch (code) {
      case '28P01':
        return new VerifyError(
          `${where} rejected user "${t.user}": wrong password or no such user (28P01)`,
          'check the user name and password in DATABASE_URL (copy the connection string again from the dashboard)',
          code,
        );
      case '3D000':
        return new VerifyError(
          `database "${t.database}" does not exist on ${where} (3D000)`,
          `check the database name after the last "/" in DATABASE_URL${local ? `, or create it: createdb ${t.database}` : ''}`,
          code,
        );
      case '28000':
        if (/no encryption/i.test(err.message ?? '') || (!/SSL (on|encryption)/i.test(err.message ?? '') && mode === 'disable'))
          return new VerifyError(
            `${where} requires an encrypted connection: no pg_hba.conf entry for a plaintext connection from user "${t.user}" (28000)`,
            'add ?sslmode=require to DATABASE_URL',
            code,
          );
        return new VerifyError(
          `${where} refused user "${t.user}" for database "${t.database}": ${serverMsg} (28000)`,
          'if the server requires SSL add ?sslmode=require to DATABASE_URL; otherwise allow your IP address in the database\'s access settings (pg_hba.conf / IP allow list)',
          code,
        );
      case '53300':
        return new VerifyError(
          `${where} has too many connections (53300)`,
          'close idle clients, lower your pool size, or use the pooled connection string',
          code,
        );
      case '57P03':
        return new VerifyError(`${where} is not accepting connections yet (starting up or in recovery) (57P03)`, 'wait a moment and try again', code);
      default:
        return new VerifyError(`PostgreSQL error: ${serverMsg} (${code})`, undefined, code || 'POSTGRES');
    }
  }

  switch (code) {
    case 'ECONNREFUSED':
      return new VerifyError(
        `connection refused by ${where}: nothing is listening there`,
        isLocalDefault ? 'is PostgreSQL running? Start the local one with `docker compose up -d postgres`' : 'is PostgreSQL running, and are the host and port right?',
        code,
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NODATA':
    case 'EAI_NONAME':
      return new VerifyError(
        `cannot resolve host ${t.host} (${code === 'EAI_AGAIN' ? 'EAI_AGAIN' : 'ENOTFOUND'})`,
        code === 'EAI_AGAIN' ? 'DNS did not answer: check your network, then try again' : 'check the host name in DATABASE_URL (a typo, or a database that was deleted?)',
        code === 'EAI_AGAIN' ? 'EAI_AGAIN' : 'ENOTFOUND',
      );
    case 'ETIMEDOUT':
    case 'CONNECT_TIMEOUT':
      return timeoutError(where, timeoutMs, code === 'ETIMEDOUT' ? 'connect' : phase);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new VerifyError(`${where} is unreachable from here (${code})`, 'check your network and the host in DATABASE_URL', code);
    case 'SSL_NOT_SUPPORTED':
      return new VerifyError(
        `${where} does not support SSL, but sslmode=${t.sslmode} requires it`,
        'enable SSL on the server, or (for a local database only) use sslmode=disable or prefer',
        code,
      );
    case 'CLOSED_ON_SSL_REQUEST':
    case 'NOT_POSTGRES':
      return new VerifyError(`${where} does not speak the PostgreSQL protocol (${code})`, 'check the host and port in DATABASE_URL', 'NOT_POSTGRES');
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return new VerifyError(
        `the server's certificate is not valid for host ${t.host} (sslmode=verify-full checks the host name)`,
        'use the host name the certificate was issued for, or sslmode=verify-ca to check only the chain',
        code,
      );
    case 'CERT_HAS_EXPIRED':
      return new VerifyError(`the server's certificate has expired (sslmode=${mode})`, 'renew the certificate, or use sslmode=require to encrypt without verifying it', code);
    case 'CONNECTION_CLOSED':
    case 'CONNECTION_ENDED':
    case 'CONNECTION_DESTROYED':
    case 'ECONNRESET':
    case 'EPIPE':
      return new VerifyError(
        `${where} closed the connection ${phase === 'tls' ? 'during the TLS handshake' : 'during login'} (${code})`,
        phase === 'tls' ? 'check sslmode and that the server speaks TLS' : 'check the host and port, and the server log',
        code,
      );
  }
  if (TLS_CERT_CODES.has(code)) {
    const selfSigned = code === 'DEPTH_ZERO_SELF_SIGNED_CERT' || code === 'SELF_SIGNED_CERT_IN_CHAIN';
    return new VerifyError(
      `the server's certificate is ${selfSigned ? 'self-signed' : 'not trusted'} and sslmode=${mode} verifies it (${code})`,
      'sslmode=require encrypts without verifying the certificate; or give the CA certificate with sslrootcert=/path/to/ca.pem',
      code,
    );
  }
  if (phase === 'tls' || /ssl|tls/i.test(code))
    return new VerifyError(`TLS with ${where} failed: ${serverMsg}${code ? ` (${code})` : ''}`, 'check sslmode in DATABASE_URL', code || 'TLS');
  return new VerifyError(`cannot connect to ${where}: ${serverMsg}${code ? ` (${code})` : ''}`, undefined, code || 'ERROR');
}

// --- rotation -------------------------------------------------------------------------------------------

/**
 * The SCRAM-SHA-256 verifier of a password (RFC 5802/7677, as PostgreSQL stores it), computed here as psql's
 * \password does, so ALTER ROLE carries the verifier and the password itself never reaches the server (or
 * its statement log).
 */
export function scramVerifier(password: string, salt = randomBytes(16), iterations = 4096): string {
  const salted = pbkdf2Sync(password.normalize('NFKC'), salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

/** Render's managed databases: their users are made and removed through Render, not ALTER ROLE. */
const isRenderManaged = (host: string) => /\.render\.com$/i.test(host);

/** DATABASE_URL with a new password: 32 random bytes, base64url (nothing to escape in a URL or in SQL). */
function withNewPassword(values: Record<string, string | undefined>): Record<string, string> {
  renderManagedGuard(parsePostgresUrl(values.DATABASE_URL ?? '').host);
  const next = new URL(values.DATABASE_URL ?? '');
  next.password = randomBytes(32).toString('base64url');
  return { DATABASE_URL: next.toString() };
}

async function rotatePassword(values: Record<string, string | undefined>, io: Io, prepared: Record<string, string>): Promise<{ values: Record<string, string>; new: Record<string, string> }> {
  const url = values.DATABASE_URL ?? '';
  const t = parsePostgresUrl(url);
  const password = new URL(prepared.DATABASE_URL!).password;
  await withPostgres(url, io, async (sql) => {
    // The role is the one the URL logs in as; a role may always change its own password.
    await sql.unsafe(`alter role current_user password '${scramVerifier(password)}'`);
  });
  return { values: prepared, new: { role: t.user } };
}

function renderManagedGuard(host: string): void {
  if (isRenderManaged(host))
    throw new VerifyError(
      `${host} is a Render-managed database: its password is not changed with ALTER ROLE`,
      'Render manages its users: Dashboard → your database → Info → Credentials → create a new user (it becomes the default that render.yaml\'s fromDatabase gives your services at their next deploy), put its External Database URL in .env as DATABASE_URL, then delete the old user there',
      'RENDER_MANAGED',
    );
}

// --- the provider ---------------------------------------------------------------------------------------

function snake(name: string): string {
  const s = name.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '') || 'app';
  return /^[a-z]/.test(s) ? s.slice(0, 63) : `app_${s}`.slice(0, 63);
}

/** The local database: the app's own compose Postgres, else ours (app:app@localhost, on a free host port). */
const localPostgres = (project: ProjectInfo) => localService(project, 'postgres', (port) => LOCAL_DATABASE_URL.replace(':5432/', `:${port}/`));

export default defineProvider({
  id: 'postgres',
  title: 'PostgreSQL',
  hint: 'DATABASE_URL',
  docsUrl: 'https://render.com/docs/postgresql-creating-connecting',
  env: [
    {
      key: 'DATABASE_URL',
      aliases: ['POSTGRES_URL', 'DATABASE_URL_POSTGRES', 'POSTGRES_PRISMA_URL', 'POSTGRES_DATABASE_URL', 'PG_URL', 'DB_URL', 'DIRECT_URL', 'DIRECT_DATABASE_URL', 'POSTGRES_URL_NON_POOLING'],
      datasource: true,
      description: 'PostgreSQL connection string: postgres://USER:PASSWORD@HOST:5432/DATABASE (add ?sslmode=require for hosted databases).',
      where: 'Render dashboard → your database → Connections → External Database URL (Neon / Supabase: the project\'s connection string)',
      secret: true,
      schema: databaseUrlSchema,
      app: "z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// or postgresql:// URL' })",
      localDefault: (_known, project) => localPostgres(project).url,
      example: LOCAL_DATABASE_URL,
    },
  ],
  verify: (values, io) => verifyPostgresUrl(values.DATABASE_URL ?? '', io),
  // the app's database: migrations are generated for it and run against it
  database: { urlKey: 'DATABASE_URL', connect: withPostgres, describe: parsePostgresUrl },
  rotations: [
    {
      id: 'postgres.password',
      title: 'PostgreSQL password',
      keys: ['DATABASE_URL'],
      // ALTER ROLE replaces the password at once; the new URL is in .env (pending) before it runs.
      kind: 'in-place',
      prepare: withNewPassword,
      rotate: (values, io, prepared) => rotatePassword(values, io, prepared!),
      revokeHint: 'the old password stopped working when the new one was set (connections already open stay open until they close); services that read DATABASE_URL from render.yaml\'s fromDatabase are not affected',
    },
  ],
  contribute(values, ctx) {
    const name = ctx.project.name;
    const dbName = snake(name);
    const local = localPostgres(ctx.project);
    return {
      render: {
        databases: [
          {
            name: `${name}-db`,
            databaseName: dbName,
            user: dbName,
            plan: 'basic-256mb',
            region: 'oregon',
            postgresMajorVersion: '17',
            ipAllowList: [],
          },
        ],
        envVars: [{ key: 'DATABASE_URL', fromDatabase: { name: `${name}-db`, property: 'connectionString' } }],
      },
      // The app's own Postgres service is reused (its port and credentials); ours is added only without one.
      compose: local.reuse
        ? undefined
        : {
            services: {
              [local.service]: {
                image: 'postgres:17-alpine',
                environment: { POSTGRES_USER: 'app', POSTGRES_PASSWORD: 'app', POSTGRES_DB: 'app' },
                ports: [`${local.hostPort}:5432`],
                healthcheck: { test: ['CMD-SHELL', 'pg_isready -U app -d app'], interval: '5s', timeout: '5s', retries: 10 },
                volumes: ['postgres-data:/var/lib/postgresql/data'],
                restart: 'unless-stopped',
              },
            },
            volumes: ['postgres-data'],
          },
      nextSteps: values.DATABASE_URL === local.url ? [`docker compose up -d ${local.service}`] : [],
    };
  },
});
