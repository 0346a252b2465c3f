// Redis / Render Key Value: REDIS_URL. `verify` uses the project's own tiny RESP client (src/net/redis.ts,
// loaded lazily): AUTH when the URL has a password, SELECT the db in the path, PING, INFO.
import { checkedString } from '../src/core/schema.ts';
import { VerifyError } from '../src/core/errors.ts';
import { defineProvider, type Io, type Verified } from '../src/core/provider.ts';
import type { ProjectInfo } from '../src/core/project.ts';
import { localService } from '../src/core/files/compose.ts';
import { connectionUrl, isLoopbackHost } from '../src/core/urls.ts';
import type { RedisProbeError, RedisProbeOptions } from '../src/net/redis.ts';

export const LOCAL_REDIS_URL = 'redis://localhost:6379';
const SHAPE = 'redis://[:PASSWORD@]HOST:6379[/DB] (rediss:// for TLS)';

/** Why a REDIS_URL is not usable, or undefined. The value itself is never echoed (it may hold a password). */
export function redisUrlProblem(value: string): string | undefined {
  const u = connectionUrl('REDIS_URL', value, ['redis', 'rediss'], SHAPE);
  if (typeof u === 'string') return u;
  const path = u.pathname.replace(/^\/|\/$/g, '');
  if (path !== '' && !/^\d+$/.test(path)) return 'REDIS_URL path must be a database index (a number, e.g. /0), or nothing';
  if (path !== '' && Number(path) > 65535) return 'REDIS_URL database index is too large';
  if (u.username && !u.password) return 'REDIS_URL has a user name but no password: redis://USER:PASSWORD@HOST:PORT (or redis://:PASSWORD@HOST:PORT)';
  return undefined;
}

export const redisUrlSchema = checkedString(redisUrlProblem);

/** The live check behind `verify`; `probe` options (timeout, an extra CA) are for tests and private CAs. */
export async function verifyRedisUrl(url: string, io: Io, probe: Omit<RedisProbeOptions, 'signal'> = {}): Promise<Verified> {
  const problem = redisUrlProblem(url);
  if (problem) throw new VerifyError(problem, `REDIS_URL looks like ${SHAPE}`, 'BAD_URL');
  const u = new URL(url);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const port = u.port ? Number(u.port) : 6379;
  const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const password = u.password ? safeDecode(u.password) : '';
  const local = isLoopbackHost(host);

  const { redisProbe } = await import('../src/net/redis.ts');
  let r: Awaited<ReturnType<typeof redisProbe>>;
  try {
    r = await redisProbe(url, { signal: io.signal, timeoutMs: 10_000, ...probe });
  } catch (e) {
    throw toVerifyError(e, { where, password, local, port, tls: u.protocol === 'rediss:', signal: io.signal });
  }

  const warnings: string[] = [];
  const details: string[] = [];
  details.push(r.tls ? 'TLS, certificate verified' : 'not encrypted (plaintext)');
  if (r.authenticated) details.push(u.username ? `authenticated as ${safeDecode(u.username)}` : 'authenticated');
  if (r.role) details.push(`role: ${r.role}`);
  const db = u.pathname.replace(/^\/|\/$/g, '');
  if (db && db !== '0') details.push(`database ${db}`);
  if (!r.tls && !local) warnings.push(`the connection to ${where} is not encrypted: use rediss:// if the server offers TLS (Render Key Value's external URL does)`);
  if (r.passwordNotNeeded) warnings.push('REDIS_URL carries a password but the server has none configured');
  if (!r.authenticated && !r.passwordNotNeeded && !local) warnings.push(`${where} accepts commands without a password`);
  if (r.role === 'slave' || r.role === 'replica') warnings.push(`${where} is a read-only replica: writes will fail`);
  if (r.mode === 'cluster') warnings.push('the server runs in cluster mode: use a cluster-aware client (e.g. ioredis Cluster)');
  const major = Number(r.version.split('.')[0]);
  if (major > 0 && major < 6) warnings.push(`Redis ${r.version} is old: Redis 6 or newer is recommended (ACL users, TLS)`);

  return {
    identity: `Redis ${r.version} (${r.mode}) at ${where}`,
    mode: r.tls ? 'tls' : 'plaintext',
    details,
    warnings,
  };
}

function toVerifyError(
  e: unknown,
  c: { where: string; password: string; local: boolean; port: number; tls: boolean; signal: AbortSignal },
): Error {
  const err = e as RedisProbeError;
  const code = err?.code ?? '';
  if (code === 'ABORT_ERR') {
    const reason: unknown = c.signal.reason;
    if (reason instanceof Error && reason.name === 'TimeoutError')
      return new VerifyError(`Timed out: no answer from ${c.where} in the time allowed`, 'check the host and port, and that a firewall or IP allow list lets you in', 'TIMEOUT');
    return reason instanceof Error ? reason : new DOMException('The Redis check was aborted', 'AbortError');
  }
  const redact = (s: string) => (c.password ? s.split(c.password).join('****') : s);
  const msg = redact(err?.message ?? String(e));
  const v = (message: string, hint: string | undefined) => new VerifyError(redact(message), hint && redact(hint), code || 'ERROR');
  switch (code) {
    case 'NOAUTH':
      return v(`${c.where} requires a password (NOAUTH)`, `the server needs a password: put it in the URL as redis://:PASSWORD@${c.where}`);
    case 'WRONGPASS':
      return v(`${c.where} rejected the password (WRONGPASS)`, 'check the password (and user name, if any) in REDIS_URL; copy the URL again from the dashboard');
    case 'ECONNREFUSED':
      return v(
        `connection refused by ${c.where}: nothing is listening there`,
        c.local && c.port === 6379 ? 'is Redis running? Start the local one with `docker compose up -d redis`' : 'is Redis running, and are the host and port right?',
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return v(msg, code === 'EAI_AGAIN' ? 'DNS did not answer: check your network, then try again' : 'check the host name in REDIS_URL');
    case 'TIMEOUT':
      return v(`Timed out: ${msg}`, 'check the host and port, and that a firewall or IP allow list lets you in');
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
      return v(
        `${c.where} presented a self-signed TLS certificate (${code})`,
        'trust its CA for Node (NODE_EXTRA_CA_CERTS=/path/to/ca.pem) or use a server with a publicly trusted certificate',
      );
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return v(`${c.where}'s TLS certificate is for a different host name (${code})`, 'use the host name the certificate was issued for');
    case 'CERT_HAS_EXPIRED':
      return v(`${c.where}'s TLS certificate has expired (${code})`, undefined);
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'CERT_UNTRUSTED':
      return v(`${c.where}'s TLS certificate is not trusted (${code})`, 'trust its CA for Node with NODE_EXTRA_CA_CERTS=/path/to/ca.pem');
    case 'TLS_HANDSHAKE':
      return v(msg, 'the server may not speak TLS: try redis:// instead of rediss://');
    case 'CLOSED':
      return v(msg, c.tls ? 'check the host and port in REDIS_URL' : 'if the server requires TLS, use rediss://; otherwise check the host and port');
    case 'NOT_REDIS':
      return v(msg, 'check the host and port in REDIS_URL');
    case 'DENIED':
      return v(msg, 'the server is in protected mode: set a password (requirepass) or bind it properly');
    case 'BAD_DB':
      return v(msg, 'check the database index at the end of REDIS_URL (most hosted Redis only has /0)');
    case 'BAD_URL':
      return v(msg, `REDIS_URL looks like ${SHAPE}`);
    default:
      return v(msg, undefined);
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** The local Redis: the app's own compose service, else ours (localhost, on a free host port). */
const localRedis = (project: ProjectInfo) => localService(project, 'redis', (port) => `redis://localhost:${port}`);

export default defineProvider({
  id: 'redis',
  title: 'Redis / Key Value',
  hint: 'REDIS_URL',
  docsUrl: 'https://render.com/docs/key-value',
  env: [
    {
      key: 'REDIS_URL',
      aliases: ['REDIS_TLS_URL', 'KV_URL', 'VALKEY_URL', 'REDIS_CONNECTION_URL', 'QUEUE_REDIS_URL'],
      description: 'Redis connection URL: redis://[:PASSWORD@]HOST:6379[/DB], or rediss:// for TLS.',
      where: 'Render dashboard → your Key Value instance → Connect → External URL (Upstash: database → Details → the rediss:// URL)',
      secret: true,
      schema: redisUrlSchema,
      app: "z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' })",
      localDefault: (_known, project) => localRedis(project).url,
      example: LOCAL_REDIS_URL,
    },
  ],
  verify: (values, io) => verifyRedisUrl(values.REDIS_URL ?? '', io),
  contribute(values, ctx) {
    const name = ctx.project.name;
    const local = localRedis(ctx.project);
    return {
      render: {
        services: [{ type: 'keyvalue', name: `${name}-kv`, plan: 'starter', region: 'oregon', maxmemoryPolicy: 'noeviction', ipAllowList: [] }],
        envVars: [{ key: 'REDIS_URL', fromService: { type: 'keyvalue', name: `${name}-kv`, property: 'connectionString' } }],
      },
      // The app's own Redis service is reused (its port and password); ours is added only without one.
      compose: local.reuse
        ? undefined
        : {
            services: {
              [local.service]: {
                image: 'redis:7-alpine',
                command: ['redis-server', '--appendonly', 'yes'],
                ports: [`${local.hostPort}:6379`],
                healthcheck: { test: ['CMD', 'redis-cli', 'ping'], interval: '5s', timeout: '3s', retries: 10 },
                volumes: ['redis-data:/data'],
                restart: 'unless-stopped',
              },
            },
            volumes: ['redis-data'],
          },
      nextSteps: values.REDIS_URL === local.url ? [`docker compose up -d ${local.service}`] : [],
    };
  },
});
