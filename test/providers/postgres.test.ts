// The postgres provider against real PostgreSQL servers (throwaway clusters from test/harness/postgres.ts):
// plaintext, TLS with a self-signed certificate, and TLS-only (hostssl) like managed Postgres.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { describe, test } from 'node:test';
import { VerifyError } from '../../src/core/errors.ts';
import { describeProject, type ProjectInfo } from '../../src/core/project.ts';
import type { Io } from '../../src/core/provider.ts';
import provider, { databaseUrlSchema, LOCAL_DATABASE_URL, verifyPostgresUrl } from '../../providers/postgres/index.ts';
import { createRoleAndDatabase, freePort, startPostgres } from '../harness/postgres.ts';
import { withServers } from '../helpers/servers.ts';

const PASSWORD = 'Sup3r-Secret_pw';
const WRONG = 'Wr0ng-Guess_pw';
const ROLE_PW = 'R0le-Secret_pw';

const project = (deps: string[] = []): ProjectInfo =>
  describeProject({ cwd: '/tmp/my-app', pkg: { name: 'My App', dependencies: Object.fromEntries(deps.map((d) => [d, '*'])) }, lockfiles: [], typescript: true });
const io = (signal: AbortSignal = new AbortController().signal, deps: string[] = []): Io => ({ signal, project: project(deps), baseUrl: (d) => d });

/** Runs a check that must fail; returns the error after asserting it never shows a password. */
async function failing(p: Promise<unknown>, ...secrets: string[]): Promise<VerifyError> {
  try {
    await p;
  } catch (e) {
    const err = e as VerifyError;
    for (const s of [PASSWORD, WRONG, ROLE_PW, ...secrets]) {
      assert.ok(!err.message.includes(s), `message leaks a password: ${err.message}`);
      assert.ok(!(err.hint ?? '').includes(s), `hint leaks a password: ${err.hint}`);
    }
    assert.ok(!err.message.includes('\n'), 'one line');
    return err;
  }
  assert.fail('expected the check to fail');
}

const { plain, ssl, sslOnly } = withServers({
  plain: () => startPostgres({ password: PASSWORD }),
  ssl: () => startPostgres({ ssl: true, password: PASSWORD }),
  sslOnly: () => startPostgres({ sslOnly: true, password: PASSWORD }),
}, async () => {
  await createRoleAndDatabase(plain, { user: 'ro', password: ROLE_PW, database: 'rodb' });
  await createRoleAndDatabase(plain, { user: 'owner', password: ROLE_PW, database: 'ownerdb', canCreate: true });
  await plain.sql(`create role limited login password '${ROLE_PW}' connection limit 0`);
});

describe('DATABASE_URL schema', () => {
  const message = (v: string) => {
    const r = databaseUrlSchema.safeParse(v);
    return r.success ? undefined : r.error.issues[0]?.message;
  };

  test('accepts usual connection strings', () => {
    for (const v of [
      'postgres://app:app@localhost:5432/app',
      'postgresql://user:p%40ss@db.example.com/mydb?sslmode=require',
      'postgres://u:p@[::1]:6543/db?sslmode=verify-full&sslrootcert=/etc/ca.pem',
      'postgres://u@host/db',
      'postgresql://neondb_owner:x@ep-cool-1.us-east-2.aws.neon.tech/neondb?sslmode=require&channel_binding=require',
      LOCAL_DATABASE_URL,
    ])
      assert.equal(message(v), undefined, v);
  });

  test('rejects bad URLs with a specific message', () => {
    const cases: [string, RegExp][] = [
      ['localhost:5432/app', /must be a URL like postgres:\/\/USER:PASSWORD@HOST:5432\/DATABASE/],
      ['mysql://u:p@h/db', /must start with postgres:\/\/ or postgresql:\/\/ \(not mysql:\/\/\)/],
      ['postgres:///db', /has no host/],
      ['postgres://u:p@host:5432', /has no database name/],
      ['postgres://u:p@host:5432/', /has no database name/],
      ['postgres://u:p@host:0/db', /port must be between 1 and 65535 \(got 0\)/],
      ['postgres://u:p@host:70000/db', /port must be between 1 and 65535 \(got 70000\)/],
      ['postgres://u:p@host:abc/db', /port must be a number/],
      ['postgres://host:5432/db', /has no user name/],
      ['postgres://u:p@host/db?sslmode=required', /sslmode must be one of disable, allow, prefer, require, no-verify, verify-ca, verify-full/],
      ['postgres://u:pa#ss@host/db', /not a valid URL|port must be/],
      [' postgres://u:p@h/db', /spaces/],
    ];
    for (const [v, re] of cases) assert.match(message(v) ?? '(accepted)', re, v);
  });

  test('never echoes the password', () => {
    for (const v of [`mysql://u:${PASSWORD}@h/db`, `postgres://u:${PASSWORD}@h:99999/db`, `postgres://u:${PASSWORD}@h/`, `postgres://u:${PASSWORD}@h/db?sslmode=required`])
      assert.ok(!(message(v) ?? '').includes(PASSWORD), v);
  });
});

describe('verify: success', () => {
  test('plaintext: identity, version, CREATE privilege', async () => {
    const v = await provider.verify({ DATABASE_URL: plain.url('postgres', 'postgres', PASSWORD) }, io());
    assert.match(v.identity, new RegExp(`^postgres@postgres on PostgreSQL 1\\d\\.\\d+ \\(127\\.0\\.0\\.1:${plain.port}\\)$`));
    assert.equal(v.mode, 'plaintext');
    assert.ok(v.details?.includes('may CREATE in schema public'), String(v.details));
    assert.deepEqual(v.warnings, []);
  });

  test('the database owner may CREATE; a plain role may not (warning)', async () => {
    const own = await verifyPostgresUrl(plain.url('ownerdb', 'owner', ROLE_PW), io());
    assert.match(own.identity, /^owner@ownerdb on PostgreSQL/);
    assert.ok(own.details?.includes('may CREATE in schema public'));
    const ro = await verifyPostgresUrl(plain.url('rodb', 'ro', ROLE_PW), io());
    assert.match(ro.identity, /^ro@rodb on PostgreSQL/);
    assert.equal(ro.warnings.length, 1);
    assert.match(ro.warnings[0]!, /user "ro" may not CREATE in schema public: migrations will fail/);
  });

  test('sslmode=require on a self-signed server: TLS without verification', async () => {
    const v = await verifyPostgresUrl(ssl.url('postgres', 'postgres', PASSWORD, 'sslmode=require'), io());
    assert.equal(v.mode, 'tls');
    assert.match(v.details?.[0] ?? '', /^TLS \(TLSv1\.[23]\), certificate not verified$/);
    assert.deepEqual(v.warnings, []);
  });

  test('no sslmode (prefer) uses TLS when offered, plaintext otherwise', async () => {
    assert.equal((await verifyPostgresUrl(ssl.url('postgres', 'postgres', PASSWORD), io())).mode, 'tls');
    assert.equal((await verifyPostgresUrl(plain.url('postgres', 'postgres', PASSWORD), io())).mode, 'plaintext');
    // A hostssl-only server is reachable without sslmode: prefer negotiates TLS, as libpq does.
    assert.equal((await verifyPostgresUrl(sslOnly.url('postgres', 'postgres', PASSWORD), io())).mode, 'tls');
  });

  test('sslmode=verify-full with sslrootcert trusts the given CA; verify-ca skips the host name', async () => {
    const ca = ssl.certFile!;
    const full = await verifyPostgresUrl(ssl.url('postgres', 'postgres', PASSWORD, `sslmode=verify-full&sslrootcert=${ca}`), io());
    assert.equal(full.mode, 'tls');
    assert.match(full.details?.[0] ?? '', /certificate and host name verified/);
    const caOnly = await verifyPostgresUrl(ssl.url('postgres', 'postgres', PASSWORD, `sslmode=verify-ca&sslrootcert=${ca}`), io());
    assert.match(caOnly.details?.[0] ?? '', /certificate chain verified/);
    // libpq: sslmode=require with a root certificate verifies the chain (verify-ca).
    const req = await verifyPostgresUrl(ssl.url('postgres', 'postgres', PASSWORD, `sslmode=require&sslrootcert=${ca}`), io());
    assert.match(req.details?.[0] ?? '', /certificate chain verified/);
  });

  test('sslrootcert=system means verify-full against the system CAs; an unreadable sslrootcert is reported', async () => {
    const sys = await failing(verifyPostgresUrl(ssl.url('postgres', 'postgres', PASSWORD, 'sslmode=require&sslrootcert=system'), io()));
    assert.equal(sys.code, 'DEPTH_ZERO_SELF_SIGNED_CERT');
    const missing = await failing(verifyPostgresUrl(ssl.url('postgres', 'postgres', PASSWORD, 'sslmode=verify-full&sslrootcert=/nonexistent/ca.pem'), io()));
    assert.equal(missing.code, 'SSLROOTCERT');
    assert.match(missing.message, /cannot read sslrootcert \/nonexistent\/ca\.pem \(ENOENT\)/);
  });

  test('warns about node-postgres when the project uses pg and the URL says sslmode=require', async () => {
    const url = ssl.url('postgres', 'postgres', PASSWORD, 'sslmode=require');
    const v = await verifyPostgresUrl(url, io(undefined, ['pg']));
    assert.equal(v.warnings.length, 1);
    assert.match(v.warnings[0]!, /pg.*verify-full.*sslmode=no-verify.*uselibpqcompat=true/);
    assert.deepEqual((await verifyPostgresUrl(url, io(undefined, ['postgres']))).warnings, []);
  });

  test('warns when a non-loopback host is used without TLS', async () => {
    // 0.0.0.0 reaches the local server on Linux, but is not a loopback name.
    const v = await verifyPostgresUrl(`postgres://postgres:${PASSWORD}@0.0.0.0:${plain.port}/postgres`, io());
    assert.equal(v.mode, 'plaintext');
    assert.ok(v.warnings.some((w) => /not encrypted: add \?sslmode=require/.test(w)), String(v.warnings));
  });
});

describe('verify: failures', () => {
  test('wrong password (28P01)', async () => {
    const e = await failing(verifyPostgresUrl(plain.url('postgres', 'postgres', WRONG), io()));
    assert.ok(e instanceof VerifyError);
    assert.equal(e.code, '28P01');
    assert.match(e.message, /rejected user "postgres": wrong password or no such user \(28P01\)/);
  });

  test('unknown user (28P01)', async () => {
    const e = await failing(verifyPostgresUrl(plain.url('postgres', 'ghost', WRONG), io()));
    assert.equal(e.code, '28P01');
    assert.match(e.message, /user "ghost"/);
  });

  test('unknown database (3D000)', async () => {
    const e = await failing(verifyPostgresUrl(plain.url('nope', 'postgres', PASSWORD), io()));
    assert.equal(e.code, '3D000');
    assert.match(e.message, /database "nope" does not exist/);
  });

  test('TLS-only server and sslmode=disable: 28000 with the sslmode hint', async () => {
    const e = await failing(verifyPostgresUrl(sslOnly.url('postgres', 'postgres', PASSWORD, 'sslmode=disable'), io()));
    assert.equal(e.code, '28000');
    assert.match(e.message, /requires an encrypted connection/);
    assert.match(e.hint ?? '', /\?sslmode=require/);
  });

  test('too many connections (53300)', async () => {
    const e = await failing(verifyPostgresUrl(plain.url('postgres', 'limited', ROLE_PW), io()));
    assert.equal(e.code, '53300');
    assert.match(e.message, /too many connections/);
  });

  test('sslmode=require against a server without SSL', async () => {
    const e = await failing(verifyPostgresUrl(plain.url('postgres', 'postgres', PASSWORD, 'sslmode=require'), io()));
    assert.equal(e.code, 'SSL_NOT_SUPPORTED');
    assert.match(e.message, /does not support SSL, but sslmode=require requires it/);
  });

  test('sslmode=verify-full against a self-signed certificate', async () => {
    const e = await failing(verifyPostgresUrl(ssl.url('postgres', 'postgres', PASSWORD, 'sslmode=verify-full'), io()));
    assert.equal(e.code, 'DEPTH_ZERO_SELF_SIGNED_CERT');
    assert.match(e.message, /self-signed and sslmode=verify-full verifies it/);
    assert.match(e.hint ?? '', /sslmode=require encrypts without verifying/);
    assert.match(e.hint ?? '', /sslrootcert=/);
  });

  test('verify-full with the right CA but a host name the certificate does not name', async () => {
    // The certificate names localhost and 127.0.0.1; 0.0.0.0 reaches the same server.
    const url = `postgres://postgres:${PASSWORD}@0.0.0.0:${ssl.port}/postgres?sslmode=verify-full&sslrootcert=${ssl.certFile}`;
    const e = await failing(verifyPostgresUrl(url, io()));
    assert.equal(e.code, 'ERR_TLS_CERT_ALTNAME_INVALID');
  });

  test('connection refused, with the docker hint only for the local default', async () => {
    const port = await freePort();
    const e = await failing(verifyPostgresUrl(`postgres://app:${PASSWORD}@127.0.0.1:${port}/app`, io()));
    assert.equal(e.code, 'ECONNREFUSED');
    assert.match(e.message, new RegExp(`connection refused by 127\\.0\\.0\\.1:${port}`));
    assert.doesNotMatch(e.hint ?? '', /docker/);
    // The local default (localhost:5432): only when nothing listens there on this machine.
    const busy = await new Promise<boolean>((resolve) => {
      const s = createServer().once('error', () => resolve(true));
      s.listen(5432, '127.0.0.1', () => s.close(() => resolve(false)));
    });
    if (!busy) {
      const local = await failing(verifyPostgresUrl(LOCAL_DATABASE_URL, io()), 'app:app');
      assert.match(local.hint ?? '', /docker compose up -d postgres/);
    }
  });

  test('DNS failure', async () => {
    const e = await failing(verifyPostgresUrl(`postgres://u:${PASSWORD}@no-such-host.invalid:5432/db`, io()));
    assert.ok(e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN', e.code);
    assert.match(e.message, /cannot resolve host no-such-host\.invalid/);
  });

  test('a server that accepts and never answers: timeout (SSL request and login phases)', async () => {
    const silent = await listen(createServer(() => {}));
    try {
      for (const query of ['', '?sslmode=disable']) {
        const t0 = Date.now();
        const e = await failing(verifyPostgresUrl(`postgres://u:${PASSWORD}@127.0.0.1:${port(silent)}/db${query}`, io(), { connectTimeoutMs: 300 }));
        assert.equal(e.code, 'TIMEOUT');
        assert.match(e.message, /^Timed out: .*0\.3 s/);
        assert.ok(Date.now() - t0 < 1500, `took ${Date.now() - t0} ms`);
      }
    } finally {
      silent.close();
    }
  });

  test('the signal aborting mid-connect rejects at once; a timeout signal becomes a TIMEOUT VerifyError', async () => {
    const silent = await listen(createServer(() => {}));
    try {
      const url = `postgres://u:${PASSWORD}@127.0.0.1:${port(silent)}/db`;
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 100);
      let t0 = Date.now();
      await assert.rejects(verifyPostgresUrl(url, io(ac.signal)), (e: Error) => e.name === 'AbortError');
      assert.ok(Date.now() - t0 < 1000, `took ${Date.now() - t0} ms`);

      t0 = Date.now();
      const e = await failing(verifyPostgresUrl(url, io(AbortSignal.timeout(150))));
      assert.equal(e.code, 'TIMEOUT');
      assert.ok(Date.now() - t0 < 1000, `took ${Date.now() - t0} ms`);

      await assert.rejects(verifyPostgresUrl(url, io(AbortSignal.abort())), (err: Error) => err.name === 'AbortError');
    } finally {
      silent.close();
    }
  });

  test('a server that is not PostgreSQL', async () => {
    const http = createHttpServer((_req, res) => res.end('hello'));
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    try {
      const e = await failing(verifyPostgresUrl(`postgres://u:${PASSWORD}@127.0.0.1:${(http.address() as AddressInfo).port}/db`, io()));
      assert.equal(e.code, 'NOT_POSTGRES');
    } finally {
      http.close();
    }
  });

  test('a malformed URL fails before any network use', async () => {
    const e = await failing(verifyPostgresUrl(`mysql://u:${PASSWORD}@h/db`, io()));
    assert.equal(e.code, 'BAD_URL');
  });
});

describe('contribute and module shape', () => {
  test('render.yaml database, env wiring, compose service and next steps', () => {
    const ctx = { project: project(), all: {} };
    assert.equal(ctx.project.name, 'my-app');
    const c = provider.contribute({ DATABASE_URL: LOCAL_DATABASE_URL }, ctx);
    assert.deepEqual(c.render?.databases, [
      { name: 'my-app-db', databaseName: 'my_app', user: 'my_app', plan: 'basic-256mb', region: 'oregon', postgresMajorVersion: '17', ipAllowList: [] },
    ]);
    assert.deepEqual(c.render?.envVars, [{ key: 'DATABASE_URL', fromDatabase: { name: 'my-app-db', property: 'connectionString' } }]);
    const svc = c.compose?.services?.postgres as Record<string, unknown>;
    assert.equal(svc.image, 'postgres:17-alpine');
    assert.deepEqual(svc.environment, { POSTGRES_USER: 'app', POSTGRES_PASSWORD: 'app', POSTGRES_DB: 'app' });
    assert.deepEqual(svc.ports, ['5432:5432']);
    assert.deepEqual((svc.healthcheck as { test: string[] }).test, ['CMD-SHELL', 'pg_isready -U app -d app']);
    assert.deepEqual(svc.volumes, ['postgres-data:/var/lib/postgresql/data']);
    assert.equal(svc.restart, 'unless-stopped');
    assert.deepEqual(c.compose?.volumes, ['postgres-data']);
    assert.deepEqual(c.nextSteps, ['docker compose up -d postgres']);
    assert.deepEqual(provider.contribute({ DATABASE_URL: 'postgres://u:p@db.example.com/x' }, ctx).nextSteps, []);
  });

  test('env declaration', () => {
    const [env] = provider.env;
    assert.equal(env?.key, 'DATABASE_URL');
    assert.equal(env?.secret, true);
    assert.equal(env?.localDefault?.({}, project()), 'postgres://app:app@localhost:5432/app');
    assert.match(env?.where ?? '', /External Database URL/);
  });

  test('postgres.js is only imported lazily, inside verify', () => {
    const dir = new URL('../../providers/postgres/', import.meta.url);
    const src = readdirSync(dir).map((f) => readFileSync(new URL(f, dir), 'utf8')).join('\n');
    assert.doesNotMatch(src, /^import[^;]*from 'postgres'/m);
    assert.match(src, /await import\('postgres'\)/);
  });
});

function listen(s: Server): Promise<Server> {
  return new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve(s)));
}
function port(s: Server): number {
  return (s.address() as AddressInfo).port;
}
