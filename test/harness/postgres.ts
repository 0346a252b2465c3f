// A throwaway PostgreSQL cluster for tests, from the machine's own PostgreSQL binaries (initdb, postgres).
// initdb runs once per process into a template directory; every start copies it (`cp -a`, ~0.4 s instead
// of ~1.2 s). The server listens on 127.0.0.1 only, on a free port, with scram-sha-256 for TCP and trust
// for its private Unix socket (which is how `sql()` runs statements as the superuser).
// As root initdb runs through `runuser -u postgres --`, the server through `setpriv --reuid=postgres`, and
// the directories are chowned to postgres.
// The server is this process's own child (not a pg_ctl daemon), started through `setpriv --pdeathsig
// SIGQUIT` so that it shuts down even when the test process is SIGKILLed; on a normal exit, an exception
// or SIGINT/SIGTERM/SIGHUP, every server still running gets SIGQUIT (immediate shutdown) and its directory
// is removed.
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, closeSync, existsSync, mkdtempSync, openSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, running, track, untrack, type Tracked } from './processes.ts';

export { freePort };

const run = promisify(execFile);

export interface PgServer {
  port: number;
  host: '127.0.0.1';
  /** The superuser's (`postgres`) password. */
  password: string;
  /** postgres://user:password@127.0.0.1:port/db[?query]; defaults: user postgres, db postgres, the superuser password. */
  url(db?: string, user?: string, password?: string, query?: string): string;
  /** Runs one or more statements as the superuser over the Unix socket. */
  sql(statement: string, db?: string): Promise<void>;
  /** The server certificate (self-signed, CN=localhost, SAN localhost + 127.0.0.1) when started with `ssl`. */
  certFile?: string;
  /** The cluster's directory (data dir, socket, log). */
  dir: string;
  stop(): Promise<void>;
}

export interface StartPostgresOptions {
  ssl?: boolean;
  /** Only `hostssl` lines in pg_hba.conf, like managed Postgres: plaintext TCP connections get 28000. Implies ssl. */
  sslOnly?: boolean;
  password?: string;
  /** A fixed port (e.g. the 5432 a docker-compose file publishes) instead of a free one; no retry on another. */
  port?: number;
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const TEMPLATE_PASSWORD = 'template-password';

// --- binaries ------------------------------------------------------------------------------------------

let binDirCache: string | undefined;
/** The directory holding initdb/pg_ctl (the real one, not Debian's wrapper dir). */
function binDir(): string {
  if (binDirCache) return binDirCache;
  const fromEnv = process.env.PG_BIN;
  if (fromEnv && existsSync(join(fromEnv, 'initdb'))) return (binDirCache = fromEnv);
  for (const d of (process.env.PATH ?? '').split(delimiter)) {
    const p = join(d, 'initdb');
    if (d && existsSync(p)) return (binDirCache = dirname(realpathSync(p)));
  }
  for (const v of ['17', '16', '15', '14', '13']) {
    const d = `/usr/lib/postgresql/${v}/bin`;
    if (existsSync(join(d, 'initdb'))) return (binDirCache = d);
  }
  throw new Error('PostgreSQL binaries not found: install postgresql-15 (apt-get install postgresql-15) or set PG_BIN');
}

/** Environment for the server tools: no PG* variables leaking in from the developer's shell. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('PG')) env[k] = v;
  env.LC_ALL = 'C.UTF-8';
  return env;
}

/** A directory the server user owns (postgres as root, else ourselves), mode 0700. */
function ownedTempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(d, 0o700);
  if (isRoot) chownSync(d, postgresIds().uid, postgresIds().gid);
  return d;
}

let idsCache: { uid: number; gid: number } | undefined;
function postgresIds(): { uid: number; gid: number } {
  if (idsCache) return idsCache;
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return (idsCache = { uid, gid });
}

function chownToServer(path: string): void {
  if (isRoot) chownSync(path, postgresIds().uid, postgresIds().gid);
}

// --- template cluster and certificate (once per process) -------------------------------------------------

let templatePromise: Promise<string> | undefined;
function templateDir(): Promise<string> {
  templatePromise ??= (async () => {
    const dir = ownedTempDir('cpr-pg-template-');
    const entry: Tracked = { dir, killSignal: 'SIGQUIT' };
    track(entry);
    const pw = join(dir, 'pw');
    writeFileSync(pw, `${TEMPLATE_PASSWORD}\n`, { mode: 0o600 });
    chownToServer(pw);
    const log = join(dir, 'initdb.log');
    const fd = openSync(log, 'w');
    let child: ChildProcess;
    try {
      child = spawnServer(join(binDir(), 'initdb'), [
      '-D', join(dir, 'data'),
      '-U', 'postgres',
      `--pwfile=${pw}`,
      '--auth-local=trust',
      '--auth-host=scram-sha-256',
      '--no-sync',
      '-E', 'UTF8',
      '--locale=C.UTF-8',
      '--no-instructions',
      ], fd);
    } finally {
      closeSync(fd);
    }
    entry.child = child;
    const code = await new Promise<number | null>((resolve) => {
      child.once('exit', (c) => resolve(c));
      child.once('error', () => resolve(-1));
    });
    if (code !== 0) throw new Error(`initdb failed (${code}): ${readFileSync(log, 'utf8')}`);
    return join(dir, 'data');
  })();
  return templatePromise;
}

let certPromise: Promise<{ cert: string; key: string }> | undefined;
/** One self-signed certificate per process (EC P-256: generated in a few ms). */
export function selfSignedCert(): Promise<{ cert: string; key: string }> {
  certPromise ??= (async () => {
    const d = mkdtempSync(join(tmpdir(), 'cpr-cert-'));
    try {
      await run('openssl', [
        'req', '-x509', '-nodes', '-days', '2',
        '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
        '-subj', '/CN=localhost',
        '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
        '-keyout', join(d, 'key.pem'),
        '-out', join(d, 'cert.pem'),
      ]);
      return { cert: readFileSync(join(d, 'cert.pem'), 'utf8'), key: readFileSync(join(d, 'key.pem'), 'utf8') };
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  })();
  return certPromise;
}

// --- ports ----------------------------------------------------------------------------------------------

// --- the server -----------------------------------------------------------------------------------------

export async function startPostgres(opts: StartPostgresOptions = {}): Promise<PgServer> {
  const ssl = opts.ssl || opts.sslOnly;
  const password = opts.password ?? `pw-${Math.random().toString(36).slice(2, 12)}`;
  const template = await templateDir();
  const dir = ownedTempDir('cpr-pg-');
  const entry: Tracked = { dir, killSignal: 'SIGQUIT' };
  track(entry);
  const data = join(dir, 'data');
  // cp -a keeps ownership (postgres) when run as root; as a normal user everything is ours anyway.
  await run('cp', ['-a', template, data]);

  const conf: string[] = ['listen_addresses=127.0.0.1', `unix_socket_directories=${dir}`, 'fsync=off', 'synchronous_commit=off', 'full_page_writes=off', 'max_connections=20', 'shared_buffers=16MB'];
  let certFile: string | undefined;
  if (ssl) {
    const { cert, key } = await selfSignedCert();
    certFile = join(dir, 'server.crt');
    const keyFile = join(dir, 'server.key');
    writeFileSync(certFile, cert, { mode: 0o644 });
    writeFileSync(keyFile, key, { mode: 0o600 });
    chownToServer(certFile);
    chownToServer(keyFile);
    conf.push('ssl=on', `ssl_cert_file=${certFile}`, `ssl_key_file=${keyFile}`);
  }
  if (opts.sslOnly) {
    const hba = join(data, 'pg_hba.conf');
    const text = readFileSync(hba, 'utf8').replace(/^host(\s)/gm, 'hostssl$1');
    writeFileSync(hba, text);
  }

  const logFile = join(dir, 'server.log');
  let port = 0;
  let child: ChildProcess | undefined;
  for (let attempt = 0; ; attempt++) {
    port = opts.port ?? (await freePort());
    const args = ['-D', data, '-p', String(port), ...conf.flatMap((c) => ['-c', c])];
    writeFileSync(logFile, '');
    const fd = openSync(logFile, 'a');
    try {
      child = spawnServer(join(binDir(), 'postgres'), args, fd);
    } finally {
      closeSync(fd);
    }
    entry.child = child;
    if (await waitReady(child, logFile)) break;
    if (running(child)) {
      child.kill('SIGQUIT');
      await exited(child, 5000);
    }
    if (attempt >= 2) {
      const log = readFileSync(logFile, 'utf8');
      await cleanup();
      throw new Error(`postgres did not start:\n${log}`);
    }
  }

  async function cleanup(): Promise<void> {
    if (running(child)) {
      child.kill('SIGINT'); // fast shutdown
      if (!(await exited(child, 5000))) {
        child.kill('SIGKILL');
        await exited(child, 2000);
      }
    }
    rmSync(dir, { recursive: true, force: true });
    untrack(entry);
  }

  const server: PgServer = {
    port,
    host: '127.0.0.1',
    password,
    dir,
    certFile,
    url(db = 'postgres', user = 'postgres', pw = password, query) {
      const auth = `${encodeURIComponent(user)}${pw === '' ? '' : `:${encodeURIComponent(pw)}`}`;
      return `postgres://${auth}@127.0.0.1:${port}/${encodeURIComponent(db)}${query ? `?${query.replace(/^\?/, '')}` : ''}`;
    },
    sql: (statement, db = 'postgres') => superSql(dir, port, statement, db),
    async stop() {
      await cleanup();
    },
  };
  await server.sql(`alter role postgres password '${password.replace(/'/g, "''")}'`);
  return server;
}

let setprivOk: boolean | undefined;
/** util-linux setpriv (Linux): drops to the postgres user without an extra process, and sets a parent-death signal. */
export function hasSetpriv(): boolean {
  if (setprivOk === undefined) {
    try {
      execFileSync('setpriv', ['--version'], { stdio: 'ignore' });
      setprivOk = true;
    } catch {
      setprivOk = false;
    }
  }
  return setprivOk;
}

/** A server program (postgres, initdb) as a direct child, as postgres when we are root, dying with us when setpriv is available. */
function spawnServer(bin: string, args: string[], logFd: number): ChildProcess {
  let cmd = bin;
  let argv = args;
  if (hasSetpriv()) {
    const ids = isRoot ? ['--reuid=postgres', '--regid=postgres', '--init-groups'] : [];
    cmd = 'setpriv';
    argv = [...ids, '--pdeathsig', 'SIGQUIT', '--', bin, ...args];
  } else if (isRoot) {
    cmd = 'runuser';
    argv = ['-u', 'postgres', '--', bin, ...args];
  }
  const child = spawn(cmd, argv, { env: cleanEnv(), stdio: ['ignore', logFd, logFd] });
  child.on('error', () => undefined);
  return child;
}

/** True once the log says the server accepts connections; false when it exits (or after 30 s). */
async function waitReady(child: ChildProcess, logFile: string): Promise<boolean> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (/database system is ready to accept connections/.test(readFileSync(logFile, 'utf8'))) return true;
    if (!running(child)) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
  return false;
}

function exited(child: ChildProcess, ms: number): Promise<boolean> {
  if (!running(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(t);
      resolve(true);
    });
  });
}

/** Statements as the superuser over the server's Unix socket (trust auth), with the porsager client. */
async function superSql(dir: string, port: number, statement: string, db: string): Promise<void> {
  const { default: postgres } = await import('postgres');
  // PG* variables hidden while postgres.js parses its options (it reads PGTARGETSESSIONATTRS and others).
  const saved = Object.entries(process.env).filter(([k]) => k.startsWith('PG'));
  for (const [k] of saved) delete process.env[k];
  let sql: ReturnType<typeof postgres>;
  try {
    sql = postgres({
      path: join(dir, `.s.PGSQL.${port}`),
      host: '127.0.0.1', // unused with path
      port,
      user: 'postgres',
      pass: () => '',
      database: db,
      max: 1,
      ssl: false,
      prepare: false,
      fetch_types: false,
      connect_timeout: 10,
      idle_timeout: 0,
      onnotice: () => {},
      connection: { application_name: 'test-harness' },
    });
  } finally {
    for (const [k, v] of saved) process.env[k] = v;
  }
  try {
    await sql.unsafe(statement).simple();
  } finally {
    await sql.end({ timeout: 1 });
  }
}

/**
 * A login role and a database for it. With `canCreate: false` (the default) the database belongs to the
 * superuser and the role may connect and use schema public but not CREATE in it (migrations would fail).
 * With `canCreate: true` the role owns the database (and so, on PostgreSQL 15+, schema public).
 */
export async function createRoleAndDatabase(
  server: PgServer,
  opts: { user: string; password: string; database: string; canCreate?: boolean },
): Promise<void> {
  const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;
  const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;
  await server.sql(`create role ${ident(opts.user)} login password ${lit(opts.password)}`);
  if (opts.canCreate) {
    await server.sql(`create database ${ident(opts.database)} owner ${ident(opts.user)}`);
  } else {
    await server.sql(`create database ${ident(opts.database)}`);
    await server.sql(
      `revoke create on schema public from public; grant usage on schema public to ${ident(opts.user)}; grant connect on database ${ident(opts.database)} to ${ident(opts.user)}`,
      opts.database,
    );
  }
}
