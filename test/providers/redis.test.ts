// The redis provider and its RESP client against real redis-server processes (test/harness/redis.ts):
// no password, with a password, and TLS-only with a self-signed certificate.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { describe, test } from 'node:test';
import { VerifyError } from '../../src/core/errors.ts';
import { describeProject } from '../../src/core/project.ts';
import type { Io } from '../../src/core/provider.ts';
import { encodeCommand, parseReply, redisProbe, ServerError, type RedisProbeError } from '../../src/net/redis.ts';
import provider, { LOCAL_REDIS_URL, redisUrlSchema, verifyRedisUrl } from '../../providers/redis.ts';
import { freePort } from '../harness/postgres.ts';
import { startRedis } from '../harness/redis.ts';
import { withServers } from '../helpers/servers.ts';

const PASSWORD = 'R3dis-Secret_pw';
const WRONG = 'Wr0ng-Guess_pw';

const project = describeProject({ cwd: '/tmp/my-app', pkg: { name: 'my-app' }, lockfiles: [], typescript: true });
const io = (signal: AbortSignal = new AbortController().signal): Io => ({ signal, project, baseUrl: (d) => d });
const never = () => new AbortController().signal;

async function failing(p: Promise<unknown>): Promise<VerifyError> {
  try {
    await p;
  } catch (e) {
    const err = e as VerifyError;
    for (const s of [PASSWORD, WRONG]) {
      assert.ok(!err.message.includes(s), `message leaks a password: ${err.message}`);
      assert.ok(!(err.hint ?? '').includes(s), `hint leaks a password: ${err.hint}`);
    }
    assert.ok(!err.message.includes('\n'), 'one line');
    return err;
  }
  assert.fail('expected the check to fail');
}

const { plain, secured, tls } = withServers({ plain: () => startRedis(), secured: () => startRedis({ password: PASSWORD }), tls: () => startRedis({ tls: true, password: PASSWORD }) });

describe('REDIS_URL schema', () => {
  const message = (v: string) => {
    const r = redisUrlSchema.safeParse(v);
    return r.success ? undefined : r.error.issues[0]?.message;
  };

  test('accepts usual URLs', () => {
    for (const v of [
      'redis://localhost:6379',
      'redis://localhost',
      'redis://:p%40ss@red-abc123:6379',
      'rediss://red-abc123:secret@oregon-keyvalue.render.com:6379',
      'rediss://default:AbC123@eu1-fine-cat-12345.upstash.io:6379',
      'redis://127.0.0.1:6379/2',
      'redis://[::1]:6379/0',
      LOCAL_REDIS_URL,
    ])
      assert.equal(message(v), undefined, v);
  });

  test('rejects bad URLs with a specific message', () => {
    const cases: [string, RegExp][] = [
      ['localhost:6379', /must be a URL like redis:\/\//],
      ['http://localhost:6379', /must start with redis:\/\/ or rediss:\/\/ \(not http:\/\/\)/],
      ['redis://', /has no host/],
      ['redis://localhost:0', /port must be between 1 and 65535 \(got 0\)/],
      ['redis://localhost:99999', /port must be between 1 and 65535 \(got 99999\)/],
      ['redis://localhost:port', /port must be a number/],
      ['redis://localhost:6379/cache', /path must be a database index/],
      ['redis://localhost:6379/1/2', /path must be a database index/],
      ['redis://user@localhost:6379', /user name but no password/],
    ];
    for (const [v, re] of cases) assert.match(message(v) ?? '(accepted)', re, v);
  });

  test('never echoes the password', () => {
    for (const v of [`http://:${PASSWORD}@h`, `redis://:${PASSWORD}@h:0`, `redis://:${PASSWORD}@h/x`]) assert.ok(!(message(v) ?? '').includes(PASSWORD), v);
  });
});

describe('RESP', () => {
  test('encodes commands and parses every reply type, incrementally', () => {
    assert.equal(encodeCommand(['AUTH', 'pä']).toString(), '*2\r\n$4\r\nAUTH\r\n$3\r\npä\r\n');
    const buf = Buffer.from('+PONG\r\n-ERR bad\r\n:42\r\n$5\r\nhello\r\n$-1\r\n*2\r\n:1\r\n$1\r\nx\r\n');
    const out: unknown[] = [];
    for (let pos = 0, r; (r = parseReply(buf, pos)); pos = r[1]) out.push(r[0]);
    assert.deepEqual(out.slice(0, 1), ['PONG']);
    assert.ok(out[1] instanceof ServerError && out[1].prefix === 'ERR');
    assert.deepEqual(out.slice(2), [42, 'hello', null, [1, 'x']]);
    assert.equal(parseReply(Buffer.from('$5\r\nhel')), undefined);
    assert.equal(parseReply(Buffer.from('*2\r\n:1\r\n')), undefined);
    assert.throws(() => parseReply(Buffer.from('HTTP/1.1 400 Bad Request\r\n')));
  });
});

describe('redisProbe', () => {
  test('reports version, mode, role, tls and authentication', async () => {
    const r = await redisProbe(plain.url, { signal: never() });
    assert.match(r.version, /^\d+\.\d+\.\d+$/);
    assert.equal(r.mode, 'standalone');
    assert.equal(r.role, 'master');
    assert.equal(r.tls, false);
    assert.equal(r.authenticated, false);
    const a = await redisProbe(secured.url, { signal: never() });
    assert.equal(a.authenticated, true);
  });

  test('AUTH with a user name (AUTH user pass) and SELECT of the db in the path', async () => {
    const r = await redisProbe(`redis://default:${PASSWORD}@127.0.0.1:${secured.port}/3`, { signal: never() });
    assert.equal(r.authenticated, true);
    await assert.rejects(redisProbe(`${plain.url}/999`, { signal: never() }), (e: RedisProbeError) => e.code === 'BAD_DB');
  });

  test('TLS: trusted with an explicit CA, also by host name', async () => {
    const r = await redisProbe(tls.url, { signal: never(), ca: tls.ca });
    assert.equal(r.tls, true);
    assert.equal(r.authenticated, true);
    const byName = await redisProbe(tls.url.replace('127.0.0.1', 'localhost'), { signal: never(), ca: tls.ca });
    assert.equal(byName.tls, true);
  });

  test('error codes tell the causes apart', async () => {
    const code = async (url: string, timeoutMs?: number) => {
      try {
        await redisProbe(url, { signal: never(), timeoutMs });
        return 'OK';
      } catch (e) {
        return (e as RedisProbeError).code;
      }
    };
    assert.equal(await code(`redis://127.0.0.1:${secured.port}`), 'NOAUTH');
    assert.equal(await code(`redis://:${WRONG}@127.0.0.1:${secured.port}`), 'WRONGPASS');
    assert.equal(await code(`redis://someone:${WRONG}@127.0.0.1:${secured.port}`), 'WRONGPASS');
    assert.equal(await code(tls.url), 'DEPTH_ZERO_SELF_SIGNED_CERT');
    assert.equal(await code(`redis://127.0.0.1:${await freePort()}`), 'ECONNREFUSED');
    assert.match(await code('redis://no-such-host.invalid:6379'), /^(ENOTFOUND|EAI_AGAIN)$/);
    assert.equal(await code('mysql://h'), 'BAD_URL');
  });
});

describe('verify: success', () => {
  test('no password: identity and mode', async () => {
    const v = await provider.verify({ REDIS_URL: plain.url }, io());
    assert.match(v.identity, new RegExp(`^Redis \\d+\\.\\d+\\.\\d+ \\(standalone\\) at 127\\.0\\.0\\.1:${plain.port}$`));
    assert.equal(v.mode, 'plaintext');
    assert.deepEqual(v.warnings, []);
  });

  test('with a password', async () => {
    const v = await verifyRedisUrl(secured.url, io());
    assert.equal(v.mode, 'plaintext');
    assert.ok(v.details?.includes('authenticated'));
    assert.deepEqual(v.warnings, []);
  });

  test('TLS with the CA given', async () => {
    const v = await verifyRedisUrl(tls.url, io(), { ca: tls.ca });
    assert.equal(v.mode, 'tls');
    assert.match(v.identity, new RegExp(`^Redis .* at 127\\.0\\.0\\.1:${tls.port}$`));
  });

  test('warnings: a password the server does not need; a non-loopback host without TLS or password', async () => {
    const extra = await verifyRedisUrl(`redis://:${PASSWORD}@127.0.0.1:${plain.port}`, io());
    assert.ok(extra.warnings.some((w) => /carries a password but the server has none/.test(w)), String(extra.warnings));
    // 0.0.0.0 reaches the local server on Linux, but is not a loopback name.
    const open = await verifyRedisUrl(`redis://0.0.0.0:${plain.port}`, io());
    assert.ok(open.warnings.some((w) => /is not encrypted: use rediss:\/\//.test(w)), String(open.warnings));
    assert.ok(open.warnings.some((w) => /accepts commands without a password/.test(w)), String(open.warnings));
  });
});

describe('verify: failures', () => {
  test('NOAUTH: the server needs a password', async () => {
    const e = await failing(verifyRedisUrl(`redis://127.0.0.1:${secured.port}`, io()));
    assert.ok(e instanceof VerifyError);
    assert.equal(e.code, 'NOAUTH');
    assert.match(e.hint ?? '', /put it in the URL as redis:\/\/:PASSWORD@127\.0\.0\.1:\d+/);
  });

  test('WRONGPASS', async () => {
    const e = await failing(verifyRedisUrl(`redis://:${WRONG}@127.0.0.1:${secured.port}`, io()));
    assert.equal(e.code, 'WRONGPASS');
    assert.match(e.message, /rejected the password/);
  });

  test('rediss:// to a self-signed server: a distinguishable certificate error', async () => {
    const e = await failing(verifyRedisUrl(tls.url, io()));
    assert.equal(e.code, 'DEPTH_ZERO_SELF_SIGNED_CERT');
    assert.match(e.message, /self-signed TLS certificate/);
    assert.match(e.hint ?? '', /NODE_EXTRA_CA_CERTS/);
  });

  test('redis:// to a TLS-only server, and rediss:// to a plaintext one', async () => {
    const toTls = await failing(verifyRedisUrl(tls.url.replace('rediss://', 'redis://'), io()));
    assert.equal(toTls.code, 'CLOSED');
    assert.match(toTls.hint ?? '', /rediss:\/\//);
    // A plaintext Redis waits for a newline that a TLS ClientHello never sends: a handshake timeout.
    const toPlain = await failing(verifyRedisUrl(plain.url.replace('redis://', 'rediss://'), io(), { timeoutMs: 300 }));
    assert.equal(toPlain.code, 'TIMEOUT');
    assert.match(toPlain.message, /no TLS handshake completed/);
  });

  test('connection refused', async () => {
    const port = await freePort();
    const e = await failing(verifyRedisUrl(`redis://:${PASSWORD}@127.0.0.1:${port}`, io()));
    assert.equal(e.code, 'ECONNREFUSED');
    assert.match(e.message, new RegExp(`connection refused by 127\\.0\\.0\\.1:${port}`));
    assert.doesNotMatch(e.hint ?? '', /docker/);
  });

  test('the local default, when nothing listens on 6379: docker hint', async (t) => {
    const busy = await new Promise<boolean>((resolve) => {
      const s = createServer().once('error', () => resolve(true));
      s.listen(6379, '127.0.0.1', () => s.close(() => resolve(false)));
    });
    if (busy) return t.skip('something listens on 127.0.0.1:6379');
    const e = await failing(verifyRedisUrl(LOCAL_REDIS_URL, io()));
    assert.match(e.hint ?? '', /docker compose up -d redis/);
  });

  test('DNS failure', async () => {
    const e = await failing(verifyRedisUrl(`redis://:${PASSWORD}@no-such-host.invalid:6379`, io()));
    assert.ok(e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN', e.code);
    assert.match(e.message, /cannot resolve host no-such-host\.invalid/);
  });

  test('a server that accepts and never answers: timeout', async () => {
    const silent = await listen(createServer(() => {}));
    try {
      const t0 = Date.now();
      const e = await failing(verifyRedisUrl(`redis://:${PASSWORD}@127.0.0.1:${port(silent)}`, io(), { timeoutMs: 300 }));
      assert.equal(e.code, 'TIMEOUT');
      assert.match(e.message, /did not answer within 300 ms/);
      assert.ok(Date.now() - t0 < 1500, `took ${Date.now() - t0} ms`);
    } finally {
      silent.close();
    }
  });

  test('the signal aborting rejects at once; a timeout signal becomes a TIMEOUT VerifyError', async () => {
    const silent = await listen(createServer(() => {}));
    try {
      const url = `redis://127.0.0.1:${port(silent)}`;
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 100);
      let t0 = Date.now();
      await assert.rejects(verifyRedisUrl(url, io(ac.signal)), (e: Error) => e.name === 'AbortError');
      assert.ok(Date.now() - t0 < 1500, `took ${Date.now() - t0} ms`);
      t0 = Date.now();
      const e = await failing(verifyRedisUrl(url, io(AbortSignal.timeout(150))));
      assert.equal(e.code, 'TIMEOUT');
      assert.ok(Date.now() - t0 < 1500, `took ${Date.now() - t0} ms`);
    } finally {
      silent.close();
    }
  });

  test('a server that is not Redis: garbage reply, or closed without a reply', async () => {
    const ssh = await listen(createServer((s: Socket) => s.write('SSH-2.0-OpenSSH_9.2p1\r\n')));
    const closer = await listen(createServer((s: Socket) => s.on('data', () => s.destroy())));
    try {
      const e = await failing(verifyRedisUrl(`redis://:${PASSWORD}@127.0.0.1:${port(ssh)}`, io()));
      assert.equal(e.code, 'NOT_REDIS');
      assert.match(e.message, /not a Redis server/);
      const c = await failing(verifyRedisUrl(`redis://127.0.0.1:${port(closer)}`, io()));
      assert.equal(c.code, 'CLOSED');
    } finally {
      ssh.close();
      closer.close();
    }
  });

  test('a db index the server refuses', async () => {
    const e = await failing(verifyRedisUrl(`${plain.url}/999`, io()));
    assert.equal(e.code, 'BAD_DB');
  });
});

describe('contribute and module shape', () => {
  test('render.yaml Key Value, env wiring, compose service', () => {
    const c = provider.contribute({ REDIS_URL: LOCAL_REDIS_URL }, { project, all: {} });
    assert.deepEqual(c.render?.services, [{ type: 'keyvalue', name: 'my-app-kv', plan: 'starter', region: 'oregon', maxmemoryPolicy: 'noeviction', ipAllowList: [] }]);
    assert.deepEqual(c.render?.envVars, [{ key: 'REDIS_URL', fromService: { type: 'keyvalue', name: 'my-app-kv', property: 'connectionString' } }]);
    const svc = c.compose?.services?.redis as Record<string, unknown>;
    assert.equal(svc.image, 'redis:7-alpine');
    assert.deepEqual(svc.ports, ['6379:6379']);
    assert.deepEqual((svc.healthcheck as { test: string[] }).test, ['CMD', 'redis-cli', 'ping']);
    assert.deepEqual(svc.volumes, ['redis-data:/data']);
    assert.deepEqual(svc.command, ['redis-server', '--appendonly', 'yes']);
    assert.deepEqual(c.compose?.volumes, ['redis-data']);
    assert.deepEqual(c.nextSteps, ['docker compose up -d redis']);
  });

  test('env declaration', () => {
    const [env] = provider.env;
    assert.equal(env?.key, 'REDIS_URL');
    assert.equal(env?.secret, true);
    assert.equal(env?.localDefault?.({}, project), 'redis://localhost:6379');
    assert.match(env?.where ?? '', /Key Value/);
  });

  test('the RESP client is only imported lazily, inside verify', () => {
    const src = readFileSync(new URL('../../providers/redis.ts', import.meta.url), 'utf8');
    assert.doesNotMatch(src, /^import (?!type)[^;]*from '\.\.\/src\/net\/redis\.ts'/m);
    assert.match(src, /await import\('\.\.\/src\/net\/redis\.ts'\)/);
  });
});

function listen(s: Server): Promise<Server> {
  return new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve(s)));
}
function port(s: Server): number {
  return (s.address() as AddressInfo).port;
}
