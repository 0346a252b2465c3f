// Provider faults: every provider that talks to a network (the five hosted stand-ins, a real PostgreSQL and a
// real Redis) × every fault a network gives (401, 403, 404, 429 once and always, 500, 502, 503, an answer
// slower than the deadline, a reset connection, a DNS failure, an untrusted TLS certificate, a malformed
// answer), each driven through the BUILT CLI (`check --json`, and for some `--yes` in a fresh folder).
// Every failing case must exit 1 with exactly one clear line for that provider (no stack trace, no
// "undefined"), change no file, and end in bounded time; "429 once" must succeed after honouring Retry-After.
//
// Concurrency: cases run on LANES, each with its own set of stand-ins (faults are per stand-in, so two cases
// never share one); PostgreSQL, Redis and the fake TCP servers are shared (their faults live in the URL).
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { connect as netConnect, createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPostgres, selfSignedCert, type PgServer } from '../harness/postgres.ts';
import { startRedis, type RedisServer } from '../harness/redis.ts';
import { envText, startStandins, type Standins } from '../standins/all.ts';
import type { Fault as BaseFault } from '../standins/fault.ts';
import { cli, hasStackTrace, type CliRun } from './run.ts';
import type { SuiteResult, Transcript } from './types.ts';

const FAULTS = ['401', '403', '404', '429 once', '429 always', '429 1 h', '500', '502', '503', 'slow', 'reset', 'DNS', 'TLS', 'malformed'] as const;
type FaultId = (typeof FAULTS)[number];
const HTTP = ['stripe', 'b2', 'clerk', 'auth0', 'render'] as const;
type HttpId = (typeof HTTP)[number];
const PROVIDERS = [...HTTP, 'postgres', 'redis'] as const;
type Pid = (typeof PROVIDERS)[number];

const TITLE: Record<Pid, string> = {
  stripe: 'Stripe',
  b2: 'Backblaze B2 (S3)',
  clerk: 'Clerk',
  auth0: 'Auth0',
  render: 'Render',
  postgres: 'PostgreSQL',
  redis: 'Redis / Key Value',
};
const KEY_PREFIX: Record<HttpId, RegExp> = { stripe: /^STRIPE_/, b2: /^S3_/, clerk: /^CLERK_/, auth0: /^AUTH0_/, render: /^RENDER_/ };
const OVERRIDE: Record<HttpId, string> = {
  stripe: 'PROD_READY_STRIPE_URL',
  b2: 'PROD_READY_B2_URL',
  clerk: 'PROD_READY_CLERK_URL',
  auth0: 'PROD_READY_AUTH0_URL',
  render: 'PROD_READY_RENDER_URL',
};

/** PROD_READY_TIMEOUT_MS for the "slow" runs; the stand-ins then wait far longer than that. */
const TIMEOUT_MS = 1500;
const SLOW_MS = 6000;
const RETRY_AFTER_S = 1;
/**
 * A slow case must end within the deadline plus this, counted from its first outgoing connection (an event
 * recorded by argv-hook.cjs), not from the process start: starting node and loading an SDK on a busy machine
 * is not what the deadline bounds. What is left is the clean-up and the exit.
 */
const SLOW_SLACK_MS = 3000;
/**
 * B2 answers at the deadline like every provider, then deletes its probe object (a PutObject that timed out
 * may still have stored it) on a deadline of its own, min(PROD_READY_TIMEOUT_MS, 5 s), before the process
 * exits: by design (providers/b2.ts removeProbe), so its "slow" bound has one more deadline.
 */
const slowBound = (p: Pid) => TIMEOUT_MS + SLOW_SLACK_MS + (p === 'b2' ? Math.min(TIMEOUT_MS, 5000) : 0);
/** No case may take longer than this. */
const CASE_BOUND_MS = 15_000;
const LANES = 5;

/** What the one line must say, so that it is clear which fault happened. */
const SAYS: Record<FaultId, RegExp> = {
  '401': /\b401\b|rejected|invalid api key|password|WRONGPASS|28P01|unauthori[sz]ed/i,
  '403': /\b403\b|permission|may not|forbidden|denied|NOPERM|42501/i,
  '404': /\b404\b|not found|no such|does not exist|unknown|3D000|out of range/i,
  '429 once': /./,
  '429 always': /\b429\b|rate[- ]limit/i,
  '429 1 h': /\b429\b|rate[- ]limit/i,
  '500': /\b500\b/,
  '502': /\b502\b/,
  '503': /\b503\b|too many (clients|connections)|loading/i,
  slow: /time[d ]? ?out|timed out|no answer|did not answer|within/i,
  reset: /reset|closed|ECONNRESET|hang ?up/i,
  DNS: /resolve|DNS|ENOTFOUND|EAI_AGAIN/i,
  TLS: /TLS|certificate|self-signed|SSL/i,
  malformed: /JSON|XML|malformed|not an? |parse|unreadable|could not read|protocol|not speak|garbled|unexpected (answer|reply|response)/i,
};

/** Cells that do not apply, and why (shown under the matrix). */
const NOT_APPLICABLE: Partial<Record<Pid, Partial<Record<FaultId, string>>>> = {
  postgres: {
    '429 once': 'the PostgreSQL protocol has no rate limiting or Retry-After (a full server is "too many clients": the 503 column)',
    '429 always': 'no rate limiting in the PostgreSQL protocol',
    '429 1 h': 'no rate limiting in the PostgreSQL protocol',
    '500': 'no HTTP status: a server-side refusal is a SQLSTATE (53300 too many clients: the 503 column)',
    '502': 'no gateway in between: a proxy failing shows as a reset or a silent server (reset, slow)',
  },
  redis: {
    '429 once': 'the Redis protocol has no rate limiting or Retry-After (a busy server answers -LOADING: the 503 column)',
    '429 always': 'no rate limiting in the Redis protocol',
    '429 1 h': 'no rate limiting in the Redis protocol',
    '500': 'no HTTP status: a server-side refusal is an error reply (-LOADING: the 503 column)',
    '502': 'no gateway in between: a proxy failing shows as a reset or a silent server (reset, slow)',
  },
};

/** What the protocol-level analogue of an HTTP fault is for the two database providers (footnotes). */
const ANALOGUE: Partial<Record<Pid, Partial<Record<FaultId, string>>>> = {
  postgres: {
    '401': 'wrong password (28P01), real server',
    '403': 'role without CONNECT on the database (42501), real server',
    '404': 'unknown database (3D000), real server',
    '503': 'FATAL 53300 "sorry, too many clients already"',
    slow: 'a server that accepts and never answers',
    TLS: 'sslmode=verify-full against the real server\'s self-signed certificate',
    malformed: 'an HTTP server on the port (not the PostgreSQL protocol)',
  },
  redis: {
    '401': 'wrong password (WRONGPASS), real server',
    '403': 'ACL user without permissions (NOPERM), real server',
    '404': 'database /99 out of range, real server',
    '503': '-LOADING Redis is loading the dataset in memory',
    slow: 'a server that accepts and never answers',
    TLS: 'rediss:// to the real server with a self-signed certificate',
    malformed: 'an HTTP server on the port (not RESP)',
  },
};

/** Which fault each provider's `--yes` run (fresh folder: nothing may be written) uses. */
const YES_RUNS: [Pid, FaultId][] = [
  ['stripe', '401'],
  ['b2', '503'],
  ['clerk', 'malformed'],
  ['auth0', 'slow'],
  ['render', 'reset'],
  ['postgres', 'TLS'],
  ['redis', 'DNS'],
];

const HTML_502 = '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n';
const PACKAGE_JSON = JSON.stringify({ name: 'faults-app', private: true, scripts: { start: 'node server.js' } }, null, 2);

// --- fake servers: TLS with an untrusted certificate, and TCP servers that misbehave -------------------------

interface Fake {
  port: number;
  close(): Promise<void>;
}

function listen(server: TcpServer | HttpsServer, sockets: Set<Socket>): Promise<Fake> {
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: (server.address() as { port: number }).port,
        close: () =>
          new Promise<void>((r) => {
            for (const s of sockets) s.destroy();
            server.close(() => r());
          }),
      }),
    );
  });
}

/** A TCP server whose connections `onData` answers (or not). */
function tcpFake(onData: (s: Socket, chunk: Buffer) => void): Promise<Fake> {
  const sockets = new Set<Socket>();
  const server = createTcpServer((s) => s.on('data', (c: Buffer) => onData(s, c)));
  return listen(server, sockets);
}

/** A PostgreSQL ErrorResponse message. */
function pgError(severity: string, code: string, message: string): Buffer {
  const fields = Buffer.concat([
    ...[['S', severity], ['V', severity], ['C', code], ['M', message]].map(([t, v]) => Buffer.concat([Buffer.from(t!, 'ascii'), Buffer.from(`${v}\0`, 'utf8')])),
    Buffer.from([0]),
  ]);
  const head = Buffer.alloc(5);
  head.write('E', 0, 'ascii');
  head.writeInt32BE(fields.length + 4, 1);
  return Buffer.concat([head, fields]);
}

/** A server that speaks just enough PostgreSQL to refuse: "N" to an SSLRequest, then FATAL 53300. */
function pgTooManyClients(): Promise<Fake> {
  return tcpFake((s, c) => {
    if (c.length >= 8 && c.readInt32BE(0) === 8 && c.readInt32BE(4) === 80877103) return void s.write('N');
    s.end(pgError('FATAL', '53300', 'sorry, too many clients already'));
  });
}

/** RESP commands to a real Redis (setup only: the suite's own process, nothing in argv). */
function redisCommands(port: number, commands: string[][]): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = netConnect(port, '127.0.0.1');
    let out = '';
    s.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.split('\r\n').filter(Boolean).length >= commands.length) s.end();
    });
    s.on('end', () => resolve(out));
    s.on('error', reject);
    s.write(commands.map((c) => `*${c.length}\r\n${c.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`).join(''));
  });
}

// --- the folder before and after ------------------------------------------------------------------------------

/** Every entry under `dir` (recursively) with its type, mode and content hash. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string) => {
    for (const name of readdirSync(join(dir, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      const st = lstatSync(join(dir, r));
      if (st.isSymbolicLink()) out.set(r, `link:${readlinkSync(join(dir, r))}`);
      else if (st.isDirectory()) {
        out.set(r, `dir:${(st.mode & 0o777).toString(8)}`);
        walk(r);
      } else out.set(r, `file:${(st.mode & 0o777).toString(8)}:${createHash('sha256').update(readFileSync(join(dir, r))).digest('hex')}`);
    }
  };
  walk('');
  return out;
}

function changes(before: Map<string, string>, after: Map<string, string>): string[] {
  const out: string[] = [];
  for (const [k, v] of after) if (!before.has(k)) out.push(`created ${k}`);
  else if (before.get(k) !== v) out.push(`changed ${k}`);
  for (const k of before.keys()) if (!after.has(k)) out.push(`removed ${k}`);
  return out;
}

// --- one case -------------------------------------------------------------------------------------------------

interface Shared {
  pg: PgServer;
  pgApp: { user: string; password: string; db: string };
  pgNoConnect: { user: string; password: string; db: string };
  redis: RedisServer;
  redisTls: RedisServer;
  redisLimited: { user: string; password: string };
  tls: Fake;
  silent: Fake;
  reset: Fake;
  junk: Fake;
  pgFull: Fake;
  redisLoading: Fake;
  secrets: string[];
}

interface Setup {
  /** The provider's values (.env of the check project, the environment of a --yes run). */
  values: Record<string, string>;
  /** Extra environment (overrides, PROD_READY_TIMEOUT_MS). */
  env: Record<string, string>;
  /** Inject the fault into the lane's stand-in. */
  arm?: () => void;
}

const pick = (values: Record<string, string>, re: RegExp) => Object.fromEntries(Object.entries(values).filter(([k]) => re.test(k)));

/** The stand-in fault for an HTTP provider (undefined: the fault is in the URL instead). */
function standinFault(p: HttpId, f: FaultId): (BaseFault & { code?: string; message?: string; body?: string | Record<string, unknown> }) | undefined {
  const s3Code: Partial<Record<FaultId, string>> = { '401': 'Unauthorized', '404': 'NoSuchBucket', '429 once': 'TooManyRequests', '429 always': 'TooManyRequests', '429 1 h': 'TooManyRequests', '500': 'InternalError', '503': 'ServiceUnavailable' };
  const code = p === 'b2' ? s3Code[f] : undefined;
  const withCode = <T extends object>(x: T) => (code ? { ...x, code } : x);
  switch (f) {
    case '401':
      return withCode({ status: 401 });
    case '403':
      return withCode({ status: 403 });
    case '404':
      return withCode({ status: 404 });
    case '429 once':
      return withCode({ status: 429, retryAfter: RETRY_AFTER_S, times: 1 });
    case '429 always':
      return withCode({ status: 429, retryAfter: RETRY_AFTER_S });
    // A Retry-After far beyond any budget: give up at once rather than wait (or hang).
    case '429 1 h':
      return withCode({ status: 429, retryAfter: 3600 });
    case '500':
      return withCode({ status: 500 });
    // A 502 comes from a load balancer, as an HTML page.
    case '502':
      return p === 'stripe' || p === 'clerk' ? { status: 502, malformed: true, body: HTML_502 } : { status: 502, body: HTML_502 };
    case '503':
      return withCode({ status: 503 });
    case 'slow':
      return { delayMs: SLOW_MS };
    case 'reset':
      return { reset: true };
    case 'malformed':
      return { malformed: true };
    default:
      return undefined;
  }
}

function setupHttp(p: HttpId, f: FaultId | 'none', lane: Standins, tlsPort: number): Setup {
  const values = pick(lane.values, KEY_PREFIX[p]);
  const env: Record<string, string> = { ...lane.overrides };
  if (f === 'none') return { values, env };
  if (f === 'slow') env.PROD_READY_TIMEOUT_MS = String(TIMEOUT_MS);
  if (f === 'DNS' || f === 'TLS') {
    const url = f === 'DNS' ? `https://api-${p}.faults.invalid` : `https://127.0.0.1:${tlsPort}`;
    env[OVERRIDE[p]] = url;
    // B2's check talks to S3_ENDPOINT (the override is the native API, used for CORS).
    if (p === 'b2') values.S3_ENDPOINT = f === 'DNS' ? 'https://s3.us-west-004.faults.invalid' : url;
    return { values, env };
  }
  const fault = standinFault(p, f)!;
  const arm = () => {
    switch (p) {
      case 'stripe':
        return lane.stripe.fail(/^\//, fault);
      case 'clerk':
        return lane.clerk.fail(/^\//, fault);
      case 'auth0':
        // 401/403 are what /oauth/token answers for a bad client; 404 what discovery answers with no tenant.
        return lane.auth0.fail(f === '401' || f === '403' ? '/oauth/token' : f === '404' ? '/.well-known/openid-configuration' : /^\//, fault);
      case 'render':
        return lane.render.fail(fault);
      case 'b2':
        return void lane.b2.fail({ api: 's3', ...fault });
    }
  };
  return { values, env, arm };
}

function setupDb(p: 'postgres' | 'redis', f: FaultId | 'none', sh: Shared): Setup {
  const env: Record<string, string> = f === 'slow' ? { PROD_READY_TIMEOUT_MS: String(TIMEOUT_MS) } : {};
  const at = (port: number) => `127.0.0.1:${port}`;
  if (p === 'postgres') {
    const { user, password, db } = sh.pgApp;
    const auth = `${user}:${encodeURIComponent(password)}`;
    const url: Record<FaultId | 'none', string | undefined> = {
      none: sh.pg.url(db, user, password),
      '401': sh.pg.url(db, user, 'wrong-password-Q7x2Lm9v'),
      '403': sh.pg.url(sh.pgNoConnect.db, sh.pgNoConnect.user, sh.pgNoConnect.password),
      '404': sh.pg.url('no_such_database', user, password),
      '429 once': undefined,
      '429 always': undefined,
      '429 1 h': undefined,
      '500': undefined,
      '502': undefined,
      '503': `postgres://${auth}@${at(sh.pgFull.port)}/${db}`,
      slow: `postgres://${auth}@${at(sh.silent.port)}/${db}`,
      reset: `postgres://${auth}@${at(sh.reset.port)}/${db}`,
      DNS: `postgres://${auth}@db.faults.invalid:5432/${db}`,
      TLS: sh.pg.url(db, user, password, 'sslmode=verify-full'),
      malformed: `postgres://${auth}@${at(sh.junk.port)}/${db}`,
    };
    return { values: { DATABASE_URL: url[f]! }, env };
  }
  const pw = sh.redis.password!;
  const auth = `:${encodeURIComponent(pw)}@`;
  const url: Record<FaultId | 'none', string | undefined> = {
    none: sh.redis.url,
    '401': `redis://:wrong-password-Hk3Zp8Rt@${at(sh.redis.port)}`,
    '403': `redis://${sh.redisLimited.user}:${encodeURIComponent(sh.redisLimited.password)}@${at(sh.redis.port)}`,
    '404': `${sh.redis.url}/99`,
    '429 once': undefined,
    '429 always': undefined,
    '429 1 h': undefined,
    '500': undefined,
    '502': undefined,
    '503': `redis://${auth}${at(sh.redisLoading.port)}`,
    slow: `redis://${auth}${at(sh.silent.port)}`,
    reset: `redis://${auth}${at(sh.reset.port)}`,
    DNS: `redis://${auth}cache.faults.invalid:6379`,
    TLS: sh.redisTls.url,
    malformed: `redis://${auth}${at(sh.junk.port)}`,
  };
  return { values: { REDIS_URL: url[f]! }, env };
}

/** The requests a provider's stand-in has seen, as "METHOD path" (B2: "api op"), for counting attempts. */
function requestKeys(p: Pid, lane: Standins): string[] {
  switch (p) {
    case 'stripe':
      return lane.stripe.state.requests.map((r) => `${r.method} ${r.path}`);
    case 'clerk':
      return lane.clerk.requests.map((r) => `${r.method} ${r.path}`);
    case 'auth0':
      return lane.auth0.requests.map((r) => `${r.method} ${r.path}`);
    case 'render':
      return lane.render.requests.map((r) => `${r.method} ${r.path}`);
    case 'b2':
      return lane.b2.requests.map((r) => `${r.api} ${r.op}`);
    default:
      return [];
  }
}

/** The most times one request was made (1 = no retry). */
function mostAttempts(keys: string[]): number {
  const n = new Map<string, number>();
  for (const k of keys) n.set(k, (n.get(k) ?? 0) + 1);
  return Math.max(0, ...n.values());
}

interface Outcome {
  provider: Pid;
  fault: FaultId | 'none';
  kind: 'check' | 'yes';
  ms: number;
  bound: number;
  problems: string[];
  stack: boolean;
  changed: boolean;
  overTime: boolean;
  unclear: boolean;
  /** For the 429 cases: the most attempts of one request. */
  attempts?: number;
}

const VAGUE = /\bundefined\b|\[object Object\]|\bNaN\b|\bnull\b/;

/** The lines a run printed that are not the expected frame (header, results, warnings, hints, summary). */
function strayLines(text: string): string[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .filter((l) => !/^(✖|✔|▲|-) /.test(l) && !/^ {2}\S/.test(l) && !/^create-prod-ready \S+ (check|·)/.test(l) && !/^(Some|All) checks (failed|passed) in \d+ ms\.$/.test(l));
}

function judge(p: Pid, f: FaultId | 'none', kind: 'check' | 'yes', r: CliRun, changed: string[], attempts?: number, sinceConnect?: number): Outcome {
  const expectOk = f === 'none' || f === '429 once';
  const bound = f === 'slow' ? slowBound(p) : CASE_BOUND_MS;
  // slow: timed from the first connection (the deadline's business), else from the process start
  const ms = f === 'slow' && sinceConnect !== undefined ? sinceConnect : r.ms;
  const o: Outcome = { provider: p, fault: f, kind, ms, bound, problems: [], stack: false, changed: false, overTime: false, unclear: false, attempts };
  // Bounded retry: "once" is retried, "always" at most twice, a Retry-After of an hour not at all.
  if (attempts !== undefined) {
    if (f === '429 once' && attempts < 2) o.problems.push(`no retry after the 429 (${attempts} attempt)`);
    if (f === '429 always' && attempts > 3) o.problems.push(`${attempts} attempts of one request (at most 3)`);
    if (f === '429 1 h' && attempts > 1) o.problems.push(`retried although Retry-After asked for an hour (${attempts} attempts)`);
  }
  const all = `${r.stdout}\n${r.stderr}`;
  const human = kind === 'check' ? r.stderr : r.stdout + r.stderr;
  if (r.signal) o.problems.push(`killed by ${r.signal} (hung?)`);
  if (r.code !== (expectOk ? 0 : 1)) o.problems.push(`exit ${r.code} (expected ${expectOk ? 0 : 1})`);
  if (hasStackTrace(all)) {
    o.stack = true;
    o.problems.push('stack trace in the output');
  }
  if (ms > bound) {
    o.overTime = true;
    o.problems.push(`took ${(ms / 1000).toFixed(1)} s${f === 'slow' && sinceConnect !== undefined ? ' from its first connection' : ''} (bound ${bound / 1000} s)`);
  }
  if (f === '429 once' && r.ms < RETRY_AFTER_S * 1000) o.problems.push(`succeeded in ${Math.round(r.ms)} ms: Retry-After ${RETRY_AFTER_S} s was not honoured`);
  if (changed.length && (!expectOk || kind === 'check')) {
    o.changed = true;
    o.problems.push(`files changed: ${changed.slice(0, 4).join(', ')}`);
  }
  // A --yes run ends with one summary line saying that nothing was written: required, and not a second error.
  const summary = human.split('\n').filter((l) => /^✖ Nothing was written\b/.test(l));
  const failLines = human.split('\n').filter((l) => l.startsWith('✖') && !summary.includes(l));
  if (kind === 'yes' && !expectOk && summary.length !== 1) o.problems.push('no "Nothing was written" line');
  const unclear: string[] = [];
  if (expectOk) {
    if (failLines.length) unclear.push(`a failure line on success: ${failLines[0]}`);
  } else {
    const mine = failLines.filter((l) => l.startsWith(`✖ ${TITLE[p]}: `));
    if (failLines.length !== 1 || mine.length !== 1) unclear.push(`${failLines.length} failure lines (${mine.length} for ${TITLE[p]}), expected exactly 1`);
    const line = mine[0] ?? failLines[0] ?? '';
    if (line && !SAYS[f as FaultId].test(line)) unclear.push(`the line does not name the fault: ${line}`);
    if (VAGUE.test(line)) unclear.push(`vague line: ${line}`);
  }
  const stray = kind === 'check' ? strayLines(human) : [];
  if (stray.length) unclear.push(`stray output: ${stray[0]!.slice(0, 160)}`);
  if (kind === 'check') {
    try {
      const doc = JSON.parse(r.stdout) as { ok: boolean; providers: { id: string; ok: boolean; error?: string | null }[] };
      if (doc.ok !== expectOk) unclear.push(`JSON ok is ${doc.ok}`);
      const mine = doc.providers.find((x) => x.id === p);
      if (doc.providers.length !== 1 || !mine) unclear.push(`JSON lists ${doc.providers.map((x) => x.id).join(', ')}`);
      else if (!expectOk) {
        if (mine.ok || typeof mine.error !== 'string' || !mine.error.trim()) unclear.push('JSON has no error for the provider');
        else if (/\n/.test(mine.error)) unclear.push('JSON error spans several lines');
        else if (VAGUE.test(mine.error)) unclear.push(`vague JSON error: ${mine.error}`);
      }
    } catch {
      unclear.push(`stdout is not one JSON document: ${r.stdout.slice(0, 120)}`);
    }
  }
  if (unclear.length) {
    o.unclear = true;
    o.problems.push(...unclear);
  }
  return o;
}

// --- the suite ------------------------------------------------------------------------------------------------

export default async function faults(): Promise<SuiteResult> {
  const transcripts: Transcript[] = [];
  const written: { path: string; text: string }[] = [];
  const work = mkdtempSync(join(tmpdir(), 'cpr-faults-'));
  const cleanups: (() => Promise<void>)[] = [];
  try {
    // Servers: one set of stand-ins per lane, the databases and the fakes shared.
    const { cert, key } = await selfSignedCert();
    const pgPassword = `pg-app-${Math.random().toString(36).slice(2, 12)}`;
    const noConnectPassword = `pg-nc-${Math.random().toString(36).slice(2, 12)}`;
    const redisPassword = `redis-${Math.random().toString(36).slice(2, 12)}`;
    const limitedPassword = `limited-${Math.random().toString(36).slice(2, 12)}`;
    const [lanes, pg, redis, redisTls, tls, silent, reset, junk, pgFull, redisLoading] = await Promise.all([
      Promise.all(Array.from({ length: LANES }, () => startStandins())),
      startPostgres({ ssl: true }),
      startRedis({ password: redisPassword }),
      startRedis({ password: redisPassword, tls: true }),
      (() => {
        const sockets = new Set<Socket>();
        const server = createHttpsServer({ cert, key }, (_req, res) => res.end('{}'));
        return listen(server, sockets);
      })(),
      tcpFake(() => undefined),
      tcpFake((s) => (s as Socket & { resetAndDestroy(): void }).resetAndDestroy()),
      tcpFake((s) => s.end('HTTP/1.1 400 Bad Request\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n<html><body><h1>400 Bad Request</h1></body></html>\r\n')),
      pgTooManyClients(),
      tcpFake((s) => s.write('-LOADING Redis is loading the dataset in memory\r\n')),
    ]);
    cleanups.push(...lanes.map((l) => () => l.stop()), () => pg.stop(), () => redis.stop(), () => redisTls.stop());
    cleanups.push(...[tls, silent, reset, junk, pgFull, redisLoading].map((f) => () => f.close()));
    const pgApp = { user: 'app', password: pgPassword, db: 'app' };
    const pgNoConnect = { user: 'noconnect', password: noConnectPassword, db: 'closed' };
    await pg.sql(`create role app login password '${pgPassword}'`);
    await pg.sql('create database app owner app');
    await pg.sql(`create role noconnect login password '${noConnectPassword}'`);
    await pg.sql('create database closed');
    await pg.sql('revoke connect on database closed from public');
    await redisCommands(redis.port, [
      ['AUTH', redisPassword],
      ['ACL', 'SETUSER', 'limited', 'on', `>${limitedPassword}`, '-@all'],
    ]);
    const sh: Shared = {
      pg,
      pgApp,
      pgNoConnect,
      redis,
      redisTls,
      redisLimited: { user: 'limited', password: limitedPassword },
      tls,
      silent,
      reset,
      junk,
      pgFull,
      redisLoading,
      secrets: [pgPassword, noConnectPassword, redisPassword, limitedPassword, 'wrong-password-Q7x2Lm9v', 'wrong-password-Hk3Zp8Rt'],
    };
    const secrets = new Set<string>(sh.secrets);

    // The jobs: a baseline per provider (the same project without a fault passes), every applicable cell,
    // and the --yes runs in fresh folders.
    type Job = { p: Pid; f: FaultId | 'none'; kind: 'check' | 'yes' };
    const jobs: Job[] = [];
    for (const p of PROVIDERS) jobs.push({ p, f: 'none', kind: 'check' });
    for (const [p, f] of YES_RUNS) jobs.push({ p, f, kind: 'yes' });
    for (const f of FAULTS) for (const p of PROVIDERS) if (!NOT_APPLICABLE[p]?.[f]) jobs.push({ p, f, kind: 'check' });
    // Slow ones first, so the tail of the run is short.
    const weight = (j: Job) => (j.f === 'slow' ? 3 : j.f === '429 always' ? 2 : j.f === '429 once' || j.kind === 'yes' ? 1 : 0);
    jobs.sort((a, b) => weight(b) - weight(a));

    const outcomes: Outcome[] = [];
    let next = 0;
    let counter = 0;
    const runJob = async (lane: Standins, j: Job) => {
      for (const s of [lane.stripe, lane.b2, lane.clerk, lane.auth0, lane.render]) s.clearFaults();
      const setup = (HTTP as readonly string[]).includes(j.p) ? setupHttp(j.p as HttpId, j.f, lane, tls.port) : setupDb(j.p as 'postgres' | 'redis', j.f, sh);
      for (const [k, v] of Object.entries(setup.values)) if (/SECRET|KEY$|_URL$|PASSWORD/.test(k) && !/PUBLISHABLE|ACCESS_KEY_ID/.test(k)) secrets.add(v);
      const projectDir = join(work, `${j.kind}-${j.p}-${j.f.replace(/\W+/g, '-')}-${counter++}`);
      mkdirSync(projectDir);
      const files: Record<string, string> = j.kind === 'check' ? { 'package.json': PACKAGE_JSON, '.env': envText(setup.values) } : { 'package.json': PACKAGE_JSON };
      for (const [name, text] of Object.entries(files)) writeFileSync(join(projectDir, name), text);
      const before = snapshot(projectDir);
      const seen = requestKeys(j.p, lane).length;
      setup.arm?.();
      const args = j.kind === 'check' ? ['check', '--json'] : ['--yes', '--providers', `app,${j.p}`];
      const env = j.kind === 'check' ? setup.env : { ...setup.env, ...setup.values };
      const connectLog = `${projectDir}.connect`; // beside the project, not in it
      const r = await cli(args, { cwd: projectDir, env: { ...env, PROD_READY_CONNECT_LOG: connectLog }, timeoutMs: 30_000, what: `${j.p} × ${j.f}: create-prod-ready ${args.join(' ')}` });
      const ended = Date.now();
      const connectedAt = existsSync(connectLog) ? Number(readFileSync(connectLog, 'utf8')) : NaN;
      const sinceConnect = Number.isFinite(connectedAt) ? ended - connectedAt : undefined;
      for (const s of [lane.stripe, lane.b2, lane.clerk, lane.auth0, lane.render]) s.clearFaults();
      transcripts.push({ what: r.what, stdout: r.stdout, stderr: r.stderr });
      const after = snapshot(projectDir);
      const is429 = j.f === '429 once' || j.f === '429 always' || j.f === '429 1 h';
      const o = judge(j.p, j.f, j.kind, r, changes(before, after), is429 ? mostAttempts(requestKeys(j.p, lane).slice(seen)) : undefined, sinceConnect);
      outcomes.push(o);
    };
    await Promise.all(
      lanes.map(async (lane) => {
        while (next < jobs.length) await runJob(lane, jobs[next++]!);
      }),
    );

    // Figures, matrix, failures.
    const checks = outcomes.filter((o) => o.kind === 'check' && o.fault !== 'none');
    const failing = outcomes.filter((o) => o.problems.length);
    const failures = failing.map((o) => `${o.provider} × ${o.fault}${o.kind === 'yes' ? ' (--yes)' : o.fault === 'none' ? ' (no fault)' : ''}: ${o.problems.join('; ')}`);
    const sec = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    const cell = (p: Pid, f: FaultId | 'none', kind: 'check' | 'yes' = 'check') => outcomes.find((o) => o.provider === p && o.fault === f && o.kind === kind);
    const notes: string[] = [];
    const noteOf = (text: string) => {
      let i = notes.indexOf(text);
      if (i < 0) i = notes.push(text) - 1;
      return `[${i + 1}]`;
    };
    const head = ['provider', 'no fault', ...FAULTS, '--yes (writes nothing)'];
    const rows: string[][] = [];
    for (const p of PROVIDERS) {
      const row: string[] = [p];
      const base = cell(p, 'none');
      row.push(base ? `${base.problems.length ? '✖' : '✔'} ${sec(base.ms)}` : '?');
      for (const f of FAULTS) {
        const na = NOT_APPLICABLE[p]?.[f];
        if (na) row.push(`n/a ${noteOf(na)}`);
        else {
          const o = cell(p, f);
          const an = ANALOGUE[p]?.[f];
          const tries = o?.attempts !== undefined ? ` ×${o.attempts}` : '';
          row.push(o ? `${o.problems.length ? '✖' : '✔'} ${sec(o.ms)}${tries}${an ? ` ${noteOf(an)}` : ''}` : '?');
        }
      }
      const yes = YES_RUNS.find(([q]) => q === p);
      const y = yes && cell(p, yes[1], 'yes');
      row.push(y ? `${y.problems.length ? '✖' : '✔'} ${yes[1]} ${sec(y.ms)}` : '');
      rows.push(row);
    }
    const maxRow: string[] = ['max time', sec(Math.max(...outcomes.filter((o) => o.fault === 'none').map((o) => o.ms)))];
    for (const f of FAULTS) {
      const ms = outcomes.filter((o) => o.fault === f).map((o) => o.ms);
      maxRow.push(ms.length ? `${sec(Math.max(...ms))}${f === 'slow' ? ` (≤ ${sec(slowBound('stripe'))}, B2 ${sec(slowBound('b2'))})` : ''}` : '');
    }
    const yesMs = outcomes.filter((o) => o.kind === 'yes').map((o) => o.ms);
    maxRow.push(yesMs.length ? sec(Math.max(...yesMs)) : '');
    rows.push(maxRow);
    const table = [
      `| ${head.join(' | ')} |`,
      `|${head.map(() => '---').join('|')}|`,
      ...rows.map((r) => `| ${r.join(' | ')} |`),
      '',
      `429: Retry-After ${RETRY_AFTER_S} s; "once" must succeed after waiting, "always" must give up after bounded retries, "1 h" (Retry-After 3600) must give up without waiting; ×N: the most attempts of one request.`,
      `slow: the answer takes ${SLOW_MS / 1000} s, PROD_READY_TIMEOUT_MS=${TIMEOUT_MS} (B2 then deletes its probe object on a deadline of its own before exiting). Every other case ≤ ${CASE_BOUND_MS / 1000} s.`,
      ...notes.map((n, i) => `[${i + 1}] ${n}`),
    ].join('\n');

    return {
      name: 'provider faults',
      figures: [
        { label: 'cases run', value: outcomes.length },
        { label: 'cases passing', value: outcomes.length - failing.length },
        { label: 'provider × fault cells (applicable / n/a)', value: `${checks.length} / ${PROVIDERS.length * FAULTS.length - checks.length}` },
        { label: 'cases failing', value: failing.length, zero: true },
        { label: 'stack traces', value: outcomes.filter((o) => o.stack).length, zero: true },
        { label: 'files changed by a failing run', value: outcomes.filter((o) => o.changed).length, zero: true },
        { label: 'cases over their time bound', value: outcomes.filter((o) => o.overTime).length, zero: true },
        { label: 'cases without exactly one clear line', value: outcomes.filter((o) => o.unclear).length, zero: true },
        { label: 'slowest case', value: sec(Math.max(...outcomes.map((o) => o.ms))) },
      ],
      table,
      transcripts,
      files: written,
      secrets: [...secrets].filter(Boolean),
      failures,
    };
  } finally {
    await Promise.allSettled(cleanups.map((c) => c()));
    rmSync(work, { recursive: true, force: true });
  }
}
